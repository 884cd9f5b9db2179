"""A filled tracker read task by task, for the history: status, due date, note, the month
cells, and a date done when the clerk wrote one.

The file is first read by `readback.status.read_status`, the reader of `plangen status`:
every bound and check of docs/tracker.md ("Giới hạn của lệnh status") applies, a file it
refuses is refused here with the same message, and its warnings are kept. The tasks are
then taken from each sheet by the same row reader (`readback.sheet`), so a task counted by
`plangen status` is a task stored here, merged cells and all; what that reader does not
keep (the note and month columns) is read from the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import warnings
from pathlib import Path

from generator.core.errors import UserError, Where
from generator.core.files import read_bounded
from generator.cycle.snapshot import Snapshot, TaskRecord
from generator.readback import sheet as sheets
from generator.readback.status import PREFIX, read_status
from generator.readback.xlsxfile import MAX_BYTES, open_tracker
from generator.render.tracker import DONE, NOTE_LABEL

_UNIT = re.compile(r"\bunit ([a-z0-9][a-z0-9-]{0,63});")  # "plangen 0.2.0; unit dinh-lap; …"
_MONTH = re.compile(r"tháng (\d{1,2})/(\d{4})$")
# A date the clerk wrote: 20/7/2026, 20-7-2026, 20.7.2026, "ngày 20 tháng 7 năm 2026".
_DATES = (
    re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b"),
    re.compile(r"\bngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})\b", re.IGNORECASE),
)


def read_snapshot(path: Path, today: dt.date | None = None) -> Snapshot:
    """The tracker at `path`, task by task; a UserError when it cannot be read."""
    path = Path(path)
    today = today or dt.date.today()
    report = read_status(path, today)  # every check of `plangen status`, its messages
    data = read_bounded(path, MAX_BYTES, "tệp")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tasks, saved, unit, year = _read(path, today)
    except UserError as exc:
        raise UserError(PREFIX + exc.message, Where(path)) from None
    if len(tasks) != report.tasks:  # pragma: no cover - the two readers are one reader
        raise UserError(
            PREFIX + f"đọc được {len(tasks)} nhiệm vụ, plangen status đếm {report.tasks}",
            Where(path),
        )
    return Snapshot(
        tasks=tuple(tasks),
        warnings=tuple(report.all_warnings),
        file_name=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        saved_at=saved,
        unit=unit,
        year=year,
    )


def _read(path: Path, today: dt.date):
    """(tasks, the workbook's saved time, the unit it names, the year of its months)."""
    tracker = open_tracker(path)
    try:
        props = tracker.book.properties
        saved = _utc(getattr(props, "modified", None))
        made_for = _UNIT.search(str(getattr(props, "description", None) or ""))
        tasks: list[TaskRecord] = []
        years: list[int] = []
        for ws in tracker.book.worksheets:
            found, year = _sheet_tasks(ws, tracker.merges.get(ws.title, []), today)
            tasks += found
            years += [year] if year else []
        unit = made_for.group(1) if made_for else ""
        return tasks, saved, unit, years[0] if years else None
    finally:
        tracker.close()


def _utc(value) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _sheet_tasks(ws, merges, today: dt.date) -> tuple[list[TaskRecord], int | None]:
    """The tasks of one sheet, read as `plangen status` reads them (readback.sheet), with
    their month cells and note, and the year of its month columns."""
    table = sheets.read_table(ws, merges, today)
    if table is None:
        return [], None
    labels, cols, first, body, reader = (
        table.labels, table.cols, table.first, table.body, table.reader
    )  # fmt: skip
    note = next((c for c, lab in enumerate(labels) if lab == sheets.norm(NOTE_LABEL)), None)
    months = [
        (c, f"{int(m.group(2)):04d}-{int(m.group(1)):02d}")
        for c, lab in enumerate(labels)
        if (m := _MONTH.match(lab)) and 1 <= int(m.group(1)) <= 12
    ]
    out = []
    for position, t in enumerate(sorted(reader.tasks, key=reader.plan_order())):
        row = body[t.row - first]
        status = reader.status_of(t)
        code, title = reader.sections.get(t.section, ("", ""))
        month_cells = tuple(
            (month, text) for c, month in months if (text := sheets.cell_text(row[c]))
        )
        note_text = sheets.cell_text(row[note]) if note is not None else ""
        deadline = sheets.cell_text(row[cols.deadline]) if cols.deadline is not None else ""
        done_on = _done_on(note_text, month_cells, today) if status == DONE else None
        out.append(
            TaskRecord(
                appendix=ws.title,
                task=t.ident or f"#{t.row}",
                position=position,
                section=code,
                section_title=title,
                stt=t.stt,
                text=" ".join(t.text.split()),
                lead=t.lead,
                deadline=deadline,
                due=t.due,
                status=status,
                done_on=done_on,
                note=note_text,
                months=month_cells,
            )
        )
    return out, cols.year


def dates_in(text: str) -> list[dt.date]:
    """Every real date written in `text` (20/7/2026, ngày 20 tháng 7 năm 2026)."""
    found = []
    for pattern in _DATES:
        for m in pattern.finditer(text):
            try:
                found.append(dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1))))
            except ValueError:
                continue
    return found


def _done_on(note: str, months: tuple[tuple[str, str], ...], today: dt.date) -> dt.date | None:
    """The date a done task was done, when the clerk wrote one (in the note, else in the
    last month cell that has one); never a day after the tracker's date."""
    for text in [note, *(t for _, t in reversed(months))]:
        dates = [d for d in dates_in(text) if d <= today]
        if dates:
            return max(dates)
    return None
