"""An `Appendix` as Word XML: the title block and the task table, and the appendix's own DOCX.

The table is built here, from the `Appendix` alone, so column order, labels and widths
follow the catalog; its XML is written in schema order (render/ooxml.py) with the styles of
the template found by name (render/template.py). `appendix_parts` fills the template once
per appendix: the appendix's own file and the whole plan (render/plan.py) both take their
content from those parts. Output is deterministic: fixed zip dates, core properties
written here (title, the issuing unit as author, catalog id and hash).
"""

from __future__ import annotations

from functools import lru_cache

from generator import __version__
from generator.render import measure, tablefit, tablepages
from generator.render.ooxml import core_properties, el, escape, pack, paragraph, props, run
from generator.render.template import Template
from generator.resolve.appendix import Appendix, Row

CENTERED = {"stt", "deadline"}
BORDER = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
NBSP = "\u00a0"

# Widths and names of the table: render/tablefit.py; its pages: render/tablepages.py
# (docs/layout.md, "Table").
SHORT_ROW_LINES = tablepages.SHORT_ROW_LINES
TITLE_SIZE = 14  # points, the title block
CELL_MARGIN_TWIPS = tablefit.CELL_MARGIN


def appendix_parts(
    template: Template, appendix: Appendix, numbered_columns: bool = False
) -> dict[str, bytes]:
    """The template's parts filled with the appendix (no core properties yet)."""
    values = {
        "label": escape(appendix.label),
        "title": title_xml(appendix, template.text_width),
        "guide": escape(appendix.guide),
        "table": table_xml(
            appendix, template.text_width, numbered_columns, template.styles, template.source
        ),
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


def cell_text(text: str, key: str, width: int) -> str:
    """Body names in a lead/support cell `width` twips wide kept together, name by name."""
    return tablefit.cell_text(text, key, width)


def _title_break(appendix: Appendix, text_width: int) -> tuple[str, str] | None:
    """(head, tail) when the title takes two lines, broken before the unit's name."""
    if not appendix.title_tail or not appendix.title.endswith(" " + appendix.title_tail):
        return None
    head = appendix.title[: len(appendix.title) - len(appendix.title_tail)].strip()
    if measure.paragraph_lines(appendix.title, _title_room(text_width), True) <= 1:
        return None
    return head, appendix.title_tail


def _title_room(text_width: int) -> float:
    return text_width / (TITLE_SIZE * 20)


def title_xml(appendix: Appendix, text_width: int) -> str:
    """The title, the unit's name and the year unbreakable; when the whole does not fit on
    one line (font metrics, 14 pt bold), a line break before the unit's name (after
    "(PAR INDEX)")."""
    if not appendix.title_tail or not appendix.title.endswith(" " + appendix.title_tail):
        return escape(appendix.title)
    tail = appendix.title_tail.replace(" ", NBSP)
    broken = _title_break(appendix, text_width)
    if broken is None:
        head = appendix.title[: len(appendix.title) - len(appendix.title_tail)].strip()
        return escape(f"{head} {tail}")
    return f'{escape(broken[0])}</w:t></w:r><w:r><w:br/><w:t xml:space="preserve">{escape(tail)}'


def title_lines(appendix: Appendix, text_width: int) -> int:
    """Lines of the title block: the label, the title, the guide line."""
    room = _title_room(text_width)
    broken = _title_break(appendix, text_width)
    if broken:
        title = measure.paragraph_lines(broken[0], room, True)
        title += measure.paragraph_lines(broken[1].replace(" ", NBSP), room, True)
    else:
        title = measure.paragraph_lines(appendix.title, room, True)
    return 1 + title + measure.paragraph_lines(appendix.guide, room)


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
def _empty_paragraph(style: str, keep_next: bool = False) -> str:
    return paragraph(style, "", el("w:keepNext") if keep_next else "")


def _cell(
    width: int,
    lines: list[str],
    style: str,
    span: int = 1,
    valign: str = "top",
    keep_next: bool = False,
) -> str:
    start = _empty_paragraph(style, keep_next)[: -len("</w:p>")]  # "<w:p><w:pPr>…</w:pPr>"
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
    """The widths of the table's columns for this appendix's text (render/tablefit.py)."""
    return tablefit.fitted_widths(appendix, text_width)


def line_count(text: str, width_twips: int) -> int:
    """Lines `text` takes in a cell `width_twips` wide (font metrics, render/measure.py)."""
    return sum(measure.text_lines(text, tablefit.usable_em(width_twips)))


def table_xml(
    appendix: Appendix,
    text_width: int,
    numbered_columns: bool = False,
    styles: dict[str, str] | None = None,
    source: str = "",
) -> str:
    """The task table as WordprocessingML; `styles` maps TABLE_STYLES roles to style ids
    (the shipped template's ids when not given), `source` is the template's document
    (its page size and margins place the page breaks the rows are fitted to)."""
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
    labels = [
        tablefit.label_text(c.label, w) for c, w in zip(appendix.columns, widths, strict=True)
    ]
    header = "".join(
        _cell(w, _lines(label), st["header"], valign="center")
        for w, label in zip(widths, labels, strict=True)
    )
    parts.append(_row(header, header=True, cant_split=True))
    if numbered_columns:
        numbers = "".join(
            _cell(w, [f"({i})"], st["header"], valign="center") for i, w in enumerate(widths, 1)
        )
        parts.append(_row(numbers, header=True, cant_split=True))
    keys = [c.key for c in appendix.columns]
    texts = [
        [] if row.is_section else [_text(row, key, w) for key, w in zip(keys, widths, strict=True)]
        for row in appendix.rows
    ]
    geo = tablepages.geometry(
        source,
        title_lines(appendix, text_width),
        tablepages.header_height(labels, widths, numbered_columns),
    )
    flags = tablepages.row_flags(appendix, texts, widths, geo)
    for row, cells, (cant_split, keep_next) in zip(appendix.rows, texts, flags, strict=True):
        if row.is_section:
            parts.append(_section_row(row, widths, st))
        else:
            parts.append(_task_row(cells, keys, widths, st, cant_split, keep_next))
    parts.append("</w:tbl>")
    return "".join(parts)


def _text(row: Row, key: str, width: int) -> str:
    return row.code if key == "stt" else cell_text(row.cells.get(key, ""), key, width)


def _section_row(row: Row, widths: list[int], st: dict[str, str]) -> str:
    """A heading row: its styles keep it with the next row (w:keepNext in the template)."""
    return _row(
        _cell(widths[0], [row.code], st["section_code"])
        + _cell(sum(widths[1:]), _lines(row.title), st["section"], span=len(widths) - 1),
        cant_split=True,
    )


def _task_row(
    texts: list[str],
    keys: list[str],
    widths: list[int],
    st: dict[str, str],
    cant_split: bool,
    keep_next: bool,
) -> str:
    cells = []
    for key, width, text in zip(keys, widths, texts, strict=True):
        style = st["cell_center"] if key in CENTERED else st["cell"]
        cells.append(_cell(width, _lines(text), style, keep_next=keep_next))
    return _row("".join(cells), cant_split=cant_split)


# The style ids of the shipped template (templates/build_template.py).
SHIPPED_STYLE_IDS = {
    "header": "PLHeader",
    "section": "PLSection",
    "section_code": "PLSectionCode",
    "cell": "PLCell",
    "cell_center": "PLCellCenter",
}


# --------------------------------------------------------------------------- stamp
