"""What the pages show, built from the core's values: the units table, a profile's form
fields with the kind's defaults, the omission checkboxes, the downloads, the plan body.

Nothing here reads a request or writes a file; app.py calls these and fills the templates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.core.dates import PlanDate, month_vn
from generator.core.errors import UserError, ValidationFailed
from generator.core.text import roman_value
from generator.flow.generate import file_stem
from generator.model.kinds import KindView
from generator.model.unit import Unit
from generator.model.workspace import Workspace
from generator.resolve.appendix import Appendix
from generator.resolve.deadlines import deadline, short
from generator.web.profiles import SCALARS, Values, role_field


def plan_label(kind: KindView | None, unit: Unit) -> str:
    """'Số 235/KH-UBND, ngày 06/7/2026'; blanks shown as '…' while unassigned."""
    symbol = unit.plan.symbol or (kind.plan_symbol if kind else None) or "?"
    number = unit.plan.number or "…"
    date = unit.plan.date
    when = date.short() if date.day else f"…/{month_vn(date.month)}/{date.year}"
    return f"Số {number}/{symbol}, ngày {when}"


@dataclass
class UnitRow:
    slug: str
    name: str = ""
    kind: str = ""
    plan: str = ""
    due: str = ""
    late: bool = False
    error: str = ""


def unit_rows(ws: Workspace, visible) -> list[UnitRow]:
    rows = []
    for slug in sorted(ws.unit_files):
        if not visible(slug):
            continue
        row = UnitRow(slug)
        try:
            unit = ws.unit(slug).model
            row.name = unit.name
            kind = ws.kind_of(slug)
            row.kind = kind.name
            row.plan = plan_label(kind, unit)
            due = deadline(kind, unit)
            if due:
                row.due, row.late = short(due.due), due.late
        except UserError as exc:
            row.error = str(exc).splitlines()[0].split(": ", 1)[-1]
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- the form


@dataclass
class RoleRow:
    role: str
    field: str
    description: str
    defaults: list[str]  # the kind's bodies for this unit ("" list: none at this level)
    in_kind: bool
    value: str  # the override, one body per line


@dataclass
class OmitItem:
    ident: str
    text: str
    level: int
    is_section: bool
    checked: bool


@dataclass
class OmitGroup:
    label: str
    items: list[OmitItem] = field(default_factory=list)


def _fill(text: str, context: dict) -> str:
    """A kind default with its placeholders filled, through the core's sandbox when it can."""
    if "{" not in text:
        return text
    try:
        from generator.resolve.identity import render_text

        return render_text(text, context, "mặc định")
    except Exception:  # noqa: BLE001 - a preview hint only; the check reports real errors
        return text


def kind_context(kind: KindView | None, unit: Unit | None, slug: str, values: Values) -> dict:
    """The names a kind's defaults may use, for this unit (the core's own context when the
    profile is valid; a close stand-in while it is not)."""
    try:
        year = PlanDate.parse(str(values.get("plan_date") or "")).year
    except ValueError:
        year = dt.date.today().year
    if kind is not None and unit is not None:
        getters = []
        try:
            from generator.resolve.identity import text_context

            getters.append(text_context)
        except ImportError:
            pass
        from generator.resolve.identity import unit_context

        getters.append(unit_context)
        for getter in getters:
            try:
                return getter(kind, unit, slug, year)
            except Exception:  # noqa: BLE001 - a hint only; the check reports real errors
                continue
    name = (unit.name if unit else str(values.get("name") or "")) or slug
    short_name = (unit.short if unit else None) or (kind.short if kind else None) or ""
    if not short_name and name:
        short_name = name.split()[0]
    return {
        "unit": {"name": name, "slug": slug, "short": short_name},
        "kind": kind.id if kind else "",
        "year": year,
    }


def role_rows(ws: Workspace, kind: KindView | None, values: Values, context: dict) -> list[RoleRow]:
    declared = dict(ws.roles.model.roles) if ws.roles else {}
    kind_roles = kind.roles if kind else {}
    names = list(declared) + [r for r in kind_roles if r not in declared]
    names += [
        n[len("role:") :]
        for n in values
        if n.startswith("role:") and n[len("role:") :] not in names
    ]
    rows = []
    for role in names:
        defaults = [_fill(b, context) for b in kind_roles.get(role, [])]
        value = values.get(role_field(role), ())
        rows.append(
            RoleRow(
                role=role,
                field=role_field(role),
                description=declared.get(role, "(vai trò chưa khai báo trong roles.yaml)"),
                defaults=defaults,
                in_kind=role in kind_roles,
                value="\n".join(value) if isinstance(value, tuple) else str(value),
            )
        )
    # The kind's own roles first (what the clerk is most likely to change), then the rest.
    return [r for r in rows if r.in_kind or r.value] + [
        r for r in rows if not (r.in_kind or r.value)
    ]


def omit_groups(
    ws: Workspace, kind: KindView | None, unit: Unit | None, slug: str, values: Values
) -> list[OmitGroup]:
    """Every task and section the kind keeps, per catalog, checked when the unit omits it."""
    from generator.resolve.tables import keeps, resolve

    omitted = set(values.get("omit") or ())
    groups = []
    seen: set[str] = set()
    catalogs = sorted(ws.catalogs.values(), key=lambda c: roman_value(c.model.appendix or ""))
    for cat in catalogs:
        m = cat.model
        group = OmitGroup(f"Phụ lục {m.appendix} ({m.index})" if m.appendix else m.index)
        rows = None
        if kind is not None and unit is not None:
            try:
                whole = unit.model_copy(update={"omit": []})
                rows = resolve(m, kind, whole, slug).rows
            except (UserError, ValueError):
                rows = None
        if rows is not None:
            for row in rows:
                text = row.cells.get("task", "")
                group.items.append(
                    OmitItem(
                        row.ident,
                        f"{row.code}. {_shorten(text)}",
                        len(row.path) - (0 if row.is_section else -1),
                        row.is_section,
                        row.ident in omitted,
                    )
                )
                seen.add(row.ident)
        else:
            for section, level in m.iter_sections():
                if kind is not None and not keeps(section, kind, set()):
                    continue
                group.items.append(
                    OmitItem(
                        section.id, _shorten(section.title), level, True, section.id in omitted
                    )
                )
                seen.add(section.id)
                for task in section.tasks:
                    if kind is not None and not keeps(task, kind, set()):
                        continue
                    group.items.append(
                        OmitItem(task.id, _shorten(task.text), level + 1, False, task.id in omitted)
                    )
                    seen.add(task.id)
        groups.append(group)
    unknown = [i for i in values.get("omit") or () if i not in seen]
    if unknown:
        group = OmitGroup("Mã trong hồ sơ nhưng không có trong danh mục")
        group.items = [OmitItem(i, i, 1, False, True) for i in unknown]
        groups.append(group)
    return groups


def _shorten(text: str, limit: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def placeholders(kind: KindView | None, context: dict) -> dict[str, str]:
    """The kind's defaults shown greyed in the empty fields."""
    out = {name: "" for name in SCALARS}
    if kind is None:
        return out
    out["plan_symbol"] = kind.plan_symbol or "ví dụ KH-SYT (bắt buộc với loại này)"
    doc = kind.document
    if doc is not None:
        out["place"] = _fill(doc.place or "", context)
        signer = doc.signer
        if signer is not None:
            for key in ("on_behalf", "deputy", "title", "name"):
                out[f"signer_{key}"] = _fill(getattr(signer, key) or "", context)
    out["plan_date"] = "YYYY-MM-DD, hoặc YYYY-MM khi chưa có ngày"
    out["plan_number"] = "bỏ trống để văn thư điền"
    return out


# --------------------------------------------------------------------------- downloads


@dataclass
class Download:
    name: str
    label: str
    kind: str  # "docx", "xlsx"
    size: str
    pdf: str | None = None  # the PDF's file name, when LibreOffice is installed


def downloads(files: list[tuple[str, bytes]], apps: list[Appendix], pdf: bool) -> list[Download]:
    labels = {f"{file_stem(a)}.docx": f"{a.label} ({a.index})" for a in apps}
    out = []
    for name, data in files:
        ext = name.rsplit(".", 1)[-1]
        if name in labels:
            text = labels[name]
        elif ext == "xlsx":
            text = "Tệp Excel theo dõi tiến độ"
        elif "-ke-hoach-" in name:
            text = "Kế hoạch (văn bản kèm các phụ lục)"
        else:
            text = name
        pdf_name = name[: -len(".docx")] + ".pdf" if pdf and ext == "docx" else None
        out.append(Download(name, text, ext, _size(len(data)), pdf_name))
    # the whole plan first, then the appendices in order, the tracker last
    return sorted(out, key=lambda d: 0 if "-ke-hoach-" in d.name else 1 if d.kind == "docx" else 2)


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


# --------------------------------------------------------------------------- plan body


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


NO_PLAN = (
    "Bản xem trước phần thân Kế hoạch chưa có trong phiên bản plangen này; dưới đây là "
    "các phụ lục, đúng như đơn vị sẽ nhận."
)


def no_paths(text: str, root: Path) -> str:
    """A message without the server's folders ("…/catalogs/plans" -> "catalogs/plans")."""
    for prefix in {str(root.resolve()), str(root)}:
        text = text.replace(prefix + "/", "").replace(prefix, ".")
    return text


def plan_preview(ws: Workspace | None, slug: str, apps: list[Appendix]) -> PlanPreview:
    """The plan body from `generator.plan.build_plan`, when the core has it."""
    if ws is None:
        return PlanPreview(False, NO_PLAN)
    try:
        from generator.resolve import body as plan_module
    except ImportError:
        return PlanPreview(False, NO_PLAN)
    build = getattr(plan_module, "build_plan", None)
    if build is None:
        return PlanPreview(False, NO_PLAN)
    try:
        plan = build(ws, slug, apps)
    except UserError as exc:
        message = exc.problems[0].message if isinstance(exc, ValidationFailed) else exc.message
        return PlanPreview(False, "Chưa lập được phần thân Kế hoạch: " + no_paths(message, ws.root))
    return describe_plan(plan)


def _lines_of(value: Any) -> list[str]:
    if not value:
        return []
    if isinstance(value, str):
        return [line for line in value.split("\n") if line.strip()]
    return [str(v) for v in value if str(v).strip()]


def describe_plan(plan: Any) -> PlanPreview:
    """Lay a `generator.plan.Plan` out for the page, reading only the fields it needs."""
    get = lambda name, default=None: getattr(plan, name, default)  # noqa: E731
    out = PlanPreview(True)
    if get("authority"):
        out.left.append(("authority", get("authority")))
    out.left += [("issuer", line) for line in _lines_of(get("issuer_lines"))]
    if get("number"):
        out.left.append(("number", get("number")))
    out.right += [("national", get("national") or ""), ("motto", get("motto") or "")]
    if get("place_date"):
        out.right.append(("place-date", get("place_date")))
    out.doc_type = get("doc_type") or ""
    out.title = _lines_of(get("title"))
    for para in get("paragraphs") or ():
        style = str(getattr(para, "style", "text"))
        level = getattr(para, "level", 3)
        number = str(getattr(para, "number", "") or "")
        text = str(getattr(para, "text", "") or "")
        italic = bool(getattr(para, "italic", False))
        out.paragraphs.append((style, level if isinstance(level, int) else 3, number, text, italic))
    out.recipients = _lines_of(get("recipients"))
    out.signer = _lines_of(get("signer"))
    if get("signer_name"):
        out.signer.append(get("signer_name"))
    return out
