"""The XLSX progress tracker: layout, read-back, clerk edits, determinism.

The rules these tests check are written for a newcomer in docs/tracker.md.
"""

from __future__ import annotations

import io
import math
import zipfile
from collections import Counter
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from generator.core.errors import UserError
from generator.model.workspace import open_workspace
from generator.readback.status import format_report, read_status
from generator.render.tracker import STATUSES, UNKNOWN, tracker_bytes
from generator.resolve.appendix import Appendix
from generator.resolve.duedate import DATE, parse_deadline
from generator.resolve.unit import unit_appendices as appendices

NOT_STARTED, IN_PROGRESS, DONE, LATE = STATUSES
HEADER_ROW = 3
START, YEAR = 7, 2026
# A report date before every due date of the plan's year: only a typed "Chậm tiến độ"
# makes a task late on that day.
EARLY = date(YEAR, 1, 1)
JULY, JUNE = "Tháng 7/2026", "Trước quý III/2026"  # due 31/7/2026 and 30/6/2026


@pytest.fixture(scope="module")
def apps() -> list[Appendix]:
    return appendices(open_workspace(), "dinh-lap")


@pytest.fixture
def tracker(apps, tmp_path) -> Path:
    path = tmp_path / "dinh-lap-theo-doi.xlsx"
    path.write_bytes(tracker_bytes(apps, START, YEAR))
    return path


@pytest.fixture(scope="module")
def dated_app(apps) -> Appendix:
    """Phụ lục II with two dated tasks (JULY, JUNE); every other task "Thường xuyên"."""
    app = sipas(apps)
    deadlines = {app.tasks[0].ident: JULY, app.tasks[3].ident: JUNE}
    rows = tuple(
        r
        if r.is_section
        else replace(r, cells={**r.cells, "deadline": deadlines.get(r.ident, "Thường xuyên")})
        for r in app.rows
    )
    return replace(app, rows=rows)


@pytest.fixture
def dated(dated_app, tmp_path) -> Path:
    path = tmp_path / "hai-han.xlsx"
    path.write_bytes(tracker_bytes([dated_app], START, YEAR))
    return path


def sipas(apps) -> Appendix:
    return next(a for a in apps if a.label == "Phụ lục II")


def headers(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[HEADER_ROW] if c.value is not None}


def expected_labels(app: Appendix) -> list[str]:
    """The appendix's columns, the due date after the deadline text, then the months."""
    months = [f"Tháng {m}/{YEAR}" for m in range(START, 13)]
    labels = [c.label for c in app.columns]
    labels.insert(labels.index("Thời gian hoàn thành") + 1, "Hạn hoàn thành")
    return labels + months + ["Trạng thái", "Ghi chú", "Mã nhiệm vụ", "Mã mục"]


def dim(ws, column: int):
    """The <col> entry that covers `column` (libraries write runs of alike columns once)."""
    for d in ws.column_dimensions.values():
        if d.min and d.max and d.min <= column <= d.max:
            return d
    raise KeyError(column)


def column_px(width: float) -> int:
    """ECMA-376 Part 1, 18.3.1.13: pixels of a stored column width, 7-pixel digits."""
    return math.trunc(((256 * width + math.trunc(128 / 7)) / 256) * 7)


def task_row_numbers(ws) -> dict[str, int]:
    """task id -> sheet row, read from the hidden id column."""
    col = headers(ws)["Mã nhiệm vụ"]
    out = {}
    for r in range(HEADER_ROW + 1, ws.max_row + 1):
        ident = ws.cell(r, col).value
        if ident and not ident.startswith("section:"):
            out[ident] = r
    return out


# --------------------------------------------------------------------------- layout


def test_sheets_one_per_appendix_in_order(apps, tracker):
    assert any(a.label == "Phụ lục II" for a in apps)
    wb = openpyxl.load_workbook(tracker)
    assert wb.sheetnames == [a.label for a in apps]


def test_title_guide_and_header(apps, tracker):
    wb = openpyxl.load_workbook(tracker)
    for app in apps:
        ws = wb[app.label]
        labels = expected_labels(app)
        assert [c.value for c in ws[HEADER_ROW]] == labels
        assert "Tháng 7/2026" in labels and "Tháng 12/2026" in labels
        assert sum(label.startswith("Tháng ") for label in labels) == 6
        note = get_column_letter(labels.index("Ghi chú") + 1)
        assert ws["A1"].value == f"{app.label} - {app.title}"
        assert ws["A1"].font.b
        assert ws["A2"].value == app.guide
        assert ws["A2"].font.i
        merged = {str(r) for r in ws.merged_cells.ranges}
        assert f"A1:{note}1" in merged and f"A2:{note}2" in merged
        assert all(c.font.b for c in ws[HEADER_ROW])


def test_one_row_per_appendix_row_with_its_text(apps, tracker):
    wb = openpyxl.load_workbook(tracker)
    for app in apps:
        ws = wb[app.label]
        cols = headers(ws)
        note = get_column_letter(cols["Ghi chú"])
        assert ws.max_row == HEADER_ROW + len(app.rows)
        merged = {str(r) for r in ws.merged_cells.ranges}
        for r, row in enumerate(app.rows, HEADER_ROW + 1):
            stt, task = ws.cell(r, cols["STT"]), ws.cell(r, cols["Nhiệm vụ cụ thể"])
            ident = ws.cell(r, cols["Mã nhiệm vụ"]).value
            assert ws.cell(r, cols["Mã mục"]).value == ".".join(row.path)
            assert stt.value == row.code
            assert task.value == row.title
            if row.is_section:
                assert ident == "section:" + row.ident
                assert f"B{r}:{note}{r}" in merged
                assert stt.font.b and task.font.b
                assert ws.cell(r, cols["Trạng thái"]).value is None
            else:
                assert ident == row.ident
                for spec in app.columns[1:]:
                    assert ws.cell(r, cols[spec.label]).value == row.cells[spec.key], spec.key
                assert ws.cell(r, cols["Trạng thái"]).value == NOT_STARTED
                assert not task.font.b
                assert task.alignment.wrap_text and task.alignment.vertical == "top"
            assert task.font.name == "Times New Roman" and task.font.sz == 12
        # the columns the catalog names, spelled out, compared with the appendix
        lead = cols["Cơ quan chủ trì"]
        rows = task_row_numbers(ws)
        for t in app.tasks:
            assert ws.cell(rows[t.ident], lead).value == t.cells["lead"]


def test_dropdown_covers_exactly_the_status_cells(apps, tracker):
    wb = openpyxl.load_workbook(tracker)
    for app in apps:
        ws = wb[app.label]
        status = get_column_letter(headers(ws)["Trạng thái"])
        (dv,) = ws.data_validations.dataValidation
        assert dv.type == "list"
        assert dv.formula1.startswith('"') and dv.formula1.endswith('"')
        assert dv.formula1[1:-1].split(",") == list(STATUSES)
        covered = {f"{get_column_letter(c)}{r}" for rng in dv.sqref.ranges for r, c in rng.cells}
        wanted = {f"{status}{r}" for r in task_row_numbers(ws).values()}
        assert covered == wanted and len(wanted) == len(app.tasks)


def test_late_rows_turn_red(apps, tracker):
    wb = openpyxl.load_workbook(tracker)
    for app in apps:
        ws = wb[app.label]
        cols = headers(ws)
        status = get_column_letter(cols["Trạng thái"])
        note = get_column_letter(cols["Ghi chú"])
        found = [(str(cf.sqref), rule) for cf in ws.conditional_formatting for rule in cf.rules]
        assert len(found) == 1
        due = get_column_letter(cols["Hạn hoàn thành"])
        sqref, rule = found[0]
        assert sqref == f"A{HEADER_ROW + 1}:{note}{HEADER_ROW + len(app.rows)}"
        assert rule.type == "expression"
        s, d = f"${status}{HEADER_ROW + 1}", f"${due}{HEADER_ROW + 1}"
        # late: "Chậm tiến độ" typed, or a due date before today and not "Hoàn thành"
        assert rule.formula == [
            f'OR(TRIM({s})="Chậm tiến độ",AND(ISNUMBER({d}),{d}<TODAY(),TRIM({s})<>"Hoàn thành"))'
        ]
        assert rule.dxf.fill.bgColor.rgb.endswith("FFC7CE")


def test_frozen_hidden_widths_and_print_setup(apps, tracker):
    wb = openpyxl.load_workbook(tracker)
    for app in apps:
        ws = wb[app.label]
        cols = headers(ws)
        assert ws.freeze_panes == f"C{HEADER_ROW + 1}"  # below the header, right of the task
        for label in ("Mã nhiệm vụ", "Mã mục"):
            assert dim(ws, cols[label]).hidden and not dim(ws, cols[label]).outline_level
        for label in ("Cơ quan phối hợp", "Sản phẩm/Kết quả dự kiến"):  # folded, [+] to show
            assert dim(ws, cols[label]).hidden and dim(ws, cols[label]).outline_level == 1
        for label in ("Nhiệm vụ cụ thể", "Trạng thái", "Ghi chú", "Tháng 7/2026", "Hạn hoàn thành"):
            assert not dim(ws, cols[label]).hidden
        # XlsxWriter stores a width with Excel's 5-pixel padding: 38 -> 38 + 5/7
        assert column_px(dim(ws, cols["Nhiệm vụ cụ thể"]).width) == 38 * 7 + 5
        assert column_px(dim(ws, cols["Cơ quan chủ trì"]).width) == 15 * 7 + 5
        months = {dim(ws, cols[f"Tháng {m}/{YEAR}"]).width for m in range(START, 13)}
        assert len(months) == 1 and 9 <= round(months.pop()) <= 14
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9
        assert int(ws.page_setup.fitToWidth or 1) == 1  # 1 is the attribute's default
        assert int(ws.page_setup.fitToHeight) == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
        note = get_column_letter(cols["Ghi chú"])
        assert ws.print_area == f"'{app.label}'!$A$1:${note}${HEADER_ROW + len(app.rows)}"
        assert ws.oddFooter.center.text == "Trang &P/&N"
        last = get_column_letter(cols["Mã mục"])
        assert ws.auto_filter.ref == f"A{HEADER_ROW}:{last}{HEADER_ROW + len(app.rows)}"


def test_due_dates_are_real_dates(apps, tracker):
    """ "Hạn hoàn thành" holds the date parse_deadline reads from the deadline text, typed
    as a date (dd/mm/yyyy); empty for "Thường xuyên"."""
    wb = openpyxl.load_workbook(tracker)
    dated = 0
    for app in apps:
        ws = wb[app.label]
        cols = headers(ws)
        rows = task_row_numbers(ws)
        for t in app.tasks:
            cell = ws.cell(rows[t.ident], cols["Hạn hoàn thành"])
            due = parse_deadline(t.cells["deadline"], YEAR)
            if due.kind == DATE:
                dated += 1
                assert cell.is_date and cell.number_format == "dd/mm/yyyy"
                assert cell.value == datetime.combine(due.end, datetime.min.time())
            else:
                assert cell.value is None
    assert dated  # the shipped catalogs have dated deadlines ("Tháng 7/2026" …)


def test_due_dates_of_two_dated_tasks(dated_app, dated):
    ws = openpyxl.load_workbook(dated)[dated_app.label]
    cols = headers(ws)
    assert cols["Hạn hoàn thành"] == cols["Thời gian hoàn thành"] + 1
    rows = task_row_numbers(ws)
    due = {
        t.cells["deadline"]: ws.cell(rows[t.ident], cols["Hạn hoàn thành"]) for t in dated_app.tasks
    }
    assert due[JULY].value == datetime(2026, 7, 31) and due[JULY].is_date
    assert due[JUNE].value == datetime(2026, 6, 30) and due[JUNE].is_date
    assert due["Thường xuyên"].value is None


def test_shared_strings_and_no_inline_strings(tracker):
    with zipfile.ZipFile(tracker) as zf:
        names = zf.namelist()
        assert "xl/sharedStrings.xml" in names
        sheets = [n for n in names if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 2
        for name in sheets:
            assert b"inlineStr" not in zf.read(name)
        assert "Nhiệm vụ cụ thể".encode() in zf.read("xl/sharedStrings.xml")


def printed_scale(ws, paper_inches: float, digit_px: float | None = None) -> int:
    """The scale "fit to 1 page wide" gives (docs/tracker.md, "In ấn"): the printable width
    of the landscape page over the printed columns' width, both in 96-dpi pixels.

    Excel measures a column with ECMA-376's formula (`column_px`); LibreOffice multiplies
    the stored width by the unrounded width of a Calibri/Carlito 11 digit, `digit_px`."""
    area = ws.print_area.split("!")[1].replace("$", "")
    last = openpyxl.utils.column_index_from_string(area.split(":")[1].rstrip("0123456789"))
    widths = [dim(ws, c) for c in range(1, last + 1)]
    px = column_px if digit_px is None else (lambda w: w * digit_px)
    printed = sum(px(d.width) for d in widths if not d.hidden)
    margins = ws.page_margins
    printable = (paper_inches - margins.left - margins.right) * 96
    return min(100, math.floor(100 * printable / printed))


A4_LONG, A3_LONG = 297 / 25.4, 420 / 25.4  # inches
CARLITO_DIGIT = 1038 / 2048 * 11 * 96 / 72  # px: a digit is 1038/2048 em of 11 pt


@pytest.mark.parametrize("start", [6, 7, 9, 12])  # 7, 6, 4 and 1 months
def test_prints_on_a4_landscape_at_80_percent_or_more(apps, start):
    wb = openpyxl.load_workbook(io.BytesIO(tracker_bytes(apps, start, YEAR)))
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
        assert printed_scale(ws, A4_LONG) >= 80


@pytest.mark.parametrize("start", [7, 9, 12])
def test_libreoffice_prints_six_months_on_a4_at_80_percent_or_more(apps, start):
    """LibreOffice draws columns ~6 % wider than Excel; measured in a LibreOffice 7.4 PDF
    export of the July tracker: 82.8 % (the model below says 82)."""
    wb = openpyxl.load_workbook(io.BytesIO(tracker_bytes(apps, start, YEAR)))
    for ws in wb.worksheets:
        assert printed_scale(ws, A4_LONG, CARLITO_DIGIT) >= 80


@pytest.mark.parametrize("start", [1, 4, 7])
def test_a3_prints_a_whole_year_at_80_percent_or_more(apps, start):
    wb = openpyxl.load_workbook(io.BytesIO(tracker_bytes(apps, start, YEAR, paper="A3")))
    for ws in wb.worksheets:
        assert int(ws.page_setup.paperSize) == 8
        assert printed_scale(ws, A3_LONG) >= 80
        assert printed_scale(ws, A3_LONG, CARLITO_DIGIT) >= 80


def test_a_whole_year_on_a4_is_below_80_percent(apps):
    """The documented limit: 9 months or more do not fit on A4 at 80 % (use A3)."""
    for start in (1, 4):
        wb = openpyxl.load_workbook(io.BytesIO(tracker_bytes(apps, start, YEAR)))
        assert all(60 <= printed_scale(ws, A4_LONG) < 80 for ws in wb.worksheets)


def test_unknown_paper_is_a_user_error(apps):
    with pytest.raises(UserError, match="khổ giấy"):
        tracker_bytes(apps, START, YEAR, paper="Letter")


def test_row_heights_follow_the_text(apps, tracker):
    """Rows are sized for their wrapped text: at least the lines the task needs even with
    narrow letters (0.4 em of 16 px a character), and a long task gets a taller row."""
    wb = openpyxl.load_workbook(tracker)
    for app in apps:
        ws = wb[app.label]
        cols = headers(ws)
        inner = column_px(dim(ws, cols["Nhiệm vụ cụ thể"]).width) - 6
        rows = task_row_numbers(ws)
        heights = {}
        for t in app.tasks:
            height = ws.row_dimensions[rows[t.ident]].height
            least = math.ceil(len(t.title) * 0.4 * 16 / inner)
            assert height >= least * 15.75, t.ident
            heights[t.ident] = height
        longest = max(app.tasks, key=lambda t: len(t.title))
        shortest = min(app.tasks, key=lambda t: len(t.title))
        assert heights[longest.ident] > heights[shortest.ident]
        assert ws.row_dimensions[HEADER_ROW].height >= 2 * 15.75  # "Tháng 7/2026" wraps


def test_deterministic_and_stamped(apps):
    first = tracker_bytes(apps, START, YEAR)
    assert tracker_bytes(apps, START, YEAR) == first
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        assert len({i.date_time for i in zf.infolist()}) == 1  # one fixed time, not now
    props = openpyxl.load_workbook(io.BytesIO(first)).properties
    unit = apps[0].unit_name
    assert props.creator == props.lastModifiedBy == unit == "xã Đình Lập"  # not the tool
    assert props.title == f"Theo dõi tiến độ thực hiện kế hoạch năm {YEAR} - {unit}"
    assert props.subject == "Phụ lục I: PAR INDEX, Phụ lục II: SIPAS"
    assert props.created == props.modified == datetime(YEAR, 1, 1)


def test_start_month_sets_the_month_columns(apps, tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(tracker_bytes(apps, 11, YEAR))
    ws = openpyxl.load_workbook(path)[sipas(apps).label]
    months = [c.value for c in ws[HEADER_ROW] if str(c.value).startswith("Tháng")]
    assert months == ["Tháng 11/2026", "Tháng 12/2026"]
    for bad in (0, 13):
        with pytest.raises(UserError):
            tracker_bytes(apps, bad, YEAR)


# --------------------------------------------------------------------------- reading back


def test_untouched_tracker_reads_as_not_started(apps, tracker):
    report = read_status(tracker, today=EARLY)
    assert [s.name for s in report.sheets] == [a.label for a in apps]
    for sheet, app in zip(report.sheets, apps, strict=True):
        assert sheet.tasks == len(app.tasks)
        assert sheet.totals == Counter({NOT_STARTED: len(app.tasks)})
        assert not sheet.warnings and not sheet.late
    assert not report.late and not report.warnings
    assert "Không có nhiệm vụ chậm tiến độ." in format_report(report)


def plan_statuses(app: Appendix) -> dict[str, str | None]:
    """Task id -> what the clerk types: 5 done, 1 in progress, 2 late (in two sections),
    1 blank, 1 invalid; the rest stay as written."""
    tasks = app.tasks
    sections = {}
    for t in tasks:
        sections.setdefault(t.path, []).append(t)
    late_a, late_b = [group[-1] for group in list(sections.values())[:2]]
    rest = [t for t in tasks if t not in (late_a, late_b)]
    plan: dict[str, str | None] = {t.ident: DONE for t in rest[:5]}
    plan[rest[5].ident] = IN_PROGRESS
    plan[rest[6].ident] = None  # the clerk cleared the cell
    plan[rest[7].ident] = "xong"
    plan[late_a.ident] = LATE
    plan[late_b.ident] = "  chậm tiến độ "  # typed by hand: case and spaces are forgiven
    return plan


def fill(path: Path, app: Appendix, plan: dict[str, str | None]) -> dict[str, int]:
    wb = openpyxl.load_workbook(path)
    ws = wb[app.label]
    rows = task_row_numbers(ws)
    status = headers(ws)["Trạng thái"]
    for ident, value in plan.items():
        ws.cell(rows[ident], status).value = value
    ws.cell(rows[app.tasks[0].ident], headers(ws)["Tháng 7/2026"]).value = "Đã ban hành KH"
    wb.save(path)
    return rows


def expected(app: Appendix, plan: dict[str, str | None]):
    def status_of(t) -> str:
        value = plan.get(t.ident, NOT_STARTED)
        if value is None:
            return NOT_STARTED
        if value == "xong":
            return UNKNOWN
        return LATE if value.strip().lower() == LATE.lower() else value

    titles = {".".join(r.path): r.title for r in app.sections}
    by_section: dict[tuple[str, str], Counter] = {}
    by_lead: dict[str, Counter] = {}
    for t in app.tasks:
        code = ".".join(t.path)
        by_section.setdefault((code, titles[code]), Counter())[status_of(t)] += 1
        for body in t.cells["lead"].split("; "):
            by_lead.setdefault(body.casefold(), Counter())[status_of(t)] += 1
    return by_section, by_lead


def check_counts(sheet, app, plan):
    by_section, by_lead = expected(app, plan)
    assert sheet.by_section == by_section
    assert list(sheet.by_section) == list(by_section)  # in catalog order, even after a sort
    assert {k.casefold(): v for k, v in sheet.by_lead.items()} == by_lead
    assert sheet.tasks == len(app.tasks)
    assert sheet.totals == Counter(
        {NOT_STARTED: len(app.tasks) - 9, DONE: 5, IN_PROGRESS: 1, LATE: 2, UNKNOWN: 1}
    )


def check_late(report, app, plan):
    late_ids = [i for i, v in plan.items() if v and v.strip().lower() == LATE.lower()]
    tasks = {t.ident: t for t in app.tasks}
    titles = {".".join(r.path): r.title for r in app.sections}
    assert report.late
    assert sorted(t.ident for t in report.late_tasks) == sorted(late_ids)
    for item in report.late_tasks:
        task = tasks[item.ident]
        assert item.sheet == app.label
        assert item.stt == task.code
        assert item.section == f"{'.'.join(task.path)} {titles['.'.join(task.path)]}"
        assert item.lead == task.cells["lead"]
        assert len(item.task) <= 80
        assert task.title.startswith(item.task.rstrip("…"))


def test_filled_tracker_counts_late_and_warnings(apps, tracker):
    app = sipas(apps)
    plan = plan_statuses(app)
    rows = fill(tracker, app, plan)
    report = read_status(tracker, today=EARLY)
    sheet = next(s for s in report.sheets if s.name == app.label)
    check_counts(sheet, app, plan)
    check_late(report, app, plan)
    bad_row = rows[next(i for i, v in plan.items() if v == "xong")]
    assert sheet.warnings == [
        f"dòng {bad_row}: trạng thái 'xong' không hợp lệ (chọn một trong: {', '.join(STATUSES)})"
    ]
    text = format_report(report)
    assert "Nhiệm vụ chậm tiến độ:" in text and "Không có nhiệm vụ" not in text
    assert f"dòng {bad_row}: trạng thái 'xong' không hợp lệ" in text
    for item in report.late_tasks:
        assert item.task in text


def test_sorted_filtered_and_an_extra_column_give_the_same_counts(apps, tracker):
    app = sipas(apps)
    plan = plan_statuses(app)
    fill(tracker, app, plan)
    wb = openpyxl.load_workbook(tracker)
    ws = wb[app.label]
    # a clerk sorts by the lead column: Excel wants the merged cells undone first
    for rng in [r for r in ws.merged_cells.ranges if r.min_row > HEADER_ROW]:
        ws.unmerge_cells(str(rng))
    lead = headers(ws)["Cơ quan chủ trì"]
    first, last = HEADER_ROW + 1, ws.max_row
    body = [[c.value for c in row] for row in ws.iter_rows(min_row=first, max_row=last)]
    body.sort(key=lambda values: (values[lead - 1] or "", str(values[0])), reverse=True)
    for r, values in enumerate(body, first):
        for c, value in enumerate(values, 1):
            ws.cell(r, c).value = value
    # … inserts a column of their own before the task column, and filters some rows out
    ws.insert_cols(2)
    ws.cell(HEADER_ROW, 2).value = "Người theo dõi"
    ws.cell(first, 2).value = "chị Lan"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(ws.max_column)}{last}"
    for r in range(first, last + 1, 3):
        ws.row_dimensions[r].hidden = True
    wb.save(tracker)

    sorted_ws = openpyxl.load_workbook(tracker)[app.label]
    moved = task_row_numbers(sorted_ws)
    assert headers(sorted_ws)["Nhiệm vụ cụ thể"] == 3
    assert list(moved) != [t.ident for t in app.tasks]  # the order really changed
    assert sorted_ws.cell(first, 1).value.isdigit()  # a task row now comes first
    report = read_status(tracker, today=EARLY)
    sheet = next(s for s in report.sheets if s.name == app.label)
    check_counts(sheet, app, plan)
    check_late(report, app, plan)
    bad_row = moved[next(i for i, v in plan.items() if v == "xong")]
    assert [w.split(":")[0] for w in sheet.warnings] == [f"dòng {bad_row}"]


def test_a_task_past_its_due_date_is_late_unless_done(dated_app, dated):
    """Late = "Chậm tiến độ", or a due date before the report date and not "Hoàn thành"."""
    by_deadline = {t.cells["deadline"]: t.ident for t in dated_app.tasks}
    july, june = by_deadline[JULY], by_deadline[JUNE]

    def late_on(day: date) -> list[str]:
        return [t.ident for t in read_status(dated, today=day).late_tasks]

    assert late_on(date(2026, 6, 30)) == []  # the due day itself is not late
    assert late_on(date(2026, 7, 1)) == [june]
    assert late_on(date(2026, 7, 31)) == [june]
    report = read_status(dated, today=date(2026, 8, 1))
    assert {t.ident: t.due for t in report.late_tasks} == {
        june: date(2026, 6, 30),
        july: date(2026, 7, 31),
    }
    assert report.sheets[0].totals == Counter({NOT_STARTED: len(dated_app.tasks)})
    text = format_report(report)
    assert "Ngày báo cáo: 01/8/2026" in text
    assert "Hạn hoàn thành: 31/7/2026 (đã quá hạn; trạng thái: Chưa triển khai)" in text
    # done: not late; in progress: still late
    fill(dated, dated_app, {june: DONE, july: IN_PROGRESS})
    report = read_status(dated, today=date(2026, 8, 1))
    assert [(t.ident, t.status) for t in report.late_tasks] == [(july, IN_PROGRESS)]
    assert report.late


def test_without_the_due_column_the_deadline_text_is_read(dated_app, dated):
    """An older tracker (or a clerk who deleted "Hạn hoàn thành"): the late rule parses
    "Thời gian hoàn thành" with the year of the month columns."""
    wb = openpyxl.load_workbook(dated)
    ws = wb[dated_app.label]
    for rng in list(ws.merged_cells.ranges):
        ws.unmerge_cells(str(rng))
    ws.delete_cols(headers(ws)["Hạn hoàn thành"])
    wb.save(dated)
    assert "Hạn hoàn thành" not in headers(openpyxl.load_workbook(dated)[dated_app.label])
    report = read_status(dated, today=date(2026, 8, 1))
    assert sorted(t.due for t in report.late_tasks) == [date(2026, 6, 30), date(2026, 7, 31)]
    assert not read_status(dated, today=EARLY).late


def test_a_sheet_without_the_header_is_named(apps, tracker):
    wb = openpyxl.load_workbook(tracker)
    extra = wb.create_sheet("Ghi chép")
    extra["A1"] = "Họp giao ban tháng 7"
    wb.save(tracker)
    report = read_status(tracker, today=EARLY)
    assert [s.name for s in report.sheets] == [a.label for a in apps]
    assert len(report.warnings) == 1 and '"Ghi chép"' in report.warnings[0]
    assert '"Ghi chép"' in format_report(report)


@pytest.mark.parametrize(
    "content",
    [
        b"STT,Nhiem vu\n1,abc\n",  # a CSV saved as .xlsx
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,  # an old .xls
        None,  # a zip that is not a workbook
        b"",
    ],
)
def test_not_an_xlsx_is_a_user_error(tmp_path, content):
    path = tmp_path / "theo-doi.xlsx"
    if content is None:
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("hello.txt", "xin chào")
    else:
        path.write_bytes(content)
    with pytest.raises(UserError) as info:
        read_status(path)
    assert info.value.message.startswith("không đọc được tệp theo dõi: ")
    assert info.value.where.path == path


def test_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="không đọc được tệp theo dõi"):
        read_status(tmp_path / "khong-co.xlsx")


def test_a_plans_own_note_column_is_kept_apart_from_the_clerks(tmp_path):
    """Lai Châu's Phụ lục I has a "Ghi chú" column of its own: the tracker keeps it as
    "Ghi chú (theo kế hoạch)", filled, and the clerk's "Ghi chú" stays a column of its own,
    which is what a submission reads."""
    from generator.cycle.intake import read_snapshot

    ws = open_workspace()
    docs = appendices(ws, "lai-chau")
    data = tracker_bytes(docs, 6, 2026)
    book = openpyxl.load_workbook(io.BytesIO(data))
    sheet = book["Phụ lục I"]
    rows = list(sheet.iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r and "STT" in r)
    header = list(rows[at])
    plan_note, clerk = header.index("Ghi chú (theo kế hoạch)"), header.index("Ghi chú")
    noted = [r for r in rows[at + 1 :] if r[plan_note]]
    catalog_notes = [r for a in docs if a.numeral == "I" for r in a.tasks if r.cells.get("note")]
    assert len(noted) == len(catalog_notes) > 0
    first = next(r for r in rows[at + 1 :] if r[plan_note])
    sheet.cell(rows.index(first) + 1, clerk + 1, "Đã họp ngày 20/7/2026")
    path = tmp_path / "t.xlsx"
    book.save(path)
    snapshot = read_snapshot(path, date(2026, 8, 1))
    assert "Đã họp ngày 20/7/2026" in [t.note for t in snapshot.tasks]
