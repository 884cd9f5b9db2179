"""Rebuild templates/ke-hoach.docx, the styles of the plan body (Kế hoạch), from this script.

    python templates/build_plan_template.py

plangen takes the "KH …" styles of this file (paragraph and character styles whose id starts
with "KH") and lays the body out with them; the appendices that follow keep the "PL …" styles
and page setup of templates/appendix.docx, so they look exactly like the separate appendix
files. An office may open this file in Word and restyle the "KH …" styles (font sizes, spacing,
indents); the sample text shows each style in use. Values follow Nghị định 30/2020/NĐ-CP,
Phụ lục I: A4 portrait, margins 20/20/30/15 mm, Times New Roman, body 14 pt justified with a
1.27 cm first-line indent and 6 pt before each paragraph; header block 12-14 pt.

The shared pieces (fonts, run properties, the page-number header, the package parts) come from
build_template.py, so a change there reaches both templates.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import build_template as base  # noqa: E402

from generator.render.ooxml import el, paragraph, props  # noqa: E402

PAGE_W, PAGE_H = base.PAGE_H, base.PAGE_W  # A4 portrait
FIRST_LINE = 720  # 1.27 cm
BEFORE = 120  # 6 pt between paragraphs
LINE = 276  # 1.15 lines

# id, name, size, bold, italic, alignment, spacing before, first-line indent, keep with next
PARAGRAPH_STYLES = [
    ("KHBody", "KH Đoạn", 14, False, False, "both", BEFORE, FIRST_LINE, False),
    ("KHPart", "KH Phần (I.)", 14, True, False, "both", BEFORE, FIRST_LINE, True),
    ("KHItem", "KH Khoản (1.)", 14, True, False, "both", BEFORE, FIRST_LINE, True),
    ("KHPoint", "KH Điểm có tiêu đề (a))", 14, False, False, "both", BEFORE, FIRST_LINE, True),
    ("KHAuthority", "KH Cơ quan chủ quản", 12, False, False, "center", 0, 0, True),
    ("KHIssuer", "KH Tên cơ quan", 12, True, False, "center", 0, 0, True),
    ("KHNational", "KH Quốc hiệu", 12, True, False, "center", 0, 0, True),
    ("KHMotto", "KH Tiêu ngữ", 13, True, False, "center", 0, 0, True),
    ("KHNumber", "KH Số, ký hiệu", 13, False, False, "center", 120, 0, False),
    ("KHPlaceDate", "KH Địa danh, ngày tháng", 14, False, True, "center", 120, 0, False),
    ("KHDocType", "KH Tên loại", 14, True, False, "center", 480, 0, True),
    ("KHTitle", "KH Trích yếu", 14, True, False, "center", 0, 0, True),
    ("KHRecipientsLabel", "KH Nơi nhận", 12, True, True, "left", 240, 0, True),
    ("KHRecipient", "KH Nơi nhận - dòng", 11, False, False, "left", 0, 0, False),
    ("KHSigner", "KH Quyền hạn, chức vụ", 14, True, False, "center", 240, 0, True),
    ("KHSignerName", "KH Họ tên người ký", 14, True, False, "center", 0, 0, False),
]


def paragraph_style(
    style_id: str,
    name: str,
    size: float,
    bold: bool,
    italic: bool,
    jc: str,
    before: int,
    first_line: int,
    keep_next: bool,
) -> str:
    body = first_line > 0
    ppr = props(
        "w:pPr",
        el("w:keepNext") if keep_next else "",
        el("w:widowControl"),
        el("w:spacing", before=before, after=0, line=LINE if body else 240, lineRule="auto"),
        el("w:ind", firstLine=first_line) if first_line else "",
        el("w:jc", val=jc),
    )
    return (
        f'<w:style w:type="paragraph" w:customStyle="1" w:styleId="{style_id}">'
        f'<w:name w:val="{name}"/><w:basedOn w:val="Normal"/><w:qFormat/>'
        f"{ppr}{base.rpr(size, bold, italic)}</w:style>"
    )


def styles() -> str:
    """The "KH …" styles: paragraph styles, the rules, a hanging indent for the recipients,
    an italic character style (a point's title)."""
    rule = '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>'
    out = [paragraph_style(*s) for s in PARAGRAPH_STYLES]
    out.append(
        '<w:style w:type="paragraph" w:customStyle="1" w:styleId="KHRule">'
        '<w:name w:val="KH Đường kẻ"/><w:basedOn w:val="Normal"/>'
        + props(
            "w:pPr",
            el("w:keepNext"),
            rule,
            el("w:spacing", before=40, after=0, line=240, lineRule="auto"),
            el("w:jc", val="center"),
        )
        + base.rpr(2)
        + "</w:style>"
    )
    out.append(
        '<w:style w:type="character" w:customStyle="1" w:styleId="KHEmphasis">'
        '<w:name w:val="KH Nghiêng"/><w:basedOn w:val="DefaultParagraphFont"/>'
        "<w:rPr><w:i/><w:iCs/></w:rPr></w:style>"
    )
    return "".join(out)


def styles_xml() -> str:
    """The appendix template's styles (docDefaults, Normal, "PL …") plus the "KH …" ones."""
    return base.styles().replace("</w:styles>", styles() + "</w:styles>")


def sample_body() -> str:
    """A page that shows every style (what an office sees when it opens the template)."""
    body = [
        paragraph("KHAuthority", "UBND TỈNH LẠNG SƠN"),
        paragraph("KHIssuer", "SỞ MẪU"),
        paragraph("KHNumber", "Số:       /KH-SM"),
        paragraph("KHNational", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        paragraph("KHMotto", "Độc lập - Tự do - Hạnh phúc"),
        paragraph("KHPlaceDate", "Lạng Sơn, ngày      tháng 7 năm 2026"),
        paragraph("KHDocType", "KẾ HOẠCH"),
        paragraph("KHTitle", "Trích yếu của kế hoạch"),
        paragraph("KHRule", "", el("w:ind", left=3500, right=3500)),
        paragraph("KHBody", "Đoạn mở đầu của kế hoạch, căn đều hai bên, thụt đầu dòng 1,27 cm."),
        paragraph("KHPart", "I. MỤC ĐÍCH, YÊU CẦU"),
        paragraph("KHItem", "1. Mục đích"),
        paragraph("KHBody", "a) Một điểm không có tiêu đề."),
        paragraph("KHPoint", "b) Một điểm có tiêu đề:"),
        paragraph("KHBody", "Đoạn dưới điểm có tiêu đề; đoạn cuối kết thúc bằng dấu ./."),
        paragraph("KHRecipientsLabel", "Nơi nhận:"),
        paragraph("KHRecipient", "- Như trên;"),
        paragraph("KHRecipient", "- Lưu: VT."),
        paragraph("KHSigner", "GIÁM ĐỐC"),
        paragraph("KHSignerName", "Nguyễn Văn A"),
    ]
    sect = props(
        "w:sectPr",
        '<w:headerReference w:type="default" r:id="rIdHeader"/>'
        '<w:headerReference w:type="first" r:id="rIdHeaderFirst"/>',
        el("w:pgSz", w=PAGE_W, h=PAGE_H),
        el(
            "w:pgMar",
            top=base.twips(base.MARGINS["top"]),
            right=base.twips(base.MARGINS["right"]),
            bottom=base.twips(base.MARGINS["bottom"]),
            left=base.twips(base.MARGINS["left"]),
            header=base.twips(10),
            footer=base.twips(10),
            gutter=0,
        ),
        el("w:pgNumType", start=1),
        el("w:titlePg"),
    )
    return f"{base.XML}<w:document {base.NS}><w:body>{''.join(body)}{sect}</w:body></w:document>"


def parts() -> dict[str, str]:
    out = dict(base.PARTS)
    out["word/styles.xml"] = styles_xml()
    out["word/document.xml"] = sample_body()
    out["docProps/core.xml"] = out["docProps/core.xml"].replace(
        "<dc:title>Phụ lục</dc:title>", "<dc:title>Kế hoạch</dc:title>"
    )
    return out


def build(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in parts().items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "ke-hoach.docx"
    build(target)
    print(target)
