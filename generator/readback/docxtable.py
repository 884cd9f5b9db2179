"""Finding the task table of an appendix DOCX, its header and columns, and the lines around
it (the "Phụ lục …" label, the title, the "(Kèm theo …)" guide line).

The task table is the first one whose header row (within its first five rows) names
"Nhiệm vụ"/"Nội dung"/"giải pháp" and at least two other known columns, whatever their
order; a header over two rows is read with the lower labels. A table split across pages
(the same header repeated, nothing but empty paragraphs or "(tiếp theo)" between) is read
as one; a "Phụ lục …" line or any text between means another appendix, which is noted and
not read.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from generator.core.errors import UserError, Where
from generator.core.text import roman
from generator.readback.docxxml import TBL, Cell, cell_width, cells, table_rows, texts
from generator.readback.source import Column, Note, column_key, fold

MAX_ROWS = 5_000  # table rows, all tables together (an appendix: under a few hundred)

LABEL_RE = re.compile(r"^(phụ\s*lục)(?:\s+(?:số\s+)?([IVXLC]+|\d{1,2})\b)?\s*[.:–-]?\s*(.*)$", re.I)
CONTINUED_RE = re.compile(r"^\(?\s*tiếp(\s+theo)?\s*\)?\.?$", re.I)


@dataclass
class Table:
    index: int  # 1-based among the document's tables
    tbl: object
    rows: list  # w:tr elements
    header_at: int  # index of the (last) header row in `rows`
    header: list[Cell]  # the header cells, a two-storey header merged
    header_rows: list[list[str]]  # the header rows' texts, to skip them when repeated


def _header_columns(row: list[Cell]) -> list[tuple[str | None, Cell]]:
    return [(column_key(c.text), c) for c in row]


def _is_header(row: list[Cell]) -> bool:
    keys = {k for k, _ in _header_columns(row)} - {None}
    return "task" in keys and len(keys) >= 3


def _two_storey(top: list[Cell], below: list[Cell] | None) -> list[Cell] | None:
    """A header over two rows ("Cơ quan thực hiện" over "Chủ trì | Phối hợp"): the top row's
    cells with the known labels of the row below in place of the cells they sit under."""
    if not below:
        return None
    out: list[Cell] = []
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


def _signature(row: list[Cell]) -> tuple:
    return tuple(fold(c.text).casefold() for c in row if fold(c.text))


def _find_header(rows: list) -> tuple[int, list[Cell], list[list[str]]] | None:
    for i, tr in enumerate(rows[:5]):
        top = cells(tr)
        below = cells(rows[i + 1]) if i + 1 < len(rows) else None
        merged = _two_storey(top, below)
        if merged is not None and _is_header(merged):
            header_texts = [[fold(c.text).casefold() for c in row] for row in (top, below)]
            return i + 1, merged, header_texts
        if _is_header(top):
            return i, top, [[fold(c.text).casefold() for c in top]]
    return None


def is_label(text: str) -> bool:
    m = LABEL_RE.match(text)
    return bool(m) and (not m.group(3) or m.group(3).upper() == m.group(3))


def find_tables(body, path: Path) -> tuple[list[Table], list, list[Note]]:
    """The task table (and the tables that continue it), and the body elements before it
    (see the module's docstring)."""
    tables: list[Table] = []
    before: list = []
    between: list = []
    notes: list[Note] = []
    signature = None
    total_rows = 0
    n = 0
    for child in body.iterchildren():
        if child.tag != TBL:
            (between if tables else before).append(child)
            continue
        n += 1
        rows = table_rows(child)
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
        table = Table(n, child, rows, header_at, header, header_rows)
        if not tables:
            signature = _signature(header)
            tables.append(table)
            continue
        text = [t for t in texts(between) if not CONTINUED_RE.match(t)]
        if _signature(header) == signature and not text:
            tables.append(table)
            between = []
            continue
        label = next((t for t in text if is_label(t)), None)
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


def columns(header: list[Cell], widths: list[float], notes: list[Note]):
    """The task table's columns (label, width, grid place) and the labels left out."""
    out: list[Column] = []
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
        width = sum(widths[cell.start : cell.start + cell.span]) if widths else 0.0
        if not width or not math.isfinite(width):
            width = cell_width(cell.tc)
        out.append(Column(key, label, width, cell.start, cell.span))
    return out, ignored


def title_parts(before: list) -> tuple[str, str | None, str, str]:
    """(label, numeral, title, guide) from the lines before the task table: the last
    "Phụ lục …" line, the title lines after it, the "(Kèm theo …)" guide line."""
    lines_before = texts(before)
    label_at = max((i for i, t in enumerate(lines_before) if is_label(t)), default=None)
    label, numeral = "", None
    region = lines_before
    if label_at is not None:
        m = LABEL_RE.match(lines_before[label_at])
        assert m
        numeral = m.group(2).upper() if m.group(2) else None
        if numeral and numeral.isdigit():
            numeral = roman(int(numeral))
        label = lines_before[label_at][: m.end(2) if m.group(2) else m.end(1)]
        region = ([m.group(3)] if m.group(3) else []) + lines_before[label_at + 1 :]
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
