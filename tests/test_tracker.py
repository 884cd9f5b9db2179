"""The XLSX progress tracker: layout, read-back, clerk edits, determinism."""

from __future__ import annotations

import io
import zipfile
from collections import Counter
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from generator.appendix import Appendix
from generator.errors import UserError
from generator.generate import appendices
from generator.load import open_workspace
from generator.status import format_report, read_status
from generator.tracker import STATUSES, UNKNOWN, tracker_bytes

NOT_STARTED, IN_PROGRESS, DONE, LATE = STATUSES
HEADER_ROW = 3
START, YEAR = 7, 2026


@pytest.fixture(scope="module")
def apps() -> list[Appendix]:
    return appendices(open_workspace(), "dinh-lap")


@pytest.fixture
def tracker(apps, tmp_path) -> Path:
    path = tmp_path / "dinh-lap-theo-doi.xlsx"
    path.write_bytes(tracker_bytes(apps, START, YEAR))
    return path


def sipas(apps) -> Appendix:
    return next(a for a in apps if a.label == "Phụ lục II")


def headers(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[HEADER_ROW] if c.value is not None}


def expected_labels(app: Appendix) -> list[str]:
    months = [f"Tháng {m}/{YEAR}" for m in range(START, 13)]
    return (
        [c.label for c in app.columns] + months + ["Trạng thái", "Ghi chú", "Mã nhiệm vụ", "Mã mục"]
    )


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
        sqref, rule = found[0]
        assert sqref == f"A{HEADER_ROW + 1}:{note}{HEADER_ROW + len(app.rows)}"
        assert rule.type == "expression"
        assert rule.formula == [f'${status}{HEADER_ROW + 1}="Chậm tiến độ"']
        assert rule.dxf.fill.fgColor.rgb.endswith("FFC7CE")


def test_frozen_hidden_widths_and_print_setup(apps, tracker):
    wb = openpyxl.load_workbook(tracker)
    for app in apps:
        ws = wb[app.label]
        cols = headers(ws)
        assert ws.freeze_panes == f"C{HEADER_ROW + 1}"  # below the header, right of the task
        dims = ws.column_dimensions
        for label in ("Mã nhiệm vụ", "Mã mục"):
            assert dims[get_column_letter(cols[label])].hidden
        for label in ("Nhiệm vụ cụ thể", "Trạng thái", "Ghi chú", "Tháng 7/2026"):
            assert not dims[get_column_letter(cols[label])].hidden
        assert dims["B"].width == 50
        assert dims[get_column_letter(cols["Cơ quan chủ trì"])].width == 25
        assert dims[get_column_letter(cols["Tháng 7/2026"])].width == 14
        assert ws.page_setup.orientation == "landscape"
        assert int(ws.page_setup.paperSize) == 9
        assert int(ws.page_setup.fitToWidth) == 1
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"


def test_deterministic_and_stamped(apps):
    first = tracker_bytes(apps, START, YEAR)
    assert tracker_bytes(apps, START, YEAR) == first
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(YEAR, 1, 1, 0, 0, 0)}
    props = openpyxl.load_workbook(io.BytesIO(first)).properties
    assert props.creator == "plangen"
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
    report = read_status(tracker)
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
    report = read_status(tracker)
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
    report = read_status(tracker)
    sheet = next(s for s in report.sheets if s.name == app.label)
    check_counts(sheet, app, plan)
    check_late(report, app, plan)
    bad_row = moved[next(i for i, v in plan.items() if v == "xong")]
    assert [w.split(":")[0] for w in sheet.warnings] == [f"dòng {bad_row}"]


def test_a_sheet_without_the_header_is_named(apps, tracker):
    wb = openpyxl.load_workbook(tracker)
    extra = wb.create_sheet("Ghi chép")
    extra["A1"] = "Họp giao ban tháng 7"
    wb.save(tracker)
    report = read_status(tracker)
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
