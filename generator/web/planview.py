"""The plan body laid out for the page: the Nghị định 30 header, the title, the paragraphs
and the footer of the `Plan` the check built (resolve.body.build_plan), as the unit will
get it in the DOCX."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.resolve.plan import Plan
from generator.web.checking import Check

NO_BODY = (
    "Thư mục dữ liệu chưa có thân Kế hoạch (catalogs/plans); dưới đây là các phụ lục, đúng "
    "như đơn vị sẽ nhận."
)
NOT_YET = "Phần thân Kế hoạch chưa xem trước được: hồ sơ còn lỗi."


@dataclass
class PlanPreview:
    """The plan body laid out for HTML: Nghị định 30 header, title, paragraphs, footer."""

    available: bool
    note: str = ""
    left: list[tuple[str, str]] = field(default_factory=list)  # (css class, text)
    right: list[tuple[str, str]] = field(default_factory=list)
    doc_type: str = ""
    title: list[str] = field(default_factory=list)
    paragraphs: list[tuple[str, int, str, str, bool]] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    signer: list[str] = field(default_factory=list)


def plan_preview(check: Check) -> PlanPreview:
    """The candidate's plan body, or a note saying why there is none."""
    if not check.ok:
        return PlanPreview(False, NOT_YET)
    if check.plan is None:
        return PlanPreview(False, NO_BODY)
    return describe_plan(check.plan)


def _lines(value: str | tuple[str, ...] | None) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [line for line in value.split("\n") if line.strip()]
    return [str(v) for v in value if str(v).strip()]


def describe_plan(plan: Plan) -> PlanPreview:
    out = PlanPreview(True)
    if plan.authority:
        out.left.append(("authority", plan.authority))
    out.left += [("issuer", line) for line in _lines(plan.issuer_lines)]
    if plan.number:
        out.left.append(("number", plan.number))
    out.right += [("national", plan.national), ("motto", plan.motto)]
    if plan.place_date:
        out.right.append(("place-date", plan.place_date))
    out.doc_type = plan.doc_type
    out.title = _lines(plan.title)
    for para in plan.paragraphs:
        out.paragraphs.append((para.style, para.level, para.number, para.text, para.italic))
    out.recipients = _lines(plan.recipients)
    out.signer = _lines(plan.signer)
    if plan.signer_name:
        out.signer.append(plan.signer_name)
    return out
