"""One sheet of a filled tracker, read back: its header, its section and task rows, and the
counts by section and by lead body, the late tasks.

The reader never trusts positions: a clerk may sort, filter or insert columns. Columns are
found by their header labels; the hidden "Mã nhiệm vụ" and "Mã mục" cells written by
`render.tracker` tell each row's task and section even after the rows are sorted. Only the
header's columns (at most MAX_COLS) and MAX_ROWS rows under it are read, in openpyxl's
streaming mode, so a stray cell at XFD1048576 costs nothing.

Merged cells are read as Excel shows them: a cell merged down one column (a status typed
once for three tasks) gives its value to every row it covers, and says so; a merge over
several columns keeps only its first cell, so a row whose task it hides is reported as
unreadable, never silently dropped. A task is late when its status is "Chậm tiến độ", or
when its due date is before the report date and its status is not "Hoàn thành".
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from generator.core.dates import short
from generator.core.errors import UserError
from generator.core.package import number
from generator.readback.progress import LateTask, SheetStatus
from generator.readback.xlsxfile import Merge
from generator.render.tracker import (
    DONE,
    DUE_LABEL,
    ID_LABEL,
    LATE,
    NOT_STARTED,
    SECTION_LABEL,
    SECTION_PREFIX,
    STATUS_LABEL,
    STATUSES,
    TASK_LABEL,
    TASK_SHORT,
    UNKNOWN,
)
from generator.resolve.duedate import DATE, parse_deadline

MAX_ROWS = 10_000  # rows under a sheet's header
MAX_COLS = 200  # columns of a sheet's header
HEADER_SCAN = 50  # the header row is looked for in the sheet's first rows


def norm(value) -> str:
    """Cell text for matching: NFC, single spaces, case-folded."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(value)).split()).casefold()


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return short(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def shorten(text: str, limit: int = TASK_SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_STATUS_BY_KEY = {norm(s): s for s in STATUSES}


@dataclass(frozen=True)
class Columns:
    """0-based columns of the labels the reader knows (None: the sheet has no such column)."""

    task: int
    status: int
    stt: int | None
    lead: int | None
    ident: int | None
    section: int | None
    due: int | None = None
    deadline: int | None = None
    year: int | None = None  # the year of the month columns ("Tháng 7/2026")


def _first(labels: list[str], pred) -> int | None:
    return next((c for c, lab in enumerate(labels) if lab and pred(lab)), None)


def find_header(rows: list[tuple]) -> tuple[int, Columns] | None:
    """The first row holding both "Nhiệm vụ cụ thể" and "Trạng thái" (0-based index)."""
    task_key, status_key = norm(TASK_LABEL), norm(STATUS_LABEL)
    for i, values in enumerate(rows):
        labels = [norm(v) for v in values]
        if task_key in labels and status_key in labels:
            years = [
                int(m.group(1)) for lab in labels if (m := re.match(r"tháng \d+/(\d{4})$", lab))
            ]
            return i, Columns(
                task=labels.index(task_key),
                status=labels.index(status_key),
                stt=_first(labels, lambda lab: lab == "stt"),
                lead=_first(labels, lambda lab: "chủ trì" in lab),  # Cơ quan/Đơn vị chủ trì
                ident=_first(labels, lambda lab: lab == norm(ID_LABEL)),
                section=_first(labels, lambda lab: lab == norm(SECTION_LABEL)),
                due=_first(labels, lambda lab: lab == norm(DUE_LABEL)),
                deadline=_first(labels, lambda lab: "thời gian" in lab or "thời hạn" in lab),
                year=years[0] if years else None,
            )
    return None


@dataclass
class SheetTable:
    """A tracker sheet's table as read: the header's labels and columns, the rows under it
    (sheet row `first` onwards, `width` cells each) and the reader that read them."""

    labels: list[str]
    cols: Columns
    first: int
    width: int
    body: list[list]
    reader: SheetReader
    status: SheetStatus


def read_table(ws, merges: list[Merge], today: dt.date) -> SheetTable | None:
    """One sheet, streamed: its header, then at most MAX_ROWS rows of the header's columns,
    read (merges filled, tasks and sections found, counted); None when the sheet has no
    tracker header. What `plangen status` counts and what `plangen submit` stores are read
    here alike."""
    head = list(ws.iter_rows(min_row=1, max_row=HEADER_SCAN, max_col=MAX_COLS, values_only=True))
    header = find_header(head)
    if header is None:
        return None
    at, cols = header
    width = max(c for c, v in enumerate(head[at], 1) if norm(v))
    first = at + 2  # the 1-based sheet row under the header
    body: list[list] = []
    for n, values in enumerate(
        ws.iter_rows(min_row=first, max_row=first + MAX_ROWS, max_col=width, values_only=True)
    ):
        if n == MAX_ROWS:
            if any(cell_text(v) for v in values):
                raise UserError(
                    f'trang "{ws.title}" có hơn {number(MAX_ROWS)} dòng dưới dòng tiêu đề; tệp '
                    "theo dõi của một đơn vị không dài như vậy"
                )
            break
        body.append(list(values) + [None] * (width - len(values)))
    reader = SheetReader(ws.title, cols, today)
    covered = reader.merges(body, first, width, merges)
    status = reader.read(body, first, covered)
    labels = [norm(v) for v in head[at]]
    return SheetTable(labels, cols, first, width, body, reader, status)


def read_sheet(ws, merges: list[Merge], today: dt.date) -> SheetStatus | None:
    """One sheet's counts (`read_table`), with a warning when its data reaches past the
    table; None when the sheet has no tracker header."""
    from openpyxl.utils import get_column_letter

    table = read_table(ws, merges, today)
    if table is None:
        return None
    sheet, first, width = table.status, table.first, table.width
    declared_rows, declared_cols = ws.max_row or 0, ws.max_column or 0
    if declared_cols > width or declared_rows > first + MAX_ROWS - 1:
        declared = f"{get_column_letter(min(max(declared_cols, 1), 16384))}{declared_rows}"
        sheet.warnings.insert(
            0,
            f"vùng dữ liệu của trang kéo đến ô {declared}, ngoài bảng theo dõi; chỉ đọc bảng "
            f"(cột A:{get_column_letter(width)}, tối đa {number(MAX_ROWS)} dòng dưới tiêu đề), "
            "các ô ở ngoài bị bỏ qua",
        )
    return sheet


DUE_YEARS = range(2000, 2101)  # a due date outside these is a slip ("-5" in a date cell)


def _due(value, text: str, year: int) -> dt.date | None:
    """A due-date cell as a date: a real date, or a text in any deadline form; a date of no
    plausible year (a negative number in a date-formatted cell reads as 25/12/1899) is none."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:  # a date typed in a cell without a date format: Excel's day number
            value = from_excel(value).date() if 1 <= value < 2958466 else None
        except (ValueError, OverflowError, AttributeError):
            value = None
        if value is None:
            return None
    if isinstance(value, dt.date):
        return value if value.year in DUE_YEARS else None
    due = parse_deadline(text, year)
    return due.end if due.kind == DATE else None


def code_order(codes: set[str]) -> dict[str, tuple]:
    """Sort keys for section codes like "B.IV": per level, Roman numerals by value when every
    code at that level is one (I, II, …, VIII), else letters as A < B < … < Z < AA."""
    from generator.core.text import roman

    romans = {roman(n): n for n in range(1, 400)}
    split = {c: c.split(".") for c in codes}
    depth = max((len(p) for p in split.values()), default=0)
    by_roman = [
        all(p[i].upper() in romans for p in split.values() if len(p) > i) for i in range(depth)
    ]

    def part(i: int, p: str) -> tuple:
        if p.isdigit():
            return (0, int(p), "")
        if by_roman[i]:
            return (1, romans[p.upper()], "")
        return (2, len(p), p.upper())

    return {c: tuple(part(i, p) for i, p in enumerate(parts)) for c, parts in split.items()}


def _stt_order(stt: str) -> tuple:
    return (0, int(stt), "") if stt.isdigit() else (1, 0, stt)


@dataclass
class _Task:
    row: int
    ident: str
    stt: str
    text: str
    status: str  # as typed
    section: str  # a key of the reader's `sections`
    lead: str
    due: dt.date | None
    hidden_status: str = ""  # the merge that hides the status cell ("B12:N12"), if any


def _covering(merges: list[Merge], row: int, col: int) -> Merge | None:
    """The merge that covers the cell (`row`, 0-based `col`): any of its cells but its first."""
    for m in merges:
        if m.min_col - 1 <= col < m.max_col and (row, col) != (m.min_row, m.min_col - 1):
            return m
    return None


class SheetReader:
    def __init__(self, name: str, cols: Columns, today: dt.date) -> None:
        self.name, self.cols, self.today = name, cols, today
        self.year = cols.year or today.year  # for deadline texts without a year
        self.sheet = SheetStatus(name)
        # a section is known by its code path ("B.II", from the hidden "Mã mục" cell) or,
        # when that cell is missing, by the row it sits on ("#12"): key -> [code, title]
        self.sections: dict[str, list[str]] = {}
        self.tasks: list[_Task] = []
        self.merged_away: dict[str, list[int]] = {}  # merge -> the rows whose task it hides

    def warn(self, text: str) -> None:
        self.sheet.warnings.append(text)

    def label(self, c: int) -> str:
        names = {self.cols.task: TASK_LABEL, self.cols.status: STATUS_LABEL}
        names |= {self.cols.ident: ID_LABEL, self.cols.lead: "Cơ quan chủ trì"}
        names |= {self.cols.stt: "STT", self.cols.due: DUE_LABEL}
        return names.get(c, f"cột {c + 1}")

    # -- merged cells
    def merges(self, body: list[list], first: int, width: int, merges: list[Merge]):
        """Fill what a merge down one column shows on every row it covers; the other merges
        of each row (sheet row -> merges). Merges above the table are the title's."""
        covered: dict[int, list[Merge]] = {}
        last = first + len(body) - 1
        budget = len(body) * width + len(merges)  # overlapping merges (a broken file) stop
        for m in merges:
            if m.max_row < first or m.min_row > last or m.min_col > width:
                continue
            top, bottom = max(m.min_row, first), min(m.max_row, last)
            budget -= bottom - top + 1
            if budget < 0:
                raise UserError(f'trang "{self.name}": các vùng ô gộp chồng lên nhau')
            col = m.min_col - 1
            if m.min_col == m.max_col and bottom > m.min_row >= first and col != self.cols.ident:
                value = body[m.min_row - first][col]
                for r in range(m.min_row + 1, bottom + 1):
                    body[r - first][col] = value
                if value not in (None, ""):
                    rows = _spans(list(range(m.min_row + 1, bottom + 1)))
                    self.warn(
                        f'dòng {rows}: ô "{self.label(col)}" gộp dọc với dòng {m.min_row} '
                        f"({m.ref}): đọc theo nội dung ô gộp; bỏ gộp ô nếu mỗi dòng khác nhau"
                    )
                continue
            for r in range(top, bottom + 1):
                covered.setdefault(r, []).append(m)
        return covered

    # -- rows
    def read(self, body: list[list], first: int, covered: dict[int, list[Merge]]) -> SheetStatus:
        cols = self.cols
        if cols.ident is None:
            self.warn(f'không có cột "{ID_LABEL}": nhận biết dòng mục theo STT')
        if cols.lead is None:
            self.warn('không có cột "Cơ quan chủ trì": không đếm được theo cơ quan')
        if cols.section is None:
            self.warn(
                f'không có cột "{SECTION_LABEL}": nhận biết mục theo thứ tự '
                "dòng (nếu các dòng đã bị sắp xếp lại, số liệu theo mục sai)"
            )
        seen: dict[str, int] = {}
        current = ""  # positional fallback: the key of the last section row above
        for i, values in enumerate(body, first):  # i: the 1-based sheet row
            current = self.row(i, values, covered.get(i), seen, current)
        self.merged_warnings()
        self.tally()
        return self.sheet

    def cell(self, values: list, c: int | None) -> str:
        return cell_text(values[c]) if c is not None and c < len(values) else ""

    def row(self, i: int, values: list, covered: list[Merge] | None, seen: dict, current: str):
        """Read sheet row `i`; the key of the section a task here or below belongs to."""
        cols = self.cols
        ident, stt = self.cell(values, cols.ident), self.cell(values, cols.stt)
        text, status = self.cell(values, cols.task), self.cell(values, cols.status)
        code = self.cell(values, cols.section)
        if ident.startswith(SECTION_PREFIX) or (
            not ident and stt and not stt.isdigit() and not status
        ):
            key = code or f"#{i}"
            entry = self.sections.setdefault(key, [code or stt, text])
            entry[1] = entry[1] or text
            return key
        if not (ident or text):
            self.unreadable(i, values, covered)
            return current
        if ident:
            if ident in seen:
                self.warn(
                    f"dòng {i}: mã nhiệm vụ '{ident}' trùng với dòng {seen[ident]}; bỏ qua dòng này"
                )
                return current
            seen[ident] = i
        key = code or current
        if key and key not in self.sections:
            self.sections[key] = [code, ""]
        hidden = _covering(covered, i, cols.status) if covered else None
        lead = self.cell(values, cols.lead)
        due = self.due(values)
        self.tasks.append(
            _Task(i, ident, stt, text, status, key, lead, due, hidden.ref if hidden else "")
        )
        return current

    def unreadable(self, i: int, values: list, covered: list[Merge] | None) -> None:
        """A row without a task text or id: blank, or something that cannot be counted."""
        keys = [c for c in (self.cols.task, self.cols.ident) if c is not None]
        merge = next((m for c in keys if (m := _covering(covered or [], i, c))), None)
        if merge is not None:
            self.sheet.unreadable.append(i)
            self.merged_away.setdefault(merge.ref, []).append(i)
        elif any(cell_text(v) for v in values):
            self.sheet.unreadable.append(i)
            self.warn(
                f'dòng {i}: có nội dung nhưng không có "{TASK_LABEL}" lẫn "{ID_LABEL}": '
                "không nhận ra nhiệm vụ (không được tính)"
            )

    def merged_warnings(self) -> None:
        """One warning per merge that hides tasks, naming its rows."""
        for ref, rows in self.merged_away.items():
            self.warn(
                f"dòng {_spans(rows)}: nằm trong vùng ô gộp {ref}, không đọc được nhiệm vụ "
                f"của {len(rows)} dòng này (không được tính); bỏ gộp ô (Unmerge Cells) rồi "
                "điền lại từng dòng"
            )

    def due(self, values: list) -> dt.date | None:
        cols = self.cols
        if cols.due is not None:  # the tracker's own date (empty for "Thường xuyên")
            raw = values[cols.due] if cols.due < len(values) else None
            return _due(raw, self.cell(values, cols.due), self.year)
        return _due(None, self.cell(values, cols.deadline), self.year)  # an older tracker

    # -- counts
    def status_of(self, t: _Task) -> str:
        if t.hidden_status:
            self.warn(
                f'dòng {t.row}: ô "{STATUS_LABEL}" nằm trong vùng ô gộp {t.hidden_status}, '
                f"không đọc được trạng thái (tính là {UNKNOWN})"
            )
            return UNKNOWN
        status = _STATUS_BY_KEY.get(norm(t.status)) if t.status else NOT_STARTED
        if status is None:
            self.warn(
                f"dòng {t.row}: trạng thái '{t.status}' không hợp lệ "
                f"(chọn một trong: {', '.join(STATUSES)})"
            )
            return UNKNOWN
        return status

    def section_order(self):
        """A section key's place in the plan: by its code (Roman numerals by value), then
        the row-keyed ones in sheet order."""
        coded = code_order({k for k in self.sections if not k.startswith("#")})

        def order(key: str) -> tuple:
            if key in coded:
                return (0, coded[key], 0)
            return (1, (), int(key[1:]) if key.startswith("#") else 0)

        return order

    def plan_order(self):
        """A task's place in the plan: section, then STT, then row (the plan's order even
        after the clerk sorted the rows)."""
        order = self.section_order()
        return lambda t: (order(t.section), _stt_order(t.stt), t.row)

    def tally(self) -> None:
        sheet, sections = self.sheet, self.sections
        order = self.section_order()

        def label(key: str) -> tuple[str, str]:
            code, title = sections.get(key, ("", ""))
            return code, title

        used = sorted({t.section for t in self.tasks}, key=order)
        sheet.by_section = {label(k): Counter() for k in used}
        for t in sorted(self.tasks, key=self.plan_order()):
            status = self.status_of(t)
            sheet.tasks += 1
            sheet.by_section[label(t.section)][status] += 1
            bodies = [b for b in (p.strip() for p in t.lead.split(";")) if b]
            for body in bodies or ["(không ghi)"]:
                body = body[:1].upper() + body[1:]  # "…; các cơ quan X" is "Các cơ quan X"
                same = next((k for k in sheet.by_lead if k.casefold() == body.casefold()), body)
                sheet.by_lead.setdefault(same, Counter())[status] += 1
            overdue = t.due is not None and t.due < self.today and status != DONE
            if status == LATE or overdue:
                section = " ".join(p for p in label(t.section) if p)
                sheet.late.append(
                    LateTask(
                        self.name,
                        t.row,
                        t.stt,
                        section,
                        shorten(t.text),
                        t.lead,
                        t.ident,
                        t.due,
                        status,
                    )  # fmt: skip
                )
        sheet.warnings.sort(key=_row_of)
        sheet.by_lead = dict(sorted(sheet.by_lead.items(), key=lambda kv: kv[0].casefold()))


def _spans(rows: list[int]) -> str:
    """[6, 7, 8, 10] -> "6-8, 10"."""
    out: list[str] = []
    start = prev = rows[0]
    for r in [*rows[1:], None]:
        if r is not None and r == prev + 1:
            prev = r
            continue
        out.append(str(start) if start == prev else f"{start}-{prev}")
        if r is not None:
            start = prev = r
    return ", ".join(out)


def _row_of(warning: str) -> int:
    m = re.match(r"dòng (\d+)", warning)
    return int(m.group(1)) if m else 0
