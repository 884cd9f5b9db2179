"""Text measured before Word or LibreOffice lays it out: where a cell's text wraps, how tall
a table row is, where the pages of a table break.

Widths come from the font metrics (core/fonts.py: Times New Roman and its metric twin
Liberation Serif). Lines wrap as both word processors wrap left-aligned text: greedily, at
a space (never at a no-break space), or after a hyphen that joins two words ("KH-UBND"),
never after a slash ("đúng/sớm", as LibreOffice) nor inside a number ("15/12/2026"); a word
wider than the line is cut where the line is full. A line is 1.1499 em high (the font's
ascent, descent and line gap); a paragraph in a cell adds its spacing before and after.

The page simulation (`paginate`) follows LibreOffice's rules for a table: the header rows
repeat at the top of every page, a row that may split is cut between two lines (each cell
keeps the lines that fit; LibreOffice keeps neither widow and orphan control nor "keep
lines together" in a table cell), a row that may not moves whole to the next page (unless
it is taller than a page), a row kept with the next one moves with it. Checked against
LibreOffice 7.4's PDFs of every shipped unit: every line count and every page break agree.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from functools import lru_cache
from typing import NamedTuple

from generator.core.fonts import em

LINE_EM = 1.1499  # line height of Times New Roman, in ems (ascent + descent + line gap)
EPS = 0.006  # LibreOffice fits a line up to about 0.08 pt wider than its box at 13 pt
_JOINER = re.compile(r"(?<=[^\W\d_]-)(?=[^\W\d_])")  # "KH-|UBND"; never "đúng/sớm"


@lru_cache(maxsize=8192)
def _tokens(paragraph: str, bold: bool) -> tuple[tuple[float, ...], tuple[float, ...], float]:
    """The pieces a line may break after, in ems: (the space before each, the running width
    to its end, the widest piece). Pieces s .. e - 1 on one line are ends[e - 1] - ends[s - 1]
    - spaces[s] wide."""
    spaces: list[float] = []
    ends: list[float] = []
    space, total, widest = em(" ", bold), 0.0, 0.0
    for word in paragraph.split(" "):
        if not word:
            continue
        gap = space if ends else 0.0
        for piece in _JOINER.split(word) if "-" in word else (word,):
            width = em(piece, bold)
            total += gap + width
            widest = max(widest, width)
            spaces.append(gap)
            ends.append(total)
            gap = 0.0
    return tuple(spaces), tuple(ends), widest


@lru_cache(maxsize=32768)
def paragraph_lines(paragraph: str, width_em: float, bold: bool = False) -> int:
    """Lines a paragraph takes in a line `width_em` ems wide (an empty one takes one)."""
    spaces, ends, widest = _tokens(paragraph, bold)
    room = width_em + EPS
    if widest > room:
        return _cut_lines(spaces, ends, width_em)
    n, s, lines, start = len(ends), 0, 0, 0.0
    while s < n:
        s = bisect_right(ends, start + spaces[s] + room, s)  # the pieces that fit the line
        lines += 1
        start = ends[s - 1]
    return max(lines, 1)


def _cut_lines(spaces: tuple[float, ...], ends: tuple[float, ...], width_em: float) -> int:
    """Lines, greedily, when a piece is wider than a line and is cut where the line is full."""
    lines, used, previous = 1, 0.0, 0.0
    for space, end in zip(spaces, ends, strict=True):
        width, previous = end - previous - space, end
        if used and used + space + width <= width_em + EPS:
            used += space + width
            continue
        if used:
            lines += 1
        full = max(math.ceil(width / width_em) - 1, 0)
        lines += full
        used = width - full * width_em
    return lines


def wrap(paragraph: str, width_em: float, bold: bool = False) -> list[str]:
    """The lines of one paragraph as text, as `paragraph_lines` counts them (a piece wider
    than a line is not cut here): for tests and tools."""
    spaces, ends, _ = _tokens(paragraph, bold)
    pieces = [p for word in paragraph.split(" ") if word for p in _JOINER.split(word)]
    lines: list[str] = []
    start = 0.0
    for k, (space, end, piece) in enumerate(zip(spaces, ends, pieces, strict=True)):
        if lines and end - start <= width_em + EPS:
            lines[-1] += (" " if space else "") + piece
        else:
            lines.append(piece)
            start = (ends[k - 1] if k else 0.0) + space
    return lines or [""]


def text_lines(text: str, width_em: float, bold: bool = False) -> list[int]:
    """Lines of each paragraph of a cell's text ("\n" separates paragraphs)."""
    return [paragraph_lines(p, width_em, bold) for p in text.split("\n")]


# --------------------------------------------------------------------------- pages


class Cell(NamedTuple):
    """A table cell for the page simulation: the bottom of each of its lines and its height,
    in points from the top of its row."""

    bottoms: tuple[float, ...]
    height: float
    spacing: float = 0.0  # before + after its paragraph: a piece carried over has it again


class Row(NamedTuple):
    cells: tuple[Cell, ...]
    cant_split: bool = False
    keep_next: bool = False

    @property
    def height(self) -> float:
        return max(c.height for c in self.cells)

    @property
    def lines(self) -> int:
        return max(len(c.bottoms) for c in self.cells)


class Geometry(NamedTuple):
    """Where a table lies on its pages (points from the top of the page)."""

    first: float  # the table's top on its first page
    top: float  # the top of the text area on the next pages
    bottom: float  # the bottom of the text area
    header: float  # the height of the header rows, repeated at the top of every page


PAD = 0.5  # the row's border, counted once per row
_SECT = re.compile(r"<w:sectPr\b.*?</w:sectPr>", re.S)


def geometry(source: str, above: float, header: float) -> Geometry:
    """Where a table lies on its pages, from the last section of `source` (a document's
    XML; A4 landscape with 20 mm top and bottom when it says nothing): `above` points below
    the top margin on its first page, under its `header` rows (points) on every page."""
    sect = _SECT.findall(source)
    sect = sect[-1] if sect else ""

    def points(pattern: str, default: int) -> float:
        found = re.search(pattern, sect)
        return int(found.group(1)) / 20 if found else default / 20

    height = points(r'<w:pgSz\b[^>]*\bw:h="(\d+)"', 11906)
    top = points(r'<w:pgMar\b[^>]*\bw:top="(\d+)"', 1134)
    bottom = height - points(r'<w:pgMar\b[^>]*\bw:bottom="(\d+)"', 1134)
    return Geometry(first=top + above, top=top, bottom=bottom, header=header)


def cell(lines: list[int], size: float, before: float, after: float) -> Cell:
    """A cell of paragraphs of `lines` lines each, at `size` points, spaced before/after."""
    line = LINE_EM * size
    y, bottoms = 0.0, []
    for n in lines:
        y += before
        for _ in range(n):
            y += line
            bottoms.append(y + after)
        y += after
    return Cell(tuple(bottoms), y + PAD, before + after)


def _fits(c: Cell, room: float) -> int:
    """How many lines of `c` fit `room` points: its last line with the row's foot."""
    n = len(c.bottoms)
    return sum(1 for k, b in enumerate(c.bottoms) if b + PAD - (FIT if k == n - 1 else 0) <= room)


def _split(row: Row, room: float) -> tuple[int, int]:
    """(lines before, lines after) when `row` is cut at `room` points from its top."""
    first = rest = 0
    for c in row.cells:
        fit = _fits(c, room)
        first, rest = max(first, fit), max(rest, len(c.bottoms) - fit)
    return first, rest


def _rest(row: Row, room: float) -> Row:
    """What is left of `row` for the next page after a cut at `room`."""
    cells = []
    for c in row.cells:
        fit = _fits(c, room)
        cut = c.bottoms[fit - 1] - c.spacing if fit else 0.0
        left = tuple(b - cut for b in c.bottoms[fit:])
        cells.append(Cell(left, max(c.height - cut, PAD) if left else PAD, c.spacing))
    return Row(tuple(cells), row.cant_split, row.keep_next)


FIT = -1.2  # points: LibreOffice lays a row on a page when it ends this far above the foot


def paginate(
    rows: list[Row], geo: Geometry, min_lines: int = 0, slack: float = 0.0
) -> tuple[list[Row], list[list[tuple[int, int]]]]:
    """Lay `rows` on pages as LibreOffice does: (the rows, each with `cant_split` set where a
    cut would leave fewer than `min_lines` lines on a page, also with the cut `slack` points
    higher or lower; the pieces of each row: (page, lines), page 0 the first)."""
    rows = list(rows)
    pieces: list[list[tuple[int, int]]] = [[] for _ in rows]
    body = geo.bottom - geo.top - geo.header  # what a page holds below its header rows
    page, y, starts = 0, geo.first + geo.header, 0  # starts: first row that begins on the page
    fresh = False  # nothing laid on the page yet
    current: Row | None = None  # what is left of row i (a row cut at the foot of a page)
    i = 0
    while i < len(rows):
        row = current or rows[i]
        room = geo.bottom - y
        if row.height <= room + FIT:
            pieces[i].append((page, row.lines))
            y, fresh, current, i = y + row.height, False, None, i + 1
            continue
        if current is None and min_lines and not row.cant_split and row.height <= body:
            cuts = [_split(row, r) for r in (room - slack, room, room + slack)]
            if any(0 < f < min_lines or 0 < r < min_lines for f, r in cuts):
                row = rows[i] = Row(row.cells, True, row.keep_next)
        first, _ = _split(row, room)
        whole = current is None and row.cant_split and row.height <= body
        if not fresh and (whole or first == 0):
            j = i
            while current is None and j > starts and rows[j - 1].keep_next:
                j -= 1
            if j > starts:  # the rows kept with this one go to the next page with it
                for k in range(j, i):
                    pieces[k] = [p for p in pieces[k] if p[0] != page]
                i = j
            page, y, starts, fresh = page + 1, geo.top + geo.header, i, True
            continue
        if first == 0:  # not one line fits a page: laid whole, LibreOffice lets it overflow
            pieces[i].append((page, row.lines))
            y, fresh, current, i = y + row.height, False, None, i + 1
            continue
        pieces[i].append((page, first))
        current = _rest(row, room) if first < row.lines else None
        page, y, starts, fresh = page + 1, geo.top + geo.header, i + 1, True
        if current is None:
            i += 1
    return rows, pieces
