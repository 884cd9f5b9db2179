"""The task table laid on its pages as LibreOffice lays it (docs/layout.md, "Pages").

LibreOffice keeps neither widow and orphan control nor "keep lines together" in a table
cell (render/measure.py simulates its pages): a row that would be cut leaving one line on
either page is not split (w:cantSplit) and goes to the next page whole; the last row is not
split and the row before it is kept with it (w:keepNext on its paragraphs), so the last page
never holds a single row.
"""

from __future__ import annotations

from pathlib import Path

from generator.core import cache
from generator.render import measure, tablefit
from generator.resolve.appendix import Appendix

CODE = (Path(__file__), *tablefit.CODE)  # what the pages are laid by
SHORT_ROW_LINES = 8  # a row of at most this many lines is never split
MIN_LINES = 2  # a row cut across two pages keeps at least this many lines on each
SLACK = 3.0  # points: a cut is checked this much higher and lower too
TITLE_SIZE = 14  # the title block (Phụ lục, title, guide line)
RULE_PT = 20.6  # the short rule under it: a 6 pt line, its border and 12 pt after
SPACING = 2.0  # points before and after a paragraph in a cell (40 twips)


def geometry(source: str, title_lines: int, header: float) -> measure.Geometry:
    """Where the table lies on its pages (the template's page size and margins): below
    `title_lines` lines of the title block and its rule on the first page, below the
    `header` rows (points) on every page."""
    above = title_lines * measure.LINE_EM * TITLE_SIZE + RULE_PT
    return measure.geometry(source, above, header)


def _cell(text: str, width: int, bold: bool = False) -> measure.Cell:
    room = tablefit.usable_em(width)
    lines = [measure.paragraph_lines(p, room, bold) for p in text.split("\n")]
    return measure.cell(lines, tablefit.SIZE, SPACING, SPACING)


def header_height(labels: list[str], widths: list[int], numbered: bool) -> float:
    height = max(_cell(label, w, True).height for label, w in zip(labels, widths, strict=True))
    return height + (_cell("(1)", widths[0], True).height if numbered else 0.0)


def row_flags(
    appendix: Appendix, texts: list[list[str]], widths: list[int], geo: measure.Geometry
) -> list[tuple[bool, bool]]:
    """(w:cantSplit, w:keepNext) of every row of `appendix`, `texts` its cells' text as
    written (task rows) in columns `widths` wide (the module's docstring); kept in plangen's
    cache by all of these, as the widths are."""
    rows = [(r.is_section, r.code, r.title) for r in appendix.rows]
    flags = cache.remembered(
        "rows",
        repr((rows, texts, widths, tuple(geo))),
        lambda: _row_flags(appendix, texts, widths, geo),
        cache.sources(*CODE),
        lambda kept: isinstance(kept, list) and len(kept) == len(rows) and all(map(_pair, kept)),
    )
    return [(bool(cant_split), bool(keep_next)) for cant_split, keep_next in flags]


def _row_flags(
    appendix: Appendix, texts: list[list[str]], widths: list[int], geo: measure.Geometry
) -> list[tuple[bool, bool]]:
    body = geo.bottom - geo.top - geo.header
    boxes = []
    for row, cells in zip(appendix.rows, texts, strict=True):
        if row.is_section:
            box = measure.Row(
                (_cell(row.code, widths[0], True), _cell(row.title, sum(widths[1:]), True)),
                True,
                True,
            )
        else:
            parts_ = tuple(_cell(t, w) for t, w in zip(cells, widths, strict=True))
            box = measure.Row(parts_, False, False)
            box = measure.Row(parts_, box.lines <= SHORT_ROW_LINES and box.height <= body)
        boxes.append(box)
    if len(boxes) >= 2:  # the last page holds the last row whole and the row before it
        last = boxes[-1]
        boxes[-1] = measure.Row(last.cells, last.cant_split or last.height <= body, last.keep_next)
        boxes[-2] = measure.Row(boxes[-2].cells, boxes[-2].cant_split, True)
    boxes, _ = measure.paginate(boxes, geo, MIN_LINES, SLACK)
    return [(b.cant_split, b.keep_next) for b in boxes]


def _pair(value) -> bool:
    return isinstance(value, list) and len(value) == 2 and all(type(v) is bool for v in value)
