"""`plangen status`: read a tracker a clerk has filled back, and summarise it.

The reader never trusts positions: a clerk may sort, filter or insert columns. Columns are
found by their header labels; the hidden "Mã nhiệm vụ" and "Mã mục" cells written by
`tracker` tell each row's task and section even after the rows are sorted.

A task is late when its status is "Chậm tiến độ", or when its due date ("Hạn hoàn thành";
for an older tracker without that column, the date `duedate.parse_deadline` reads from
"Thời gian hoàn thành") is before the report date and its status is not "Hoàn thành".

The file comes from outside, so reading it is bounded and every failure is a `UserError`
(docs/tracker.md, "Giới hạn của lệnh status"): at most MAX_BYTES on disk and MAX_UNPACKED
once unzipped; only sheets whose header row carries the tracker's labels are read, and of
those only the header's columns (at most MAX_COLS) and MAX_ROWS rows under it, in
openpyxl's streaming read-only mode, so a stray cell at XFD1048576 costs nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import struct
import unicodedata
import warnings
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.dates import month_vn
from generator.core.errors import UserError, Where
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

MAX_BYTES = 20 * 1024 * 1024  # the file on disk
MAX_UNPACKED = 100 * 1024 * 1024  # all its parts unzipped, as the zip declares them
MAX_PARTS = 1000  # files inside the zip
MAX_ROWS = 10_000  # rows under a sheet's header
MAX_COLS = 200  # columns of a sheet's header
HEADER_SCAN = 50  # the header row is looked for in the sheet's first rows


@dataclass(frozen=True)
class LateTask:
    sheet: str
    row: int  # the sheet row, as the clerk sees it now
    stt: str
    section: str  # "B.II THỦ TỤC HÀNH CHÍNH"
    task: str  # shortened to 80 characters
    lead: str
    ident: str = ""
    due: dt.date | None = None  # the due date, when the task has one
    status: str = LATE  # the status as read ("Đang thực hiện" for a task past its date)


@dataclass
class SheetStatus:
    name: str
    tasks: int = 0
    # (section code, section title) -> status -> count
    by_section: dict[tuple[str, str], Counter] = field(default_factory=dict)
    # lead body -> status -> count (a task with two leads counts for both)
    by_lead: dict[str, Counter] = field(default_factory=dict)
    late: list[LateTask] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def totals(self) -> Counter:
        out: Counter = Counter()
        for counts in self.by_section.values():
            out.update(counts)
        return out


@dataclass
class StatusReport:
    path: Path
    sheets: list[SheetStatus] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the file (sheets skipped)
    today: dt.date = field(default_factory=dt.date.today)  # the report date

    @property
    def late(self) -> bool:
        return any(s.late for s in self.sheets)

    @property
    def late_tasks(self) -> list[LateTask]:
        return [t for s in self.sheets for t in s.late]

    @property
    def all_warnings(self) -> list[str]:
        return self.warnings + [f"{s.name}: {w}" for s in self.sheets for w in s.warnings]


def _norm(value) -> str:
    """Cell text for matching: NFC, single spaces, case-folded."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", str(value)).split()).casefold()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return _date_vn(value)
    return unicodedata.normalize("NFC", str(value)).strip()


def _date_vn(date: dt.date) -> str:
    """'31/7/2026', '05/02/2027': the plan's own way of writing a date."""
    return f"{date.day:02d}/{month_vn(date.month)}/{date.year}"


_STATUS_BY_KEY = {_norm(s): s for s in STATUSES}

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
    data = _read_file(path)
    try:
        with warnings.catch_warnings():  # openpyxl's notes on Excel extensions it drops
            warnings.simplefilter("ignore")
            _read_workbook(data, report)
    except UserError as exc:
        raise UserError(exc.message, Where(path)) from None
    except _CORRUPT as exc:
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        raise _fail(
            path, f"tệp hỏng hoặc không phải .xlsx ({type(exc).__name__}: {detail})".rstrip()
        ) from None
    if not report.sheets and not report.warnings:
        report.warnings.append("tệp không có trang tính nào")
    return report


def _fail(path: Path, reason: str) -> UserError:
    return UserError(f"không đọc được tệp theo dõi: {reason}", Where(path))


def _number(n: int) -> str:
    """10000 -> '10.000', as Vietnamese writes it."""
    return f"{n:,}".replace(",", ".")


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def _read_file(path: Path) -> bytes:
    """The file's bytes, after the checks that need no parsing."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise _fail(path, "đây là một thư mục")
        if size > MAX_BYTES:
            raise _fail(
                path,
                f"tệp quá lớn ({_megabytes(size)}; tệp theo dõi không quá {_megabytes(MAX_BYTES)})",
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise _fail(path, "không có tệp này") from None
    except IsADirectoryError:
        raise _fail(path, "đây là một thư mục") from None
    except PermissionError:
        raise _fail(path, "không có quyền đọc tệp này") from None
    except OSError as exc:
        raise _fail(path, exc.strerror or str(exc)) from None
    if not data:
        raise _fail(path, "tệp rỗng (0 byte)")
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _fail(
            path,
            "tệp .xls (Excel 97-2003) hoặc tệp được bảo vệ bằng mật khẩu; "
            "hãy mở và lưu lại dưới dạng .xlsx (không đặt mật khẩu)",
        )
    if not data.startswith(b"PK") or not zipfile.is_zipfile(io.BytesIO(data)):
        raise _fail(path, "không phải tệp Excel .xlsx")
    return data


def _check_package(data: bytes) -> None:
    """Refuse a zip that is not a workbook, or that would unpack to too much."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = zf.infolist()
    names = {i.filename for i in infos}
    if len(infos) > MAX_PARTS:
        raise UserError(f"không đọc được tệp theo dõi: tệp nén có quá nhiều phần ({len(infos)})")
    unpacked = sum(i.file_size for i in infos)
    if unpacked > MAX_UNPACKED:
        raise UserError(
            f"không đọc được tệp theo dõi: giải nén ra {_megabytes(unpacked)}, vượt giới hạn "
            f"{_megabytes(MAX_UNPACKED)} của một tệp theo dõi"
        )
    if "word/document.xml" in names:
        raise UserError(
            "không đọc được tệp theo dõi: đây là tệp Word (.docx), không phải tệp Excel .xlsx"
        )
    if "ppt/presentation.xml" in names:
        raise UserError(
            "không đọc được tệp theo dõi: đây là tệp PowerPoint (.pptx), không phải tệp Excel .xlsx"
        )
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise UserError(
            "không đọc được tệp theo dõi: tệp nén không chứa bảng tính Excel "
            "(thiếu [Content_Types].xml hoặc thư mục xl/)"
        )


def _read_workbook(data: bytes, report: StatusReport) -> None:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    _check_package(data)
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except InvalidFileException as exc:
        raise UserError(f"không đọc được tệp theo dõi: tệp không phải .xlsx ({exc})") from None
    try:
        missing = [name for name in _listed_sheets(data) if name not in wb.sheetnames]
        if missing:  # openpyxl skips a sheet whose part is gone; its tasks would not count
            raise UserError(
                f'không đọc được tệp theo dõi: tệp hỏng, thiếu nội dung của trang "{missing[0]}"'
            )
        for ws in wb.worksheets:
            sheet = _read_worksheet(ws, report.today)
            if sheet is None:
                report.warnings.append(
                    f'trang "{ws.title}": không tìm thấy dòng tiêu đề có cột "{TASK_LABEL}" '
                    f'và "{STATUS_LABEL}"; bỏ qua trang này'
                )
            else:
                report.sheets.append(sheet)
    finally:
        wb.close()


def _listed_sheets(data: bytes) -> list[str]:
    """The sheet names xl/workbook.xml lists (the part _rels/.rels names as the document)."""
    from xml.etree import ElementTree

    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        rels = ElementTree.fromstring(zf.read("_rels/.rels"))
        target = next(
            (r.get("Target", "") for r in rels if r.get("Type", "").endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        book = ElementTree.fromstring(zf.read(target.lstrip("/")))
    return [e.get("name", "") for e in book.iter() if e.tag.rpartition("}")[2] == "sheet"]


def _read_worksheet(ws, today: dt.date) -> SheetStatus | None:
    """One sheet, streamed: its header, then at most MAX_ROWS rows of the header's columns."""
    from openpyxl.utils import get_column_letter

    head = list(ws.iter_rows(min_row=1, max_row=HEADER_SCAN, max_col=MAX_COLS, values_only=True))
    header = _find_header(head)
    if header is None:
        return None
    at, cols = header
    width = max(c for c, v in enumerate(head[at], 1) if _norm(v))
    rows = head[: at + 1]
    first = at + 2  # the 1-based sheet row under the header
    for n, values in enumerate(
        ws.iter_rows(min_row=first, max_row=first + MAX_ROWS, max_col=width, values_only=True)
    ):
        if n == MAX_ROWS:
            if any(_text(v) for v in values):
                raise UserError(
                    f'không đọc được tệp theo dõi: trang "{ws.title}" có hơn '
                    f"{_number(MAX_ROWS)} dòng dưới dòng tiêu đề; tệp theo dõi của một đơn vị "
                    "không dài như vậy"
                )
            break
        rows.append(values)
    sheet = _read_sheet(ws.title, rows, header, today)
    declared_rows, declared_cols = ws.max_row or 0, ws.max_column or 0
    if declared_cols > width or declared_rows > first + MAX_ROWS - 1:
        declared = f"{get_column_letter(min(max(declared_cols, 1), 16384))}{declared_rows}"
        sheet.warnings.insert(
            0,
            f"vùng dữ liệu của trang kéo đến ô {declared}, ngoài bảng theo dõi; chỉ đọc bảng "
            f"(cột A:{get_column_letter(width)}, tối đa {_number(MAX_ROWS)} dòng dưới tiêu đề), "
            "các ô ở ngoài bị bỏ qua",
        )
    return sheet


@dataclass(frozen=True)
class _Columns:
    task: int
    status: int
    stt: int | None
    lead: int | None
    ident: int | None
    section: int | None
    due: int | None = None
    deadline: int | None = None
    year: int | None = None  # the year of the month columns ("Tháng 7/2026")


def _find_header(rows: list[tuple]) -> tuple[int, _Columns] | None:
    """The first row holding both "Nhiệm vụ cụ thể" and "Trạng thái" (0-based index)."""
    task_key, status_key = _norm(TASK_LABEL), _norm(STATUS_LABEL)
    for i, values in enumerate(rows):
        labels = [_norm(v) for v in values]
        if task_key in labels and status_key in labels:
            years = [
                int(m.group(1)) for lab in labels if (m := re.match(r"tháng \d+/(\d{4})$", lab))
            ]
            return i, _Columns(
                task=labels.index(task_key),
                status=labels.index(status_key),
                stt=_first(labels, lambda lab: lab == "stt"),
                lead=_first(labels, lambda lab: "chủ trì" in lab),  # Cơ quan/Đơn vị chủ trì
                ident=_first(labels, lambda lab: lab == _norm(ID_LABEL)),
                section=_first(labels, lambda lab: lab == _norm(SECTION_LABEL)),
                due=_first(labels, lambda lab: lab == _norm(DUE_LABEL)),
                deadline=_first(labels, lambda lab: "thời gian" in lab or "thời hạn" in lab),
                year=years[0] if years else None,
            )
    return None


def _first(labels: list[str], pred) -> int | None:
    return next((c for c, lab in enumerate(labels) if lab and pred(lab)), None)


def _due(value, text: str, year: int) -> dt.date | None:
    """A due-date cell as a date: a real date, or a text in any deadline form."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:  # a date typed in a cell without a date format: Excel's day number
            return from_excel(value).date() if 1 <= value < 2958466 else None
        except (ValueError, OverflowError, AttributeError):
            return None
    due = parse_deadline(text, year)
    return due.end if due.kind == DATE else None


def _split_bodies(lead: str) -> list[str]:
    return [b for b in (p.strip() for p in lead.split(";")) if b]


def _code_order(codes: set[str]) -> dict[str, tuple]:
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


def _shorten(text: str, limit: int = TASK_SHORT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class _Task:
    row: int
    ident: str
    stt: str
    text: str
    status: str  # as typed
    section: str  # a key of `sections` below
    lead: str
    due: dt.date | None


def _read_sheet(
    name: str, rows: list[tuple], header: tuple[int, _Columns], today: dt.date
) -> SheetStatus:
    start, cols = header
    sheet = SheetStatus(name)
    year = cols.year or today.year  # for deadline texts without a year
    if cols.ident is None:
        sheet.warnings.append(f'không có cột "{ID_LABEL}": nhận biết dòng mục theo STT')
    if cols.lead is None:
        sheet.warnings.append('không có cột "Cơ quan chủ trì": không đếm được theo cơ quan')
    if cols.section is None:
        sheet.warnings.append(
            f'không có cột "{SECTION_LABEL}": nhận biết mục theo thứ tự '
            "dòng (nếu các dòng đã bị sắp xếp lại, số liệu theo mục sai)"
        )

    def raw(values: tuple, c: int | None):
        return values[c] if c is not None and c < len(values) else None

    def cell(values: tuple, c: int | None) -> str:
        return _text(raw(values, c))

    def due(values: tuple) -> dt.date | None:
        if cols.due is not None:  # the tracker's own date (empty for "Thường xuyên")
            return _due(raw(values, cols.due), cell(values, cols.due), year)
        return _due(None, cell(values, cols.deadline), year)  # an older tracker: the text

    # A section is known by its code path ("B.II", from the hidden "Mã mục" cell) or, when
    # that cell is missing, by the row it sits on ("#12"): key -> [code, title].
    sections: dict[str, list[str]] = {}
    tasks: list[_Task] = []
    seen: dict[str, int] = {}
    current = ""  # positional fallback: the key of the last section row above
    for i, values in enumerate(rows[start + 1 :], start + 2):  # i: the 1-based sheet row
        ident, stt = cell(values, cols.ident), cell(values, cols.stt)
        text, status = cell(values, cols.task), cell(values, cols.status)
        code = cell(values, cols.section)
        if ident.startswith(SECTION_PREFIX) or (
            not ident and stt and not stt.isdigit() and not status
        ):
            key = code or f"#{i}"
            entry = sections.setdefault(key, [code or stt, text])
            entry[1] = entry[1] or text
            current = key
            continue
        if not (ident or text or status):
            continue  # a blank or spacer row
        if ident:
            if ident in seen:
                sheet.warnings.append(
                    f"dòng {i}: mã nhiệm vụ '{ident}' trùng với dòng {seen[ident]}; bỏ qua dòng này"
                )
                continue
            seen[ident] = i
        key = code or current
        if key and key not in sections:
            sections[key] = [code, ""]
        lead = cell(values, cols.lead)
        tasks.append(_Task(i, ident, stt, text, status, key, lead, due(values)))

    coded = _code_order({k for k in sections if not k.startswith("#")})

    def order(key: str) -> tuple:
        if key in coded:
            return (0, coded[key], 0)
        return (1, (), int(key[1:]) if key.startswith("#") else 0)

    def label(key: str) -> tuple[str, str]:
        code, title = sections.get(key, ("", ""))
        return code, title

    used = sorted({t.section for t in tasks}, key=order)
    sheet.by_section = {label(k): Counter() for k in used}
    for t in sorted(tasks, key=lambda t: (order(t.section), _stt_order(t.stt), t.row)):
        status = _STATUS_BY_KEY.get(_norm(t.status)) if t.status else NOT_STARTED
        if status is None:
            sheet.warnings.append(
                f"dòng {t.row}: trạng thái '{t.status}' không hợp lệ "
                f"(chọn một trong: {', '.join(STATUSES)})"
            )
            status = UNKNOWN
        sheet.tasks += 1
        sheet.by_section[label(t.section)][status] += 1
        for body in _split_bodies(t.lead) or ["(không ghi)"]:
            body = body[:1].upper() + body[1:]  # "…; các cơ quan X" is "Các cơ quan X"
            same = next((k for k in sheet.by_lead if k.casefold() == body.casefold()), body)
            sheet.by_lead.setdefault(same, Counter())[status] += 1
        overdue = t.due is not None and t.due < today and status != DONE
        if status == LATE or overdue:
            section = " ".join(p for p in label(t.section) if p)
            sheet.late.append(
                LateTask(
                    name, t.row, t.stt, section, _shorten(t.text), t.lead, t.ident, t.due, status
                )
            )
    sheet.warnings.sort(key=lambda w: int(m.group(1)) if (m := re.match(r"dòng (\d+)", w)) else 0)
    sheet.by_lead = dict(sorted(sheet.by_lead.items(), key=lambda kv: kv[0].casefold()))
    return sheet


def _stt_order(stt: str) -> tuple:
    return (0, int(stt), "") if stt.isdigit() else (1, 0, stt)


# =========================================================================== printing


def _table(title: str, rows: list[tuple[str, Counter]], statuses: list[str]) -> list[str]:
    label_width = min(48, max([len(title)] + [len(label) for label, _ in rows]))
    heads = [*statuses, "Tổng"]
    widths = [max(len(h), 4) for h in heads]

    def line(label: str, cells: list[str]) -> str:
        label = _shorten(label, label_width)
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
    out = [f"Tệp theo dõi: {report.path}", f"Ngày báo cáo: {_date_vn(report.today)}"]
    for sheet in report.sheets:
        statuses = list(STATUSES)
        if any(c.get(UNKNOWN) for c in sheet.by_section.values()):
            statuses.append(UNKNOWN)
        out += ["", f"== {sheet.name}: {sheet.tasks} nhiệm vụ =="]
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
    late = report.late_tasks
    out.append("")
    if late:
        out.append("Nhiệm vụ chậm tiến độ:")
        for t in late:
            out.append(
                f"  - {t.sheet}, mục {t.section}, STT {t.stt or '?'} (dòng {t.row}): {t.task}"
            )
            out.append(f"    Chủ trì: {t.lead or '(không ghi)'}")
            if t.due is not None:
                when = f"    Hạn hoàn thành: {_date_vn(t.due)}"
                if t.due < report.today:
                    when += f" (đã quá hạn; trạng thái: {t.status})"
                out.append(when)
    else:
        out.append("Không có nhiệm vụ chậm tiến độ.")
    problems = report.all_warnings
    if problems:
        out += ["", "Cảnh báo:"] + [f"  - {w}" for w in problems]
    return "\n".join(out)
