"""The province's own report, aggregating the units: issued by the province's unit (the
header, signer and Nơi nhận of its plan), "Kính gửi" its report_to (Bộ Nội vụ), the units'
plans against the deadline, their progress by area, the units and tasks behind, and a
table of every unit as its appendix. Counted from the roll-up alone; what it cannot say is
a dotted line."""

from __future__ import annotations

from dataclasses import replace

from generator.core.dates import BLANK_DAY, short
from generator.core.errors import UserError
from generator.core.frozen import FrozenDict
from generator.cycle.report import DEFAULT_REPORT_TO
from generator.cycle.reporttext import BLANK_NUMBER, _dotted, _p, _text, shorten
from generator.cycle.rollup import Rollup
from generator.cycle.rollupxlsx import issue_state
from generator.model.workspace import Workspace
from generator.resolve.appendix import Appendix, ColumnSpec, Row
from generator.resolve.body import plan_of
from generator.resolve.identity import render_text, text_context
from generator.resolve.plan import Plan
from generator.resolve.scope import bind
from generator.resolve.unit import bound_appendices

TABLE = (
    ColumnSpec("stt", "STT", 5),
    ColumnSpec("task", "Cơ quan, đơn vị", 25),
    ColumnSpec("plan", "Kế hoạch (số, ngày)", 13),
    ColumnSpec("deadline", "Ban hành", 11),
    ColumnSpec("total", "Số nhiệm vụ", 8),
    ColumnSpec("done", "Hoàn thành", 9),
    ColumnSpec("late", "Chậm tiến độ", 9),
    ColumnSpec("risk", "Sắp đến hạn", 9),
    ColumnSpec("sent", "Nộp theo dõi", 11),
)


def issuing(rollup: Rollup) -> str:
    if not rollup.units:
        return []
    issued = [u for u in rollup.units if u.issued]
    late = [u for u in issued if u.on_time is False]
    not_yet = [u for u in rollup.units if not u.issued]
    text = (
        f"Theo {rollup.parent_title}, các cơ quan, đơn vị ban hành kế hoạch trong "
        f"{rollup.deadline_days} ngày"
        + (f" (hạn {short(rollup.due)})" if rollup.due else "")
        + f". Có {len(rollup.units)} cơ quan, đơn vị; đã ban hành {len(issued)}"
        + f" ({len(issued) - len(late)} trong hạn, {len(late)} quá hạn)"
        + f"; chưa ban hành {len(not_yet)}."
    )
    out = [_text(text)]
    if late:
        out.append(
            _text(
                "Ban hành quá hạn: "
                + "; ".join(f"{u.name} (ngày {u.plan_date})" for u in late)
                + "."
            )
        )
    if not_yet:
        out.append(_text("Chưa ban hành: " + "; ".join(u.name for u in not_yet) + "."))
    return out


def progress(rollup: Rollup) -> list:
    sent, units = rollup.submitted, rollup.units
    totals = rollup.totals()
    n = sum(totals.values())
    out = [
        _text(
            f"Có {len(sent)}/{len(units)} cơ quan, đơn vị đã nộp tệp theo dõi tiến độ"
            + (
                "; chưa nộp: " + "; ".join(u.name for u in units if u.submission is None)
                if len(sent) < len(units)
                else ""
            )
            + "."
        )
    ]
    if n:
        out.append(
            _text(
                f"Tổng số nhiệm vụ của các đơn vị đã nộp: {n}; tính đến ngày {short(rollup.ref)}: "
                f"hoàn thành {totals['done']}, đang thực hiện {totals['in_progress']}, chưa "
                f"triển khai {totals['not_started']}, chậm tiến độ {totals['late']}, sắp đến hạn "
                f"chưa hoàn thành {totals['at_risk']}"
                + (f", không rõ trạng thái {totals['unknown']}" if totals["unknown"] else "")
                + "."
            )
        )
    for i, (appendix, code, title, counts) in enumerate(rollup.areas):
        letter = chr(ord("a") + i) if i < 26 else f"a{i}"
        out.append(
            _p(
                "text",
                f"{appendix}, mục {code} - {title}: {sum(counts.values())} lượt nhiệm vụ; hoàn "
                f"thành {counts['done']}, chậm tiến độ {counts['late']}, sắp đến hạn "
                f"{counts['at_risk']}.",
                f"{letter})",
            )
        )
    out += _dotted("Đánh giá chung", 2)
    return out


def behind(rollup: Rollup) -> list:
    by_unit = sorted(
        (u for u in rollup.submitted if u.counts["late"]), key=lambda u: -u.counts["late"]
    )
    out = [_p("item", f"Cơ quan, đơn vị có nhiệm vụ chậm tiến độ ({len(by_unit)})", "1.", 2)]
    out += [_text(f"- {u.name}: {u.counts['late']} nhiệm vụ.") for u in by_unit] or [
        _text("Các tệp theo dõi đã nộp không có nhiệm vụ chậm tiến độ.")
    ]
    tasks = [t for t in rollup.tasks if rollup.late_units.get(t.key)]
    tasks.sort(key=lambda t: -len(rollup.late_units[t.key]))
    names = {u.slug: u.name for u in rollup.units}
    out.append(_p("item", f"Nhiệm vụ chậm tiến độ ({len(tasks)})", "2.", 2))
    for t in tasks:
        late = rollup.late_units[t.key]
        out.append(
            _text(
                f"- {t.appendix}, mục {t.section}, STT {t.stt}: {shorten(t.text)} (chậm ở "
                f"{len(late)} đơn vị: {', '.join(names.get(s, s) for s in late)})."
            )
        )
    out.append(_p("item", "Nguyên nhân", "3.", 2))
    out += _dotted(lines=2)
    return out


def province_report(ws: Workspace, rollup: Rollup) -> tuple[Plan, Appendix, str]:
    """(the body, the table of units, the "Kính gửi" line) of the province's report."""
    if rollup.province is None:
        raise UserError(
            "không có hồ sơ đơn vị của tỉnh (loại province) trong dữ liệu để lập báo cáo tổng "
            "hợp; thêm hồ sơ tỉnh (ví dụ catalogs/units/lang-son.yaml)"
        )
    bound = bind(ws, rollup.province, rollup.year)
    plan = plan_of(ws, bound, bound_appendices(bound))
    ctx = text_context(bound.kind, bound.unit, bound.slug, rollup.year, bound.scope)
    to = (ctx.get("report") or {}).get("to")
    addressee = render_text(to, ctx, "document.report_to") if to else DEFAULT_REPORT_TO
    number = plan.number.removeprefix("Số:").strip()
    symbol = number.split("/", 1)[1] if "/" in number else "KH"
    symbol = "BC-" + (symbol[3:] if symbol.upper().startswith("KH-") else symbol)
    when = rollup.period.label if rollup.period else f"đến ngày {short(rollup.ref)}"
    ref_text = f"Kế hoạch số {number} ngày {bound.unit.plan.date.short()}"
    issuer = plan.issuer_name
    paragraphs = [
        _text(
            f"Thực hiện {ref_text} của {issuer}, {issuer} báo cáo kết quả thực hiện {when} của "
            f"các cơ quan, đơn vị (số liệu tính đến ngày {short(rollup.ref)}, theo các tệp "
            "theo dõi tiến độ các đơn vị đã nộp) như sau:"
        ),
        _p("part", "KẾT QUẢ THỰC HIỆN", "I.", 1),
        _p("item", "Việc ban hành kế hoạch của các cơ quan, đơn vị", "1.", 2),
        *issuing(rollup),
        _p("item", "Kết quả thực hiện nhiệm vụ", "2.", 2),
        *progress(rollup),
        _p("part", "TỒN TẠI, HẠN CHẾ", "II.", 1),
        *behind(rollup),
        _p("part", "PHƯƠNG HƯỚNG, NHIỆM VỤ, ĐỀ XUẤT", "III.", 1),
        *_dotted(lines=3),
        _text(f"Trên đây là báo cáo kết quả thực hiện {ref_text} {when} của {issuer}./."),
    ]
    place = plan.place_date.rsplit(", ngày ", 1)[0]
    year = rollup.period.end.year if rollup.period else rollup.ref.year
    stored = [r for r in plan.recipients if r.lstrip("- ").lower().startswith("lưu")]
    body = replace(
        plan,
        number=f"Số: {BLANK_NUMBER}/{symbol}",
        place_date=f"{place}, ngày {BLANK_DAY} tháng {BLANK_DAY} năm {year}",
        doc_type="BÁO CÁO",
        title=f"Kết quả thực hiện {ref_text}\n{when}",
        paragraphs=tuple(paragraphs),
        recipients=("- Như trên;", stored[-1] if stored else "- Lưu: VT."),
    )
    return body, _table(rollup, plan, symbol, year), f"Kính gửi: {addressee}."


def _table(rollup: Rollup, plan: Plan, symbol: str, year: int) -> Appendix:
    rows = []
    for n, u in enumerate(rollup.units, 1):
        sent = u.submission
        cells = {
            "task": u.name,
            "plan": f"{u.plan_number or BLANK_NUMBER} ngày {u.plan_date}",
            "deadline": issue_state(u),
            "sent": short(sent.as_of) if sent else "Chưa nộp",
        }
        if sent:
            cells |= {
                "total": str(u.total),
                "done": str(u.counts["done"]),
                "late": str(u.counts["late"]),
                "risk": str(u.counts["at_risk"]),
            }
        rows.append(Row(str(n), FrozenDict(cells), (), u.slug))
    return Appendix(
        unit=rollup.province or "",
        unit_name=plan.unit_name,
        catalog="bao-cao-tong-hop",
        catalog_hash="",
        numeral="",
        index="",
        year=rollup.year,
        label="PHỤ LỤC",
        title=f"TÌNH HÌNH THỰC HIỆN CỦA CÁC CƠ QUAN, ĐƠN VỊ ĐẾN NGÀY {short(rollup.ref)}",
        guide=(
            f"(Kèm theo Báo cáo số {BLANK_NUMBER}/{symbol} ngày {BLANK_DAY} tháng {BLANK_DAY} "
            f"năm {year} của {plan.issuer_name})"
        ),
        columns=TABLE,
        rows=tuple(rows),
        issuer=plan.issuer_name,
        plan_symbol=symbol,
    )
