"""Read the task table of an issued appendix DOCX: title, columns, section and task rows.

This is the reading half of `plangen import` (importer.py builds the catalog). It knows
python-docx and the shapes real appendices take, nothing of roles or catalogs:

- the table is the first one whose header row names "Nhiệm vụ"/"Nội dung" and at least two
  other known columns, whatever their order; a table split across pages (the same table with
  its header repeated, or several tables with the same header) is read as one, and repeated
  header rows and a "(1) (2) (3) …" numbering row are skipped;
- a section row holds a letter (A, B) or a Roman numeral (I, II) in the STT cell with the
  title merged across the other cells (or the other cells empty), or one merged cell holding
  "A. TITLE"; letters are level 1, Roman numerals level 2 under a letter (level 1 without
  letters);
- vertically merged cells take the text of the cell where the merge starts; a row with no
  STT and no section code continues the task above it (a row split by hand across pages).

Everything odd is noted (`Note`) for the import report, nothing is silently dropped.
"""

from __future__ import annotations

import io
import math
import os
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from generator.core.errors import UserError, Where
from generator.core.text import nfc

MAX_BYTES = 20_000_000  # an appendix is a few hundred kB; refuse anything past 20 MB
MAX_UNZIPPED = 100_000_000  # every part of the package once unzipped, all together
MAX_RATIO = 100  # unzipped / zipped size of a part over 1 MB (Word's XML: about 10-30)
MAX_PARTS = 10_000  # members of the zip (a DOCX has a few dozen)
MAX_ELEMENTS = 2_000_000  # XML elements of all parts (an appendix: some tens of thousands)
MAX_ROWS = 5_000  # table rows, all tables together

KEYS = ("stt", "task", "lead", "support", "deadline", "product")
KEY_NAMES = {
    "stt": "STT",
    "task": "Nhiệm vụ",
    "lead": "Chủ trì",
    "support": "Phối hợp",
    "deadline": "Thời gian hoàn thành",
    "product": "Sản phẩm",
}

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
ROMAN_RE = re.compile(r"^(?=[IVX])X{0,3}(IX|IV|V?I{0,3})$")
LETTER_RE = re.compile(r"^[A-Z]$")
CODE_TITLE_RE = re.compile(r"^(?P<code>[A-Z]|[IVX]+)(?:\s*[.):–-]\s*|\s+)(?P<title>\S.*)$", re.S)
NUMBER_RE = re.compile(r"^\d{1,4}[.)]?$")
COLUMN_NUMBER_RE = re.compile(r"^\(?(\d{1,2})\)?$")


def fold(text: str) -> str:
    """NFC, every run of white space (no-break spaces and line breaks too) as one space."""
    return " ".join(nfc(text).split())


def column_key(label: str) -> str | None:
    """The column a header label names, or None: "Cơ quan chủ trì" -> "lead"."""
    t = fold(label).lower()
    if not t:
        return None
    if t in ("stt", "tt", "số tt", "số thứ tự") or re.match(r"^(stt|số tt)\b", t):
        return "stt"
    if "chủ trì" in t:
        return "lead"
    if "phối hợp" in t:
        return "support"
    if "nhiệm vụ" in t or "nội dung" in t or "giải pháp" in t:
        return "task"
    if "thời gian" in t or "tiến độ" in t or "thời hạn" in t:
        return "deadline"
    if "sản phẩm" in t or "kết quả" in t:
        return "product"
    return None


def section_code(text: str) -> str | None:
    """'A' / 'II' / 'B.' -> the code; anything else None."""
    t = fold(text).rstrip(".)").strip()
    if ROMAN_RE.match(t) or LETTER_RE.match(t):
        return t
    return None


def is_roman(code: str) -> bool:
    return bool(ROMAN_RE.match(code))


# --------------------------------------------------------------------------- results


@dataclass
class Note:
    """Something the report should say: `kind` is "odd" (a cell that looked wrong),
    "skipped" (a row left out on purpose) or "check" (to check by hand)."""

    kind: str
    text: str
    row: str = ""  # "dòng 12" or "bảng 2, dòng 3"; empty when about the whole table


@dataclass
class Column:
    key: str
    label: str
    width: float  # twips (or any unit: only the ratios count)
    start: int  # first grid column
    span: int


@dataclass
class Row:
    kind: str  # "section" | "task"
    where: str  # "dòng 12"
    code: str = ""  # section code as written ("A", "II"), or the task's STT
    title: str = ""  # section title
    level: int = 1  # sections only
    cells: dict[str, str] = field(default_factory=dict)  # tasks: key -> text (NFC)
    bullets: dict[str, bool] = field(default_factory=dict)  # cell written as "- …" lines


@dataclass
class SourceTable:
    label: str  # "Phụ lục II", "PHỤ LỤC" or "" when there is none
    numeral: str | None  # "II"
    title: str  # folded, as written
    guide: str  # "(Kèm theo Kế hoạch số …)" or ""
    columns: list[Column]
    rows: list[Row]
    rows_read: int  # table rows looked at, header rows included
    tables: int  # tables joined
    notes: list[Note]
    ignored_columns: list[str]


# --------------------------------------------------------------------------- opening


def _too_big(size: int, where: Where) -> UserError:
    shown = f"{size / 1_000_000:.0f} MB" if size <= MAX_BYTES * 10 else "trên 200 MB"
    return UserError(
        f"tệp quá lớn ({shown}, tối đa {MAX_BYTES // 1_000_000} MB): một phụ lục thường chỉ "
        "vài trăm kB; hãy bỏ hình ảnh rồi lưu lại",
        where,
    )


def read_source(path: Path) -> bytes:
    """The bytes of a DOCX file, or a one-line UserError saying what the file is instead.
    Only a regular file is read, and never more than MAX_BYTES + 1 bytes of it."""
    where = Where(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UserError("không có tệp này", where) from None
    except OSError as exc:
        raise UserError(f"không đọc được tệp: {exc.strerror}", where) from None
    if stat.S_ISDIR(info.st_mode):
        raise UserError("đây là một thư mục, không phải tệp DOCX", where)
    if not stat.S_ISREG(info.st_mode):
        raise UserError(
            "đây không phải một tệp thường (thiết bị, ống dẫn hoặc socket): cần tệp .docx", where
        )
    if info.st_size > MAX_BYTES:
        raise _too_big(info.st_size, where)
    try:
        with path.open("rb") as f:
            if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):  # replaced since the stat
                raise UserError("đây không phải một tệp thường: cần tệp .docx", where)
            data = f.read(MAX_BYTES + 1)
    except OSError as exc:
        raise UserError(f"không đọc được tệp: {exc.strerror}", where) from None
    if len(data) > MAX_BYTES:  # the file grew after the stat
        raise _too_big(len(data), where)
    if not data:
        raise UserError("tệp rỗng, không phải tệp DOCX", where)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UserError(
            "đây là tệp Word cũ (.doc), Excel cũ (.xls) hoặc tệp đặt mật khẩu: mở bằng Word, "
            "bỏ mật khẩu nếu có, rồi lưu lại dạng .docx",
            where,
        )
    if data[:5] == b"%PDF-":
        raise UserError("đây là tệp PDF, không phải DOCX: cần tệp Word (.docx) của phụ lục", where)
    if not data.startswith(b"PK"):
        raise UserError("không phải tệp DOCX (Word): nội dung không phải gói .docx", where)
    return data


def _zip_entries(data: bytes) -> int | None:
    """The number of members the zip's end record declares (None when it has none)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 12 > len(data):
        return None
    return int.from_bytes(data[end + 10 : end + 12], "little")


def _check_package(data: bytes, path: Path) -> None:
    where = Where(path)
    entries = _zip_entries(data)
    if entries is not None and entries >= min(MAX_PARTS, 0xFFFF):
        raise UserError(
            f"gói DOCX có quá nhiều phần ({entries}, tối đa {MAX_PARTS}): không phải tệp Word "
            "thông thường",
            where,
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            if "xl/workbook.xml" in names:
                raise UserError(
                    "đây là bảng tính Excel (.xlsx) đổi đuôi thành .docx, không phải tệp Word",
                    where,
                )
            if "ppt/presentation.xml" in names:
                raise UserError(
                    "đây là tệp PowerPoint (.pptx) đổi đuôi, không phải tệp Word", where
                )
            if "mimetype" in names and b"opendocument" in z.read("mimetype"):
                raise UserError(
                    "đây là tệp OpenDocument (.odt): mở bằng Word hoặc LibreOffice và lưu "
                    "lại dạng .docx",
                    where,
                )
            if "word/document.xml" not in names:
                raise UserError("không phải tệp DOCX (Word): gói không có word/document.xml", where)
            _check_sizes(z, where)
    except zipfile.BadZipFile:
        raise UserError("tệp DOCX bị hỏng (không mở được gói zip)", where) from None
    except RuntimeError:  # zipfile: "File is encrypted, password required"
        raise UserError(
            "tệp DOCX có phần bị mã hóa (đặt mật khẩu): bỏ mật khẩu rồi lưu lại", where
        ) from None
    except (OSError, EOFError, KeyError, NotImplementedError, zlib.error):  # damaged members
        raise UserError("tệp DOCX bị hỏng (không đọc được nội dung)", where) from None


def _check_sizes(z: zipfile.ZipFile, where: Where) -> None:
    """What python-docx will unzip and parse, bounded before it does: the unzipped size of
    all parts together, the compression ratio of each large part (a zip bomb), and the
    number of XML elements of all XML parts (a small file of millions of empty elements).
    zipfile never returns more than a member's declared size, so the declared sizes bound
    the memory; the elements are counted from the unzipped bytes, one part at a time."""
    bomb = UserError(
        "nội dung DOCX giải nén quá lớn so với tệp (tệp nén bất thường): mở bằng Word và lưu lại",
        where,
    )
    infos = z.infolist()
    if len(infos) > MAX_PARTS:
        raise UserError(f"gói DOCX có quá nhiều phần (tối đa {MAX_PARTS})", where)
    total = 0
    for info in infos:
        total += info.file_size
        if total > MAX_UNZIPPED:
            raise UserError(
                f"nội dung DOCX giải nén quá lớn (trên {MAX_UNZIPPED // 1_000_000} MB)", where
            )
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(1, info.compress_size):
            raise bomb
    elements = 0
    for info in infos:
        name = info.filename.lower()
        if not (name.endswith(".xml") or name.endswith(".rels")):
            continue
        part = z.read(info)
        elements += part.count(b"<") - part.count(b"</")  # start tags (an upper bound)
        del part
        if elements > MAX_ELEMENTS:
            raise UserError(
                f"tệp DOCX có quá nhiều phần tử XML (trên {MAX_ELEMENTS:,}".replace(",", ".")
                + "): một phụ lục chỉ có vài chục nghìn; mở bằng Word và lưu lại",
                where,
            )


def open_document(path: Path):
    """python-docx's Document for `path`; every way the file can be wrong is a UserError."""
    import docx

    data = read_source(path)
    _check_package(data, path)
    try:
        return docx.Document(io.BytesIO(data))
    except etree.XMLSyntaxError as exc:
        raise UserError(xml_error(exc), Where(path)) from None
    except MemoryError:
        raise UserError("tệp DOCX quá lớn để đọc: tách bảng ra tệp nhỏ hơn", Where(path)) from None
    except Exception:  # python-docx raises many kinds (in English) on a broken package
        raise UserError(
            "không đọc được tệp DOCX: gói hỏng hoặc thiếu phần bắt buộc; mở bằng Word rồi lưu "
            "lại dạng .docx",
            Where(path),
        ) from None


def xml_error(exc: etree.XMLSyntaxError) -> str:
    """An lxml parse error in Vietnamese (its own messages are English)."""
    text = str(exc)
    line = getattr(exc, "lineno", 0)
    at = f" (dòng {line} của phần XML)" if isinstance(line, int) and line > 0 else ""
    low = text.lower()
    if "too long" in low or "huge" in low:
        what = "có một đoạn chữ quá dài trong phần XML (trên 10 MB)"
    elif "depth" in low:
        what = "phần XML lồng nhau quá sâu"
    elif "memory" in low:
        what = "phần XML quá lớn để đọc"
    else:
        what = f"phần XML bị hỏng{at}"
    return f"không đọc được tệp DOCX: {what}; mở bằng Word rồi lưu lại dạng .docx"


# --------------------------------------------------------------------------- XML helpers

_RUN_PATHS = (
    "./w:r | ./w:hyperlink/w:r | ./w:ins/w:r | ./w:smartTag/w:r | ./w:fldSimple/w:r"
    " | ./w:customXml/w:r | ./w:sdt/w:sdtContent/w:r | ./w:hyperlink/w:ins/w:r"
)


def paragraph_text(p) -> str:
    """The visible text of a w:p: runs (also inside links, insertions, fields), tabs and
    breaks; deleted text, drawings and text boxes are left out."""
    out: list[str] = []
    for r in p.xpath(_RUN_PATHS):
        for child in r:
            tag = child.tag
            if tag == W + "t":
                out.append(child.text or "")
            elif tag in (W + "tab", W + "ptab"):
                out.append("\t")
            elif tag in (W + "br", W + "cr"):
                out.append("\n")
            elif tag == W + "noBreakHyphen":
                out.append("-")
    return nfc("".join(out))


def cell_text(tc) -> str:
    """The paragraphs of a cell joined by line breaks, each paragraph's white space folded,
    empty paragraphs dropped (a nested table's text is not part of the cell)."""
    lines = []
    for p in tc.xpath("./w:p | ./w:sdt/w:sdtContent/w:p"):
        for line in paragraph_text(p).split("\n"):
            line = " ".join(line.split())
            if line:
                lines.append(line)
    return "\n".join(lines)


def _val(el, path: str) -> str | None:
    found = el.xpath(path)
    return found[0] if found else None


@dataclass
class _Cell:
    text: str
    start: int
    span: int
    vmerged: bool = False  # continues the cell above
    tc: object = None


def _cells(tr) -> list[_Cell]:
    """The cells of a row with their grid positions (gridBefore, gridSpan, hMerge)."""
    before = _val(tr, "./w:trPr/w:gridBefore/@w:val")
    pos = int(before) if before and before.isdigit() else 0
    out: list[_Cell] = []
    for tc in tr.xpath("./w:tc | ./w:sdt/w:sdtContent/w:tc | ./w:customXml/w:tc"):
        span_text = _val(tc, "./w:tcPr/w:gridSpan/@w:val")
        span = max(1, int(span_text)) if span_text and span_text.isdigit() else 1
        vmerge = tc.xpath("./w:tcPr/w:vMerge")
        vcont = bool(vmerge) and vmerge[0].get(W + "val") in (None, "continue")
        hmerge = tc.xpath("./w:tcPr/w:hMerge")
        if hmerge and hmerge[0].get(W + "val") in (None, "continue") and out:
            out[-1].span += span  # legacy horizontal merge: part of the cell before
            pos += span
            continue
        out.append(_Cell(cell_text(tc), pos, span, vcont, tc))
        pos += span
    return out


MAX_WIDTH = 1_000_000  # twips; a page is at most a few tens of thousands


def width_value(text: str | None) -> float:
    """A grid or cell width; 0 (missing) unless a finite positive number of sane size."""
    try:
        value = float(text) if text else 0.0
    except ValueError:
        return 0.0
    return value if math.isfinite(value) and 0 < value <= MAX_WIDTH else 0.0


def _grid(tbl) -> list[float]:
    return [width_value(col.get(W + "w")) for col in tbl.xpath("./w:tblGrid/w:gridCol")]


# --------------------------------------------------------------------------- the table


def _header_columns(cells: list[_Cell]) -> list[tuple[str | None, _Cell]]:
    return [(column_key(c.text), c) for c in cells]


def _is_header(cells: list[_Cell]) -> bool:
    keys = {k for k, _ in _header_columns(cells)} - {None}
    return "task" in keys and len(keys) >= 3


def _two_storey(top: list[_Cell], below: list[_Cell] | None) -> list[_Cell] | None:
    """A header over two rows ("Cơ quan thực hiện" over "Chủ trì | Phối hợp"): the top row's
    cells with the known labels of the row below in place of the cells they sit under."""
    if not below:
        return None
    out: list[_Cell] = []
    used = False
    for c in top:
        if column_key(c.text) is None and c.span > 1:
            subs = [
                b
                for b in below
                if c.start <= b.start < c.start + c.span and not b.vmerged and column_key(b.text)
            ]
            if subs:
                out += subs
                used = True
                continue
        out.append(c)
    return out if used else None


@dataclass
class _Table:
    index: int  # 1-based among the document's tables
    tbl: object
    rows: list  # w:tr elements
    header_at: int  # index of the (last) header row in `rows`
    header: list[_Cell]  # the header cells, a two-storey header merged
    header_rows: list[list[str]]  # the header rows' texts, to skip them when repeated


def _rows(tbl) -> list:
    return tbl.xpath("./w:tr | ./w:sdt/w:sdtContent/w:tr")


def _header_signature(cells: list[_Cell]) -> tuple:
    return tuple(fold(c.text).casefold() for c in cells if fold(c.text))


def _find_header(rows: list) -> tuple[int, list[_Cell], list[list[str]]] | None:
    for i, tr in enumerate(rows[:5]):
        top = _cells(tr)
        below = _cells(rows[i + 1]) if i + 1 < len(rows) else None
        merged = _two_storey(top, below)
        if merged is not None and _is_header(merged):
            texts = [[fold(c.text).casefold() for c in cells] for cells in (top, below)]
            return i + 1, merged, texts
        if _is_header(top):
            return i, top, [[fold(c.text).casefold() for c in top]]
    return None


LABEL_RE = re.compile(r"^(phụ\s*lục)(?:\s+(?:số\s+)?([IVXLC]+|\d{1,2})\b)?\s*[.:–-]?\s*(.*)$", re.I)
CONTINUED_RE = re.compile(r"^\(?\s*tiếp(\s+theo)?\s*\)?\.?$", re.I)


def _texts(elements: list) -> list[str]:
    """The non-empty lines of paragraphs (and of layout tables' paragraphs), folded."""
    texts: list[str] = []
    for el in elements:
        paragraphs = [el] if el.tag == W + "p" else el.xpath(".//w:p")
        for p in paragraphs:
            for line in paragraph_text(p).split("\n"):
                t = fold(line)
                if t:
                    texts.append(t)
    return texts


def _is_label(text: str) -> bool:
    m = LABEL_RE.match(text)
    return bool(m) and (not m.group(3) or m.group(3).upper() == m.group(3))


def find_tables(doc, path: Path) -> tuple[list[_Table], list, list[Note]]:
    """The task table (and the tables that continue it), and the body elements before it.

    A table with the same header continues the task table when nothing but empty
    paragraphs (or "(tiếp theo)") stands between them; a "Phụ lục …" line or any text
    between means another appendix: reading stops there and the report says so."""
    body = doc.element.body
    tables: list[_Table] = []
    before: list = []
    between: list = []
    notes: list[Note] = []
    signature = None
    total_rows = 0
    n = 0
    for child in body.iterchildren():
        if child.tag != W + "tbl":
            (between if tables else before).append(child)
            continue
        n += 1
        rows = _rows(child)
        total_rows += len(rows)
        if total_rows > MAX_ROWS:
            raise UserError(
                f"bảng quá lớn (trên {MAX_ROWS} dòng): một phụ lục thường dưới vài trăm dòng; "
                "hãy tách tệp",
                Where(path),
            )
        found = _find_header(rows)
        if found is None:
            (between if tables else before).append(child)
            continue
        header_at, header, header_rows = found
        sig = _header_signature(header)
        table = _Table(n, child, rows, header_at, header, header_rows)
        if not tables:
            signature = sig
            tables.append(table)
            continue
        text = [t for t in _texts(between) if not CONTINUED_RE.match(t)]
        if sig == signature and not text:
            tables.append(table)
            between = []
            continue
        label = next((t for t in text if _is_label(t)), None)
        what = f"thuộc phần khác ({label})" if label else "đứng sau một đoạn văn bản"
        notes.append(
            Note(
                "check",
                f"tệp còn bảng thứ {n} {what}: chỉ đọc bảng nhiệm vụ đầu tiên; muốn nhập bảng "
                "đó thì tách ra tệp riêng",
            )
        )
        break
    return tables, before, notes


def _columns(header: list[_Cell], grid: list[float], notes: list[Note]):
    columns: list[Column] = []
    ignored: list[str] = []
    seen: set[str] = set()
    for key, cell in _header_columns(header):
        label = fold(cell.text)
        if key is None or key in seen:
            if label:
                ignored.append(label)
                notes.append(Note("check", f'cột "{label}" không thuộc bảng nhiệm vụ: bỏ qua'))
            continue
        seen.add(key)
        width = sum(grid[cell.start : cell.start + cell.span]) if grid else 0.0
        if not width or not math.isfinite(width):
            width = width_value(_val(cell.tc, "./w:tcPr/w:tcW/@w:w"))
        columns.append(Column(key, label, width, cell.start, cell.span))
    return columns, ignored


def _title_parts(before: list) -> tuple[str, str | None, str, str]:
    """(label, numeral, title, guide) from the lines before the task table: the last
    "Phụ lục …" line, the title lines after it, the "(Kèm theo …)" guide line."""
    from generator.core.text import roman

    texts = _texts(before)
    label_at = max((i for i, t in enumerate(texts) if _is_label(t)), default=None)
    label, numeral = "", None
    region = texts
    if label_at is not None:
        m = LABEL_RE.match(texts[label_at])
        assert m
        numeral = m.group(2).upper() if m.group(2) else None
        if numeral and numeral.isdigit():
            numeral = roman(int(numeral))
        label = texts[label_at][: m.end(2) if m.group(2) else m.end(1)]
        region = ([m.group(3)] if m.group(3) else []) + texts[label_at + 1 :]
    guide_at = next(
        (i for i, t in enumerate(region) if t.startswith("(") and "kèm theo" in t.lower()), None
    )
    guide = region[guide_at] if guide_at is not None else ""
    if label_at is not None:
        if guide_at is not None:
            lines = region[:guide_at]
        else:  # the all-caps lines after the label (at least one line)
            lines = region[:1]
            for t in region[1:]:
                if t.upper() != t:
                    break
                lines.append(t)
    else:  # no "Phụ lục" line: the all-caps lines just before the guide line
        head = region[:guide_at] if guide_at is not None else region
        lines = []
        for t in reversed(head):
            if t.upper() != t:
                break
            lines.insert(0, t)
        lines = lines or head[-1:]
    return label, numeral, " ".join(lines), guide


def read_table(path: Path) -> SourceTable:
    """Read the task table of the appendix at `path` (see the module's docstring)."""
    doc = open_document(path)
    tables, before, notes = find_tables(doc, path)
    if not tables:
        count = len(doc.tables)
        what = (
            "tệp không có bảng nào"
            if not count
            else f"không thấy bảng nhiệm vụ trong {count} bảng của tệp (cần dòng tiêu đề cột có "
            '"STT", "Nhiệm vụ", "Cơ quan chủ trì", …)'
        )
        raise UserError(what, Where(path))
    label, numeral, title, guide = _title_parts(before)
    first = tables[0]
    header = first.header
    if first.header_rows and len(first.header_rows) > 1:
        notes.append(Note("check", "tiêu đề cột hai tầng: dùng nhãn ở tầng dưới"))
    columns, ignored = _columns(header, _grid(first.tbl), notes)
    keys = [c.key for c in columns]
    if "lead" not in keys:
        raise UserError(
            'bảng nhiệm vụ không có cột "Cơ quan chủ trì"/"Đơn vị chủ trì": cột đọc được: '
            + ", ".join(c.label for c in columns),
            Where(path),
        )
    reader = _RowReader(columns, first.header_rows, len(tables) > 1, notes)
    rows_read = 0
    for t in tables:
        rows_read += len(t.rows)
        reader.table(t)
    rows = reader.finish()
    return SourceTable(
        label=label,
        numeral=numeral,
        title=title,
        guide=guide,
        columns=columns,
        rows=rows,
        rows_read=rows_read,
        tables=len(tables),
        notes=notes,
        ignored_columns=ignored,
    )


class _RowReader:
    def __init__(self, columns: list[Column], header_rows: list[list[str]], several: bool, notes):
        self.columns = columns
        self.by_key = {c.key: c for c in columns}
        self.header_rows = header_rows
        self.several = several
        self.notes: list[Note] = notes
        self.rows: list[Row] = []
        self.above: dict[int, str] = {}  # grid column -> text of the row above

    def where(self, table: _Table, i: int) -> str:
        return f"bảng {table.index}, dòng {i + 1}" if self.several else f"dòng {i + 1}"

    def note(self, kind: str, text: str, where: str = "") -> None:
        self.notes.append(Note(kind, text, where))

    def table(self, t: _Table) -> None:
        self.above = {}
        for i, tr in enumerate(t.rows):
            if i < t.header_at:
                continue  # a title row above the header
            if i == t.header_at:
                if self.rows:  # the header again at the top of a table that continues
                    self.note(
                        "skipped",
                        "dòng tiêu đề cột lặp lại (bảng nối tiếp): bỏ qua",
                        self.where(t, i),
                    )
                continue
            self.row(_cells(tr), self.where(t, i))

    # -- one row
    def cell_at(self, cells: list[_Cell], key: str) -> _Cell | None:
        col = self.by_key.get(key)
        if col is None:
            return None
        return next((c for c in cells if c.start <= col.start < c.start + c.span), None)

    def row(self, cells: list[_Cell], where: str) -> None:
        merged_from_above = []
        for c in cells:
            if c.vmerged:
                c.text = self.above.get(c.start, "")
                if c.text:
                    merged_from_above.append(c)
        self.above = {c.start: c.text for c in cells}
        texts = [fold(c.text) for c in cells]
        if not any(texts):
            self.note("skipped", "dòng trống: bỏ qua", where)
            return
        if [t.casefold() for t in texts] in self.header_rows:
            self.note("skipped", "dòng tiêu đề cột lặp lại (sang trang): bỏ qua", where)
            return
        numbers = [COLUMN_NUMBER_RE.match(t) for t in texts if t]
        if len(numbers) >= 3 and all(numbers):
            values = [int(m.group(1)) for m in numbers if m]
            if values == list(range(values[0], values[0] + len(values))):
                self.note("skipped", "dòng đánh số cột (1), (2), …: bỏ qua", where)
                return
        if self.section(cells, where):
            return
        self.task(cells, where, merged_from_above)

    def section(self, cells: list[_Cell], where: str) -> bool:
        filled = [c for c in cells if fold(c.text)]
        stt = self.cell_at(cells, "stt")
        task = self.cell_at(cells, "task")
        stt_text = fold(stt.text) if stt else ""
        code = section_code(stt_text) if stt is not None and stt is not task else None
        if code:
            rest = [c for c in filled if c is not stt]
            title_cell = (
                task if task is not None and fold(task.text) else (rest[0] if rest else None)
            )
            others = [c for c in rest if c is not title_cell]
            if title_cell is None:
                self.note("odd", f'dòng chỉ có mã mục "{code}" mà không có tên mục: bỏ qua', where)
                return True
            spans_across = title_cell.span > 1 and self._covers_other(title_cell)
            if spans_across or not others:
                self.add_section(code, fold(title_cell.text), where)
                return True
            self.note(
                "odd",
                f'ô STT ghi "{stt_text}" như mã mục nhưng dòng có nội dung ở các cột khác: '
                "đọc như một nhiệm vụ",
                where,
            )
            return False
        if len(filled) == 1 and (filled[0].span > 1 or stt_text == ""):
            only = filled[0]
            m = CODE_TITLE_RE.match(fold(only.text))
            if m and section_code(m.group("code")):
                self.add_section(m.group("code"), m.group("title").strip(), where)
                return True
            if (
                only.span > 1
                and self._covers_other(only)
                and not (stt_text and NUMBER_RE.match(stt_text))
            ):
                self.note("odd", "dòng gộp ô không có mã mục: đọc như một mục", where)
                self.add_section("", fold(only.text), where)
                return True
        return False

    def _covers_other(self, cell: _Cell) -> bool:
        """Whether `cell` spans the grid column of a column other than STT and the task."""
        return any(
            cell.start <= c.start < cell.start + cell.span
            for c in self.columns
            if c.key not in ("stt", "task")
        )

    def add_section(self, code: str, title: str, where: str) -> None:
        self.rows.append(Row("section", where, code=code, title=title))

    def task(self, cells: list[_Cell], where: str, merged: list[_Cell]) -> None:
        values: dict[str, str] = {}
        bullets: dict[str, bool] = {}
        for col in self.columns:
            cell = self.cell_at(cells, col.key)
            if cell is None or cell.start != col.start:  # absent, or merged from the left
                values[col.key] = ""
                continue
            values[col.key] = cell.text
            lines = cell.text.split("\n")
            bullets[col.key] = len(lines) > 1 and all(re.match(r"^[-–+•*]\s", x) for x in lines)
        for key in ("lead", "support", "deadline", "product"):
            cell = self.cell_at(cells, key)
            if cell is None or cell.start != self.by_key[key].start or not fold(cell.text):
                continue
            covered = [
                c.key
                for c in self.columns
                if c.key != key and cell.start < c.start < cell.start + cell.span
            ]
            if covered:
                names = ", ".join(f'"{KEY_NAMES[k]}"' for k in covered)
                self.note(
                    "odd",
                    f'ô "{KEY_NAMES[key]}" gộp sang cột {names}: cả ô được đọc là '
                    f'"{KEY_NAMES[key]}", cột {names} để trống; kiểm tra lại bảng gốc',
                    where,
                )
        task_cell = self.cell_at(cells, "task")
        if task_cell is not None and task_cell.span > 1 and self._covers_other(task_cell):
            self.note(
                "odd",
                "ô nội dung gộp sang các cột cơ quan, thời gian ở chỗ cần một dòng nhiệm vụ: đọc "
                "như một nhiệm vụ chưa có cơ quan",
                where,
            )
        stt_cell = self.cell_at(cells, "stt")
        for c in merged:
            key = next((col.key for col in self.columns if col.start == c.start), None)
            if key and key != "stt":
                self.note(
                    "odd",
                    f"ô {KEY_NAMES[key].lower()} gộp dọc với dòng trên: dùng nội dung ô phía trên",
                    where,
                )
        stt = fold(values.get("stt", ""))
        previous = self.rows[-1] if self.rows else None
        if previous is not None and previous.kind == "task":
            if stt_cell is not None and stt_cell.vmerged:  # one task over several rows
                values["stt"] = ""
                self.continue_task(previous, values, where)
                return
            if not stt and (previous.code or not fold(values.get("task", ""))):
                self.continue_task(previous, values, where)
                return
        if not fold(values.get("task", "")):
            self.note("odd", "dòng có STT nhưng không có nội dung nhiệm vụ: bỏ qua", where)
            return
        if stt and not NUMBER_RE.match(stt):
            self.note("odd", f'STT "{stt}" không phải số thứ tự', where)
        elif not stt:
            self.note("odd", "nhiệm vụ không có STT", where)
        self.rows.append(Row("task", where, code=stt.rstrip(".)"), cells=values, bullets=bullets))

    def continue_task(self, previous: Row, values: dict[str, str], where: str) -> None:
        self.note("odd", "dòng không có STT: nối vào nhiệm vụ ở dòng trên (dòng bị tách)", where)
        for key, text in values.items():
            if key == "stt" or not text:
                continue
            old = previous.cells.get(key, "")
            sep = "\n" if key in ("lead", "support") else " "
            previous.cells[key] = f"{old}{sep}{text}" if old else text

    # -- after the last row
    def finish(self) -> list[Row]:
        rows = self.rows
        has_letters = any(
            r.kind == "section" and r.code and not is_roman(section_code(r.code) or "")
            for r in rows
        )
        seen_letter = False
        last_level = 1
        for r in rows:
            if r.kind != "section":
                continue
            code = section_code(r.code) if r.code else None
            if code is None:
                r.level = last_level
            elif is_roman(code):
                r.level = 2 if has_letters and seen_letter else 1
                if has_letters and not seen_letter:
                    self.note("odd", f'mục "{code}" đứng trước mục chữ cái đầu tiên', r.where)
            else:
                r.level = 1
                seen_letter = True
            r.code = code or ""
            last_level = r.level
        return rows
