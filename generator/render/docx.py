"""Appendix -> DOCX bytes, from a real .docx template an office may restyle.

The template contract (docs/templates.md):
- the body holds ``{{ label }}``, ``{{ title }}``, ``{{ guide }}`` and a paragraph of its
  own with ``{{p table }}``; the table is built here, from the `Appendix` alone, so column
  order, labels and widths follow the catalog;
- the table's paragraphs use the template's styles found by their *names* ("PL Ô", "PL Ô
  mục", …: see `TABLE_STYLES`), so a template saved by another word processor, which renames
  style ids, keeps working; a missing style is a clear error;
- anything else in Jinja (in the body, headers or footers) is rendered by docxtpl in the
  template sandbox of sandbox.py with a small documented context (`context`).

A template with only the four placeholders is filled by substitution (fast, no template
engine): docxtpl cleans its body once (joining tags Word split across runs) and the result
is cached on disk, keyed by the template's bytes and the plangen and docxtpl versions, and
checked again on every use. Output is deterministic: fixed zip dates, core properties
written here (title, the issuing unit as author, catalog id and hash).
"""

from __future__ import annotations

import hashlib
import io
import math
import os
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator import __version__
from generator.core.errors import UserError, Where
from generator.core.text import nfc
from generator.render.ooxml import el, escape, paragraph, props
from generator.resolve.appendix import Appendix, Row
from generator.write.files import write_atomic

CENTERED = {"stt", "deadline"}
BORDER = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
NBSP = "\u00a0"
_BODY = re.compile(r"(<w:body>)(.*)(</w:body>)", re.S)
_SECT = re.compile(r"<w:sectPr\b.*?</w:sectPr>", re.S)
_PLACEHOLDER = re.compile(r"\{\{\s*(label|title|guide|table)\s*\}\}")
_JINJA = re.compile(r"\{\{|\{%|\{#")
_STYLE = re.compile(
    r'<w:style\b(?=[^>]*w:type="paragraph")[^>]*w:styleId="([^"]+)"[^>]*>.*?'
    r'<w:name w:val="([^"]+)"',
    re.S,
)
HEADER_FOOTER = re.compile(r"word/(header|footer)\d*\.xml$")

# The styles the table is written with, by role: the name a template must have.
TABLE_STYLES = {
    "header": "PL Ô tiêu đề cột",
    "section": "PL Ô mục",
    "section_code": "PL Ô mã mục",
    "cell": "PL Ô",
    "cell_center": "PL Ô giữa",
}

# A row whose tallest cell needs at most this many lines is kept on one page (w:cantSplit);
# a taller row may break across pages, its paragraphs' widow control keeping two lines on
# each side. Lines are estimated from the text length and the column width (below).
SHORT_ROW_LINES = 8
CHAR_MM = 2.25  # mean advance of 13 pt Times New Roman in Vietnamese text
TITLE_CHAR_MM = 2.95  # 14 pt bold capitals
CELL_MARGIN_TWIPS = 85


@dataclass(frozen=True)
class Template:
    path: Path
    data: bytes
    parts: dict[str, bytes]
    source: str  # word/document.xml with the body cleaned into Jinja syntax
    text_width: int  # twips between the margins
    plain: bool  # only the four placeholders: filled by substitution, no template engine
    styles: dict[str, str]  # TABLE_STYLES role -> this template's style id

    def render(self, appendix: Appendix, numbered_columns: bool = False) -> bytes:
        parts = self.render_parts(appendix, numbered_columns)
        parts["docProps/core.xml"] = core_properties(appendix)
        return pack(parts)

    def render_parts(self, appendix: Appendix, numbered_columns: bool = False) -> dict[str, bytes]:
        """The filled template's parts (the whole plan takes its body from them)."""
        values = {
            "label": escape(appendix.label),
            "title": title_xml(appendix, self.text_width),
            "guide": escape(appendix.guide),
            "table": table_xml(appendix, self.text_width, numbered_columns, self.styles),
        }
        if not self.plain:
            return _render_with_docxtpl(self, context(appendix, values))
        parts = dict(self.parts)
        parts["word/document.xml"] = _PLACEHOLDER.sub(
            lambda m: values[m.group(1)], self.source
        ).encode("utf-8")
        return parts


def context(appendix: Appendix, values: dict[str, str]) -> dict:
    """What a template's Jinja may use (docs/templates.md); the XML parts are ready-made."""
    from markupsafe import Markup

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


def pack(parts: dict[str, bytes]) -> bytes:
    """The parts as a DOCX (zip) with fixed dates: the same parts give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return out.getvalue()


# --------------------------------------------------------------------------- templating


def _render_with_docxtpl(template: Template, ctx: dict) -> dict[str, bytes]:
    """docxtpl's own render (body, headers, footers, properties) in the template sandbox."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    from generator.core.sandbox import RefusedTemplate, jinja_message, template_environment

    tpl = DocxTemplate(io.BytesIO(template.data))
    try:
        tpl.render(ctx, jinja_env=template_environment(), autoescape=True)
    except RefusedTemplate as exc:
        raise UserError(
            f"mẫu, {_part(tpl, exc)}: {exc.message}" + _line(exc), Where(template.path)
        ) from None
    except TemplateError as exc:
        raise UserError(
            f"mẫu, {_part(tpl, exc)}: thẻ Jinja sai: {jinja_message(exc)}" + _line(exc),
            Where(template.path),
        ) from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:  # a value's fault
        raise UserError(
            f"mẫu, {_part(tpl, exc)}: phép tính không làm được ({type(exc).__name__})",
            Where(template.path),
        ) from None
    except Exception as exc:  # the filled XML does not parse (lxml): a tag cut by Jinja
        if type(exc).__module__.startswith("lxml"):
            raise UserError(
                f"mẫu, {_part(tpl, exc)}: sau khi điền, XML không hợp lệ (thẻ Jinja cắt "
                "ngang một phần tử Word?)",
                Where(template.path),
            ) from None
        raise
    out = io.BytesIO()
    tpl.save(out)
    with zipfile.ZipFile(out) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _part(tpl, exc: Exception) -> str:
    """Where in the template: "phần thân, đoạn 3", "header1.xml, đoạn 1"."""
    part = getattr(getattr(tpl, "current_rendering_part", None), "partname", "")
    name = str(part).rsplit("/", 1)[-1]
    where = "phần thân" if name in ("", "document.xml") else name
    line = getattr(exc, "lineno", None) or 0
    return f"{where}, đoạn {max(line - 1, 1)}" if line else where


def _line(exc: Exception) -> str:
    context = getattr(exc, "docx_context", None)
    if context:
        near = " ".join(" ".join(context).split())[:80]
        return f" (gần: {near})" if near else ""
    return ""


# --------------------------------------------------------------------------- loading


def cache_dir() -> Path:
    base = os.environ.get("PLANGEN_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "plangen"
    )
    return Path(base)


def load_template(path: Path) -> Template:
    """Read a template (kept per process while the file is unchanged: a batch uses it often)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise UserError(f"không đọc được mẫu DOCX: {exc.strerror}", Where(path)) from None
    return _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> Template:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise UserError(f"không đọc được mẫu DOCX: {exc.strerror}", Where(Path(path))) from None
    return read_template(Path(path), data)


MAX_TEMPLATE_BYTES = 20_000_000  # the .docx file
MAX_UNPACKED = 30_000_000  # all its parts, unpacked (a zip bomb stops here)
REQUIRED_PARTS = ("[Content_Types].xml", "word/_rels/document.xml.rels", "word/document.xml")


def read_template(path: Path, data: bytes) -> Template:
    if len(data) > MAX_TEMPLATE_BYTES:
        raise UserError("mẫu quá lớn (trên 20 MB)", Where(path))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_UNPACKED:
                raise UserError("mẫu giải nén ra quá lớn (trên 30 MB)", Where(path))
            parts = {name: zf.read(name) for name in zf.namelist()}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise UserError("mẫu không phải tệp .docx hợp lệ", Where(path)) from None
    except (RuntimeError, NotImplementedError):  # encrypted, or an unknown compression
        raise UserError(
            "mẫu .docx được mã hóa hoặc nén theo cách không đọc được", Where(path)
        ) from None
    except Exception as exc:  # zlib.error and the like: a damaged file, not a bug
        if type(exc).__module__ in ("zlib", "zipfile"):
            raise UserError("mẫu .docx bị hỏng", Where(path)) from None
        raise
    missing = [name for name in REQUIRED_PARTS if name not in parts]
    if missing:
        raise UserError("mẫu thiếu phần " + ", ".join(missing), Where(path))
    _check_xml(path, parts)
    try:
        document = parts["word/document.xml"].decode("utf-8")
        styles_xml = parts.get("word/styles.xml", b"").decode("utf-8")
        others = [parts[n].decode("utf-8") for n in parts if HEADER_FOOTER.match(n)]
    except UnicodeDecodeError:
        raise UserError("mẫu có phần XML không phải UTF-8", Where(path)) from None
    source = _cleaned(path, data, document)
    plain = not _JINJA.search(_PLACEHOLDER.sub("", source)) and not any(
        _JINJA.search(x) for x in others
    )
    return Template(
        path, data, parts, source, _text_width(source), plain, _table_styles(path, styles_xml)
    )


def _check_xml(path: Path, parts: dict[str, bytes]) -> None:
    """Every XML part parses (a part Word cannot read would make every output unreadable)."""
    from xml.etree.ElementTree import ParseError, XMLParser

    for name, data in parts.items():
        if not name.endswith((".xml", ".rels")):
            continue
        parser = XMLParser()
        try:
            parser.feed(data)
            parser.close()
        except ParseError as exc:
            line = exc.position[0] if exc.position else 0
            raise UserError(
                f"mẫu: phần {name} không phải XML hợp lệ (dòng {line})", Where(path)
            ) from None


def _cache_key(data: bytes) -> str:
    return hashlib.sha256(
        data + f"|plangen {__version__}|docxtpl {_docxtpl_version()}".encode()
    ).hexdigest()[:24]


@lru_cache(maxsize=1)
def _docxtpl_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("docxtpl")
    except PackageNotFoundError:  # pragma: no cover
        return "?"


def _cleaned(path: Path, data: bytes, document: str) -> str:
    """The body cleaned by docxtpl, from the cache when a valid copy is there."""
    cached = cache_dir() / f"template-{_cache_key(data)}.xml"
    try:
        source = cached.read_text(encoding="utf-8")
        if _placeholders_ok(source):  # checked again: a damaged cache is cleaned anew
            return source
    except (OSError, UnicodeDecodeError):
        pass
    source = _clean(path, document)
    try:
        write_atomic(cached, source.encode("utf-8"), force=True)
    except (OSError, UserError):
        pass  # no writable cache: clean again next time
    return source


REQUIRED = {
    "label": r"\{\{\s*label\s*\}\}",
    "title": r"\{\{\s*title\s*\}\}",
    "guide": r"\{\{\s*guide\s*\}\}",
    "table": r"\{\{p\s+table\s*\}\}",
}


def _missing_placeholders(body_text: str) -> list[str]:
    shown = {
        "label": "{{ label }}",
        "title": "{{ title }}",
        "guide": "{{ guide }}",
        "table": "{{p table }}",
    }
    return [shown[k] for k, pattern in REQUIRED.items() if not re.search(pattern, body_text)]


def _placeholders_ok(cleaned: str) -> bool:
    """The cleaned body still has its four placeholders (the table one as docxtpl left it)."""
    return bool(_BODY.search(cleaned)) and all(
        re.search(rf"\{{\{{\s*{name}\s*\}}\}}", cleaned)
        for name in ("label", "title", "guide", "table")
    )


def _clean(path: Path, source: str) -> str:
    """Let docxtpl join the Jinja tags Word split across runs; check the placeholders."""
    body = _BODY.search(source)
    if not body:
        raise UserError("mẫu không có phần thân <w:body>", Where(path))
    missing = _missing_placeholders(re.sub(r"<[^>]+>", "", body.group(2)))
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


def _table_styles(path: Path, styles_xml: str) -> dict[str, str]:
    """Each table style's id in this template, found by its name."""
    by_name = {nfc(name).casefold(): sid for sid, name in _STYLE.findall(styles_xml)}
    found, missing = {}, []
    for role, name in TABLE_STYLES.items():
        sid = by_name.get(nfc(name).casefold())
        if sid is None:
            missing.append(f'"{name}"')
        else:
            found[role] = sid
    if missing:
        raise UserError(
            "mẫu thiếu kiểu đoạn (style) " + ", ".join(missing) + ": bảng phụ lục dùng các kiểu "
            "này theo tên; đặt lại đúng tên kiểu trong Word",
            Where(path),
        )
    return found


def _text_width(document_xml: str) -> int:
    """Page width less the left and right margins of the last section, in twips."""
    sect = _SECT.findall(document_xml)
    sect_xml = sect[-1] if sect else ""
    size = re.search(r'<w:pgSz\b[^>]*\bw:w="(\d+)"', sect_xml)
    left = re.search(r'<w:pgMar\b[^>]*\bw:left="(\d+)"', sect_xml)
    right = re.search(r'<w:pgMar\b[^>]*\bw:right="(\d+)"', sect_xml)
    width = int(size.group(1)) if size else 16838
    return width - (int(left.group(1)) if left else 1701) - (int(right.group(1)) if right else 850)


# --------------------------------------------------------------------------- text


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


def _row(cells: str, header: bool = False, cant_split: bool = False) -> str:
    trpr = props(
        "w:trPr", el("w:cantSplit") if cant_split else "", el("w:tblHeader") if header else ""
    )
    return f"<w:tr>{trpr}{cells}</w:tr>"


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


def core_properties(appendix: Appendix) -> bytes:
    """Trace a clerk's file back: the issuing unit, catalog id and hash, plangen version."""
    description = (
        f"plangen {__version__}; catalog {appendix.catalog} "
        f"sha256:{appendix.catalog_hash}; unit {appendix.unit}"
    )
    author = escape(appendix.issuer or appendix.unit_name)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(appendix.label)} - {escape(appendix.title)}</dc:title>"
        f"<dc:subject>{escape(appendix.index)} {appendix.year}</dc:subject>"
        f"<dc:creator>{author}</dc:creator>"
        f"<cp:keywords>{escape(appendix.catalog)} sha256:{escape(appendix.catalog_hash)} "
        f"{escape(appendix.unit)}</cp:keywords>"
        f"<dc:description>{escape(description)}</dc:description>"
        f"<cp:lastModifiedBy>{author}</cp:lastModifiedBy>"
        "<dc:language>vi-VN</dc:language>"
        "</cp:coreProperties>"
    ).encode()
