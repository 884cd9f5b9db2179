"""The progress tracker: one XLSX per unit, one sheet per appendix.

Sở Nội vụ follows every task month by month. `tracker_bytes` lays an `Appendix` out as a
sheet a clerk fills in Excel or LibreOffice (a note per month, a status from a dropdown);
`status.read_status` reads the filled file back. Every body row carries two hidden cells:
"Mã nhiệm vụ" (the task id; ``section:<id>`` on section rows) and "Mã mục" (the section
path, e.g. ``B.II``), so a task still knows its section after a clerk sorts the rows.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

from . import __version__
from .appendix import Appendix, Row
from .errors import UserError
from .ooxml import escape
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
        ref = quoted(escape(name))
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
            f'<sheet name="{escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
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
