"""Raw WordprocessingML, in one place, with children in the order the schema requires.

Word refuses (or silently "repairs") a property element whose children are out of
schema order, so every property block plangen writes goes through `props`, which sorts
the children by the sequences below (ECMA-376 Part 1, §17).
"""

from __future__ import annotations

import io
import re
import zipfile

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

SCHEMA_ORDER: dict[str, tuple[str, ...]] = {
    "w:rPr": (
        "w:rStyle",
        "w:rFonts",
        "w:b",
        "w:bCs",
        "w:i",
        "w:iCs",
        "w:caps",
        "w:smallCaps",
        "w:strike",
        "w:dstrike",
        "w:outline",
        "w:shadow",
        "w:emboss",
        "w:imprint",
        "w:noProof",
        "w:snapToGrid",
        "w:vanish",
        "w:webHidden",
        "w:color",
        "w:spacing",
        "w:w",
        "w:kern",
        "w:position",
        "w:sz",
        "w:szCs",
        "w:highlight",
        "w:u",
        "w:effect",
        "w:bdr",
        "w:shd",
        "w:fitText",
        "w:vertAlign",
        "w:rtl",
        "w:cs",
        "w:em",
        "w:lang",
        "w:eastAsianLayout",
        "w:specVanish",
        "w:oMath",
    ),
    "w:pPr": (
        "w:pStyle",
        "w:keepNext",
        "w:keepLines",
        "w:pageBreakBefore",
        "w:framePr",
        "w:widowControl",
        "w:numPr",
        "w:suppressLineNumbers",
        "w:pBdr",
        "w:shd",
        "w:tabs",
        "w:suppressAutoHyphens",
        "w:kinsoku",
        "w:wordWrap",
        "w:overflowPunct",
        "w:topLinePunct",
        "w:autoSpaceDE",
        "w:autoSpaceDN",
        "w:bidi",
        "w:adjustRightInd",
        "w:snapToGrid",
        "w:spacing",
        "w:ind",
        "w:contextualSpacing",
        "w:mirrorIndents",
        "w:suppressOverlap",
        "w:jc",
        "w:textDirection",
        "w:textAlignment",
        "w:textboxTightWrap",
        "w:outlineLvl",
        "w:divId",
        "w:cnfStyle",
        "w:rPr",
        "w:sectPr",
        "w:pPrChange",
    ),
    "w:tblPr": (
        "w:tblStyle",
        "w:tblpPr",
        "w:tblOverlap",
        "w:bidiVisual",
        "w:tblStyleRowBandSize",
        "w:tblStyleColBandSize",
        "w:tblW",
        "w:jc",
        "w:tblCellSpacing",
        "w:tblInd",
        "w:tblBorders",
        "w:shd",
        "w:tblLayout",
        "w:tblCellMar",
        "w:tblLook",
    ),
    "w:trPr": (
        "w:cnfStyle",
        "w:divId",
        "w:gridBefore",
        "w:gridAfter",
        "w:wBefore",
        "w:wAfter",
        "w:cantSplit",
        "w:trHeight",
        "w:tblHeader",
        "w:tblCellSpacing",
        "w:jc",
        "w:hidden",
    ),
    "w:tcPr": (
        "w:cnfStyle",
        "w:tcW",
        "w:gridSpan",
        "w:hMerge",
        "w:vMerge",
        "w:tcBorders",
        "w:shd",
        "w:noWrap",
        "w:tcMar",
        "w:textDirection",
        "w:tcFitText",
        "w:vAlign",
        "w:hideMark",
    ),
    "w:sectPr": (
        "w:headerReference",
        "w:footerReference",
        "w:footnotePr",
        "w:endnotePr",
        "w:type",
        "w:pgSz",
        "w:pgMar",
        "w:paperSrc",
        "w:pgBorders",
        "w:lnNumType",
        "w:pgNumType",
        "w:cols",
        "w:formProt",
        "w:vAlign",
        "w:noEndnote",
        "w:titlePg",
        "w:textDirection",
        "w:bidi",
        "w:rtlGutter",
        "w:docGrid",
    ),
}


def escape(text: str) -> str:
    """Text for XML content or a double-quoted attribute (xml.sax.saxutils drags in
    urllib and http at import time: 20 ms of a CLI call)."""
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


_RANK = {parent: {tag: n for n, tag in enumerate(tags)} for parent, tags in SCHEMA_ORDER.items()}
_TAG_END = re.compile(r"[ />]")


def _tag_of(xml: str) -> str:
    return xml[1 : _TAG_END.search(xml, 1).start()]


def props(parent: str, *children: str) -> str:
    """``<parent>`` holding `children` (XML strings) sorted into schema order."""
    rank = _RANK[parent]
    kids = sorted((c for c in children if c), key=lambda c: rank[_tag_of(c)])
    return f"<{parent}>{''.join(kids)}</{parent}>" if kids else ""


def el(tag: str, **attrs: str | int) -> str:
    """An empty element: ``el("w:jc", val="center")`` -> ``<w:jc w:val="center"/>``."""
    text = "".join(
        f' {k.replace("__", ":") if "__" in k else "w:" + k}="{escape(str(v))}"'
        for k, v in attrs.items()
    )
    return f"<{tag}{text}/>"


def fonts(name: str) -> str:
    """``w:rFonts`` naming `name` in all four slots and no East Asian hint."""
    return el("w:rFonts", ascii=name, hAnsi=name, eastAsia=name, cs=name)


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def paragraph(style: str, text: str = "", *extra_ppr: str) -> str:
    ppr = props("w:pPr", el("w:pStyle", val=style), *extra_ppr)
    return f"<w:p>{ppr}{run(text) if text else ''}</w:p>"


def page_field() -> str:
    """The runs of a PAGE field (the number Word fills in on each page)."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        "<w:r><w:t>2</w:t></w:r>"
        '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    )


def pack(parts: dict[str, bytes]) -> bytes:
    """The parts as a DOCX (zip) with fixed dates: the same parts give the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return out.getvalue()


def core_properties(
    title: str,
    subject: str,
    creator: str,
    keywords: str,
    description: str,
    last_modified_by: bool = False,
    language: str | None = None,
) -> bytes:
    """docProps/core.xml: what a clerk's file says of itself (title, the issuing unit as
    author) and a stamp tracing it back (plangen version, catalog ids and hashes)."""
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
        'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<dc:title>{escape(title)}</dc:title>"
        f"<dc:subject>{escape(subject)}</dc:subject>"
        f"<dc:creator>{escape(creator)}</dc:creator>"
        f"<cp:keywords>{escape(keywords)}</cp:keywords>"
        f"<dc:description>{escape(description)}</dc:description>"
        + (f"<cp:lastModifiedBy>{escape(creator)}</cp:lastModifiedBy>" if last_modified_by else "")
        + (f"<dc:language>{language}</dc:language>" if language else "")
        + "</cp:coreProperties>"
    ).encode()
