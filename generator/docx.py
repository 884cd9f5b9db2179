"""Appendix -> DOCX bytes, from a real .docx template.

The template's body is cleaned once by docxtpl (Jinja tags that Word split across runs are
joined, ``{{p table }}`` takes its paragraph's place) and cached by content hash. A template
with only the four placeholders is then filled by substitution; one with more Jinja (an
office's own) is rendered by Jinja with XML autoescaping. The table is built here, from the
`Appendix` alone, so column order, labels and widths follow the catalog.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .appendix import Appendix, Row
from .errors import UserError, Where
from .ooxml import el, escape, paragraph, props
from .write import write_atomic

CENTERED = {"stt", "deadline"}
BORDER = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
_BODY = re.compile(r"(<w:body>)(.*)(</w:body>)", re.S)
_SECT = re.compile(r"<w:sectPr\b.*?</w:sectPr>", re.S)
_PLACEHOLDER = re.compile(r"\{\{\s*(label|title|guide|table)\s*\}\}")
_JINJA = re.compile(r"\{\{|\{%|\{#")


@dataclass(frozen=True)
class Template:
    path: Path
    parts: dict[str, bytes]
    source: str  # word/document.xml with the body cleaned into Jinja syntax
    text_width: int  # twips between the margins
    plain: bool  # only the four placeholders: filled by substitution, no template engine

    def render(self, appendix: Appendix, numbered_columns: bool = False) -> bytes:
        values = {
            "label": escape(appendix.label),
            "title": escape(appendix.title),
            "guide": escape(appendix.guide),
            "table": table_xml(appendix, self.text_width, numbered_columns),
        }
        if self.plain:
            xml = _PLACEHOLDER.sub(lambda m: values[m.group(1)], self.source)
        else:
            from markupsafe import Markup

            xml = _jinja(self.path, self.source).render(
                appendix=appendix, **{k: Markup(v) for k, v in values.items()}
            )
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
            for name, data in self.parts.items():
                if name == "word/document.xml":
                    data = xml.encode("utf-8")
                elif name == "docProps/core.xml":
                    data = core_properties(appendix)
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data)
        return out.getvalue()


def _jinja(path: Path, source: str):
    """A template that uses more Jinja than the four placeholders (an office's own)."""
    from jinja2 import Environment, StrictUndefined, TemplateError

    env = Environment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    try:
        return env.from_string(source)
    except TemplateError as exc:
        raise UserError(f"mẫu có thẻ Jinja sai: {exc}", Where(path)) from None


def cache_dir() -> Path:
    base = os.environ.get("PLANGEN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "plangen"
    )
    return Path(base)


_loaded: dict[tuple, Template] = {}


def load_template(path: Path) -> Template:
    """Read a template; its cleaned body is cached by content hash (docxtpl is slow to load),
    and the template itself per process while the file is unchanged (a batch uses it often)."""
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
        if key in _loaded:
            return _loaded[key]
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"không đọc được mẫu DOCX: {exc.strerror}", Where(path)) from None
    _loaded[key] = _read(path, data)
    return _loaded[key]


def _read(path: Path, data: bytes) -> Template:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            parts = {name: zf.read(name) for name in zf.namelist()}
    except zipfile.BadZipFile:
        raise UserError("mẫu không phải tệp .docx hợp lệ", Where(path)) from None
    if "word/document.xml" not in parts:
        raise UserError("mẫu thiếu word/document.xml", Where(path))
    digest = hashlib.sha256(data).hexdigest()[:20]
    cached = cache_dir() / f"template-{digest}-{__version__}.xml"
    try:
        source = cached.read_text(encoding="utf-8")
    except OSError:
        source = _clean(path, parts["word/document.xml"].decode("utf-8"))
        try:
            write_atomic(cached, source.encode("utf-8"), force=True)
        except OSError:
            pass  # no writable cache: clean again next time
    plain = not _JINJA.search(_PLACEHOLDER.sub("", source))
    return Template(path, parts, source, _text_width(source), plain)


def _clean(path: Path, source: str) -> str:
    """Let docxtpl join the Jinja tags Word split across runs; check the placeholders."""
    body = _BODY.search(source)
    if not body:
        raise UserError("mẫu không có phần thân <w:body>", Where(path))
    plain = re.sub(r"<[^>]+>", "", body.group(2))
    tags = {
        "label": "{{ label }}",
        "title": "{{ title }}",
        "guide": "{{ guide }}",
        "table": "{{p table }}",
    }  # the table replaces a whole paragraph: "p" is required
    pattern = {"table": r"\{\{p\s+table\s*\}\}"}
    missing = [
        tag
        for name, tag in tags.items()
        if not re.search(pattern.get(name, r"\{\{\s*" + name + r"\s*\}\}"), plain)
    ]
    if missing:
        raise UserError(
            "mẫu thiếu chỗ giữ chỗ "
            + ", ".join(missing)
            + " (bảng cần một đoạn riêng chỉ chứa {{p table }})",
            Where(path),
        )
    from docxtpl import DocxTemplate

    patched = DocxTemplate.patch_xml(DocxTemplate.__new__(DocxTemplate), body.group(2))
    return source[: body.start(2)] + patched + source[body.end(2) :]


def _text_width(document_xml: str) -> int:
    """Page width less the left and right margins of the last section, in twips."""
    sect = _SECT.findall(document_xml)
    sect_xml = sect[-1] if sect else ""
    size = re.search(r'<w:pgSz\b[^>]*\bw:w="(\d+)"', sect_xml)
    left = re.search(r'<w:pgMar\b[^>]*\bw:left="(\d+)"', sect_xml)
    right = re.search(r'<w:pgMar\b[^>]*\bw:right="(\d+)"', sect_xml)
    width = int(size.group(1)) if size else 16838
    return width - (int(left.group(1)) if left else 1701) - (int(right.group(1)) if right else 850)


# --------------------------------------------------------------------------- table


def _cell(width: int, lines: list[str], style: str, span: int = 1, valign: str = "top") -> str:
    tcpr = props(
        "w:tcPr",
        el("w:tcW", w=width, type="dxa"),
        el("w:gridSpan", val=span) if span > 1 else "",
        el("w:vAlign", val=valign),
    )
    paras = "".join(paragraph(style, line) for line in lines) or paragraph(style)
    return f"<w:tc>{tcpr}{paras}</w:tc>"


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _row(cells: str, header: bool = False) -> str:
    trpr = props("w:trPr", el("w:tblHeader") if header else "")
    return f"<w:tr>{trpr}{cells}</w:tr>"


def column_widths(appendix: Appendix, text_width: int) -> list[int]:
    total = sum(c.width for c in appendix.columns)
    widths = [int(text_width * c.width / total) for c in appendix.columns]
    widths[1] += text_width - sum(widths)  # rounding goes to the task column
    return widths


def table_xml(appendix: Appendix, text_width: int, numbered_columns: bool = False) -> str:
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
        '<w:tblCellMar><w:left w:w="85" w:type="dxa"/>'
        '<w:right w:w="85" w:type="dxa"/></w:tblCellMar>',
    )
    grid = "".join(el("w:gridCol", w=w) for w in widths)
    parts = [f"<w:tbl>{tblpr}<w:tblGrid>{grid}</w:tblGrid>"]
    parts.append(
        _row(
            "".join(
                _cell(w, _lines(c.label), "PLHeader", valign="center")
                for w, c in zip(widths, appendix.columns, strict=True)
            ),
            True,
        )
    )
    if numbered_columns:
        parts.append(
            _row(
                "".join(
                    _cell(w, [f"({i})"], "PLHeader", valign="center")
                    for i, w in enumerate(widths, 1)
                ),
                True,
            )
        )
    keys = [c.key for c in appendix.columns]
    for row in appendix.rows:
        parts.append(_section_row(row, widths) if row.is_section else _task_row(row, keys, widths))
    parts.append("</w:tbl>")
    return "".join(parts)


def _section_row(row: Row, widths: list[int]) -> str:
    return _row(
        _cell(widths[0], [row.code], "PLSectionCode")
        + _cell(sum(widths[1:]), _lines(row.title), "PLSection", span=len(widths) - 1)
    )


def _task_row(row: Row, keys: list[str], widths: list[int]) -> str:
    cells = []
    for key, width in zip(keys, widths, strict=True):
        text = row.code if key == "stt" else row.cells.get(key, "")
        cells.append(_cell(width, _lines(text), "PLCellCenter" if key in CENTERED else "PLCell"))
    return _row("".join(cells))


# --------------------------------------------------------------------------- stamp


def core_properties(appendix: Appendix) -> bytes:
    """Trace a clerk's file back: plangen version, catalog id and hash, unit."""
    description = (
        f"plangen {__version__}; catalog {appendix.catalog} "
        f"sha256:{appendix.catalog_hash}; unit {appendix.unit}"
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(appendix.label)} - {escape(appendix.title)}</dc:title>"
        f"<dc:subject>{escape(appendix.index)} {appendix.year}</dc:subject>"
        f"<dc:creator>plangen {__version__}</dc:creator>"
        f"<cp:keywords>{escape(appendix.catalog)} {escape(appendix.unit)}</cp:keywords>"
        f"<dc:description>{escape(description)}</dc:description>"
        "</cp:coreProperties>"
    ).encode()
