"""An `Appendix` as Word XML: the title block and the task table, and the appendix's own DOCX.

The table is built here, from the `Appendix` alone, so column order, labels and widths
follow the catalog; its XML is written in schema order (render/ooxml.py) with the styles of
the template found by name (render/template.py). `appendix_parts` fills the template once
per appendix: the appendix's own file and the whole plan (render/plan.py) both take their
content from those parts. Output is deterministic: fixed zip dates, core properties
written here (title, the issuing unit as author, catalog id and hash).
"""

from __future__ import annotations

import math
from functools import lru_cache

from generator import __version__
from generator.render.ooxml import core_properties, el, escape, pack, paragraph, props, run
from generator.render.template import Template
from generator.resolve.appendix import Appendix, Row

CENTERED = {"stt", "deadline"}
BORDER = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
NBSP = "\u00a0"

# A row whose tallest cell needs at most this many lines is kept on one page (w:cantSplit);
# a taller row may break across pages, its paragraphs' widow control keeping two lines on
# each side. Lines are estimated from the text length and the column width (below).
SHORT_ROW_LINES = 8
CHAR_MM = 2.25  # mean advance of 13 pt Times New Roman in Vietnamese text
TITLE_CHAR_MM = 2.95  # 14 pt bold capitals
CELL_MARGIN_TWIPS = 85


def appendix_parts(
    template: Template, appendix: Appendix, numbered_columns: bool = False
) -> dict[str, bytes]:
    """The template's parts filled with the appendix (no core properties yet)."""
    values = {
        "label": escape(appendix.label),
        "title": title_xml(appendix, template.text_width),
        "guide": escape(appendix.guide),
        "table": table_xml(appendix, template.text_width, numbered_columns, template.styles),
    }
    return template.fill(values, None if template.plain else context(appendix, values))


def render_appendix(
    template: Template, appendix: Appendix, numbered_columns: bool = False
) -> bytes:
    """The appendix's own DOCX, from the template."""
    return appendix_docx(appendix_parts(template, appendix, numbered_columns), appendix)


def appendix_docx(parts: dict[str, bytes], appendix: Appendix) -> bytes:
    """The appendix's own DOCX from its filled parts."""
    return pack({**parts, "docProps/core.xml": appendix_properties(appendix)})


def appendix_properties(appendix: Appendix) -> bytes:
    """Trace a clerk's file back: the issuing unit, catalog id and hash, plangen version."""
    description = (
        f"plangen {__version__}; catalog {appendix.catalog} "
        f"sha256:{appendix.catalog_hash}; unit {appendix.unit}"
    )
    return core_properties(
        title=f"{appendix.label} - {appendix.title}",
        subject=f"{appendix.index} {appendix.year}",
        creator=appendix.issuer or appendix.unit_name,
        keywords=f"{appendix.catalog} sha256:{appendix.catalog_hash} {appendix.unit}",
        description=description,
        last_modified_by=True,
        language="vi-VN",
    )


def context(appendix: Appendix, values: dict[str, str]) -> dict:
    """What a template's Jinja may use (docs/templates.md); the XML parts are ready-made."""
    from markupsafe import Markup  # only for a template with Jinja of its own

    return {
        **{k: Markup(v) for k, v in values.items()},
        "unit": {
            "name": appendix.unit_name,
            "short": appendix.unit_short,
            "slug": appendix.unit,
            "issuer": appendix.issuer,
        },
        "plan": {
            "number": appendix.plan_number,
            "symbol": appendix.plan_symbol,
            "date": appendix.plan_date,
        },
        "appendix": {
            "label": appendix.label,
            "title": appendix.title,
            "guide": appendix.guide,
            "numeral": appendix.numeral,
            "index": appendix.index,
            "year": appendix.year,
            "catalog": appendix.catalog,
        },
        "year": appendix.year,
    }


def keep_together(name: str) -> str:
    """Non-breaking spaces where a name must not break (docs/layout.md, table): around " - "
    with the words on each side ("Văn hóa - Xã hội"), after "cấp" and the abbreviation
    before it ("UBND cấp xã"), and before a last word of one or two letters."""
    words = name.split(" ")
    if len(words) < 2:
        return name
    glue = [False] * (len(words) - 1)  # glue[i]: no break between words i and i+1
    for i, word in enumerate(words):
        if word == "-":
            for j in range(max(i - 2, 0), min(i + 2, len(glue))):
                glue[j] = True
        if i < len(glue) and (word == "cấp" or (word.isupper() and words[i + 1] == "cấp")):
            glue[i] = True
    if len(words[-1]) <= 2:
        glue[-1] = True
    out = [words[0]]
    for word, g in zip(words[1:], glue, strict=True):
        out.append((NBSP if g else " ") + word)
    return "".join(out)


def cell_text(text: str, key: str) -> str:
    """Body names in lead/support cells kept together, name by name."""
    if key not in ("lead", "support"):
        return text
    return "\n".join(
        "; ".join(keep_together(name) for name in line.split("; ")) for line in text.split("\n")
    )


def title_xml(appendix: Appendix, text_width: int) -> str:
    """The title, the unit's name and the year unbreakable; when the whole does not fit on
    one line, a line break before the unit's name (after "(PAR INDEX)")."""
    if not appendix.title_tail or not appendix.title.endswith(" " + appendix.title_tail):
        return escape(appendix.title)
    tail = appendix.title_tail.replace(" ", NBSP)
    head = appendix.title[: len(appendix.title) - len(appendix.title_tail)].strip()
    width_mm = len(appendix.title) * TITLE_CHAR_MM
    if width_mm <= text_width / 1440 * 25.4:
        return escape(f"{head} {tail}")
    return f'{escape(head)}</w:t></w:r><w:r><w:br/><w:t xml:space="preserve">{escape(tail)}'


# --------------------------------------------------------------------------- table


@lru_cache(maxsize=256)
def _cell_props(width: int, span: int, valign: str) -> str:
    return props(
        "w:tcPr",
        el("w:tcW", w=width, type="dxa"),
        el("w:gridSpan", val=span) if span > 1 else "",
        el("w:vAlign", val=valign),
    )


@lru_cache(maxsize=64)
def _empty_paragraph(style: str) -> str:
    return paragraph(style)


def _cell(width: int, lines: list[str], style: str, span: int = 1, valign: str = "top") -> str:
    start = _empty_paragraph(style)[: -len("</w:p>")]  # "<w:p><w:pPr>…</w:pPr>"
    paras = "".join(f"{start}{run(line)}</w:p>" if line else f"{start}</w:p>" for line in lines)
    return f"<w:tc>{_cell_props(width, span, valign)}{paras or start + '</w:p>'}</w:tc>"


def _lines(text: str) -> list[str]:
    return text.split("\n")


@lru_cache(maxsize=4)
def _row_props(header: bool, cant_split: bool) -> str:
    return props(
        "w:trPr", el("w:cantSplit") if cant_split else "", el("w:tblHeader") if header else ""
    )


def _row(cells: str, header: bool = False, cant_split: bool = False) -> str:
    return f"<w:tr>{_row_props(header, cant_split)}{cells}</w:tr>"


def column_widths(appendix: Appendix, text_width: int) -> list[int]:
    total = sum(c.width for c in appendix.columns)
    widths = [int(text_width * c.width / total) for c in appendix.columns]
    widths[1] += text_width - sum(widths)  # rounding goes to the task column
    return widths


def line_count(text: str, width_twips: int) -> int:
    """Lines `text` takes in a cell `width_twips` wide (an estimate, see CHAR_MM)."""
    usable_mm = max(width_twips - 2 * CELL_MARGIN_TWIPS, 1) / 1440 * 25.4
    per_line = max(int(usable_mm / CHAR_MM), 1)
    return sum(max(math.ceil(len(line) / per_line), 1) for line in text.split("\n"))


def table_xml(
    appendix: Appendix,
    text_width: int,
    numbered_columns: bool = False,
    styles: dict[str, str] | None = None,
) -> str:
    """The task table as WordprocessingML; `styles` maps TABLE_STYLES roles to style ids
    (the shipped template's ids when not given)."""
    st = styles or SHIPPED_STYLE_IDS
    widths = column_widths(appendix, text_width)
    borders = "".join(
        BORDER.format(side) for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    tblpr = props(
        "w:tblPr",
        el("w:tblW", w=sum(widths), type="dxa"),
        el("w:jc", val="center"),
        f"<w:tblBorders>{borders}</w:tblBorders>",
        el("w:tblLayout", type="fixed"),
        f'<w:tblCellMar><w:left w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/>'
        f'<w:right w:w="{CELL_MARGIN_TWIPS}" w:type="dxa"/></w:tblCellMar>',
    )
    grid = "".join(el("w:gridCol", w=w) for w in widths)
    parts = [f"<w:tbl>{tblpr}<w:tblGrid>{grid}</w:tblGrid>"]
    header = "".join(
        _cell(w, _lines(c.label), st["header"], valign="center")
        for w, c in zip(widths, appendix.columns, strict=True)
    )
    parts.append(_row(header, header=True, cant_split=True))
    if numbered_columns:
        numbers = "".join(
            _cell(w, [f"({i})"], st["header"], valign="center") for i, w in enumerate(widths, 1)
        )
        parts.append(_row(numbers, header=True, cant_split=True))
    keys = [c.key for c in appendix.columns]
    for row in appendix.rows:
        if row.is_section:
            parts.append(_section_row(row, widths, st))
        else:
            parts.append(_task_row(row, keys, widths, st))
    parts.append("</w:tbl>")
    return "".join(parts)


def _section_row(row: Row, widths: list[int], st: dict[str, str]) -> str:
    """A heading row: its styles keep it with the next row (w:keepNext in the template)."""
    return _row(
        _cell(widths[0], [row.code], st["section_code"])
        + _cell(sum(widths[1:]), _lines(row.title), st["section"], span=len(widths) - 1),
        cant_split=True,
    )


def _task_row(row: Row, keys: list[str], widths: list[int], st: dict[str, str]) -> str:
    cells = []
    tallest = 0
    for key, width in zip(keys, widths, strict=True):
        text = row.code if key == "stt" else cell_text(row.cells.get(key, ""), key)
        tallest = max(tallest, line_count(text, width))
        style = st["cell_center"] if key in CENTERED else st["cell"]
        cells.append(_cell(width, _lines(text), style))
    return _row("".join(cells), cant_split=tallest <= SHORT_ROW_LINES)


# The style ids of the shipped template (templates/build_template.py).
SHIPPED_STYLE_IDS = {
    "header": "PLHeader",
    "section": "PLSection",
    "section_code": "PLSectionCode",
    "cell": "PLCell",
    "cell_center": "PLCellCenter",
}


# --------------------------------------------------------------------------- stamp
