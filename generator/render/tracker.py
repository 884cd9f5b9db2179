"""The progress tracker: one XLSX per unit, one sheet per appendix.

Sở Nội vụ follows every task month by month. `tracker_bytes` lays an `Appendix` out as a
sheet a clerk fills in Excel or LibreOffice (a note per month, a status from a dropdown);
`status.read_status` reads the filled file back. Every body row carries two hidden cells:
"Mã nhiệm vụ" (the task id; ``section:<id>`` on section rows) and "Mã mục" (the section
path, e.g. ``B.II``), so a task still knows its section after a clerk sorts the rows.
"Hạn hoàn thành" holds the due date `duedate.parse_deadline` reads from the deadline text,
as a real date, so the sheet can be sorted and filtered by it and late rows turn red.
The layout, the print scale formula and the late rule are in docs/tracker.md.

The workbook is written with XlsxWriter. Measured on the 2-core build machine (Python 3.11,
XlsxWriter 3.3.1, openpyxl 3.1.5), the same workbook (dinh-lap, both appendices, 78 rows,
months 7-12, same formats, validation, conditional format and print setup) written by each,
median of 30 runs after a warm-up, and 100 units in a loop (median of 3 loops):

    XlsxWriter   one unit 12.0 ms   100 units 1.28 s   (0.90 s wall on 2 forked workers)
    openpyxl     one unit 56.3 ms   100 units 5.72 s

(import of the library, once per process: XlsxWriter 33 ms, openpyxl 53 ms.) XlsxWriter is
4.7 times faster, which keeps a 100-unit batch well under its 3 s; it writes shared
strings, escapes every text and attribute itself, and gives the same bytes for the same
input once the created date is fixed (its zip entries carry a fixed 1980-01-01 time).
openpyxl stamps the save time into docProps/core.xml ("modified") and into every zip entry,
so its output changes from one second to the next. XlsxWriter cannot read a workbook back:
`status` reads with openpyxl, which is a dependency already.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from dataclasses import dataclass

from generator import __version__
from generator.core import fonts
from generator.core.dates import month_vn
from generator.core.errors import UserError
from generator.resolve.appendix import Appendix, Row
from generator.resolve.duedate import DATE, parse_deadline

NOT_STARTED, IN_PROGRESS, DONE, LATE = STATUSES = (
    "Chưa triển khai",
    "Đang thực hiện",
    "Hoàn thành",
    "Chậm tiến độ",
)
UNKNOWN = "Không rõ"  # a status the reader could not understand (warned about)

TASK_LABEL = "Nhiệm vụ cụ thể"
DUE_LABEL = "Hạn hoàn thành"
STATUS_LABEL = "Trạng thái"
NOTE_LABEL = "Ghi chú"
PLAN_NOTE = "plan_note"  # the key of an appendix's own note column in the tracker
ID_LABEL = "Mã nhiệm vụ"
SECTION_LABEL = "Mã mục"
SECTION_PREFIX = "section:"
TASK_SHORT = 80
HEADER_ROW = 3  # 1-based: title, guide, header

FONT = "Times New Roman"
FONT_SIZE = 12
LINE_HEIGHT = 15.75  # points per line of 12 pt text
MAX_ROW_HEIGHT = 409  # Excel's limit, in points
DATE_FORMAT = "dd/mm/yyyy"
HEADER_FILL, SECTION_FILL, LATE_FILL = "#D9D9D9", "#F2F2F2", "#FFC7CE"

# Column widths, in Excel's character units (of the default Calibri 11 font).
WIDTHS = {"stt": 5, "task": 38, "lead": 15, "support": 22, "deadline": 11, "product": 32}
FOLDED = frozenset({"support", "product"})  # folded by default: shown with the [+] above them
CENTERED = frozenset({"stt", "deadline"})
DUE_WIDTH, STATUS_WIDTH, NOTE_WIDTH, ID_WIDTH = 11, 13, 12, 24
MONTH_MIN, MONTH_MAX = 9, 14

# Print: landscape, one page wide. The month columns share what is left of the page so
# that the fit scale stays at TARGET_SCALE or above (docs/tracker.md, "In ấn").
PAPERS = {"A4": (9, 11.69), "A3": (8, 16.54)}  # paper code, long side in inches
MARGINS = {"left": 0.25, "right": 0.25, "top": 0.5, "bottom": 0.6}
FOOTER_MARGIN = 0.3
SCREEN_DPI = 96
TARGET_SCALE = 0.86  # Excel's scale; LibreOffice draws columns ~6 % wider (docs/tracker.md)


def month_label(month: int, year: int) -> str:
    """'Tháng 7/2026'; months 1 and 2 take a leading zero, as in the plan's own dates."""
    return f"Tháng {month_vn(month)}/{year}"


def section_code(row: Row) -> str:
    """The full code of a row's section: ``B.II`` (a task's section, or the section itself)."""
    return ".".join(row.path)


def column_px(width: float) -> int:
    """Pixels of a column `width` characters wide (Calibri 11: 7 px a digit, 5 px padding)."""
    return round(width * 7) + 5 if width >= 1 else round(width * 12)


def printable_px(paper: str) -> float:
    """The width of the landscape page between the margins, in 96-dpi pixels."""
    return (PAPERS[paper][1] - MARGINS["left"] - MARGINS["right"]) * SCREEN_DPI


def fit_scale(widths: list[float], paper: str) -> int:
    """The percentage "fit to 1 page wide" prints at, for printed columns of these widths."""
    total = sum(column_px(w) for w in widths)
    return min(100, math.floor(100 * printable_px(paper) / total))


# =========================================================================== layout


@dataclass(frozen=True)
class Column:
    key: str  # an appendix column key ("plan_note" for its "note"), "due", "month", "status",
    # "note" (the clerk's), "ident", "section"
    label: str
    width: float
    month: int = 0
    hidden: bool = False  # the id columns: never shown, never printed
    folded: bool = False  # an outline group, folded: not shown or printed until unfolded

    @property
    def printed(self) -> bool:
        return not (self.hidden or self.folded)


@dataclass(frozen=True)
class Layout:
    """Every column of one sheet, in order (0-based indexes)."""

    columns: tuple[Column, ...]

    def index(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    @property
    def task(self) -> int:
        keys = [c.key for c in self.columns]
        return keys.index("task") if "task" in keys else 1

    @property
    def note(self) -> int:
        return self.index("note")

    @property
    def last(self) -> int:
        return len(self.columns) - 1

    @property
    def months(self) -> list[int]:
        return [i for i, c in enumerate(self.columns) if c.key == "month"]


def layout(appendix: Appendix, start_month: int, year: int, paper: str = "A4") -> Layout:
    """The columns of `appendix`'s sheet, the month columns sized to fit the paper."""
    plan = []
    for spec in appendix.columns:
        width = WIDTHS.get(spec.key, max(8.0, min(30.0, spec.width)))
        if spec.key == "note":  # the plan's own note: not the clerk's "Ghi chú" column
            plan.append(Column(PLAN_NOTE, f"{spec.label} (theo kế hoạch)", width))
            continue
        plan.append(Column(spec.key, spec.label, width, folded=spec.key in FOLDED))
        if spec.key == "deadline":
            plan.append(Column("due", DUE_LABEL, DUE_WIDTH))
    if not any(c.key == "due" for c in plan):
        plan.append(Column("due", DUE_LABEL, DUE_WIDTH))
    months = range(start_month, 13)
    fixed = [c.width for c in plan if c.printed] + [STATUS_WIDTH, NOTE_WIDTH]
    budget = printable_px(paper) / TARGET_SCALE - sum(column_px(w) for w in fixed)
    share = (budget / len(months) - 5) / 7
    month_width = max(MONTH_MIN, min(MONTH_MAX, math.floor(share)))
    plan += [Column("month", month_label(m, year), month_width, month=m) for m in months]
    plan += [
        Column("status", STATUS_LABEL, STATUS_WIDTH),
        Column("note", NOTE_LABEL, NOTE_WIDTH),
        Column("ident", ID_LABEL, ID_WIDTH, hidden=True),
        Column("section", SECTION_LABEL, ID_WIDTH, hidden=True),
    ]
    return Layout(tuple(plan))


def text_lines(text: str, width: float, bold: bool = False) -> int:
    """Lines `text` wraps to in a column `width` characters wide (greedy, word by word)."""
    room = (column_px(width) - 6) / 16  # 12 pt = 16 px; the cell's inner padding; in ems
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        used = -0.25  # no space before the first word
        for word in paragraph.split(" "):
            size = fonts.em(word, bold)
            if used + 0.25 + size <= room:
                used += 0.25 + size
                continue
            if used > 0:
                lines += 1
            if size > room:  # a word longer than the line breaks anywhere
                extra = math.ceil(size / room) - 1
                lines += extra
                size -= extra * room
            used = size
    return max(1, lines)


def row_height(cells: list[tuple[str, float]], bold: bool = False) -> float:
    """Points for a row whose wrapped (text, column width) cells are all seen in full."""
    lines = max([text_lines(text, width, bold) for text, width in cells if text] or [1])
    return min(MAX_ROW_HEIGHT, round(lines * LINE_HEIGHT + 3, 2))


def due_date(row: Row, year: int) -> dt.date | None:
    """The task's due date, for a deadline that names one; None for "Thường xuyên"."""
    due = parse_deadline(row.cells.get("deadline", ""), year)
    return due.end if due.kind == DATE else None


# =========================================================================== writing

# Every cell format, by name; each is a dict of XlsxWriter format properties.
_BORDER = {"border": 1, "border_color": "#000000"}
_BASE = {"font_name": FONT, "font_size": FONT_SIZE, "text_wrap": True, "valign": "top"}
FORMATS: dict[str, dict] = {
    "title": {**_BASE, "bold": True, "align": "center", "valign": "vcenter"},
    "guide": {**_BASE, "italic": True, "align": "center", "valign": "vcenter"},
    "header": {
        **_BASE,
        **_BORDER,
        "bold": True,
        "align": "center",
        "valign": "vcenter",
        "bg_color": HEADER_FILL,
    },
    "section_code": {**_BASE, **_BORDER, "bold": True, "align": "center", "bg_color": SECTION_FILL},
    "section": {**_BASE, **_BORDER, "bold": True, "bg_color": SECTION_FILL},
    "body": {**_BASE, **_BORDER},
    "body_center": {**_BASE, **_BORDER, "align": "center"},
    "date": {**_BASE, **_BORDER, "align": "center", "num_format": DATE_FORMAT},
    "late": {"bg_color": LATE_FILL},  # conditional: the whole row of a late task
}


def tracker_bytes(
    appendices: list[Appendix], start_month: int, year: int, *, paper: str = "A4"
) -> bytes:
    """One sheet per appendix (sheet title "Phụ lục I", "Phụ lục II", …).

    Months run from `start_month` to December of `year`. `paper` is "A4" (the default) or
    "A3": a sheet tracking more than 8 months prints below 80 % on A4 (docs/tracker.md).
    The same input gives the same bytes.
    """
    import xlsxwriter

    if not isinstance(start_month, int) or not 1 <= start_month <= 12:
        raise UserError(f"tháng bắt đầu theo dõi phải từ 1 đến 12 (đang là {start_month})")
    if not isinstance(year, int) or not 1980 <= year <= 2107:
        raise UserError(f"năm theo dõi không hợp lệ: {year}")
    paper = str(paper).upper()
    if paper not in PAPERS:
        raise UserError(f"khổ giấy không hợp lệ: {paper} (chọn một trong: {', '.join(PAPERS)})")
    if not appendices:
        raise UserError("không có phụ lục nào để lập tệp theo dõi")
    out = io.BytesIO()
    options = {
        "in_memory": True,
        "strings_to_numbers": False,
        "strings_to_formulas": False,
        "strings_to_urls": False,
    }
    with xlsxwriter.Workbook(out, options) as wb:
        formats = {name: wb.add_format(props) for name, props in FORMATS.items()}
        wb.set_properties(_properties(appendices, year))
        used: set[str] = set()
        for appendix in appendices:
            ws = wb.add_worksheet(_sheet_title(appendix.label, used))
            lay = layout(appendix, start_month, year, paper)
            _write_sheet(ws, formats, appendix, lay, year, paper)
    return out.getvalue()


def _properties(appendices: list[Appendix], year: int) -> dict:
    first = appendices[0]
    return {
        "title": f"Theo dõi tiến độ thực hiện kế hoạch năm {year} - {first.unit_name}",
        "subject": ", ".join(f"{a.label}: {a.index}" for a in appendices),
        "author": first.unit_name,
        "keywords": " ".join([first.unit, *(a.catalog for a in appendices)]),
        "comments": f"plangen {__version__}; unit {first.unit}; "
        + "; ".join(f"catalog {a.catalog} sha256:{a.catalog_hash}" for a in appendices),
        "created": dt.datetime(year, 1, 1, tzinfo=dt.UTC),
    }


def _sheet_title(label: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", label).strip("'")[:31] or "Phụ lục"
    title, n = base, 1
    while title.casefold() in used:
        n += 1
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
    used.add(title.casefold())
    return title


def _write_sheet(ws, fmt: dict, appendix: Appendix, lay: Layout, year: int, paper: str) -> None:
    from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

    cols = lay.columns
    note, task, h = lay.note, lay.task, HEADER_ROW - 1  # 0-based from here on
    index = {c.key: i for i, c in enumerate(cols) if c.key != "month"}
    for i, c in enumerate(cols):
        options = {"hidden": True} if c.hidden else {}
        if c.folded:
            options = {"level": 1, "hidden": True}
        elif i and cols[i - 1].folded:
            options["collapsed"] = True  # the [+] that unfolds the group on its left
        ws.set_column(i, i, c.width, None, options)

    printed = [c.width for c in cols[: note + 1] if c.printed]
    title = f"{appendix.label} - {appendix.title}"
    ws.merge_range(0, 0, 0, note, title, fmt["title"])
    ws.set_row(0, max(36, row_height([(title, sum(printed))], bold=True)))
    ws.merge_range(1, 0, 1, note, appendix.guide, fmt["guide"])
    ws.set_row(1, max(20, row_height([(appendix.guide, sum(printed))])))
    for i, c in enumerate(cols):
        ws.write_string(h, i, c.label, fmt["header"])
    ws.set_row(h, row_height([(c.label, c.width) for c in cols if not c.hidden], bold=True))

    keys = [c.key for c in cols[: lay.months[0]]]  # the appendix's columns and the due date
    status_rows: list[int] = []
    r = h
    for row in appendix.rows:
        r += 1
        if row.is_section:
            ws.write_string(r, 0, row.code, fmt["section_code"])
            if task > 1:  # an unusual catalog: the task column is not second
                ws.merge_range(r, 1, r, task - 1, "", fmt["section"])
            ws.merge_range(r, task, r, note, row.title, fmt["section"])
            ws.write_string(r, index["ident"], SECTION_PREFIX + row.ident, fmt["body"])
            ws.write_string(r, index["section"], section_code(row), fmt["body"])
            width = sum(c.width for c in cols[task : note + 1] if c.printed)
            ws.set_row(r, row_height([(row.title, width)], bold=True))
            continue
        for i, key in enumerate(keys):
            if key == "due":
                due = due_date(row, year)
                if due is None:
                    ws.write_blank(r, i, None, fmt["date"])
                else:
                    ws.write_datetime(r, i, due, fmt["date"])
                continue
            value = row.code if key == "stt" else _cell(row, key)
            ws.write_string(r, i, value, fmt["body_center" if key in CENTERED else "body"])
        for i in [*lay.months, note]:
            ws.write_blank(r, i, None, fmt["body"])
        ws.write_string(r, index["status"], NOT_STARTED, fmt["body_center"])
        ws.write_string(r, index["ident"], row.ident, fmt["body"])
        ws.write_string(r, index["section"], section_code(row), fmt["body"])
        ws.set_row(r, row_height([(text, cols[i].width) for i, text in _texts(row, keys)]))
        status_rows.append(r)
    last = r

    ws.freeze_panes(h + 1, task + 1)
    ws.autofilter(h, 0, max(last, h), lay.last)
    if status_rows:
        status = index["status"]
        ranges = " ".join(
            xl_rowcol_to_cell(a, status)
            if a == b
            else f"{xl_rowcol_to_cell(a, status)}:{xl_rowcol_to_cell(b, status)}"
            for a, b in _runs(status_rows)
        )
        ws.data_validation(
            status_rows[0],
            status,
            status_rows[-1],
            status,
            {
                "validate": "list",
                "source": list(STATUSES),
                "input_title": STATUS_LABEL,
                "input_message": "Chọn trạng thái từ danh sách.",
                "error_title": "Trạng thái không hợp lệ",
                "error_message": "Chọn một trong: " + "; ".join(STATUSES) + ".",
                "multi_range": ranges,
            },
        )
    if last > h:
        s = f"${xl_col_to_name(index['status'])}{h + 2}"
        d = f"${xl_col_to_name(index['due'])}{h + 2}"
        ws.conditional_format(
            h + 1,
            0,
            last,
            note,
            {
                "type": "formula",
                "criteria": f'=OR(TRIM({s})="{LATE}",'
                f'AND(ISNUMBER({d}),{d}<TODAY(),TRIM({s})<>"{DONE}"))',
                "format": fmt["late"],
            },
        )

    ws.set_landscape()
    ws.set_paper(PAPERS[paper][0])
    ws.fit_to_pages(1, 0)
    ws.set_margins(**MARGINS)
    ws.set_footer("&CTrang &P/&N", {"margin": FOOTER_MARGIN})
    ws.repeat_rows(h)
    ws.print_area(0, 0, max(last, h), note)


def _texts(row: Row, keys: list[str]):
    """(column index, text) of a task row's wrapped cells, for its height."""
    for i, key in enumerate(keys):
        if key not in ("stt", "due"):
            yield i, _cell(row, key)


def _cell(row: Row, key: str) -> str:
    """A task row's text for the tracker column `key`."""
    return row.cells.get("note" if key == PLAN_NOTE else key, "")


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """[4, 5, 6, 8] -> [(4, 6), (8, 8)]."""
    out: list[tuple[int, int]] = []
    for r in rows:
        if out and out[-1][1] == r - 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out
