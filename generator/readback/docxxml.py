"""WordprocessingML as the appendix reader needs it: the visible text of a paragraph and of
a cell, a row's cells with their grid positions and merges, the table grid's widths.

Elements are walked child by child (no XPath per cell: a 5 000-row table has 30 000
cells); what is looked into is fixed: runs directly in a paragraph or inside a link, an
insertion, a smart tag, a simple field, custom XML or a content control; cells directly in
a row or inside a content control or custom XML.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from generator.core.text import nfc

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
P, R, T, TC, TR, TBL = W + "p", W + "r", W + "t", W + "tc", W + "tr", W + "tbl"
SDT, SDT_CONTENT, CUSTOM_XML = W + "sdt", W + "sdtContent", W + "customXml"
HYPERLINK, INS = W + "hyperlink", W + "ins"
_RUN_HOLDERS = (INS, W + "smartTag", W + "fldSimple", CUSTOM_XML)
_TAB = (W + "tab", W + "ptab")
_BREAK = (W + "br", W + "cr")
_HYPHEN = W + "noBreakHyphen"
MAX_WIDTH = 1_000_000  # twips; a page is at most a few tens of thousands


def _children(el, tag: str):
    """`el`'s children with `tag`, also those wrapped in a content control or custom XML."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from (c for c in content if c.tag == tag)
        elif child.tag == CUSTOM_XML:
            yield from (c for c in child if c.tag == tag)


def _runs(p):
    """The runs of a paragraph, in document order (see the module's docstring)."""
    for child in p:
        tag = child.tag
        if tag == R:
            yield child
        elif tag == HYPERLINK:
            for c in child:
                if c.tag == R:
                    yield c
                elif c.tag == INS:
                    yield from (r for r in c if r.tag == R)
        elif tag in _RUN_HOLDERS:
            yield from (r for r in child if r.tag == R)
        elif tag == SDT:
            content = child.find(SDT_CONTENT)
            if content is not None:
                yield from (r for r in content if r.tag == R)


def paragraph_text(p) -> str:
    """The visible text of a w:p: runs (also inside links, insertions, fields), tabs and
    breaks; deleted text, drawings and text boxes are left out."""
    out: list[str] = []
    for r in _runs(p):
        for child in r:
            tag = child.tag
            if tag == T:
                out.append(child.text or "")
            elif tag in _TAB:
                out.append("\t")
            elif tag in _BREAK:
                out.append("\n")
            elif tag == _HYPHEN:
                out.append("-")
    return nfc("".join(out))


def cell_text(tc) -> str:
    """The paragraphs of a cell joined by line breaks, each paragraph's white space folded,
    empty paragraphs dropped (a nested table's text is not part of the cell)."""
    lines = []
    for p in _children(tc, P):
        for line in paragraph_text(p).split("\n"):
            line = " ".join(line.split())
            if line:
                lines.append(line)
    return "\n".join(lines)


def _attr(el, *path: str) -> str | None:
    """The w:val of the element at `path` under `el` (None when absent)."""
    for tag in path:
        if el is None:
            return None
        el = el.find(W + tag)
    return None if el is None else el.get(W + "val")


def _has(el, *path: str):
    for tag in path:
        if el is None:
            return None
        el = el.find(W + tag)
    return el


@dataclass
class Cell:
    text: str
    start: int
    span: int
    vmerged: bool = False  # continues the cell above
    tc: object = None


def cells(tr) -> list[Cell]:
    """The cells of a row with their grid positions (gridBefore, gridSpan, hMerge)."""
    before = _attr(tr, "trPr", "gridBefore")
    pos = int(before) if before and before.isdigit() else 0
    out: list[Cell] = []
    for tc in _children(tr, TC):
        props = tc.find(W + "tcPr")
        span_text = _attr(props, "gridSpan")
        span = max(1, int(span_text)) if span_text and span_text.isdigit() else 1
        vmerge = _has(props, "vMerge")
        vcont = vmerge is not None and vmerge.get(W + "val") in (None, "continue")
        hmerge = _has(props, "hMerge")
        if hmerge is not None and hmerge.get(W + "val") in (None, "continue") and out:
            out[-1].span += span  # legacy horizontal merge: part of the cell before
            pos += span
            continue
        out.append(Cell(cell_text(tc), pos, span, vcont, tc))
        pos += span
    return out


def cell_width(tc) -> float:
    """The width a cell declares (w:tcW), 0 when missing or absurd."""
    props = tc.find(W + "tcPr")
    width = props.find(W + "tcW") if props is not None else None
    return width_value(width.get(W + "w") if width is not None else None)


def width_value(text: str | None) -> float:
    """A grid or cell width; 0 (missing) unless a finite positive number of sane size."""
    try:
        value = float(text) if text else 0.0
    except ValueError:
        return 0.0
    return value if math.isfinite(value) and 0 < value <= MAX_WIDTH else 0.0


def grid(tbl) -> list[float]:
    columns = tbl.find(W + "tblGrid")
    if columns is None:
        return []
    return [width_value(col.get(W + "w")) for col in columns if col.tag == W + "gridCol"]


def table_rows(tbl) -> list:
    return list(_children(tbl, TR))


def texts(elements: list) -> list[str]:
    """The non-empty lines of paragraphs (and of layout tables' paragraphs), folded."""
    out: list[str] = []
    for el in elements:
        paragraphs = [el] if el.tag == P else el.iter(P)
        for p in paragraphs:
            for line in paragraph_text(p).split("\n"):
                t = " ".join(nfc(line).split())
                if t:
                    out.append(t)
    return out
