"""`Plan` + appendices -> the whole plan as one DOCX: the body on A4 portrait, then each
appendix in its own A4 landscape section, numbered from its own page 1.

The appendices come filled from templates/appendix.docx exactly as the separate appendix
files (render/appendix.py: same title block, table, "PL …" styles, headers, page setup);
this module takes their body and section properties from those parts, built once, and puts
them after the plan body. The body uses the "KH …" styles of templates/ke-hoach.docx (built
by templates/build_plan_template.py), merged into the appendix template's styles.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from generator import __version__
from generator.core.errors import UserError, Where
from generator.core.files import MB, read_bounded
from generator.core.fonts import twips as text_width
from generator.core.package import Package
from generator.render.ooxml import core_properties, el, escape, pack, props
from generator.render.tablefit import glue
from generator.render.template import Template
from generator.resolve.plan import Paragraph, Plan

PLAN_TEMPLATE = "ke-hoach.docx"
A4_W, A4_H = 11906, 16838
MM = 1440 / 25.4
MARGINS = {"top": 20, "bottom": 20, "left": 30, "right": 15}  # mm, Nghị định 30
TEXT_WIDTH = A4_W - round(MARGINS["left"] * MM) - round(MARGINS["right"] * MM)
CELL_MARGIN = 108  # twips each side, as TableNormal
MAX_OUTDENT = round(15 * MM)  # how far the header table may reach into the left margin
SIGNATURE_LINES = 4  # empty lines left for the signature and the seal
BODY_SIZE = 14  # points, the body's paragraphs
# A body's name in running text is kept on one line (no-break spaces) when it takes at most
# a third of a line; a longer one in pieces of at most that ("Trung tâm Phục vụ | hành
# chính công"), so that a justified line never stretches far round it.
NAME_ROOM = TEXT_WIDTH / 3 / (BODY_SIZE * 20)  # ems

_BODY = re.compile(r"<w:body>(.*)</w:body>", re.S)
_STYLE = re.compile(r'<w:style\b[^>]*\bw:styleId="(KH[^"]*)".*?</w:style>', re.S)
_HEADER_REF = re.compile(r"<w:(?:header|footer)Reference\b[^>]*/>")
_ROOT = re.compile(r"<w:document\b[^>]*>")


def plan_file_name(slug: str, year: int) -> str:
    return f"{slug}-ke-hoach-{year}.docx"


# --------------------------------------------------------------------------- template


def body_styles(path: Path) -> str:
    """The "KH …" style elements of the plan template (kept while the file is unchanged)."""
    try:
        stat = path.stat()
    except OSError as exc:
        raise _unreadable(path, exc) from None
    return _body_styles(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4)
def _body_styles(name: str, mtime_ns: int, size: int) -> str:
    path = Path(name)
    try:
        data = read_bounded(path, 20 * MB, "mẫu thân kế hoạch")
        with Package(data, Where(path), "mẫu thân kế hoạch") as package:
            xml = package.read("word/styles.xml").decode("utf-8")
    except (UserError, UnicodeDecodeError) as exc:
        raise _unreadable(path, exc) from None
    found = "".join(m.group(0) for m in _STYLE.finditer(xml))
    if 'w:styleId="KHBody"' not in found:
        raise UserError('mẫu thân kế hoạch thiếu các kiểu "KH …" (KHBody, …)', Where(path))
    return found


def _unreadable(path: Path, exc: Exception) -> UserError:
    reason = exc.message if isinstance(exc, UserError) else str(exc)
    return UserError(
        f"không đọc được mẫu thân kế hoạch ({reason}); "
        "tạo lại bằng: python templates/build_plan_template.py",
        Where(path),
    )


# --------------------------------------------------------------------------- XML pieces


def _run(text: str, *rpr: str) -> str:
    props_xml = props("w:rPr", *rpr)
    lines = text.split("\n")
    inner = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in lines)
    return f"<w:r>{props_xml}{inner}</w:r>"


def _p(style: str, runs: str = "", *ppr: str) -> str:
    return f"<w:p>{props('w:pPr', el('w:pStyle', val=style), *ppr)}{runs}</w:p>"


def _text(style: str, text: str, *ppr: str) -> str:
    return _p(style, _run(text) if text else "", *ppr)


def _rule(width: int, cell: int) -> str:
    """A centred horizontal rule `width` twips long in a column `cell` twips wide."""
    side = max(0, (cell - 2 * CELL_MARGIN - width) // 2)
    return _p("KHRule", "", el("w:ind", left=side, right=side))


def _cell(width: int, content: str) -> str:
    tcpr = props("w:tcPr", el("w:tcW", w=width, type="dxa"))
    return f"<w:tc>{tcpr}{content}</w:tc>"


def _table(
    widths: list[int], rows: list[list[str]], indent: int = 0, keep_rows: bool = False
) -> str:
    """A table without borders (the header and the signature block); `keep_rows`: a row
    never splits across pages."""
    none = "".join(
        f'<w:{side} w:val="nil"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    tblpr = props(
        "w:tblPr",
        el("w:tblW", w=sum(widths), type="dxa"),
        el("w:tblInd", w=indent, type="dxa"),
        f"<w:tblBorders>{none}</w:tblBorders>",
        el("w:tblLayout", type="fixed"),
        f'<w:tblCellMar><w:left w:w="{CELL_MARGIN}" w:type="dxa"/>'
        f'<w:right w:w="{CELL_MARGIN}" w:type="dxa"/></w:tblCellMar>',
        el(
            "w:tblLook",
            val="0000",
            firstRow=0,
            lastRow=0,
            firstColumn=0,
            lastColumn=0,
            noHBand=1,
            noVBand=1,
        ),
    )
    grid = "".join(el("w:gridCol", w=w) for w in widths)
    trpr = props("w:trPr", el("w:cantSplit") if keep_rows else "")
    body = "".join(
        f"<w:tr>{trpr}" + "".join(_cell(w, c) for w, c in zip(widths, row, strict=True)) + "</w:tr>"
        for row in rows
    )
    return f"<w:tbl>{tblpr}<w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"


# --------------------------------------------------------------------------- body parts


def header_columns(need_left: int, need_right: int) -> tuple[int, int]:
    """The widths of the header's columns for their longest lines (twips).

    The left column is 40 % of the text width or as wide as its longest line, but at most
    half the text width plus the outdent, and never so wide that the Quốc hiệu does not fit
    beside it: a longer name wraps. The two columns together reach at most MAX_OUTDENT into
    the left margin and never into the right one."""
    pad = 2 * CELL_MARGIN + round(2 * MM)  # cell margins and 2 mm to spare
    most = TEXT_WIDTH + MAX_OUTDENT
    right_least = need_right + 2 * CELL_MARGIN  # the Quốc hiệu on one line
    left = min(
        max(round(TEXT_WIDTH * 0.4), need_left + pad),
        TEXT_WIDTH // 2 + MAX_OUTDENT,
        most - right_least,
    )
    right = max(TEXT_WIDTH - left, min(need_right + pad, most - left))
    return left, right


def header_xml(plan: Plan) -> str:
    """Nghị định 30 header: issuing body | Quốc hiệu, Tiêu ngữ; Số | place and date."""
    left_lines = [(plan.authority, 12, False)] if plan.authority else []
    left_lines += [(line, 12, True) for line in plan.issuer_lines]
    need_left = max([text_width(t, s, b) for t, s, b in left_lines] + [text_width(plan.number, 13)])
    need_right = max(
        text_width(plan.national, 12, True),
        text_width(plan.motto, 13, True),
        text_width(plan.place_date, 14),
    )
    left, right = header_columns(need_left, need_right)
    outdent = max(0, left + right - TEXT_WIDTH)

    names = "".join(
        _text("KHAuthority" if not bold else "KHIssuer", text) for text, _, bold in left_lines
    )
    # a name wider than its column wraps: the rule is measured on the column then
    issuer_width = min(
        max(text_width(line, 12, True) for line in plan.issuer_lines), left - 2 * CELL_MARGIN
    )
    # 1/3-1/2 of the name (Nghị định 30), but never a stub under a short name ("SỞ Y TẾ")
    names += _rule(max(min(round(15 * MM), issuer_width), round(issuer_width * 0.4)), left)
    national = (
        _text("KHNational", plan.national)
        + _text("KHMotto", plan.motto)
        + _rule(text_width(plan.motto, 13, True), right)
    )
    number = _text("KHNumber", plan.number)
    place = _text("KHPlaceDate", plan.place_date)
    return _table([left, right], [[names, national], [number, place]], -outdent)


def title_xml(plan: Plan) -> str:
    widest = max(text_width(line, 14, True) for line in plan.title.split("\n"))
    rule = min(widest, TEXT_WIDTH) // 3
    side = (TEXT_WIDTH - rule) // 2
    return (
        _text("KHDocType", plan.doc_type)
        + _text("KHTitle", plan.title)
        + _p("KHRule", "", el("w:ind", left=side, right=side))
    )


STYLES = {"part": "KHPart", "item": "KHItem", "point": "KHPoint", "text": "KHBody"}


@lru_cache(maxsize=64)
def _name_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    """The bodies' names in running text, the longest first; the first letter either case."""
    alternatives = [
        f"[{re.escape(n[0].upper())}{re.escape(n[0].lower())}]{re.escape(n[1:])}"
        for n in sorted(set(names), key=lambda n: (-len(n), n))
        if " " in n
    ]
    if not alternatives:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")


def keep_names(text: str, names: tuple[str, ...]) -> str:
    """`text` with the bodies' `names` unbreakable, whole or in pieces (NAME_ROOM)."""
    pattern = _name_pattern(names) if names and " " in text else None
    if pattern is None:
        return text
    return pattern.sub(lambda m: glue(m.group(0), NAME_ROOM), text)


def body_names(plan: Plan) -> tuple[str, ...]:
    """The names kept together in the body: every body with a duty in the appendices."""
    return tuple(sorted({d.body for d in plan.duties}))


def paragraph_xml(p: Paragraph, *ppr: str, names: tuple[str, ...] = ()) -> str:
    """One body paragraph; the bodies' `names` in it kept together (keep_names)."""
    style = STYLES[p.style]
    if p.italic and p.number:
        text = _run(keep_names(p.text, names), el("w:rStyle", val="KHEmphasis"))
        return _p(style, _run(p.number + " ") + text, *ppr)
    return _text(style, keep_names(p.full, names), *ppr)


def signature_xml(plan: Plan) -> str:
    left = round(TEXT_WIDTH * 0.55)
    right = TEXT_WIDTH - left
    recipients = _text("KHRecipientsLabel", "Nơi nhận:") + "".join(
        _text("KHRecipient", line, el("w:ind", left=142, hanging=142)) for line in plan.recipients
    )
    signer = "".join(
        _text("KHSigner" if n == 0 else "KHSignerName", line) for n, line in enumerate(plan.signer)
    )
    signer += "".join(_p("KHSignerName") for _ in range(SIGNATURE_LINES))
    signer += _text("KHSignerName", plan.signer_name)
    return _table([left, right], [[recipients, signer]], keep_rows=True)


def body_xml(plan: Plan, after_title: str = "") -> str:
    """Header, title (then `after_title`, such as a report's "Kính gửi" line), paragraphs,
    signature; the last paragraph stays with the signature (a page holding only the
    signature is not signed); the bodies' names are not broken."""
    *paragraphs, last = plan.paragraphs or [None]
    names = body_names(plan)
    return (
        header_xml(plan)
        + title_xml(plan)
        + after_title
        + "".join(paragraph_xml(p, names=names) for p in paragraphs)
        + (paragraph_xml(last, el("w:keepNext"), names=names) if last else "")
        + signature_xml(plan)
    )


def body_section(header_refs: str) -> str:
    """Section properties of the body: A4 portrait, no number on its first page."""
    return props(
        "w:sectPr",
        header_refs,
        el("w:pgSz", w=A4_W, h=A4_H),
        el(
            "w:pgMar",
            top=round(MARGINS["top"] * MM),
            right=round(MARGINS["right"] * MM),
            bottom=round(MARGINS["bottom"] * MM),
            left=round(MARGINS["left"] * MM),
            header=round(10 * MM),
            footer=round(10 * MM),
            gutter=0,
        ),
        el("w:pgNumType", start=1),
        el("w:titlePg"),
    )


# --------------------------------------------------------------------------- appendices


def _appendix_body(parts: dict[str, bytes]):
    """(content, section properties, document root tag) of a filled appendix."""
    xml = parts["word/document.xml"].decode("utf-8")
    body = _BODY.search(xml)
    root = _ROOT.search(xml)
    assert body and root, "the appendix template has no <w:body>"
    inner = body.group(1)
    start = inner.rfind("<w:sectPr")
    return inner[:start], inner[start:], root.group(0)


def _end_section(content: str, sect: str) -> str:
    """`content` with `sect` in its last paragraph (a section that is not the last one)."""
    if content.endswith("</w:p>"):
        start = max(content.rfind("<w:p>"), content.rfind("<w:p "))
        para = content[start:]
        if "</w:pPr>" in para:
            para = para.replace("</w:pPr>", sect + "</w:pPr>", 1)
        else:
            para = para.replace(">", f"><w:pPr>{sect}</w:pPr>", 1)
        return content[:start] + para
    return content + f"<w:p><w:pPr>{sect}</w:pPr></w:p>"


# --------------------------------------------------------------------------- package


def render_plan(
    plan: Plan,
    appendices: list[dict[str, bytes]],
    template: Template,
    kh_styles: str,
    after_title: str = "",
) -> bytes:
    """The DOCX bytes: the appendix template's package with the body in front, then the
    appendices, each given as its filled template parts (render/appendix.appendix_parts).
    `after_title` is XML placed under the trích yếu (a report's "Kính gửi" line)."""
    sections = [_appendix_body(parts) for parts in appendices]
    if sections:
        header_refs = "".join(_HEADER_REF.findall(sections[0][1]))
        root = sections[0][2]
    else:
        source = template.parts["word/document.xml"].decode("utf-8")
        refs = _HEADER_REF.findall(source)
        header_refs, root = "".join(refs), _ROOT.search(source).group(0)
    # The body's section ends in a paragraph after the signature table; its mark is tiny so
    # that it never spills onto a page of its own.
    tiny = '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr>'
    body = body_xml(plan, after_title) + _p("KHBody", "", el("w:spacing", before=0, line=240), tiny)
    if not sections:
        parts = [body + body_section(header_refs)]
    else:
        parts = [_end_section(body, body_section(header_refs))]
    for n, (content, sect, _) in enumerate(sections):
        parts.append(content + sect if n == len(sections) - 1 else _end_section(content, sect))
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f"{root}<w:body>{''.join(parts)}</w:body></w:document>"
    )
    styles = template.parts["word/styles.xml"].decode("utf-8")
    styles = styles.replace("</w:styles>", kh_styles + "</w:styles>")
    parts = dict(template.parts)
    parts["word/document.xml"] = document.encode("utf-8")
    parts["word/styles.xml"] = styles.encode("utf-8")
    parts["docProps/core.xml"] = plan_properties(plan)
    return pack(parts)


def plan_properties(plan: Plan) -> bytes:
    """Title, author (the issuing unit) and a stamp: plangen version, catalog ids and hashes."""
    keywords = "; ".join(f"{cid} sha256:{digest}" for cid, digest in plan.sources)
    return core_properties(
        title=f"{plan.doc_type.capitalize()} {plan.title.replace(chr(10), ' ')}",
        subject=f"PAR INDEX, SIPAS {plan.year}",
        creator=plan.issuer_name,
        keywords=keywords,
        description=f"plangen {__version__}; unit {plan.unit}; {keywords}",
    )
