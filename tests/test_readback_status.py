"""`plangen status` over several trackers, and what it does with rows it cannot count.

Issue 20: a tracker whose "Trạng thái" header was renamed gave "Không có nhiệm vụ chậm tiến
độ." and exit 0; cells merged over task rows dropped those tasks without a word. Now a file
without any task is refused (exit 2), and every row that holds something but cannot be
counted is reported, with the merge that hides it.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from generator.cli import app
from generator.core.errors import UserError
from generator.model.workspace import open_workspace
from generator.readback import xlsxfile
from generator.readback.status import format_report, format_total, read_status
from generator.render.tracker import DONE, LATE, NOT_STARTED, UNKNOWN, tracker_bytes
from generator.resolve.unit import unit_appendices

runner = CliRunner()
EARLY = date(2026, 1, 1)  # before every due date
HEADER_ROW = 3


@pytest.fixture(scope="module")
def apps():
    return unit_appendices(open_workspace(), "dinh-lap")


@pytest.fixture
def tracker(apps, tmp_path) -> Path:
    path = tmp_path / "dinh-lap-theo-doi.xlsx"
    path.write_bytes(tracker_bytes(apps, 7, 2026))
    return path


def headers(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[HEADER_ROW] if c.value is not None}


def task_rows(ws) -> list[int]:
    col = headers(ws)["Mã nhiệm vụ"]
    return [
        r
        for r in range(HEADER_ROW + 1, ws.max_row + 1)
        if (v := ws.cell(r, col).value) and not v.startswith("section:")
    ]


def edit(path: Path, sheet: str, change) -> None:
    wb = openpyxl.load_workbook(path)
    change(wb[sheet])
    wb.save(path)


# --------------------------------------------------------------------------- no task at all


def test_a_renamed_status_header_is_refused(tracker):
    def rename(ws):
        ws.cell(HEADER_ROW, headers(ws)["Trạng thái"]).value = "Tình trạng"

    for sheet in ("Phụ lục I", "Phụ lục II"):
        edit(tracker, sheet, rename)
    with pytest.raises(UserError) as info:
        read_status(tracker, today=EARLY)
    assert info.value.where.path == tracker
    assert info.value.message == (
        "không đọc được tệp theo dõi: không có nhiệm vụ nào: không trang nào có dòng tiêu đề "
        'với cột "Nhiệm vụ cụ thể" và "Trạng thái" (trong 50 dòng đầu); nếu đã đổi tên các '
        "cột này, đặt lại đúng tên rồi lưu"
    )
    result = runner.invoke(app, ["status", str(tracker), "--date", "2026-01-01"])
    assert result.exit_code == 2, result.output
    assert result.stderr.strip().startswith(f"{tracker}: không đọc được tệp theo dõi: không có")
    assert "Không có nhiệm vụ chậm tiến độ." not in result.stdout


def test_a_header_without_any_task_under_it_is_refused(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Phụ lục II"
    ws.append(["STT", "Nhiệm vụ cụ thể", "Cơ quan chủ trì", "Trạng thái"])
    path = tmp_path / "rong.xlsx"
    wb.save(path)
    with pytest.raises(UserError, match='không có nhiệm vụ nào dưới dòng tiêu đề của trang "Phụ'):
        read_status(path, today=EARLY)


# --------------------------------------------------------------------------- merged cells


def test_cells_merged_over_task_rows_are_reported_not_dropped(apps, tracker):
    """A clerk merges B5:Q18 of Phụ lục I (42 tasks): 12 task rows and two section rows
    under one cell. Only the first row keeps its task text; 11 tasks cannot be read. They used to
    vanish from the counts; now each is reported and the sheet says how many."""
    first = next(r for r in task_rows(openpyxl.load_workbook(tracker)["Phụ lục I"]))

    def merge(ws):
        last = get_column_letter(ws.max_column)
        ws.merge_cells(f"B{first}:{last}{first + 13}")

    edit(tracker, "Phụ lục I", merge)
    report = read_status(tracker, today=EARLY)
    sheet = report.sheets[0]
    assert (sheet.name, len(apps[0].tasks)) == ("Phụ lục I", 42)
    assert sheet.tasks == 31 and len(sheet.unreadable) == 11
    assert report.unreadable == 11
    assert sheet.totals == Counter({NOT_STARTED: 30, UNKNOWN: 1})
    warnings = report.all_warnings
    assert any(
        w.startswith("Phụ lục I: dòng ")
        and f"nằm trong vùng ô gộp B{first}:" in w
        and "không đọc được nhiệm vụ của 11 dòng này (không được tính)" in w
        for w in warnings
    ), warnings
    assert any(f'dòng {first}: ô "Trạng thái" nằm trong vùng ô gộp' in w for w in warnings)
    text = format_report(report)
    assert "== Phụ lục I: 31 nhiệm vụ, 11 dòng không đọc được ==" in text


def test_a_status_merged_down_counts_for_every_row_it_covers(tracker):
    """ "Hoàn thành" typed once in a cell merged down over three tasks: Excel shows it on
    the three rows, and so does the reader (with a warning)."""
    rows = task_rows(openpyxl.load_workbook(tracker)["Phụ lục II"])
    run = next(r for r in rows if r + 1 in rows and r + 2 in rows)

    def merge(ws):
        col = get_column_letter(headers(ws)["Trạng thái"])
        ws[f"{col}{run}"] = DONE
        ws.merge_cells(f"{col}{run}:{col}{run + 2}")

    edit(tracker, "Phụ lục II", merge)
    report = read_status(tracker, today=EARLY)
    sheet = report.sheets[1]
    assert sheet.totals[DONE] == 3 and not sheet.unreadable
    [warning] = sheet.warnings
    assert warning.startswith(f'dòng {run + 1}-{run + 2}: ô "Trạng thái" gộp dọc với dòng {run}')


def test_merges_are_bounded(tracker, tmp_path, monkeypatch):
    """Overlapping merges (Excel never writes them) or too many of them: refused at once."""
    rows = task_rows(openpyxl.load_workbook(tracker)["Phụ lục II"])
    with zipfile.ZipFile(tracker) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = parts["xl/worksheets/sheet2.xml"]
    many = "".join(f'<mergeCell ref="C{rows[0]}:D{rows[-1]}"/>' for _ in range(2000))
    parts["xl/worksheets/sheet2.xml"] = sheet.replace(
        b"</worksheet>", f'<mergeCells count="2000">{many}</mergeCells></worksheet>'.encode()
    )
    path = tmp_path / "chong.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    with pytest.raises(UserError, match='trang "Phụ lục II": các vùng ô gộp chồng lên nhau'):
        read_status(path, today=EARLY)
    monkeypatch.setattr(xlsxfile, "MAX_MERGES", 100)
    with pytest.raises(
        UserError, match='trang "Phụ lục II" có quá nhiều vùng ô gộp \\(trên 100\\)'
    ):
        read_status(path, today=EARLY)


def test_a_row_with_something_but_no_task_is_reported(tracker):
    def stray(ws):
        ws.cell(ws.max_row + 2, headers(ws)["Trạng thái"]).value = LATE

    edit(tracker, "Phụ lục II", stray)
    report = read_status(tracker, today=EARLY)
    sheet = report.sheets[1]
    assert len(sheet.unreadable) == 1 and not report.late  # not counted as a late task
    assert "không nhận ra nhiệm vụ (không được tính)" in sheet.warnings[0]


# --------------------------------------------------------------------------- several files


def test_several_trackers_in_one_call(apps, tracker, tmp_path):
    late = tmp_path / "tre.xlsx"
    late.write_bytes(tracker.read_bytes())

    def mark_late(ws):
        ws.cell(task_rows(ws)[0], headers(ws)["Trạng thái"]).value = LATE

    edit(late, "Phụ lục II", mark_late)
    missing = tmp_path / "khong-co.xlsx"
    total = sum(len(a.tasks) for a in apps)

    ok = runner.invoke(app, ["status", str(tracker), str(tracker), "--date", "2026-01-01"])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.count("Tệp theo dõi: ") == 2
    assert ok.stdout.rstrip().endswith(
        f"Tổng cộng: 2 tệp theo dõi (2 tệp đọc được); {2 * total} nhiệm vụ, 0 chậm tiến độ."
    )

    some_late = runner.invoke(app, ["status", str(tracker), str(late), "--date", "2026-01-01"])
    assert some_late.exit_code == 1, some_late.output
    assert "Nhiệm vụ chậm tiến độ:" in some_late.stdout
    assert some_late.stdout.rstrip().endswith(f"{2 * total} nhiệm vụ, 1 chậm tiến độ.")

    broken = runner.invoke(
        app, ["status", str(late), str(missing), str(tracker), "--date", "2026-01-01"]
    )
    assert broken.exit_code == 2, broken.output  # a file not read outranks a late task
    assert broken.stderr.strip() == f"{missing}: không đọc được tệp theo dõi: không có tệp này"
    assert broken.stdout.count("Tệp theo dõi: ") == 2  # the other files are still read
    assert "(2 tệp đọc được, 1 tệp không đọc được)" in broken.stdout


def test_one_tracker_prints_no_total(tracker):
    result = runner.invoke(app, ["status", str(tracker), "--date", "2026-01-01"])
    assert result.exit_code == 0, result.output
    assert "Tổng cộng" not in result.stdout


def test_the_total_line_counts_unreadable_rows(tracker):
    report = read_status(tracker, today=EARLY)
    report.sheets[0].unreadable.extend([7, 9])
    assert format_total([report], 1) == (
        "Tổng cộng: 2 tệp theo dõi (1 tệp đọc được, 1 tệp không đọc được); "
        f"{report.tasks} nhiệm vụ, 0 chậm tiến độ, 2 dòng không đọc được."
    )


def test_a_due_date_of_no_plausible_year_is_none():
    """-5 in a date-formatted cell reads as 25/12/1899: not a due date."""
    import datetime as dt

    from generator.readback.sheet import _due

    assert _due(dt.datetime(1899, 12, 25), "", 2026) is None
    assert _due(-5, "", 2026) is None
    assert _due(dt.date(2026, 7, 1), "", 2026) == dt.date(2026, 7, 1)
    assert _due(None, "Quý III/2026", 2026) == dt.date(2026, 9, 30)
