"""The progress tracker: one XLSX per unit, one sheet per appendix, and reading it back.

Sở Nội vụ follows every task month by month. `tracker_bytes` lays an `Appendix` out as a
sheet a clerk fills in Excel or LibreOffice (a note per month, a status from a dropdown);
`read_status` reads the filled file back and `format_report` prints what it found.

The reader never trusts positions: a clerk may sort, filter or insert columns. Columns are
found by their header labels, and every body row carries two hidden cells written here:
"Mã nhiệm vụ" (the task id; ``section:<id>`` on section rows) and "Mã mục" (the section
path, e.g. ``B.II``), so a task still knows its section after the rows are sorted.

openpyxl is imported inside the functions: the CLI must start fast.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from . import __version__
from .appendix import Appendix, Row
from .errors import UserError, Where
from .text import illegal_char, month_vn

NOT_STARTED, IN_PROGRESS, DONE, LATE = STATUSES = (
    "Chưa triển khai",
    "Đang thực hiện",
    "Hoàn thành",
    "Chậm tiến độ",
)
UNKNOWN = "Không rõ"  # a status the reader could not understand (warned about)

TASK_LABEL = "Nhiệm vụ cụ thể"
STATUS_LABEL = "Trạng thái"
NOTE_LABEL = "Ghi chú"
ID_LABEL = "Mã nhiệm vụ"
SECTION_LABEL = "Mã mục"
SECTION_PREFIX = "section:"

FONT = "Times New Roman"
FONT_SIZE = 12
WIDTHS = {"stt": 6, "task": 50, "lead": 25, "support": 25, "deadline": 14, "product": 30}
MONTH_WIDTH, STATUS_WIDTH, NOTE_WIDTH, ID_WIDTH = 14, 18, 30, 24
CENTERED = {"stt", "deadline"}
HEADER_FILL, SECTION_FILL, LATE_FILL = "D9D9D9", "F2F2F2", "FFC7CE"
TASK_SHORT = 80


def month_label(month: int, year: int) -> str:
    """'Tháng 7/2026'; months 1 and 2 take a leading zero, as in the plan's own dates."""
    return f"Tháng {month_vn(month)}/{year}"


def section_code(row: Row) -> str:
    """The full code of a row's section: ``B.II`` (a task's section, or the section itself)."""
    return ".".join(row.path)


# =========================================================================== writing


@dataclass(frozen=True)
class _Layout:
    """Where everything sits on one sheet (1-based columns and rows)."""

    keys: tuple[str, ...]  # the appendix's column keys
    months: tuple[int, ...]
    header_row: int = 3

    @property
    def first_month(self) -> int:
        return len(self.keys) + 1

    @property
    def status(self) -> int:
        return len(self.keys) + len(self.months) + 1

    @property
    def note(self) -> int:
        return self.status + 1

    @property
    def ident(self) -> int:
        return self.note + 1

    @property
    def section(self) -> int:
        return self.ident + 1

    @property
    def task(self) -> int:
        return self.keys.index("task") + 1 if "task" in self.keys else min(2, len(self.keys))


def tracker_bytes(appendices: list[Appendix], start_month: int, year: int) -> bytes:
    """One sheet per appendix (sheet title "Phụ lục I", "Phụ lục II", …).

    Months run from `start_month` to December of `year`. The same input gives the same
    bytes: document dates are fixed to 1 January of `year`, zip entries to a fixed time.
    """
    if not isinstance(start_month, int) or not 1 <= start_month <= 12:
        raise UserError(f"tháng bắt đầu theo dõi phải từ 1 đến 12 (đang là {start_month})")
    if not isinstance(year, int) or not 1980 <= year <= 2107:
        raise UserError(f"năm theo dõi không hợp lệ: {year}")
    if not appendices:
        raise UserError("không có phụ lục nào để lập tệp theo dõi")
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for appendix in appendices:
        ws = wb.create_sheet(_sheet_title(appendix.label, used))
        _fill_sheet(
            ws,
            appendix,
            _Layout(tuple(c.key for c in appendix.columns), tuple(range(start_month, 13))),
            year,
        )
    _set_properties(wb, appendices, year)
    return _deterministic_zip(wb, year)


def _sheet_title(label: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", label).strip("'")[:31] or "Phụ lục"
    title, n = base, 1
    while title.casefold() in used:
        n += 1
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
    used.add(title.casefold())
    return title


def _fill_sheet(ws, appendix: Appendix, lay: _Layout, year: int) -> None:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter as col
    from openpyxl.worksheet.datavalidation import DataValidation

    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    body_font, bold = Font(name=FONT, size=FONT_SIZE), Font(name=FONT, size=FONT_SIZE, bold=True)
    top = Alignment(wrap_text=True, vertical="top")
    top_center = Alignment(wrap_text=True, vertical="top", horizontal="center")
    last_visible = col(lay.note)

    def put(row: int, column: int, value, font=body_font, align=top, fill=None, box=True):
        cell = ws.cell(row=row, column=column)
        if value not in (None, ""):
            bad = illegal_char(str(value))
            if bad:
                raise UserError(
                    f"{appendix.label}, dòng {row}: văn bản có ký tự {bad} "
                    "không ghi được vào tệp Excel"
                )
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # text, never a formula
        cell.font, cell.alignment = font, align
        if box:
            cell.border = border
        if fill:
            cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        return cell

    # -- title, guide, header
    put(
        1,
        1,
        f"{appendix.label} - {appendix.title}",
        bold,
        Alignment(wrap_text=True, horizontal="center", vertical="center"),
        box=False,
    )
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=lay.note)
    ws.row_dimensions[1].height = 36
    put(
        2,
        1,
        appendix.guide,
        Font(name=FONT, size=FONT_SIZE, italic=True),
        Alignment(wrap_text=True, horizontal="center", vertical="center"),
        box=False,
    )
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=lay.note)
    ws.row_dimensions[2].height = 20

    h = lay.header_row
    labels = [c.label for c in appendix.columns] + [month_label(m, year) for m in lay.months]
    labels += [STATUS_LABEL, NOTE_LABEL, ID_LABEL, SECTION_LABEL]
    header_align = Alignment(wrap_text=True, horizontal="center", vertical="center")
    for i, label in enumerate(labels, 1):
        put(h, i, label, bold, header_align, HEADER_FILL)

    # -- body
    status_rows: list[int] = []
    r = h
    for row in appendix.rows:
        r += 1
        if row.is_section:
            put(r, 1, row.code, bold, top_center, SECTION_FILL)
            for c in range(2, lay.note + 1):
                put(r, c, row.title if c == lay.task else None, bold, top, SECTION_FILL)
            if lay.task > 2:  # an unusual catalog: the task column is not second
                ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=lay.task - 1)
            ws.merge_cells(start_row=r, start_column=lay.task, end_row=r, end_column=lay.note)
            put(r, lay.ident, SECTION_PREFIX + row.ident)
            put(r, lay.section, section_code(row))
            continue
        for c, key in enumerate(lay.keys, 1):
            value = row.code if key == "stt" else row.cells.get(key, "")
            put(r, c, value, align=top_center if key in CENTERED else top)
        for c in range(lay.first_month, lay.status):
            put(r, c, None)
        put(r, lay.status, NOT_STARTED, align=top_center)
        put(r, lay.note, None)
        put(r, lay.ident, row.ident)
        put(r, lay.section, section_code(row))
        status_rows.append(r)
    last = r

    # -- dropdown on the status cells of task rows
    status_col = col(lay.status)
    if status_rows:
        dv = DataValidation(
            type="list",
            formula1='"' + ",".join(STATUSES) + '"',
            allow_blank=True,
            showDropDown=False,
            showErrorMessage=True,
            showInputMessage=True,
            errorStyle="stop",
            errorTitle="Trạng thái không hợp lệ",
            error="Chọn một trong: " + "; ".join(STATUSES) + ".",
            promptTitle=STATUS_LABEL,
            prompt="Chọn trạng thái từ danh sách.",
        )
        for first, end in _runs(status_rows):
            dv.add(
                f"{status_col}{first}" if first == end else f"{status_col}{first}:{status_col}{end}"
            )
        ws.add_data_validation(dv)

    # -- late rows in light red (section rows have no status, so never match)
    if last > h:
        data = f"A{h + 1}:{last_visible}{last}"
        fill = PatternFill("solid", start_color=LATE_FILL, end_color=LATE_FILL)
        ws.conditional_formatting.add(
            data, FormulaRule(formula=[f'${status_col}{h + 1}="{LATE}"'], fill=fill)
        )
        ws.auto_filter.ref = f"A{h}:{col(lay.section)}{last}"

    # -- widths, hidden id columns, frozen panes
    for c, spec in enumerate(appendix.columns, 1):
        ws.column_dimensions[col(c)].width = WIDTHS.get(spec.key, max(10.0, spec.width * 1.5))
    for c in range(lay.first_month, lay.status):
        ws.column_dimensions[col(c)].width = MONTH_WIDTH
    ws.column_dimensions[status_col].width = STATUS_WIDTH
    ws.column_dimensions[last_visible].width = NOTE_WIDTH
    for c in (lay.ident, lay.section):
        ws.column_dimensions[col(c)].width = ID_WIDTH
        ws.column_dimensions[col(c)].hidden = True
    ws.freeze_panes = f"{col(lay.task + 1)}{h + 1}"

    # -- printing: landscape A4, one page wide, the header row on every page
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{h}:{h}"
    ws.print_area = f"A1:{last_visible}{last}"
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "Trang &P/&N"


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """[4, 5, 6, 8] -> [(4, 6), (8, 8)]."""
    out: list[tuple[int, int]] = []
    for r in rows:
        if out and out[-1][1] == r - 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


def _set_properties(wb, appendices: list[Appendix], year: int) -> None:
    fixed = datetime(year, 1, 1)
    first = appendices[0]
    props = wb.properties
    props.creator = "plangen"
    props.lastModifiedBy = "plangen"
    props.created = props.modified = fixed
    props.title = f"Theo dõi tiến độ thực hiện kế hoạch năm {year} - {first.unit_name}"
    props.subject = ", ".join(f"{a.label}: {a.index}" for a in appendices)
    props.keywords = " ".join([first.unit, *(a.catalog for a in appendices)])
    props.description = f"plangen {__version__}; unit {first.unit}; " + "; ".join(
        f"catalog {a.catalog} sha256:{a.catalog_hash}" for a in appendices
    )


def _deterministic_zip(wb, year: int) -> bytes:
    """Save, then re-pack with fixed entry times and the fixed core properties.

    `Workbook.save` stamps `modified` with the current time and every zip entry with the
    current local time; both are put back to fixed values here.
    """
    from openpyxl.xml.functions import tostring

    fixed = wb.properties.created
    raw = io.BytesIO()
    wb.save(raw)
    wb.properties.modified = fixed
    core = tostring(wb.properties.to_tree())
    out = io.BytesIO()
    stamp = (year, 1, 1, 0, 0, 0)
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in src.namelist():
            data = core if name == "docProps/core.xml" else src.read(name)
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            dst.writestr(info, data)
    return out.getvalue()


# =========================================================================== reading


@dataclass(frozen=True)
class LateTask:
    sheet: str
    row: int  # the sheet row, as the clerk sees it now
    stt: str
    section: str  # "B.II THỦ TỤC HÀNH CHÍNH"
    task: str  # shortened to 80 characters
    lead: str
    ident: str = ""


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
    return unicodedata.normalize("NFC", str(value)).strip()


_STATUS_BY_KEY = {_norm(s): s for s in STATUSES}


def read_status(path: Path) -> StatusReport:
    """Read a tracker a clerk has filled; explain in warnings what could not be read."""
    path = Path(path)
    wb = _open(path)
    report = StatusReport(path)
    try:
        for ws in wb.worksheets:
            rows = list(ws.iter_rows(values_only=True))
            header = _find_header(rows)
            if header is None:
                report.warnings.append(
                    f'trang "{ws.title}": không tìm thấy dòng tiêu đề có cột "{TASK_LABEL}" '
                    f'và "{STATUS_LABEL}"; bỏ qua trang này'
                )
                continue
            report.sheets.append(_read_sheet(ws.title, rows, header))
    finally:
        wb.close()
    if not report.sheets and not report.warnings:
        report.warnings.append("tệp không có trang tính nào")
    return report


def _open(path: Path):
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    def fail(reason: str) -> UserError:
        return UserError(f"không đọc được tệp theo dõi: {reason}", Where(path))

    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise fail("không có tệp này") from None
    except IsADirectoryError:
        raise fail("đây là một thư mục") from None
    except OSError as exc:
        raise fail(exc.strerror or str(exc)) from None
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise fail(
            "tệp .xls (Excel 97-2003) hoặc tệp được bảo vệ bằng mật khẩu; "
            "hãy mở và lưu lại dưới dạng .xlsx (không đặt mật khẩu)"
        ) from None
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise fail("không phải tệp Excel .xlsx")
    try:
        with warnings.catch_warnings():  # openpyxl's notes on Excel extensions it drops
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), data_only=True)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        TypeError,
        SyntaxError,
        EOFError,
        OSError,
    ) as exc:  # SyntaxError: XML ParseError
        raise fail(f"tệp hỏng hoặc không phải .xlsx ({type(exc).__name__}: {exc})") from None


@dataclass(frozen=True)
class _Columns:
    task: int
    status: int
    stt: int | None
    lead: int | None
    ident: int | None
    section: int | None


def _find_header(rows: list[tuple]) -> tuple[int, _Columns] | None:
    """The first row holding both "Nhiệm vụ cụ thể" and "Trạng thái" (0-based index)."""
    task_key, status_key = _norm(TASK_LABEL), _norm(STATUS_LABEL)
    for i, values in enumerate(rows):
        labels = [_norm(v) for v in values]
        if task_key in labels and status_key in labels:
            return i, _Columns(
                task=labels.index(task_key),
                status=labels.index(status_key),
                stt=_first(labels, lambda lab: lab == "stt"),
                lead=_first(labels, lambda lab: "chủ trì" in lab),  # Cơ quan/Đơn vị chủ trì
                ident=_first(labels, lambda lab: lab == _norm(ID_LABEL)),
                section=_first(labels, lambda lab: lab == _norm(SECTION_LABEL)),
            )
    return None


def _first(labels: list[str], pred) -> int | None:
    return next((c for c, lab in enumerate(labels) if lab and pred(lab)), None)


def _split_bodies(lead: str) -> list[str]:
    return [b for b in (p.strip() for p in lead.split(";")) if b]


def _code_order(codes: set[str]) -> dict[str, tuple]:
    """Sort keys for section codes like "B.IV": per level, Roman numerals by value when every
    code at that level is one (I, II, …, VIII), else letters as A < B < … < Z < AA."""
    from .text import roman

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


def _read_sheet(name: str, rows: list[tuple], header: tuple[int, _Columns]) -> SheetStatus:
    start, cols = header
    sheet = SheetStatus(name)
    if cols.ident is None:
        sheet.warnings.append(f'không có cột "{ID_LABEL}": nhận biết dòng mục theo STT')
    if cols.lead is None:
        sheet.warnings.append('không có cột "Cơ quan chủ trì": không đếm được theo cơ quan')
    if cols.section is None:
        sheet.warnings.append(
            f'không có cột "{SECTION_LABEL}": nhận biết mục theo thứ tự '
            "dòng (nếu các dòng đã bị sắp xếp lại, số liệu theo mục sai)"
        )

    def cell(values: tuple, c: int | None) -> str:
        return _text(values[c]) if c is not None and c < len(values) else ""

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
        tasks.append(_Task(i, ident, stt, text, status, key, cell(values, cols.lead)))

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
        if status == LATE:
            section = " ".join(p for p in label(t.section) if p)
            sheet.late.append(
                LateTask(name, t.row, t.stt, section, _shorten(t.text), t.lead, t.ident)
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
    out = [f"Tệp theo dõi: {report.path}"]
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
    else:
        out.append("Không có nhiệm vụ chậm tiến độ.")
    problems = report.all_warnings
    if problems:
        out += ["", "Cảnh báo:"] + [f"  - {w}" for w in problems]
    return "\n".join(out)
