"""`plangen status`: read trackers clerks have filled back, and summarise them.

The file comes from outside, so reading it is bounded and every failure is a `UserError`
saying "không đọc được tệp theo dõi: …" (docs/tracker.md, "Giới hạn của lệnh status"): the
file is opened by xlsxfile (read_bounded, the core's package check), only sheets whose
header row carries the tracker's labels are read, each by sheet (a task is late when its
status is "Chậm tiến độ", or when its due date is before the report date and its status is
not "Hoàn thành"). A file in which no task can be read is refused too: a report of nothing
would read as "nothing is late".
"""

from __future__ import annotations

import datetime as dt
import struct
import warnings
import zipfile
import zlib
from collections import Counter
from pathlib import Path

from generator.core.dates import short
from generator.core.errors import UserError, Where
from generator.readback.progress import StatusReport
from generator.readback.sheet import HEADER_SCAN, read_sheet, shorten
from generator.readback.xlsxfile import open_tracker
from generator.render.tracker import STATUS_LABEL, STATUSES, TASK_LABEL, UNKNOWN

PREFIX = "không đọc được tệp theo dõi: "

# What a broken or foreign file makes the zip and XML readers raise. SyntaxError covers the
# XML parse errors of both ElementTree and lxml; LookupError covers KeyError (a missing
# part) and IndexError; zlib.error a damaged deflate stream; NotImplementedError a zip
# header damaged into an unknown compression method or version; struct.error a cut header.
_CORRUPT = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    struct.error,
    LookupError,
    ValueError,
    ArithmeticError,
    TypeError,
    AttributeError,
    SyntaxError,
    EOFError,
    OSError,
    NotImplementedError,
    RecursionError,
)


def read_status(path: Path, today: dt.date | None = None) -> StatusReport:
    """Read a tracker a clerk has filled; explain in warnings what could not be read.

    `today` is the report date a due date is compared with (default: the computer's date).
    """
    path = Path(path)
    report = StatusReport(path, today=today or dt.date.today())
    try:
        with warnings.catch_warnings():  # openpyxl's notes on Excel extensions it drops
            warnings.simplefilter("ignore")
            _read_workbook(path, report)
    except UserError as exc:
        raise UserError(PREFIX + exc.message, Where(path)) from None
    except _CORRUPT as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        reason = f"tệp hỏng hoặc không phải .xlsx ({type(exc).__name__}: {detail})".rstrip()
        raise UserError(PREFIX + reason, Where(path)) from None
    if not report.tasks:
        raise UserError(PREFIX + _nothing_read(report), Where(path))
    return report


def _read_workbook(path: Path, report: StatusReport) -> None:
    tracker = open_tracker(path)
    try:
        for ws in tracker.book.worksheets:
            sheet = read_sheet(ws, tracker.merges.get(ws.title, []), report.today)
            if sheet is None:
                report.warnings.append(
                    f'trang "{ws.title}": không tìm thấy dòng tiêu đề có cột "{TASK_LABEL}" '
                    f'và "{STATUS_LABEL}"; bỏ qua trang này'
                )
            else:
                report.sheets.append(sheet)
    finally:
        tracker.close()


def _nothing_read(report: StatusReport) -> str:
    """Why a file gave no task at all, said so that the clerk can fix it."""
    if not report.sheets:
        return (
            f'không có nhiệm vụ nào: không trang nào có dòng tiêu đề với cột "{TASK_LABEL}" '
            f'và "{STATUS_LABEL}" (trong {HEADER_SCAN} dòng đầu); nếu đã đổi tên các cột '
            "này, đặt lại đúng tên rồi lưu"
        )
    names = ", ".join(f'"{s.name}"' for s in report.sheets)
    out = f"không có nhiệm vụ nào dưới dòng tiêu đề của trang {names}"
    if report.unreadable:
        said = [
            f"{s.name}: {w}" for s in report.sheets for w in s.warnings if "không được tính" in w
        ]
        out += f" ({report.unreadable} dòng không đọc được" + (f"; {said[0]}" if said else "") + ")"
    return out


# =========================================================================== printing


def _table(title: str, rows: list[tuple[str, Counter]], statuses: list[str]) -> list[str]:
    label_width = min(48, max([len(title)] + [len(label) for label, _ in rows]))
    heads = [*statuses, "Tổng"]
    widths = [max(len(h), 4) for h in heads]

    def line(label: str, cells: list[str]) -> str:
        label = shorten(label, label_width)
        return (
            "  "
            + label.ljust(label_width)
            + "".join("  " + c.rjust(w) for c, w in zip(cells, widths, strict=True))
        )

    out = [line(title, heads)]
    out.append("  " + "-" * (label_width + sum(w + 2 for w in widths)))
    for label, counts in rows:
        out.append(
            line(label, [str(counts.get(s, 0)) for s in statuses] + [str(sum(counts.values()))])
        )
    return out


def format_report(report: StatusReport) -> str:
    """Plain Vietnamese text for the terminal."""
    out = [f"Tệp theo dõi: {report.path}", f"Ngày báo cáo: {short(report.today)}"]
    for sheet in report.sheets:
        statuses = list(STATUSES)
        if any(c.get(UNKNOWN) for c in sheet.by_section.values()):
            statuses.append(UNKNOWN)
        unread = f", {len(sheet.unreadable)} dòng không đọc được" if sheet.unreadable else ""
        out += ["", f"== {sheet.name}: {sheet.tasks} nhiệm vụ{unread} =="]
        if not sheet.tasks:
            out.append("  (không có nhiệm vụ nào)")
        else:
            sections = [
                (f"{code} {title}".strip() or "(không rõ mục)", counts)
                for (code, title), counts in sheet.by_section.items()
            ]
            sections.append(("Cộng", sheet.totals))
            out += _table("Theo mục", sections, statuses)
            out.append("")
            out += _table("Theo cơ quan chủ trì", list(sheet.by_lead.items()), statuses)
            out.append("  (nhiệm vụ có nhiều cơ quan chủ trì được tính cho từng cơ quan)")
    out.append("")
    out += _late_lines(report)
    problems = report.all_warnings
    if problems:
        out += ["", "Cảnh báo:"] + [f"  - {w}" for w in problems]
    return "\n".join(out)


def _late_lines(report: StatusReport) -> list[str]:
    late = report.late_tasks
    if not late:
        return ["Không có nhiệm vụ chậm tiến độ."]
    out = ["Nhiệm vụ chậm tiến độ:"]
    for t in late:
        out.append(f"  - {t.sheet}, mục {t.section}, STT {t.stt or '?'} (dòng {t.row}): {t.task}")
        out.append(f"    Chủ trì: {t.lead or '(không ghi)'}")
        if t.due is not None:
            when = f"    Hạn hoàn thành: {short(t.due)}"
            if t.due < report.today:
                when += f" (đã quá hạn; trạng thái: {t.status})"
            out.append(when)
    return out


def format_total(reports: list[StatusReport], failed: int) -> str:
    """One line over several files: how many were read, their tasks, the late ones."""
    files = len(reports) + failed
    read = f"{len(reports)} tệp đọc được" + (f", {failed} tệp không đọc được" if failed else "")
    tasks = sum(r.tasks for r in reports)
    late = sum(len(r.late_tasks) for r in reports)
    unread = sum(r.unreadable for r in reports)
    line = f"Tổng cộng: {files} tệp theo dõi ({read}); {tasks} nhiệm vụ, {late} chậm tiến độ"
    if unread:
        line += f", {unread} dòng không đọc được"
    return line + "."
