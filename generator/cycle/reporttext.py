"""A unit's report as text: the body (Nghị định 30, laid out as the plan's: header, "BÁO
CÁO" and its trích yếu, Kính gửi, I. Kết quả, II. Tồn tại, hạn chế, III. Phương hướng,
signature and Nơi nhận) and the progress table appended to it.

Only what the tracker says is written: counts, the tasks by name, the clerk's notes. What
it cannot say (an assessment, causes, proposals) is a dotted line for the clerk to fill.
"""

from __future__ import annotations

from dataclasses import replace

from generator.core.dates import BLANK_DAY, short
from generator.core.fonts import twips
from generator.core.frozen import FrozenDict
from generator.cycle.report import Area, UnitReport
from generator.cycle.snapshot import CLASS_LABELS, RISK_DAYS, TaskRecord
from generator.render.tracker import DONE, month_label
from generator.resolve.appendix import Appendix, ColumnSpec, Row
from generator.resolve.plan import Paragraph, Plan

BLANK_NUMBER = " " * 6  # "Số:      /BC-UBND": the văn thư writes the number
TEXT_WIDTH = 9355  # twips: A4 less the margins of Nghị định 30 (render/plan.py)
FIRST_LINE = 720  # the first-line indent of "KH Đoạn"
ROOM = TEXT_WIDTH - FIRST_LINE - 240  # a line after the indent, with some to spare
DOTS = "." * (ROOM // twips(".", 14))  # one line of dots, for the clerk to write on
TASK_SHORT = 160

TABLE_COLUMNS = (
    ColumnSpec("stt", "STT", 5),
    ColumnSpec("task", "Nhiệm vụ", 37),
    ColumnSpec("lead", "Cơ quan chủ trì", 15),
    ColumnSpec("deadline", "Hạn hoàn thành", 10),
    ColumnSpec("status", "Tình hình thực hiện", 13),
    ColumnSpec("result", "Kết quả, ghi chú (theo tệp theo dõi)", 20),
)


def _p(style: str, text: str, number: str = "", level: int = 3) -> Paragraph:
    return Paragraph(style, level, number, text)


def _text(text: str) -> Paragraph:
    return _p("text", text)


def _dotted(label: str = "", lines: int = 1) -> list[Paragraph]:
    """Lines for the clerk: the label, then dots to the end of its line; more lines of dots."""
    if label:
        head = f"{label}: "
        first = _text(head + "." * ((ROOM - twips(head, 14)) // twips(".", 14)))
        return [first] + [_text(DOTS) for _ in range(lines - 1)]
    return [_text(DOTS) for _ in range(lines)]


def shorten(text: str, limit: int = TASK_SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;.") + "…"


def plan_ref(report: UnitReport) -> tuple[str, str]:
    """("Kế hoạch số 235/KH-UBND ngày 06/7/2026", the report's symbol "BC-UBND")."""
    number = report.plan.number.removeprefix("Số:").strip()
    symbol = number.split("/", 1)[1] if "/" in number else "KH"
    tail = symbol[3:] if symbol.upper().startswith("KH-") else symbol
    date = report.bound.unit.plan.date.short()
    return f"Kế hoạch số {number} ngày {date}", f"BC-{tail}"


def indices(report: UnitReport) -> str:
    found = list(dict.fromkeys(a.index for a in report.appendices if a.index))
    return " và ".join(f"Chỉ số {i}" for i in found) or "các chỉ số"


def when_text(t: TaskRecord) -> str:
    return short(t.due) if t.due is not None else (t.deadline or "không ghi hạn")


def written_text(t: TaskRecord) -> str:
    """What the clerk wrote for the task: its note, else its month cells."""
    if t.note:
        return t.note
    parts = []
    for month, text in t.months:
        year, m = month.split("-")
        parts.append(f"{month_label(int(m), int(year))}: {text}")
    return "; ".join(parts)


def task_line(t: TaskRecord, with_status: bool = True) -> str:
    bits = [f"chủ trì: {t.lead or 'không ghi'}", f"hạn: {when_text(t)}"]
    if with_status:
        bits.append(f"trạng thái: {t.status}")
    written = written_text(t)
    if written:
        bits.append(f"ghi chú: {written}")
    where = f"{t.appendix}, mục {t.section}, STT {t.stt}" if t.section else t.appendix
    return f"- {where}: {shorten(t.text)} ({'; '.join(bits)})."


# --------------------------------------------------------------------------- the body


def general(report: UnitReport) -> list[Paragraph]:
    """I.1: how many tasks, and how many of each class, at the reference date."""
    n = report.total
    per = {}
    for t in report.figures.tasks:
        per[t.appendix] = per.get(t.appendix, 0) + 1
    split = ", ".join(f"{k} nhiệm vụ tại {a}" for a, k in per.items())
    done = report.count("done")
    pct = f"{done * 100 / n:.1f}".replace(".", ",") if n else "0"
    counts = [f"hoàn thành {done} nhiệm vụ ({pct}%)"]
    for klass in ("in_progress", "not_started", "late", "at_risk", "unknown"):
        k = report.count(klass)
        if k or klass in ("late", "in_progress", "not_started"):
            counts.append(f"{CLASS_LABELS[klass].lower()} {k}")
    out = [
        _text(
            f"Kế hoạch có {n} nhiệm vụ ({split}). Theo {report.figures.source}, tính đến ngày "
            f"{short(report.ref)}: {'; '.join(counts)}."
        )
    ]
    if report.count("at_risk"):
        out.append(
            _text(
                f"(Nhiệm vụ sắp đến hạn: chưa hoàn thành, hạn hoàn thành trong {RISK_DAYS} ngày "
                f"kể từ ngày {short(report.ref)}.)"
            )
        )
    timing = report.timing
    if done:
        parts = [
            (timing.on_time, "hoàn thành đúng hạn"),
            (timing.after, "hoàn thành sau hạn"),
            (timing.no_due, "thực hiện thường xuyên, không có hạn cụ thể"),
            (timing.unknown, "chưa ghi ngày hoàn thành"),
        ]
        said = "; ".join(f"{k} nhiệm vụ {what}" for k, what in parts if k)
        out.append(_text(f"Trong {done} nhiệm vụ hoàn thành: {said}."))
    if report.done_in_period is not None:
        out.append(_text(f"Trong kỳ báo cáo hoàn thành thêm {report.done_in_period} nhiệm vụ."))
    out += _dotted("Đánh giá chung", 2)
    return out


def area_paragraphs(report: UnitReport) -> list[Paragraph]:
    """I.2: per area, its counts, then every task the clerk wrote something for."""
    out: list[Paragraph] = []
    for n, area in enumerate(report.areas):
        out.append(_p("text", _area_counts(area), f"{_letter(n)})"))
        noted = [t for t in area.tasks if written_text(t)]
        for t in noted:
            status = t.status + (f" ngày {short(t.done_on)}" if t.done_on else "")
            out.append(
                _text(f"- Nhiệm vụ {t.stt}: {shorten(t.text)} ({status}): {written_text(t)}.")
            )
        if not noted:
            out += _dotted("Kết quả cụ thể")
    return out


def _area_counts(area: Area) -> str:
    c = area.counts
    parts = [f"hoàn thành {c['done']}", f"đang thực hiện {c['in_progress']}"]
    parts += [f"chưa triển khai {c['not_started']}", f"chậm tiến độ {c['late']}"]
    if c["at_risk"]:
        parts.append(f"sắp đến hạn chưa xong {c['at_risk']}")
    if c["unknown"]:
        parts.append(f"không rõ trạng thái {c['unknown']}")
    title = f" - {area.title}" if area.title else ""
    return f"{area.heading}{title}: {len(area.tasks)} nhiệm vụ; {', '.join(parts)}."


def _letter(n: int) -> str:
    from generator.core.text import letter

    return letter(n + 1).lower()


def shortcomings(report: UnitReport) -> list[Paragraph]:
    late, risk = report.classes["late"], report.classes["at_risk"]
    out = [_p("item", f"Nhiệm vụ chậm tiến độ ({len(late)} nhiệm vụ)", "1.", 2)]
    out += [_text(task_line(t)) for t in late] or [
        _text(f"Đến ngày {short(report.ref)}, tệp theo dõi không có nhiệm vụ chậm tiến độ.")
    ]
    out.append(_p("item", f"Nhiệm vụ sắp đến hạn chưa hoàn thành ({len(risk)} nhiệm vụ)", "2.", 2))
    out += [_text(task_line(t)) for t in risk] or [
        _text(
            f"Tệp theo dõi không có nhiệm vụ chưa hoàn thành nào có hạn trong {RISK_DAYS} ngày "
            f"kể từ ngày {short(report.ref)}."
        )
    ]
    out.append(_p("item", "Nguyên nhân", "3.", 2))
    out += _dotted(lines=2)
    return out


def directions(report: UnitReport) -> list[Paragraph]:
    following = report.period.following()
    out = [
        _p(
            "item",
            f"Nhiệm vụ đến hạn trong {following.label} ({following.window()})",
            "1.",
            2,
        )
    ]
    out += [_text(task_line(t)) for t in report.next_due] or [
        _text(f"Không có nhiệm vụ chưa hoàn thành nào của Kế hoạch có hạn trong {following.label}.")
    ]
    if report.classes["late"]:
        out.append(
            _text(
                f"Các nhiệm vụ chậm tiến độ nêu tại mục II.1 ({report.count('late')} nhiệm vụ) "
                "chưa hoàn thành."
            )
        )
    out.append(_p("item", "Giải pháp, đề xuất, kiến nghị", "2.", 2))
    out += _dotted(lines=2)
    return out


def report_body(report: UnitReport) -> Plan:
    """The report as a `Plan` value: the unit's plan header, signer and Nơi nhận, its own
    number, date, title and paragraphs."""
    plan, period = report.plan, report.period
    ref_text, symbol = plan_ref(report)
    place = plan.place_date.rsplit(", ngày ", 1)[0]
    issuer = plan.issuer_name
    window = (
        period.window()
        if report.ref == period.end
        else f"từ ngày {short(period.start)} đến ngày {short(report.ref)}"
    )
    paragraphs = [
        _text(
            f"Thực hiện {ref_text} của {issuer} về nâng cao {indices(report)} năm "
            f"{report.bound.scope.year}, {issuer} báo cáo kết quả thực hiện {period.label} "
            f"(số liệu {window}, theo Điều 12 Nghị định số 09/2019/NĐ-CP) như sau:"
        ),
        _p("part", "KẾT QUẢ THỰC HIỆN", "I.", 1),
        _p("item", "Kết quả chung", "1.", 2),
        *general(report),
        _p("item", "Kết quả theo từng lĩnh vực", "2.", 2),
        *area_paragraphs(report),
        _p("part", "TỒN TẠI, HẠN CHẾ", "II.", 1),
        *shortcomings(report),
        _p("part", f"PHƯƠNG HƯỚNG, NHIỆM VỤ {period.following().label.upper()}", "III.", 1),
        *directions(report),
        _text(f"Trên đây là báo cáo kết quả thực hiện {ref_text} {period.label} của {issuer}./."),
    ]
    stored = [r for r in plan.recipients if r.lstrip("- ").lower().startswith("lưu")]
    return replace(
        plan,
        number=f"Số: {BLANK_NUMBER}/{symbol}",
        place_date=f"{place}, ngày {BLANK_DAY} tháng {BLANK_DAY} năm {period.end.year}",
        doc_type="BÁO CÁO",
        title=f"Kết quả thực hiện {ref_text}\n{period.label}",
        paragraphs=tuple(paragraphs),
        recipients=("- Như trên;", stored[-1] if stored else "- Lưu: VT."),
    )


def kinh_gui(report: UnitReport) -> str:
    return f"Kính gửi: {report.report_to}."


# --------------------------------------------------------------------------- the table


def report_table(report: UnitReport) -> Appendix:
    """The progress table: every task under its appendix and section, its state at the
    reference date and what the clerk wrote."""
    plan = report.plan
    _, symbol = plan_ref(report)
    rows: list[Row] = []
    seen_appendix, seen_section = "", None
    for t in report.figures.tasks:
        if t.appendix != seen_appendix:
            seen_appendix, seen_section = t.appendix, None
            index = next((a.index for a in report.appendices if a.label == t.appendix), "")
            title = f"{t.appendix.upper()}" + (f" ({index})" if index else "")
            rows.append(Row("", FrozenDict(task=title), (), f"appendix:{t.appendix}", True))
        if t.section != seen_section:
            seen_section = t.section
            rows.append(Row(t.section, FrozenDict(task=t.section_title), (t.section,), "", True))
        state = CLASS_LABELS[t.klass(report.ref)]
        if t.status == DONE and t.done_on is not None:
            state += f" ({short(t.done_on)})"
        cells = FrozenDict(
            task=t.text,
            lead=t.lead,
            deadline=short(t.due) if t.due else t.deadline,
            status=state,
            result=written_text(t),
        )
        rows.append(Row(t.stt, cells, (t.section,), t.task))
    year = report.bound.scope.year
    return Appendix(
        unit=report.slug,
        unit_name=plan.unit_name,
        catalog="bao-cao",
        catalog_hash="",
        numeral="",
        index="",
        year=year,
        label="PHỤ LỤC",
        title=f"TÌNH HÌNH THỰC HIỆN CÁC NHIỆM VỤ ĐẾN NGÀY {short(report.ref)}",
        guide=(
            f"(Kèm theo Báo cáo số {BLANK_NUMBER}/{symbol} ngày {BLANK_DAY} tháng {BLANK_DAY} "
            f"năm {report.period.end.year} của {plan.issuer_name})"
        ),
        columns=TABLE_COLUMNS,
        rows=tuple(rows),
        unit_short="",
        issuer=plan.issuer_name,
        plan_symbol=symbol,
    )
