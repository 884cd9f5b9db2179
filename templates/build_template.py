"""Rebuild templates/appendix.docx, the shipped appendix template, from this script.

    python templates/build_template.py

The template is an ordinary Word document: an office may open it in Word and restyle it
(fonts and sizes of the "PL …" styles, margins, the page-number header, a logo line above
the title) and plangen keeps working, as long as the four placeholders stay:
``{{ label }}``, ``{{ title }}``, ``{{ guide }}`` and the paragraph ``{{p table }}``.
Layout values follow Nghị định 30/2020/NĐ-CP: A4 landscape, margins 20/20/30/15 mm,
Times New Roman everywhere, page numbers centred in the header from page 2.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from generator.render.ooxml import R_NS, W_NS, el, fonts, page_field, paragraph, props  # noqa: E402

FONT = "Times New Roman"
LANG = "vi-VN"
MM = 1440 / 25.4  # twips per millimetre
PAGE_W, PAGE_H = 16838, 11906  # A4 landscape
MARGINS = {"top": 20, "bottom": 20, "left": 30, "right": 15}  # mm

XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
NS = f'xmlns:w="{W_NS}" xmlns:r="{R_NS}"'


def twips(mm: float) -> int:
    return round(mm * MM)


def rpr(size_pt: float, bold: bool = False, italic: bool = False) -> str:
    half = round(size_pt * 2)
    return props(
        "w:rPr",
        fonts(FONT),
        el("w:b") if bold else "",
        el("w:bCs") if bold else "",
        el("w:i") if italic else "",
        el("w:iCs") if italic else "",
        el("w:color", val="000000"),
        el("w:sz", val=half),
        el("w:szCs", val=half),
        el("w:lang", val=LANG, eastAsia=LANG, bidi=LANG),  # spell-checked as Vietnamese
    )


def pstyle(
    style_id: str,
    name: str,
    size: float,
    jc: str,
    bold: bool = False,
    italic: bool = False,
    before: int = 0,
    after: int = 0,
    extra: str = "",
    keep_next: bool = False,
) -> str:
    """A paragraph style; every one has widow/orphan control (no single line of a paragraph
    alone at the foot or head of a page), a heading row's keeps it with the next row."""
    ppr = props(
        "w:pPr",
        el("w:keepNext") if keep_next else "",
        el("w:widowControl"),
        el("w:spacing", before=before, after=after, line=240, lineRule="auto"),
        el("w:jc", val=jc),
        extra,
    )
    return (
        f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:qFormat/>'
        f"{ppr}{rpr(size, bold, italic)}</w:style>"
    )


def styles() -> str:
    rule_indent = twips((297 - 30 - 15 - 40) / 2)  # a 40 mm rule, centred
    rule = '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>'
    rule_ppr = props(
        "w:pPr",
        el("w:widowControl"),
        rule,
        el("w:spacing", before=0, after=240),
        el("w:ind", left=rule_indent, right=rule_indent),
        el("w:jc", val="center"),
    )
    return (
        f"{XML}<w:styles {NS}>"
        "<w:docDefaults><w:rPrDefault>"
        f"{rpr(13)}"
        "</w:rPrDefault><w:pPrDefault><w:pPr>"
        f"{el('w:widowControl')}{el('w:spacing', after=0, line=240, lineRule='auto')}"
        "</w:pPr></w:pPrDefault></w:docDefaults>"
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
        f"<w:qFormat/>{props('w:pPr', el('w:widowControl'))}{rpr(13)}</w:style>"
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        "</w:style>"
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
        '<w:name w:val="Normal Table"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>'
        "</w:tblPr></w:style>"
        '<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/>'
        f'<w:basedOn w:val="Normal"/>{props("w:pPr", el("w:jc", val="center"))}{rpr(14)}'
        "</w:style>"
        + pstyle("PLLabel", "PL Phụ lục", 14, "center", bold=True)
        + pstyle("PLTitle", "PL Tiêu đề", 14, "center", bold=True)
        + pstyle("PLGuide", "PL Dòng chỉ dẫn", 14, "center", italic=True)
        + (
            f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="PLRule">'
            f'<w:name w:val="PL Gạch dưới"/><w:basedOn w:val="Normal"/>'
            f"{rule_ppr}"
            f"{rpr(6)}</w:style>"
        )
        + pstyle("PLHeader", "PL Ô tiêu đề cột", 13, "center", bold=True, before=40, after=40)
        + pstyle(
            "PLSection", "PL Ô mục", 13, "left", bold=True, before=40, after=40, keep_next=True
        )
        + pstyle(
            "PLSectionCode",
            "PL Ô mã mục",
            13,
            "center",
            bold=True,
            before=40,
            after=40,
            keep_next=True,
        )
        + pstyle("PLCell", "PL Ô", 13, "left", before=40, after=40)
        + pstyle("PLCellCenter", "PL Ô giữa", 13, "center", before=40, after=40)
        + "</w:styles>"
    )


def section_properties() -> str:
    return props(
        "w:sectPr",
        '<w:headerReference w:type="default" r:id="rIdHeader"/>'
        '<w:headerReference w:type="first" r:id="rIdHeaderFirst"/>',
        el("w:pgSz", w=PAGE_W, h=PAGE_H, orient="landscape"),
        el(
            "w:pgMar",
            top=twips(MARGINS["top"]),
            right=twips(MARGINS["right"]),
            bottom=twips(MARGINS["bottom"]),
            left=twips(MARGINS["left"]),
            header=twips(10),
            footer=twips(10),
            gutter=0,
        ),
        el("w:pgNumType", start=1),
        el("w:titlePg"),
    )


def document() -> str:
    body = (
        paragraph("PLLabel", "{{ label }}")
        + paragraph("PLTitle", "{{ title }}")
        + paragraph("PLGuide", "{{ guide }}")
        + paragraph("PLRule")
        + paragraph("PLCell", "{{p table }}")
        + paragraph("PLCell")
        + section_properties()
    )
    return f"{XML}<w:document {NS}><w:body>{body}</w:body></w:document>"


def header(with_number: bool) -> str:
    inner = page_field() if with_number else ""
    return (
        f"{XML}<w:hdr {NS}><w:p>{props('w:pPr', el('w:pStyle', val='Header'))}{inner}</w:p></w:hdr>"
    )


CT = "application/vnd.openxmlformats-officedocument.wordprocessingml"
PARTS = {
    "[Content_Types].xml": (
        f'{XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{CT}.document.main+xml"/>'
        f'<Override PartName="/word/styles.xml" ContentType="{CT}.styles+xml"/>'
        f'<Override PartName="/word/settings.xml" ContentType="{CT}.settings+xml"/>'
        f'<Override PartName="/word/fontTable.xml" ContentType="{CT}.fontTable+xml"/>'
        f'<Override PartName="/word/header1.xml" ContentType="{CT}.header+xml"/>'
        f'<Override PartName="/word/header2.xml" ContentType="{CT}.header+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        f'{XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    ),
    "word/_rels/document.xml.rels": (
        f'{XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rIdStyles" Type="{R_NS}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rIdSettings" Type="{R_NS}/settings" Target="settings.xml"/>'
        f'<Relationship Id="rIdFonts" Type="{R_NS}/fontTable" Target="fontTable.xml"/>'
        f'<Relationship Id="rIdHeader" Type="{R_NS}/header" Target="header1.xml"/>'
        f'<Relationship Id="rIdHeaderFirst" Type="{R_NS}/header" Target="header2.xml"/>'
        "</Relationships>"
    ),
    "word/settings.xml": (
        f"{XML}<w:settings {NS}>"
        '<w:zoom w:percent="100"/><w:defaultTabStop w:val="720"/>'
        '<w:characterSpacingControl w:val="doNotCompress"/>'
        '<w:compat><w:compatSetting w:name="compatibilityMode" '
        'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
        '<w:themeFontLang w:val="vi-VN"/>'
        "</w:settings>"
    ),
    "word/fontTable.xml": (
        f'{XML}<w:fonts {NS}><w:font w:name="{FONT}"><w:panose1 w:val="02020603050405020304"/>'
        '<w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/>'
        "</w:font></w:fonts>"
    ),
    "docProps/core.xml": (
        f'{XML}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        "<dc:title>Phụ lục</dc:title><dc:creator>plangen</dc:creator></cp:coreProperties>"
    ),
    "docProps/app.xml": (
        f'{XML}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
        'extended-properties"><Application>plangen</Application></Properties>'
    ),
    "word/styles.xml": styles(),
    "word/document.xml": document(),
    "word/header1.xml": header(with_number=True),
    "word/header2.xml": header(with_number=False),
}


def build(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in PARTS.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("appendix.docx")
    build(target)
    print(target)
