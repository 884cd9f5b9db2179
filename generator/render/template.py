"""An office's Word template: read once, checked, and filled.

The template contract (docs/templates.md):
- the body holds ``{{ label }}``, ``{{ title }}``, ``{{ guide }}`` and a paragraph of its
  own with ``{{p table }}``; what fills them is ready-made XML (render/appendix.py);
- the table's paragraphs use the template's styles found by their *names* ("PL Ô", "PL Ô
  mục", …: see `TABLE_STYLES`), so a template saved by another word processor, which renames
  style ids, keeps working; a missing style is a clear error;
- anything else in Jinja (in the body, headers or footers) is rendered by docxtpl in the
  template sandbox (render/sandbox.py) with a small documented context, in a child process
  whose memory and CPU time the system bounds (core/isolate.py): whatever an expression
  builds, the answer comes within 5 seconds.

The file comes from the office, so it is read bounded (a regular file, 20 MB) and opened
as a checked package (core/package.py) before anything parses it. A template with only the
four placeholders is filled by substitution (fast, no template engine): docxtpl cleans its
body once (joining tags Word split across runs) and the result is cached on disk, keyed by
the template's bytes and the plangen and docxtpl versions, and checked again on every use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.core import cache
from generator.core.errors import UserError, Where
from generator.core.files import MB, read_bounded
from generator.core.frozen import FrozenDict
from generator.core.package import Limits, Package
from generator.core.text import nfc

_BODY = re.compile(r"(<w:body>)(.*)(</w:body>)", re.S)
_SECT = re.compile(r"<w:sectPr\b.*?</w:sectPr>", re.S)
PLACEHOLDER = re.compile(r"\{\{\s*(label|title|guide|table)\s*\}\}")
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

MAX_TEMPLATE_BYTES = 20 * MB  # the .docx file
RENDER_SECONDS = 5.0  # one rendering of a template with Jinja of its own, CPU and wall time
TEMPLATE_LIMITS = Limits(parts=1000, unpacked=30 * MB, part=30 * MB, elements=2_000_000)
REQUIRED_PARTS = ("[Content_Types].xml", "word/_rels/document.xml.rels", "word/document.xml")
REQUIRED = {
    "label": (r"\{\{\s*label\s*\}\}", "{{ label }}"),
    "title": (r"\{\{\s*title\s*\}\}", "{{ title }}"),
    "guide": (r"\{\{\s*guide\s*\}\}", "{{ guide }}"),
    "table": (r"\{\{p\s+table\s*\}\}", "{{p table }}"),
}


@dataclass(frozen=True)
class Template:
    path: Path
    data: bytes
    parts: FrozenDict  # part name -> bytes
    source: str  # word/document.xml with the body cleaned into Jinja syntax
    text_width: int  # twips between the margins
    plain: bool  # only the four placeholders: filled by substitution, no template engine
    styles: FrozenDict  # TABLE_STYLES role -> this template's style id

    def fill(self, values: dict[str, str], context: dict | None = None) -> dict[str, bytes]:
        """The template's parts with the placeholders filled by `values` (ready-made XML);
        a template with Jinja of its own is rendered in the sandbox with `context`."""
        if not self.plain:  # the office's own Jinja: in a child the system bounds
            from generator.core.isolate import run_bounded
            from generator.render.jinja import render_docxtpl

            def render() -> dict[str, bytes]:
                return render_docxtpl(self.path, self.data, context or {})

            return run_bounded(render, "mẫu DOCX", Where(self.path), RENDER_SECONDS)
        parts = dict(self.parts)
        parts["word/document.xml"] = PLACEHOLDER.sub(
            lambda m: values[m.group(1)], self.source
        ).encode("utf-8")
        return parts


def load_template(path: Path) -> Template:
    """Read a template (kept per process while the file is unchanged: a batch uses it often)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise UserError(f"không đọc được mẫu DOCX: {exc.strerror}", Where(path)) from None
    return _load(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load(path: str, mtime_ns: int, size: int) -> Template:
    return read_template(Path(path), read_bounded(Path(path), MAX_TEMPLATE_BYTES, "mẫu DOCX"))


def read_template(path: Path, data: bytes) -> Template:
    with Package(data, Where(path), "mẫu DOCX", TEMPLATE_LIMITS) as package:
        parts = package.parts()
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
    plain = not _JINJA.search(PLACEHOLDER.sub("", source)) and not any(
        _JINJA.search(x) for x in others
    )
    return Template(
        path,
        data,
        FrozenDict(parts),
        source,
        _text_width(source),
        plain,
        FrozenDict(_table_styles(path, styles_xml)),
    )


def _check_xml(path: Path, parts) -> None:
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


def cache_name(data: bytes) -> str:
    """The cache entry of a template's cleaned body: its bytes, plangen's version and the
    code that cleans it (this module's and docxtpl's)."""
    return f"template-{cache.key(data, *cache.sources(Path(__file__)), *_docxtpl_code())}.xml"


@lru_cache(maxsize=1)
def _docxtpl_code() -> tuple[str, ...]:
    """docxtpl's source files, found but not imported (it brings Jinja; its version from the
    package metadata costs a walk over every installed package)."""
    from importlib.util import find_spec

    spec = find_spec("docxtpl")
    if spec is None or spec.origin is None:  # pragma: no cover - a dependency
        return ("docxtpl ?",)
    return ("docxtpl", *cache.sources(*Path(spec.origin).parent.glob("*.py")))


def _cleaned(path: Path, data: bytes, document: str) -> str:
    """The body cleaned by docxtpl, from the cache when a valid copy is there."""
    name = cache_name(data)
    try:
        source = (cache.read(name) or b"").decode("utf-8")
        if _placeholders_ok(source):  # checked again: a damaged cache is cleaned anew
            return source
    except UnicodeDecodeError:
        pass
    source = _clean(path, document)
    cache.write(name, source.encode("utf-8"))
    return source


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
    text = re.sub(r"<[^>]+>", "", body.group(2))
    missing = [shown for pattern, shown in REQUIRED.values() if not re.search(pattern, text)]
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
