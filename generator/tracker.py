"""The progress tracker: one XLSX per unit, one sheet per appendix, and reading it back.

Sở Nội vụ follows every task month by month. `tracker_bytes` lays an `Appendix` out as a
sheet a clerk fills in Excel or LibreOffice (a note per month, a status from a dropdown);
`read_status` reads the filled file back and `format_report` prints what it found.

The reader never trusts positions: a clerk may sort, filter or insert columns. Columns are
found by their header labels, and every body row carries two hidden cells written here:
"Mã nhiệm vụ" (the task id; ``section:<id>`` on section rows) and "Mã mục" (the section
path, e.g. ``B.II``), so a task still knows its section after the rows are sorted.

openpyxl reads a filled tracker (imported there only); the writer needs no library.
"""

from __future__ import annotations

import io
import re
import unicodedata
import warnings
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

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
LINE_HEIGHT = 15.75  # points per line of 12 pt text


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

    Months run from `start_month` to December of `year`. The workbook is written directly
    (SpreadsheetML of a fixed shape, read back by openpyxl in the tests): importing and
    running openpyxl's writer would cost more than the rest of a unit's output together.
    The same input gives the same bytes.
    """
    if not isinstance(start_month, int) or not 1 <= start_month <= 12:
        raise UserError(f"tháng bắt đầu theo dõi phải từ 1 đến 12 (đang là {start_month})")
    if not isinstance(year, int) or not 1980 <= year <= 2107:
        raise UserError(f"năm theo dõi không hợp lệ: {year}")
    if not appendices:
        raise UserError("không có phụ lục nào để lập tệp theo dõi")
    used: set[str] = set()
    sheets = []
    for appendix in appendices:
        lay = _Layout(tuple(c.key for c in appendix.columns), tuple(range(start_month, 13)))
        sheets.append((_sheet_title(appendix.label, used), *_sheet_xml(appendix, lay, year)))
    return _package(appendices, sheets, year)


def _sheet_title(label: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", label).strip("'")[:31] or "Phụ lục"
    title, n = base, 1
    while title.casefold() in used:
        n += 1
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
    used.add(title.casefold())
    return title


def col(n: int) -> str:
    """1 -> A, 27 -> AA."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


# Cell formats of xl/styles.xml (index = position in cellXfs).
TITLE, GUIDE, HEADER, SECTION_CODE, SECTION, BODY, BODY_CENTER = range(1, 8)


def _styles() -> str:
    font = '<font><sz val="{0}"/><color rgb="FF000000"/><name val="{1}"/>{2}</font>'
    fonts = [
        font.format(FONT_SIZE, FONT, ""),
        font.format(FONT_SIZE, FONT, ""),
        font.format(FONT_SIZE, FONT, ""),
    ]
    fonts[1] = fonts[1].replace("<font>", "<font><b/>")
    fonts[2] = fonts[2].replace("<font>", "<font><i/>")
    solid = '<fill><patternFill patternType="solid"><fgColor rgb="FF{0}"/><bgColor rgb="FF{0}"/>'
    fills = [
        '<fill><patternFill patternType="none"/></fill>',
        '<fill><patternFill patternType="gray125"/></fill>',
        solid.format(HEADER_FILL) + "</patternFill></fill>",
        solid.format(SECTION_FILL) + "</patternFill></fill>",
    ]
    thin = "".join(
        f'<{side} style="thin"><color rgb="FF000000"/></{side}>'
        for side in ("left", "right", "top", "bottom")
    )
    borders = [
        "<border><left/><right/><top/><bottom/><diagonal/></border>",
        f"<border>{thin}<diagonal/></border>",
    ]

    def xf(font: int, fill: int, border: int, horizontal: str | None, vertical: str) -> str:
        h = f' horizontal="{horizontal}"' if horizontal else ""
        return (
            f'<xf numFmtId="0" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0" '
            f'applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1">'
            f'<alignment{h} vertical="{vertical}" wrapText="1"/></xf>'
        )

    xfs = [
        '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
        xf(1, 0, 0, "center", "center"),  # TITLE
        xf(2, 0, 0, "center", "center"),  # GUIDE
        xf(1, 2, 1, "center", "center"),  # HEADER
        xf(1, 3, 1, "center", "top"),  # SECTION_CODE
        xf(1, 3, 1, None, "top"),  # SECTION
        xf(0, 0, 1, None, "top"),  # BODY
        xf(0, 0, 1, "center", "top"),
    ]  # BODY_CENTER
    late = (
        f'<dxf><fill><patternFill patternType="solid"><fgColor rgb="FF{LATE_FILL}"/>'
        f'<bgColor rgb="FF{LATE_FILL}"/></patternFill></fill></dxf>'
    )
    return (
        f'{XML}<styleSheet xmlns="{MAIN}">'
        f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
        f'<fills count="{len(fills)}">{"".join(fills)}</fills>'
        f'<borders count="{len(borders)}">{"".join(borders)}</borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
        f'</cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        f'<dxfs count="1">{late}</dxfs></styleSheet>'
    )


def _cell(ref: str, style: int, value: str | None = None) -> str:
    if value in (None, ""):
        return f'<c r="{ref}" s="{style}"/>'
    bad = illegal_char(value)
    if bad:
        raise UserError(f"ô {ref}: văn bản có ký tự {bad} không ghi được vào tệp Excel")
    return (
        f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
        f"{escape(value)}</t></is></c>"
    )


def _sheet_xml(appendix: Appendix, lay: _Layout, year: int) -> tuple[str, int, int]:
    """The worksheet XML, its last row, and its last visible column."""
    widths = [WIDTHS.get(c.key, max(10.0, c.width * 1.5)) for c in appendix.columns]
    widths += [MONTH_WIDTH] * len(lay.months) + [STATUS_WIDTH, NOTE_WIDTH, ID_WIDTH, ID_WIDTH]
    h, note, width = lay.header_row, lay.note, lay.section
    merges = [f"A1:{col(note)}1", f"A2:{col(note)}2"]
    rows = [
        f'<row r="1" ht="36" customHeight="1">'
        f"{_cell('A1', TITLE, f'{appendix.label} - {appendix.title}')}</row>",
        f'<row r="2" ht="20" customHeight="1">{_cell("A2", GUIDE, appendix.guide)}</row>',
    ]
    labels = [c.label for c in appendix.columns] + [month_label(m, year) for m in lay.months]
    labels += [STATUS_LABEL, NOTE_LABEL, ID_LABEL, SECTION_LABEL]
    rows.append(
        f'<row r="{h}" ht="{_points(zip(labels, widths, strict=True))}">'
        + "".join(_cell(f"{col(i)}{h}", HEADER, t) for i, t in enumerate(labels, 1))
        + "</row>"
    )
    status_rows: list[int] = []
    r = h
    for row in appendix.rows:
        r += 1
        cells = []
        if row.is_section:
            for c in range(1, width + 1):
                value, style = None, SECTION
                if c == 1:
                    value, style = row.code, SECTION_CODE
                elif c == lay.task:
                    value = row.title
                elif c == lay.ident:
                    value, style = SECTION_PREFIX + row.ident, BODY
                elif c == lay.section:
                    value, style = section_code(row), BODY
                cells.append(_cell(f"{col(c)}{r}", style, value))
            if lay.task > 2:  # an unusual catalog: the task column is not second
                merges.append(f"B{r}:{col(lay.task - 1)}{r}")
            merges.append(f"{col(lay.task)}{r}:{col(note)}{r}")
        else:
            for c, key in enumerate(lay.keys, 1):
                value = row.code if key == "stt" else row.cells.get(key, "")
                cells.append(_cell(f"{col(c)}{r}", BODY_CENTER if key in CENTERED else BODY, value))
            cells += [_cell(f"{col(c)}{r}", BODY) for c in range(lay.first_month, lay.status)]
            cells.append(_cell(f"{col(lay.status)}{r}", BODY_CENTER, NOT_STARTED))
            cells.append(_cell(f"{col(note)}{r}", BODY))
            cells.append(_cell(f"{col(lay.ident)}{r}", BODY, row.ident))
            cells.append(_cell(f"{col(lay.section)}{r}", BODY, section_code(row)))
            status_rows.append(r)
        height = _height(row, lay, widths)
        rows.append(f'<row r="{r}" ht="{height}">{"".join(cells)}</row>')
    last = r

    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"'
        + (' hidden="1"' if i >= lay.ident else "")
        + "/>"
        for i, w in enumerate(widths, 1)
    )
    status = col(lay.status)
    extra = []
    if last > h:
        extra.append(f'<autoFilter ref="A{h}:{col(width)}{last}"/>')
    extra.append(
        f'<mergeCells count="{len(merges)}">'
        + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
        + "</mergeCells>"
    )
    if last > h:
        rule = escape(f'${status}{h + 1}="{LATE}"')
        extra.append(
            f'<conditionalFormatting sqref="A{h + 1}:{col(note)}{last}">'
            f'<cfRule type="expression" dxfId="0" priority="1"><formula>{rule}</formula>'
            "</cfRule></conditionalFormatting>"
        )
    if status_rows:
        sqref = " ".join(
            f"{status}{a}" if a == b else f"{status}{a}:{status}{b}" for a, b in _runs(status_rows)
        )
        statuses = escape('"' + ",".join(STATUSES) + '"')
        message = "Chọn một trong: " + "; ".join(STATUSES) + "."
        extra.append(
            '<dataValidations count="1"><dataValidation type="list" errorStyle="stop" '
            'allowBlank="1" showInputMessage="1" showErrorMessage="1" '
            f'errorTitle="Trạng thái không hợp lệ" error="{message}" '
            f'promptTitle="{STATUS_LABEL}" prompt="Chọn trạng thái từ danh sách." '
            f'sqref="{sqref}"><formula1>{statuses}</formula1></dataValidation>'
            "</dataValidations>"
        )
    extra.append(
        '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
    )
    extra.append(
        '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
    )
    extra.append("<headerFooter><oddFooter>&amp;CTrang &amp;P/&amp;N</oddFooter></headerFooter>")
    freeze = f"{col(lay.task + 1)}{h + 1}"
    pane = (
        f'<pane xSplit="{lay.task}" ySplit="{h}" topLeftCell="{freeze}" '
        'activePane="bottomRight" state="frozen"/>'
        f'<selection pane="bottomRight" activeCell="{freeze}" sqref="{freeze}"/>'
    )
    xml = (
        f'{XML}<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<dimension ref="A1:{col(width)}{last}"/>'
        f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>{''.join(rows)}</sheetData>{''.join(extra)}"
        "</worksheet>"
    )
    return xml, last, lay.note


def _height(row: Row, lay: _Layout, widths: list[float]) -> float:
    if row.is_section:
        return _points([(row.title, sum(widths[lay.task - 1 : lay.note]))])
    return _points((row.cells.get(k, ""), widths[i]) for i, k in enumerate(lay.keys))


def _points(cells) -> float:
    """A row's height for its wrapped (text, column width) cells: spreadsheets do not size
    rows when they open a file, so an unsized row shows one line of each cell."""
    lines = 1
    for text, width in cells:
        per_line = max(1, int(width * 1.1))  # characters of 12 pt Times New Roman
        lines = max(lines, sum(-(-len(part) // per_line) or 1 for part in text.split("\n")))
    return round(lines * LINE_HEIGHT + 3, 1)


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """[4, 5, 6, 8] -> [(4, 6), (8, 8)]."""
    out: list[tuple[int, int]] = []
    for r in rows:
        if out and out[-1][1] == r - 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"


def _core(appendices: list[Appendix], year: int) -> str:
    first = appendices[0]
    fixed = f"{year}-01-01T00:00:00Z"
    description = f"plangen {__version__}; unit {first.unit}; " + "; ".join(
        f"catalog {a.catalog} sha256:{a.catalog_hash}" for a in appendices
    )
    fields = {
        "dc:title": f"Theo dõi tiến độ thực hiện kế hoạch năm {year} - {first.unit_name}",
        "dc:subject": ", ".join(f"{a.label}: {a.index}" for a in appendices),
        "dc:creator": "plangen",
        "cp:keywords": " ".join([first.unit, *(a.catalog for a in appendices)]),
        "dc:description": description,
        "cp:lastModifiedBy": "plangen",
    }
    body = "".join(f"<{k}>{escape(v)}</{k}>" for k, v in fields.items())
    return (
        f'{XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'{body}<dcterms:created xsi:type="dcterms:W3CDTF">{fixed}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{fixed}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _package(
    appendices: list[Appendix], sheets: list[tuple[str, str, int, int]], year: int
) -> bytes:
    def quoted(name: str) -> str:
        return "'" + name.replace("'", "''") + "'"

    names = []
    for i, (name, _, last, note) in enumerate(sheets):
        ref = quoted(escape(name, {'"': "&quot;"}))
        names.append(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" '
            f'hidden="1">{ref}!$A$3:${col(note + 2)}${last}</definedName>'
        )
        names.append(
            f'<definedName name="_xlnm.Print_Area" localSheetId="{i}">'
            f"{ref}!$A$1:${col(note)}${last}</definedName>"
        )
        names.append(
            f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">{ref}!$3:$3</definedName>'
        )
    workbook = (
        f'{XML}<workbook xmlns="{MAIN}" xmlns:r="{REL}">'
        '<bookViews><workbookView activeTab="0"/></bookViews><sheets>'
        + "".join(
            f'<sheet name="{escape(n, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
            for i, (n, *_) in enumerate(sheets, 1)
        )
        + f"</sheets><definedNames>{''.join(names)}</definedNames>"
        '<calcPr calcId="191029"/></workbook>'
    )
    n = len(sheets)
    parts = {
        "[Content_Types].xml": (
            f'{XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{CT}.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                f'ContentType="{CT}.worksheet+xml"/>'
                for i in range(1, n + 1)
            )
            + f'<Override PartName="/xl/styles.xml" ContentType="{CT}.styles+xml"/>'
            '<Override PartName="/docProps/core.xml" ContentType="application/vnd.'
            'openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.extended-properties+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'{XML}<Relationships xmlns="{PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/extended-properties" '
            'Target="docProps/app.xml"/></Relationships>'
        ),
        "docProps/app.xml": (
            f'{XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
            'extended-properties"><Application>plangen</Application></Properties>'
        ),
        "docProps/core.xml": _core(appendices, year),
        "xl/workbook.xml": workbook,
        "xl/_rels/workbook.xml.rels": (
            f'{XML}<Relationships xmlns="{PKG_REL}">'
            + "".join(
                f'<Relationship Id="rId{i}" Type="{REL}/worksheet" '
                f'Target="worksheets/sheet{i}.xml"/>'
                for i in range(1, n + 1)
            )
            + f'<Relationship Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _styles(),
        **{f"xl/worksheets/sheet{i}.xml": xml for i, (_, xml, _, _) in enumerate(sheets, 1)},
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(year, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zf.writestr(info, text.encode("utf-8"))
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
