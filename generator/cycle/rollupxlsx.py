"""The consolidated workbook of the roll-up (XlsxWriter): the units and their figures, the
units × tasks matrix, the tasks with the units where each is late, and two charts
(progress by area, late tasks by unit). Every sheet has an autofilter; states are coloured
by conditional formats, so a filtered or sorted sheet stays coloured."""

from __future__ import annotations

import datetime as dt
import io

from generator import __version__
from generator.core.dates import short
from generator.cycle.rollup import Rollup, UnitRow, late_by_unit
from generator.cycle.snapshot import CLASS_LABELS, CLASSES

FONT = {"font_name": "Times New Roman", "font_size": 11, "valign": "top", "text_wrap": True}
BORDER = {"border": 1, "border_color": "#808080"}
HEAD = {
    **FONT,
    **BORDER,
    "bold": True,
    "align": "center",
    "valign": "vcenter",
    "bg_color": "#D9D9D9",
}
# The colour of each state, in the matrix, the charts and the web page (cycle/charts.py).
COLOURS = {
    "done": "#63BE7B",
    "in_progress": "#9DC3E6",
    "not_started": "#D9D9D9",
    "at_risk": "#FFD966",
    "late": "#F8696B",
    "unknown": "#BFBFBF",
}
SHORT = {
    "done": "Hoàn thành",
    "late": "Chậm",
    "at_risk": "Sắp đến hạn",
    "in_progress": "Đang làm",
    "not_started": "Chưa làm",
    "unknown": "Không rõ",
}
UNIT_COLUMNS = (
    ("STT", 5),
    ("Đơn vị", 30),
    ("Mã đơn vị", 14),
    ("Loại", 14),
    ("Số kế hoạch", 9),
    ("Ngày ban hành", 12),
    ("Hạn ban hành", 12),
    ("Ban hành", 13),
    ("Nộp theo dõi", 12),
    ("Số liệu ngày", 12),
    ("Tổng nhiệm vụ", 9),
    *((CLASS_LABELS[c], 11) for c in CLASSES),
    ("Tỷ lệ hoàn thành", 10),
)


def issue_state(u: UnitRow) -> str:
    if not u.issued:
        return "Chưa ban hành"
    if u.on_time is None:
        return "Đã ban hành"
    return "Đúng hạn" if u.on_time else "Quá hạn"


def rollup_xlsx(rollup: Rollup) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False}
    with xlsxwriter.Workbook(out, options) as wb:
        fmt = _formats(wb)
        wb.set_properties(
            {
                "title": f"Tổng hợp tiến độ {rollup.edition} {_when(rollup)}",
                "author": "plangen",
                "comments": f"plangen {__version__}; edition {rollup.edition}",
                "created": dt.datetime.combine(rollup.ref, dt.time(), tzinfo=dt.UTC),
            }
        )
        _units_sheet(wb.add_worksheet("Tổng hợp"), fmt, rollup)
        _matrix_sheet(wb.add_worksheet("Ma trận"), fmt, rollup)
        _tasks_sheet(wb.add_worksheet("Nhiệm vụ"), fmt, rollup)
        _charts_sheet(wb, wb.add_worksheet("Biểu đồ"), fmt, rollup)
    return out.getvalue()


def _when(rollup: Rollup) -> str:
    head = rollup.period.label if rollup.period else "tình hình"
    return f"{head} (số liệu đến ngày {short(rollup.ref)})"


def _formats(wb) -> dict:
    fmt = {
        "title": wb.add_format({**FONT, "bold": True, "font_size": 14, "text_wrap": False}),
        "sub": wb.add_format({**FONT, "italic": True, "text_wrap": False}),
        "head": wb.add_format(HEAD),
        "vhead": wb.add_format({**HEAD, "rotation": 90, "valign": "bottom", "align": "center"}),
        "cell": wb.add_format({**FONT, **BORDER}),
        "center": wb.add_format({**FONT, **BORDER, "align": "center"}),
        "num": wb.add_format({**FONT, **BORDER, "align": "center", "num_format": "0"}),
        "pct": wb.add_format({**FONT, **BORDER, "align": "center", "num_format": "0.0%"}),
        "date": wb.add_format({**FONT, **BORDER, "align": "center", "num_format": "dd/mm/yyyy"}),
        "bold": wb.add_format({**FONT, **BORDER, "bold": True}),
        "boldnum": wb.add_format({**FONT, **BORDER, "bold": True, "align": "center"}),
    }
    for klass, colour in COLOURS.items():
        fmt[klass] = wb.add_format({"bg_color": colour})
    return fmt


def _head(ws, fmt, rollup: Rollup, title: str) -> None:
    ws.write_string(0, 0, title, fmt["title"])
    ws.write_string(
        1, 0, f"{rollup.parent_title}; {_when(rollup)}; edition {rollup.edition}", fmt["sub"]
    )


def _units_sheet(ws, fmt, rollup: Rollup) -> None:
    _head(ws, fmt, rollup, "TỔNG HỢP TÌNH HÌNH BAN HÀNH VÀ THỰC HIỆN KẾ HOẠCH CỦA CÁC ĐƠN VỊ")
    h = 3
    for c, (label, width) in enumerate(UNIT_COLUMNS):
        ws.set_column(c, c, width)
        ws.write_string(h, c, label, fmt["head"])
    ws.set_row(h, 45)
    first_count = 11
    r = h
    for n, u in enumerate(rollup.units, 1):
        r += 1
        ws.write_number(r, 0, n, fmt["num"])
        ws.write_string(r, 1, u.name, fmt["cell"])
        ws.write_string(r, 2, u.slug, fmt["cell"])
        ws.write_string(r, 3, u.kind, fmt["cell"])
        ws.write_string(r, 4, u.plan_number, fmt["center"])
        _date_or_text(ws, r, 5, u.plan_day, u.plan_date, fmt)
        _date_or_text(ws, r, 6, u.due, "", fmt)
        ws.write_string(r, 7, issue_state(u), fmt["center"])
        sub = u.submission
        if sub is None:
            ws.write_string(r, 8, "Chưa nộp", fmt["center"])
            for c in range(9, len(UNIT_COLUMNS)):
                ws.write_blank(r, c, None, fmt["cell"])
            continue
        ws.write_datetime(r, 8, sub.local_time.replace(tzinfo=None), fmt["date"])
        ws.write_datetime(r, 9, dt.datetime.combine(sub.as_of, dt.time()), fmt["date"])
        ws.write_number(r, 10, u.total, fmt["num"])
        for i, klass in enumerate(CLASSES):
            ws.write_number(r, first_count + i, u.counts[klass], fmt["num"])
        ws.write_number(
            r, len(UNIT_COLUMNS) - 1, u.counts["done"] / u.total if u.total else 0, fmt["pct"]
        )
    last = r
    ws.autofilter(h, 0, max(last, h), len(UNIT_COLUMNS) - 1)
    ws.freeze_panes(h + 1, 2)
    if last > h:
        late_col = first_count + CLASSES.index("late")
        ws.conditional_format(
            h + 1,
            late_col,
            last,
            late_col,
            {"type": "cell", "criteria": ">", "value": 0, "format": fmt["late"]},
        )
        risk_col = first_count + CLASSES.index("at_risk")
        ws.conditional_format(
            h + 1,
            risk_col,
            last,
            risk_col,
            {"type": "cell", "criteria": ">", "value": 0, "format": fmt["at_risk"]},
        )
        for text, klass in (
            ("Quá hạn", "late"),
            ("Chưa ban hành", "at_risk"),
            ("Đúng hạn", "done"),
        ):
            ws.conditional_format(
                h + 1,
                7,
                last,
                7,
                {"type": "cell", "criteria": "==", "value": f'"{text}"', "format": fmt[klass]},
            )
        ws.conditional_format(
            h + 1,
            8,
            last,
            8,
            {"type": "cell", "criteria": "==", "value": '"Chưa nộp"', "format": fmt["at_risk"]},
        )
        ws.conditional_format(
            h + 1,
            len(UNIT_COLUMNS) - 1,
            last,
            len(UNIT_COLUMNS) - 1,
            {
                "type": "data_bar",
                "bar_color": COLOURS["done"],
                "bar_solid": True,
                "min_type": "num",
                "min_value": 0,
                "max_type": "num",
                "max_value": 1,
            },
        )
    totals = rollup.totals()
    r = last + 1
    ws.write_string(
        r, 1, f"Cộng ({len(rollup.submitted)}/{len(rollup.units)} đơn vị đã nộp)", fmt["bold"]
    )
    ws.write_number(r, 10, sum(u.total for u in rollup.units), fmt["boldnum"])
    for i, klass in enumerate(CLASSES):
        ws.write_number(r, first_count + i, totals[klass], fmt["boldnum"])


def _date_or_text(ws, r: int, c: int, day: dt.date | None, text: str, fmt) -> None:
    if day is not None:
        ws.write_datetime(r, c, dt.datetime.combine(day, dt.time()), fmt["date"])
    else:
        ws.write_string(r, c, text, fmt["center"])


def _matrix_sheet(ws, fmt, rollup: Rollup) -> None:
    _head(ws, fmt, rollup, "TÌNH HÌNH TỪNG NHIỆM VỤ CỦA TỪNG ĐƠN VỊ")
    ws.write_string(
        0, 8, "Ô trống: nhiệm vụ không có trong kế hoạch (tệp theo dõi) của đơn vị.", fmt["sub"]
    )
    # a hidden row of task ids ("Phụ lục I:ke-hoach-cchc"), for tools that read the matrix
    ws.write_string(2, 2, "Mã nhiệm vụ", fmt["sub"])
    for i, t in enumerate(rollup.tasks):
        ws.write_string(2, 3 + i, f"{t.appendix}:{t.task}")
    ws.set_row(2, None, None, {"hidden": True})
    h, fixed = 3, 3
    ws.set_column(0, 0, 30)
    ws.set_column(1, 1, 14)
    ws.set_column(2, 2, 11)
    ws.set_column(fixed, fixed + max(len(rollup.tasks) - 1, 0), 5.5)
    for c, label in enumerate(("Đơn vị", "Mã đơn vị", "Nộp theo dõi")):
        ws.write_string(h, c, label, fmt["head"])
    for i, t in enumerate(rollup.tasks):
        text = t.text if len(t.text) <= 70 else t.text[:69] + "…"
        ws.write_string(h, fixed + i, f"{t.code} {text}", fmt["vhead"])
    ws.set_row(h, 230)
    r = h
    for u in rollup.units:
        r += 1
        ws.write_string(r, 0, u.name, fmt["cell"])
        ws.write_string(r, 1, u.slug, fmt["cell"])
        ws.write_string(r, 2, "Đã nộp" if u.submission else "Chưa nộp", fmt["center"])
        for i, t in enumerate(rollup.tasks):
            klass = u.klass(t.key, rollup.ref)
            if klass is None:
                ws.write_blank(r, fixed + i, None, fmt["center"])
            else:
                ws.write_string(r, fixed + i, SHORT[klass], fmt["center"])
    last = r
    end = fixed + max(len(rollup.tasks) - 1, 0)
    ws.autofilter(h, 0, max(last, h), end)
    ws.freeze_panes(h + 1, fixed)
    if last > h and rollup.tasks:
        for klass, text in SHORT.items():
            ws.conditional_format(
                h + 1,
                fixed,
                last,
                end,
                {"type": "cell", "criteria": "==", "value": f'"{text}"', "format": fmt[klass]},
            )


def _tasks_sheet(ws, fmt, rollup: Rollup) -> None:
    _head(ws, fmt, rollup, "CÁC NHIỆM VỤ VÀ ĐƠN VỊ CHẬM TIẾN ĐỘ")
    names = {u.slug: u.name for u in rollup.units}
    labels = (
        "Mã",
        "Phụ lục",
        "Mục",
        "STT",
        "Nhiệm vụ",
        "Số đơn vị có nhiệm vụ",
        "Hoàn thành",
        "Chậm tiến độ",
        "Đơn vị chậm tiến độ",
        "Mã nhiệm vụ",
    )
    widths = (9, 10, 7, 5, 60, 10, 10, 10, 50, 24)
    h = 3
    for c, (label, width) in enumerate(zip(labels, widths, strict=True)):
        ws.set_column(c, c, width)
        ws.write_string(h, c, label, fmt["head"])
    r = h
    for t in rollup.tasks:
        r += 1
        having = [u for u in rollup.submitted if t.key in u.by_key]
        done = sum(1 for u in having if u.by_key[t.key].klass(rollup.ref) == "done")
        late = rollup.late_units.get(t.key, [])
        row = (t.code, t.appendix, t.section, t.stt, t.text)
        for c, value in enumerate(row):
            ws.write_string(r, c, value, fmt["cell"] if c == 4 else fmt["center"])
        ws.write_number(r, 5, len(having), fmt["num"])
        ws.write_number(r, 6, done, fmt["num"])
        ws.write_number(r, 7, len(late), fmt["num"])
        ws.write_string(r, 8, "; ".join(names.get(s, s) for s in late), fmt["cell"])
        ws.write_string(r, 9, t.task, fmt["cell"])
    ws.autofilter(h, 0, max(r, h), len(labels) - 1)
    ws.freeze_panes(h + 1, 0)
    if r > h:
        ws.conditional_format(
            h + 1, 7, r, 7, {"type": "cell", "criteria": ">", "value": 0, "format": fmt["late"]}
        )


def _charts_sheet(wb, ws, fmt, rollup: Rollup) -> None:
    """The data of the two charts, and the charts beside them."""
    _head(ws, fmt, rollup, "BIỂU ĐỒ")
    h = 3
    ws.set_column(0, 0, 34)
    ws.write_string(h, 0, "Lĩnh vực", fmt["head"])
    for i, klass in enumerate(CLASSES):
        ws.write_string(h, 1 + i, CLASS_LABELS[klass], fmt["head"])
    r = h
    for appendix, code, title, counts in rollup.areas:
        r += 1
        label = f"{appendix.replace('Phụ lục ', 'PL ')} {code}. {title.capitalize()}"[:60]
        ws.write_string(r, 0, label, fmt["cell"])
        for i, klass in enumerate(CLASSES):
            ws.write_number(r, 1 + i, counts[klass], fmt["num"])
    areas_last = r
    if areas_last > h:
        chart = wb.add_chart({"type": "bar", "subtype": "percent_stacked"})
        for i, klass in enumerate(CLASSES):
            chart.add_series(
                {
                    "name": ["Biểu đồ", h, 1 + i],
                    "categories": ["Biểu đồ", h + 1, 0, areas_last, 0],
                    "values": ["Biểu đồ", h + 1, 1 + i, areas_last, 1 + i],
                    "fill": {"color": COLOURS[klass]},
                    "gap": 40,
                }
            )
        chart.set_title({"name": "Tiến độ theo lĩnh vực (mọi đơn vị đã nộp)"})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 900, "height": max(320, 28 * (areas_last - h) + 120)})
        ws.insert_chart(h, 8, chart)
    r = areas_last + 3
    top = r
    ws.write_string(r, 0, "Đơn vị", fmt["head"])
    ws.write_string(r, 1, "Nhiệm vụ chậm tiến độ", fmt["head"])
    for name, late in late_by_unit(rollup):
        r += 1
        ws.write_string(r, 0, name, fmt["cell"])
        ws.write_number(r, 1, late, fmt["num"])
    if r > top:
        chart = wb.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "Nhiệm vụ chậm tiến độ",
                "categories": ["Biểu đồ", top + 1, 0, r, 0],
                "values": ["Biểu đồ", top + 1, 1, r, 1],
                "fill": {"color": COLOURS["late"]},
                "data_labels": {"value": True},
            }
        )
        chart.set_title({"name": "Nhiệm vụ chậm tiến độ theo đơn vị"})
        chart.set_y_axis({"reverse": True})
        chart.set_legend({"none": True})
        chart.set_size({"width": 900, "height": max(320, 22 * (r - top) + 120)})
        ws.insert_chart(top, 8, chart)
