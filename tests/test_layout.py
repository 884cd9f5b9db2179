"""The rendered DOCX, read back from its XML, against the layout rules of docs/layout.md.

Every test renders in memory (``render_appendix(load_template(...), appendix)``) and parses
the parts with lxml; the few files a test needs (an edited template) go under ``tmp_path``.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import zipfile
from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from generator.core.dates import PlanDate
from generator.core.errors import UserError
from generator.model.unit import Kind, Unit
from generator.model.workspace import open_workspace
from generator.render.appendix import render_appendix
from generator.render.ooxml import SCHEMA_ORDER
from generator.render.template import load_template
from generator.resolve.identity import guide_line
from generator.resolve.unit import unit_appendices as appendices

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {"w": W_NS, "r": R_NS}
UNITS = ("lang-son", "dinh-lap", "dong-dang")
FONT = "Times New Roman"
NBSP = "\u00a0"

PAGE_W, PAGE_H = 16838, 11906
MARGINS = {"top": 1134, "bottom": 1134, "left": 1701, "right": 850}
TEXT_WIDTH = PAGE_W - MARGINS["left"] - MARGINS["right"]  # 14287

LABELS = [
    "STT",
    "Nhiệm vụ cụ thể",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian hoàn thành",
    "Sản phẩm/Kết quả dự kiến",
]
BOARD_LABELS = [
    "STT",
    "Nhiệm vụ cụ thể",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Thời gian hoàn thành",
    "Sản phẩm/Kết quả dự kiến",
]


# --------------------------------------------------------------------------- helpers


def w(name: str) -> str:
    """Clark name of a w: element or attribute: w("jc") -> {ns}jc."""
    return f"{{{W_NS}}}{name}"


def wval(el: etree._Element | None, attr: str = "val") -> str | None:
    return None if el is None else el.get(w(attr))


def prefixed(el: etree._Element) -> str:
    """'w:tcW' for a WordprocessingML element, the Clark name for anything else."""
    qn = etree.QName(el)
    return f"w:{qn.localname}" if qn.namespace == W_NS else el.tag


def on(el: etree._Element | None) -> bool | None:
    """A toggle property (w:b, w:i): None when absent, else its boolean value."""
    if el is None:
        return None
    return wval(el) not in ("0", "false", "off")


def raw_text_of(el: etree._Element) -> str:
    return "".join(el.xpath(".//w:t/text()", namespaces=NS))


def text_of(el: etree._Element) -> str:
    """The text as a reader sees it: a non-breaking space is a space."""
    return raw_text_of(el).replace(NBSP, " ")


class Docx:
    """The parts of a rendered DOCX, parsed, with a small style resolver."""

    def __init__(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            self.raw = {name: zf.read(name) for name in zf.namelist()}
        self.document = etree.fromstring(self.raw["word/document.xml"])
        self.styles = etree.fromstring(self.raw["word/styles.xml"])
        self.body = self.document.find(w("body"))
        self.sect = self.body.find(w("sectPr"))

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.raw[name])

    # -- relationships
    def rel_target(self, rid: str) -> str:
        rels = self.xml("word/_rels/document.xml.rels")
        [rel] = [r for r in rels.findall(f"{{{PKG_REL_NS}}}Relationship") if r.get("Id") == rid]
        return "word/" + rel.get("Target")

    def header(self, kind: str) -> etree._Element:
        [ref] = [h for h in self.sect.findall(w("headerReference")) if wval(h, "type") == kind]
        return self.xml(self.rel_target(ref.get(f"{{{R_NS}}}id")))

    # -- tables
    @property
    def tables(self) -> list[etree._Element]:
        return self.body.findall(".//" + w("tbl"))

    @property
    def rows(self) -> list[etree._Element]:
        [table] = self.tables
        return table.findall(w("tr"))

    # -- styles
    def style(self, style_id: str) -> etree._Element:
        found = self.styles.xpath(f'w:style[@w:styleId="{style_id}"]', namespaces=NS)
        assert found, f"style {style_id!r} is not defined in styles.xml"
        return found[0]

    def default_paragraph_style(self) -> str | None:
        found = self.styles.xpath('w:style[@w:type="paragraph"][@w:default="1"]', namespaces=NS)
        return found[0].get(w("styleId")) if found else None

    def chain(self, style_id: str | None) -> list[etree._Element]:
        out, seen = [], set()
        while style_id and style_id not in seen:
            seen.add(style_id)
            style = self.style(style_id)
            out.append(style)
            style_id = wval(style.find(w("basedOn")))
        return out

    def para_style(self, p: etree._Element) -> str | None:
        return wval(p.find(f"{w('pPr')}/{w('pStyle')}")) or self.default_paragraph_style()

    def ppr(self, p: etree._Element, tag: str) -> etree._Element | None:
        """A paragraph property: direct, then the style chain, then the defaults."""
        direct = p.find(f"{w('pPr')}/{w(tag)}")
        if direct is not None:
            return direct
        for style in self.chain(self.para_style(p)):
            found = style.find(f"{w('pPr')}/{w(tag)}")
            if found is not None:
                return found
        return self.styles.find(f"{w('docDefaults')}/{w('pPrDefault')}/{w('pPr')}/{w(tag)}")

    def rpr(self, p: etree._Element, r: etree._Element | None, tag: str) -> etree._Element | None:
        """A run property: the run, its character style, the paragraph style, the defaults."""
        if r is not None:
            direct = r.find(f"{w('rPr')}/{w(tag)}")
            if direct is not None:
                return direct
            for style in self.chain(wval(r.find(f"{w('rPr')}/{w('rStyle')}"))):
                found = style.find(f"{w('rPr')}/{w(tag)}")
                if found is not None:
                    return found
        for style in self.chain(self.para_style(p)):
            found = style.find(f"{w('rPr')}/{w(tag)}")
            if found is not None:
                return found
        return self.styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}/{w(tag)}")

    def runs(self, p: etree._Element) -> list[etree._Element | None]:
        """The runs carrying text; [None] for an empty paragraph (its style decides)."""
        runs = [r for r in p.iter(w("r")) if r.find(w("t")) is not None]
        return runs or [None]

    def jc(self, p: etree._Element) -> str | None:
        return wval(self.ppr(p, "jc"))

    def bold(self, p: etree._Element) -> bool:
        return all(on(self.rpr(p, r, "b")) for r in self.runs(p))

    def italic(self, p: etree._Element) -> bool:
        return all(on(self.rpr(p, r, "i")) for r in self.runs(p))

    def sizes_pt(self, p: etree._Element) -> set[float]:
        return {int(wval(self.rpr(p, r, "sz"))) / 2 for r in self.runs(p)}

    # -- table cells
    @staticmethod
    def cells(tr: etree._Element) -> list[etree._Element]:
        return tr.findall(w("tc"))

    @staticmethod
    def cell_paras(tc: etree._Element) -> list[etree._Element]:
        return tc.findall(w("p"))


@cache
def workspace():
    return open_workspace()


@cache
def appendix(slug: str):
    [a] = appendices(workspace(), slug, ["II"])
    return a


@cache
def rendered(slug: str, numbered: bool = False) -> bytes:
    return render_appendix(
        load_template(workspace().template), appendix(slug), numbered_columns=numbered
    )


@cache
def doc(slug: str, numbered: bool = False) -> Docx:
    return Docx(rendered(slug, numbered))


def col_index(slug: str, key: str) -> int:
    return [c.key for c in appendix(slug).columns].index(key)


# --------------------------------------------------------------------------- 1. page


@pytest.mark.parametrize("slug", UNITS)
def test_page_is_a4_landscape_with_decree_margins(slug):
    d = doc(slug)
    sect = d.sect
    assert sect is not None, "the body has no final w:sectPr"
    assert len(d.document.findall(f".//{w('sectPr')}")) == 1, "one section expected"
    pg = sect.find(w("pgSz"))
    assert (wval(pg, "w"), wval(pg, "h"), wval(pg, "orient")) == (
        str(PAGE_W),
        str(PAGE_H),
        "landscape",
    )
    mar = sect.find(w("pgMar"))
    for side, want in MARGINS.items():
        got = int(wval(mar, side))
        assert abs(got - want) <= 1, f"margin {side}: {got} twips, want {want}"
    assert sect.find(w("titlePg")) is not None, "no w:titlePg: page 1 would show its number"
    assert on(sect.find(w("titlePg"))) is True
    assert wval(sect.find(w("pgNumType")), "start") == "1"


def _fields(root: etree._Element) -> list[str]:
    instr = [t.strip() for t in root.xpath(".//w:instrText/text()", namespaces=NS)]
    simple = [(f.get(w("instr")) or "").strip() for f in root.iter(w("fldSimple"))]
    return [i.split()[0].upper() for i in instr + simple if i]


@pytest.mark.parametrize("slug", UNITS)
def test_headers_number_pages_from_two_centred(slug):
    d = doc(slug)
    default, first = d.header("default"), d.header("first")
    # the default header: a PAGE field, in a centred paragraph
    instr = default.xpath(".//w:instrText", namespaces=NS)
    assert [i.text for i in instr] == [" PAGE "]
    [para] = instr[0].xpath("ancestor::w:p", namespaces=NS)
    assert d.jc(para) == "center"
    # the first-page header: no page number at all
    assert "PAGE" not in _fields(first)
    assert not first.xpath(".//w:fldChar", namespaces=NS)
    assert text_of(first).strip() == ""


@pytest.mark.parametrize("slug", UNITS)
def test_header_paragraphs_are_13_to_14_pt(slug):
    d = doc(slug)
    for kind in ("default", "first"):
        for p in d.header(kind).iter(w("p")):
            runs = [r for r in p.iter(w("r"))] or [None]
            for r in runs:
                size = int(wval(d.rpr(p, r, "sz"))) / 2
                assert 13 <= size <= 14, f"{kind} header: {size} pt"
                assert wval(d.rpr(p, r, "rFonts"), "ascii") == FONT


# --------------------------------------------------------------------------- 2. fonts


def _check_rfonts(rfonts: etree._Element | None, where: str) -> None:
    assert rfonts is not None, f"{where}: no w:rFonts"
    for slot in ("ascii", "hAnsi", "eastAsia", "cs"):
        assert wval(rfonts, slot) == FONT, f"{where}: rFonts {slot}={wval(rfonts, slot)!r}"


def test_fonts_times_new_roman_in_defaults_and_every_paragraph_style():
    d = doc("dinh-lap")
    _check_rfonts(
        d.styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}/{w('rFonts')}"),
        "docDefaults",
    )
    pstyles = d.styles.xpath('w:style[@w:type="paragraph"]', namespaces=NS)
    ids = {s.get(w("styleId")) for s in pstyles}
    assert {
        "Normal",
        "Header",
        "PLLabel",
        "PLTitle",
        "PLGuide",
        "PLHeader",
        "PLSection",
        "PLSectionCode",
        "PLCell",
        "PLCellCenter",
    } <= ids
    for style in pstyles:
        sid = style.get(w("styleId"))
        _check_rfonts(style.find(f"{w('rPr')}/{w('rFonts')}"), f"style {sid}")
    # and any rFonts written anywhere names only Times New Roman
    for name in ("word/styles.xml", "word/document.xml"):
        for rfonts in d.xml(name).iter(w("rFonts")):
            _check_rfonts(rfonts, name)


@pytest.mark.parametrize("slug", UNITS)
def test_no_east_asian_hint_and_no_theme_fonts(slug):
    d = doc(slug)
    for name in ("word/styles.xml", "word/document.xml"):
        for el in d.xml(name).iter():
            if not isinstance(el.tag, str):
                continue
            for attr in el.attrib:
                local = etree.QName(attr).localname
                assert local != "hint", f"{name}: {prefixed(el)} has w:hint"
                assert not local.endswith("Theme"), f"{name}: {prefixed(el)} has {local}"
                assert not local.startswith("theme"), f"{name}: {prefixed(el)} has {local}"


@pytest.mark.parametrize("slug", UNITS)
def test_colours_are_black(slug):
    d = doc(slug)
    default = d.styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}/{w('color')}")
    assert wval(default) in ("000000", "auto")
    for name in ("word/styles.xml", "word/document.xml", "word/header1.xml", "word/header2.xml"):
        if name not in d.raw:
            continue
        for el in d.xml(name).iter(w("color")):
            assert wval(el).upper() in ("000000", "AUTO"), f"{name}: colour {wval(el)}"
            assert el.get(w("themeColor")) is None
    for style in d.styles.xpath('w:style[@w:type="paragraph"]', namespaces=NS):
        color = style.find(f"{w('rPr')}/{w('color')}")
        if color is not None:
            assert wval(color) in ("000000", "auto"), style.get(w("styleId"))


# --------------------------------------------------------------------------- 3. title block

TITLES = {
    "lang-son": "CÁC NHIỆM VỤ, GIẢI PHÁP NHẰM NÂNG CAO CHỈ SỐ SIPAS TỈNH LẠNG SƠN NĂM 2026",
    "dinh-lap": "CÁC NHIỆM VỤ, GIẢI PHÁP NHẰM NÂNG CAO CHỈ SỐ SIPAS XÃ ĐÌNH LẬP NĂM 2026",
    "dong-dang": "CÁC NHIỆM VỤ, GIẢI PHÁP NHẰM NÂNG CAO CHỈ SỐ SIPAS NĂM 2026",
}
GUIDES = {
    "lang-son": re.escape(
        "(Kèm theo Kế hoạch số 252/KH-UBND ngày 23/6/2026 của Ủy ban nhân dân tỉnh)"
    ),
    "dinh-lap": re.escape(
        "(Kèm theo Kế hoạch số 235/KH-UBND ngày 06/7/2026 của Ủy ban nhân dân xã)"
    ),
    "dong-dang": (
        r"\(Kèm theo Kế hoạch số {4,}/KH-BQLKKTCK ngày {3,}/7/2026 "
        r"của Ban Quản lý Khu KTCK Đồng Đăng - Lạng Sơn\)"
    ),
}


def _title_paragraphs(d: Docx) -> list[etree._Element]:
    """The body paragraphs before the table that carry text."""
    out = []
    for child in d.body:
        if child.tag == w("tbl"):
            return out
        if child.tag == w("p") and text_of(child).strip():
            out.append(child)
    pytest.fail("no table in the body")


@pytest.mark.parametrize("slug", UNITS)
def test_title_block_text(slug):
    paras = _title_paragraphs(doc(slug))
    texts = [text_of(p) for p in paras]
    assert len(texts) == 3, texts
    label, title, guide = texts
    assert label == "Phụ lục II"
    assert title == TITLES[slug]
    assert title == title.upper()
    assert re.fullmatch(GUIDES[slug], guide), guide
    assert "None" not in guide
    if slug == "dinh-lap":
        assert guide == "(Kèm theo Kế hoạch số 235/KH-UBND ngày 06/7/2026 của Ủy ban nhân dân xã)"
    # the unit's name and the year never break across lines (docs/layout.md, title block)
    tail = {"lang-son": "TỈNH LẠNG SƠN NĂM 2026", "dinh-lap": "XÃ ĐÌNH LẬP NĂM 2026"}
    if slug in tail:
        assert raw_text_of(paras[1]).endswith(tail[slug].replace(" ", NBSP))


@pytest.mark.parametrize("slug", UNITS)
def test_long_title_breaks_before_the_unit_name(slug):
    """Phụ lục I's title does not fit one line: it breaks after "(PAR INDEX)", never inside
    the place name."""
    ws = workspace()
    [par_index] = [a for a in appendices(ws, slug) if a.catalog == "par-index-2026"]
    d = Docx(render_appendix(load_template(ws.template), par_index))
    title = _title_paragraphs(d)[1]
    runs = title.findall(f".//{w('r')}")
    assert [r.find(w("br")) is not None for r in runs].count(True) == (
        1 if slug != "dong-dang" else 0
    )
    if slug == "dong-dang":  # no unit name: the title fits on one line
        assert raw_text_of(title).endswith(f"(PAR INDEX) NĂM{NBSP}2026")
        return
    lines = re.split(
        r"\n",
        "".join("\n" if c.tag == w("br") else (c.text or "") for c in title.iter(w("t"), w("br"))),
    )
    assert lines[0].endswith("(PAR INDEX)")
    assert " " not in lines[1] and lines[1].endswith(f"NĂM{NBSP}2026")


@pytest.mark.parametrize("slug", UNITS)
def test_title_block_formatting(slug):
    d = doc(slug)
    label, title, guide = _title_paragraphs(d)
    assert [d.para_style(p) for p in (label, title, guide)] == ["PLLabel", "PLTitle", "PLGuide"]
    assert d.bold(label) and d.bold(title)
    assert d.italic(guide)
    assert not d.bold(guide)
    for p in (label, title, guide):
        assert d.jc(p) == "center", text_of(p)
        assert d.sizes_pt(p) <= {13.0, 14.0}, (text_of(p), d.sizes_pt(p))
    assert d.sizes_pt(label) == {14.0}


@pytest.mark.parametrize(
    ("args", "want"),
    [
        ((2026, 1, 5), "05/01/2026"),
        ((2026, 2, 15), "15/02/2026"),
        ((2026, 7, 6), "06/7/2026"),
        ((2026, 3, 9), "09/3/2026"),
        ((2026, 10, 1), "01/10/2026"),
        ((2026, 12, 31), "31/12/2026"),
    ],
)
def test_plan_date_short(args, want):
    assert PlanDate(*args).short() == want


@pytest.mark.parametrize(
    ("args", "want"),
    [
        ((2026, 7, 6), "ngày 06 tháng 7 năm 2026"),
        ((2026, 1, 5), "ngày 05 tháng 01 năm 2026"),
        ((2026, 12, 25), "ngày 25 tháng 12 năm 2026"),
    ],
)
def test_plan_date_long(args, want):
    assert PlanDate(*args).long() == want


def test_plan_date_without_day_leaves_blank():
    text = PlanDate(2026, 7, None).short()
    assert re.fullmatch(r" {3,}/7/2026", text), repr(text)
    assert "None" not in PlanDate(2026, 7, None).long()
    assert (
        PlanDate.parse("2026-07") == PlanDate(2026, 7)
        and PlanDate.parse("2026-7-6").iso() == "2026-07-06"
    )


def _kind(**extra) -> Kind:
    return Kind.model_validate(
        {
            "id": "commune",
            "name": "Xã, phường",
            "issuer": "Ủy ban nhân dân xã",
            "plan_symbol": "KH-UBND",
            "roles": {},
            **extra,
        }
    )


def _unit(plan: dict, **extra) -> Unit:
    return Unit.model_validate({"kind": "commune", "name": "xã Thử", "plan": plan, **extra})


@pytest.mark.parametrize(
    ("number", "want"),
    [(5, "05/KH-UBND"), ("7", "07/KH-UBND"), (10, "10/KH-UBND"), (235, "235/KH-UBND")],
)
def test_guide_line_pads_small_plan_numbers(number, want):
    line = guide_line(_kind(), _unit({"number": number, "date": "2026-01-05"}))
    assert line == f"(Kèm theo Kế hoạch số {want} ngày 05/01/2026 của Ủy ban nhân dân xã)"


def test_guide_line_long_date_and_unit_symbol():
    unit = _unit(
        {"number": 3, "symbol": "KH-BQLKKTCK", "date": "2026-02-15", "long_date": True},
        issuer="Ban Quản lý Khu KTCK Đồng Đăng - Lạng Sơn",
    )
    assert guide_line(_kind(), unit) == (
        "(Kèm theo Kế hoạch số 03/KH-BQLKKTCK ngày 15 tháng 02 năm 2026 "
        "của Ban Quản lý Khu KTCK Đồng Đăng - Lạng Sơn)"
    )


def test_guide_line_draft_has_blanks_not_none():
    line = guide_line(_kind(), _unit({"date": "2026-07"}))
    assert "None" not in line
    assert re.fullmatch(
        r"\(Kèm theo Kế hoạch số {4,}/KH-UBND ngày {3,}/7/2026 "
        r"của Ủy ban nhân dân xã\)",
        line,
    ), repr(line)


# --------------------------------------------------------------------------- 4. table


@pytest.mark.parametrize("slug", UNITS)
def test_exactly_one_table_with_every_row(slug):
    d = doc(slug)
    assert len(d.tables) == 1
    assert len(d.rows) == 1 + len(appendix(slug).rows)


@pytest.mark.parametrize("slug", UNITS)
def test_header_row_repeats_bold_centred(slug):
    d = doc(slug)
    header = d.rows[0]
    assert header.find(f"{w('trPr')}/{w('tblHeader')}") is not None
    assert on(header.find(f"{w('trPr')}/{w('tblHeader')}")) is True
    cells = d.cells(header)
    assert len(cells) == len(appendix(slug).columns)
    for tc in cells:
        assert wval(tc.find(f"{w('tcPr')}/{w('vAlign')}")) == "center"
        for p in d.cell_paras(tc):
            assert d.para_style(p) == "PLHeader"
            assert d.bold(p), text_of(p)
            assert d.jc(p) == "center", text_of(p)


@pytest.mark.parametrize("slug", UNITS)
def test_header_labels(slug):
    d = doc(slug)
    labels = [text_of(tc) for tc in d.cells(d.rows[0])]
    assert labels == (BOARD_LABELS if slug == "dong-dang" else LABELS)


@pytest.mark.parametrize("slug", UNITS)
@pytest.mark.parametrize("numbered", [False, True])
def test_only_header_rows_repeat_and_short_rows_do_not_split(slug, numbered):
    """Header and section rows, and task rows of at most SHORT_ROW_LINES lines (font
    metrics, the text as written at the table's widths), are kept on one page (w:cantSplit);
    so is the last row, and the row before it is kept with it (w:keepNext); other rows may
    break, unless a cut would leave a single line on a page (docs/layout.md, "Pages")."""
    from generator.render.appendix import SHORT_ROW_LINES, line_count

    d = doc(slug, numbered)
    a = appendix(slug)
    n_header = 2 if numbered else 1
    [table] = d.tables
    widths = [int(wval(g, "w")) for g in table.findall(f"{w('tblGrid')}/{w('gridCol')}")]
    long_rows = 0
    for i, tr in enumerate(d.rows):
        repeat = tr.find(f"{w('trPr')}/{w('tblHeader')}") is not None
        assert repeat == (i < n_header), f"row {i}: tblHeader={repeat}"
        cant_split = tr.find(f"{w('trPr')}/{w('cantSplit')}") is not None
        if i < n_header or a.rows[i - n_header].is_section:
            assert cant_split, f"row {i} may split"
            continue
        row = a.rows[i - n_header]
        written = ["\n".join(text_of(p) for p in d.cell_paras(tc)) for tc in d.cells(tr)]
        tallest = max(line_count(t, wd) for t, wd in zip(written, widths, strict=True))
        if tallest <= SHORT_ROW_LINES or i == len(d.rows) - 1:
            assert cant_split, (row.ident, tallest)
        long_rows += not cant_split
    assert long_rows < len(a.tasks)
    before_last = d.rows[-2]
    for tc in d.cells(before_last):
        for p in d.cell_paras(tc):
            assert d.ppr(p, "keepNext") is not None, "the row before the last is not kept with it"
    kept = [
        tr
        for tr in d.rows[n_header:-2]
        if all(d.ppr(p, "keepNext") is not None for tc in d.cells(tr) for p in d.cell_paras(tc))
    ]
    sections = sum(r.is_section for r in a.rows[:-2])
    assert len(kept) == sections, "only section rows and the row before the last keep with next"


@pytest.mark.parametrize("slug", UNITS)
def test_section_rows(slug):
    d = doc(slug)
    a = appendix(slug)
    ncols = len(a.columns)
    got = []
    for tr, row in zip(d.rows[1:], a.rows, strict=True):
        cells = d.cells(tr)
        if not row.is_section:
            assert len(cells) == ncols
            continue
        assert len(cells) == 2, f"section {row.code}: {len(cells)} cells"
        first, rest = cells
        assert first.find(f"{w('tcPr')}/{w('gridSpan')}") is None
        assert wval(rest.find(f"{w('tcPr')}/{w('gridSpan')}")) == str(ncols - 1)
        code, title = text_of(first), text_of(rest)
        assert re.fullmatch(r"[A-Z]|[IVXLC]+", code), code
        assert title == row.title == title.upper()
        for p in d.cell_paras(first):
            assert d.para_style(p) == "PLSectionCode"
            assert d.bold(p)
        for p in d.cell_paras(rest):
            assert d.para_style(p) == "PLSection"
            assert d.bold(p)
        got.append(code)
    assert got == [r.code for r in a.sections]
    assert got[:3] == ["A", "B", "I"]


@pytest.mark.parametrize("slug", UNITS)
def test_task_rows(slug):
    d = doc(slug)
    a = appendix(slug)
    keys = [c.key for c in a.columns]
    centred = {keys.index("stt"), keys.index("deadline")}
    n = 0
    for tr, row in zip(d.rows[1:], a.rows, strict=True):
        if row.is_section:
            continue
        n += 1
        cells = d.cells(tr)
        assert [text_of(tc) for tc in cells] == [
            row.code if k == "stt" else row.cells.get(k, "").replace("\n", "") for k in keys
        ]
        for i, tc in enumerate(cells):
            assert wval(tc.find(f"{w('tcPr')}/{w('vAlign')}")) == "top", (row.ident, keys[i])
            for p in d.cell_paras(tc):
                if i in centred:
                    assert d.para_style(p) == "PLCellCenter", (row.ident, keys[i])
                    assert d.jc(p) == "center", (row.ident, keys[i])
                else:
                    assert d.para_style(p) == "PLCell", (row.ident, keys[i])
                    assert d.jc(p) in ("left", "start", "both"), (row.ident, keys[i])
                assert not d.bold(p), (row.ident, keys[i])
    assert n == len(a.tasks) > 0


@pytest.mark.parametrize("slug", UNITS)
def test_column_widths_fill_text_width(slug):
    d = doc(slug)
    [table] = d.tables
    grid = [int(wval(g, "w")) for g in table.findall(f"{w('tblGrid')}/{w('gridCol')}")]
    assert len(grid) == len(appendix(slug).columns)
    assert abs(sum(grid) - TEXT_WIDTH) <= 6, sum(grid)
    task = col_index(slug, "task")
    assert grid[task] == max(grid) and grid.count(max(grid)) == 1, grid
    tblw = table.find(f"{w('tblPr')}/{w('tblW')}")
    assert abs(int(wval(tblw, "w")) - TEXT_WIDTH) <= 6
    # every cell's width agrees with the grid columns it spans
    for tr in d.rows:
        col = 0
        for tc in d.cells(tr):
            span = int(wval(tc.find(f"{w('tcPr')}/{w('gridSpan')}")) or 1)
            width = int(wval(tc.find(f"{w('tcPr')}/{w('tcW')}"), "w"))
            assert width == sum(grid[col : col + span])
            col += span
        assert col == len(grid)


@pytest.mark.parametrize("slug", UNITS)
def test_table_borders_single_on_all_sides(slug):
    [table] = doc(slug).tables
    borders = table.find(f"{w('tblPr')}/{w('tblBorders')}")
    assert borders is not None
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = borders.find(w(side))
        if el is None and side in ("left", "right"):
            el = borders.find(w("start" if side == "left" else "end"))
        assert el is not None, f"no {side} border"
        assert wval(el) == "single", f"{side} border is {wval(el)}"
        assert int(wval(el, "sz")) > 0


@pytest.mark.parametrize("slug", UNITS)
def test_numbered_columns_row(slug):
    d = doc(slug, numbered=True)
    ncols = len(appendix(slug).columns)
    assert len(d.rows) == 2 + len(appendix(slug).rows)
    second = d.rows[1]
    assert [text_of(tc) for tc in d.cells(second)] == [f"({i})" for i in range(1, ncols + 1)]
    assert second.find(f"{w('trPr')}/{w('tblHeader')}") is not None
    for tc in d.cells(second):
        for p in d.cell_paras(tc):
            assert d.jc(p) == "center"
    assert [text_of(tc) for tc in d.cells(d.rows[0])] == [
        text_of(tc) for tc in doc(slug).cells(doc(slug).rows[0])
    ]


# --------------------------------------------------------------------------- 4b. names, pages

UNIT_FILES = Path(workspace().root) / "catalogs" / "units"
ALL_UNITS = tuple(sorted(p.stem for p in UNIT_FILES.glob("*.yaml")))
HEADS = ("Phòng", "Văn phòng", "Trung tâm", "Ban", "Sở")
FIXED = ("stt", "deadline")
FIRST_UNITS = ("lang-son", "dinh-lap", "dong-dang", "tam-thanh", "so-y-te")


@cache
def unit_tables(slug: str):
    """(appendix, its DOCX parsed) for both appendices of a unit."""
    template = load_template(workspace().template)
    return [(a, Docx(render_appendix(template, a))) for a in appendices(workspace(), slug)]


def _grid(d: Docx) -> list[int]:
    [table] = d.tables
    return [int(wval(g, "w")) for g in table.findall(f"{w('tblGrid')}/{w('gridCol')}")]


@pytest.mark.parametrize("slug", ALL_UNITS)
def test_column_widths_are_chosen_from_the_text_within_bounds(slug):
    """docs/layout.md, "Widths": the lead and support columns between 0.75 and 1.5 times the
    catalog's width, the text columns at least 0.85 times theirs, STT and deadline as the
    catalog says (wider only when "STT" or "Thường xuyên" would not fit), the text width
    kept, the same widths every time."""
    from generator.render import tablefit

    for a, d in unit_tables(slug):
        grid = _grid(d)
        base = tablefit.catalog_widths(a, TEXT_WIDTH)
        assert sum(grid) == TEXT_WIDTH == sum(base), grid
        assert grid == tablefit.fitted_widths(a, TEXT_WIDTH)  # deterministic
        fixed = [(g, b) for c, g, b in zip(a.columns, grid, base, strict=True) if c.key in FIXED]
        widened = any(g != b for g, b in fixed)
        if slug in FIRST_UNITS:  # their catalogs' STT and deadline are wide enough
            assert not widened, fixed
        for c, got, want in zip(a.columns, grid, base, strict=True):
            if c.key in FIXED:  # widened only to hold "STT", "Thường xuyên", …
                assert got >= want, (c.key, got, want)
            elif c.key in ("lead", "support"):
                assert tablefit.SHRINK * want - 1 <= got <= tablefit.GROW * want + 1, (c.key, got)
            else:
                floor = tablefit.TEXT_FLOOR if not widened else 0.7
                assert got >= floor * want - 1, (c.key, got, want)


@pytest.mark.parametrize("slug", UNITS)
def test_the_fit_kept_in_the_cache_is_the_fit_worked_out(slug, monkeypatch, tmp_path):
    """docs/layout.md, "Pages": widths and page breaks kept in the cache folder are those
    the measuring gives; a cell changed is measured afresh; an entry damaged or of another
    shape is measured again and replaced."""
    from generator.render import tablefit, tablepages

    monkeypatch.setenv("PLANGEN_CACHE", str(tmp_path))
    a = appendices(workspace(), slug, ["II"])[0]
    worked = tablefit._fit(a, TEXT_WIDTH)
    assert tablefit.fitted_widths(a, TEXT_WIDTH) == worked  # measured, then kept
    [entry] = tmp_path.glob("widths-*.json")
    assert json.loads(entry.read_text(encoding="utf-8")) == worked
    assert tablefit.fitted_widths(a, TEXT_WIDTH) == worked  # read back
    for damaged in ("{not json", "[1, 2]", '"text"', "[1.5" + ", 1" * (len(worked) - 1) + "]"):
        entry.write_text(damaged, encoding="utf-8")
        assert tablefit.fitted_widths(a, TEXT_WIDTH) == worked
        assert json.loads(entry.read_text(encoding="utf-8")) == worked
    first = next(r for r in a.rows if not r.is_section)
    cells = type(first.cells)({**first.cells, "task": first.cells["task"] + " và khác nữa"})
    changed = dataclasses.replace(a, rows=tuple(
        dataclasses.replace(r, cells=cells) if r is first else r for r in a.rows
    ))  # fmt: skip
    tablefit.fitted_widths(changed, TEXT_WIDTH)
    assert len(list(tmp_path.glob("widths-*.json"))) == 2  # another text, another entry

    keys = [c.key for c in a.columns]
    texts = [[] if r.is_section else [r.cells.get(k, r.code) for k in keys] for r in a.rows]
    geo = tablepages.geometry("", 3, 40.0)
    flags = tablepages._row_flags(a, texts, worked, geo)
    assert tablepages.row_flags(a, texts, worked, geo) == flags
    [entry] = tmp_path.glob("rows-*.json")
    entry.write_text("[[true]]", encoding="utf-8")
    assert tablepages.row_flags(a, texts, worked, geo) == flags


def test_widths_follow_the_names():
    """Long names widen their column where that pays (lang-son's "Văn phòng UBND tỉnh", 30
    times in Phụ lục I), short ones let it shrink (the board's "Văn phòng")."""
    from generator.render import tablefit

    lang_son = appendices(workspace(), "lang-son", ["I"])[0]
    lead = [c.key for c in lang_son.columns].index("lead")
    widths = tablefit.fitted_widths(lang_son, TEXT_WIDTH)
    assert widths[lead] >= tablefit._need("Văn phòng UBND tỉnh", ";")
    board = appendices(workspace(), "dong-dang", ["I"])[0]
    widths = tablefit.fitted_widths(board, TEXT_WIDTH)
    assert widths[lead] < tablefit.catalog_widths(board, TEXT_WIDTH)[lead]


def _names_of(text: str) -> list[str]:
    """A lead/support cell's text (no-break spaces kept) as its names."""
    return [n for line in text.split("\n") for n in line.removeprefix("-" + NBSP).split("; ")]


@pytest.mark.parametrize("slug", ALL_UNITS)
def test_names_are_glued_where_they_fit_and_heads_always(slug):
    """docs/layout.md, "Names": a name that fits a line of its cell has only no-break
    spaces; a longer one is cut at ordinary spaces, never right after its head."""
    from generator.core.fonts import em
    from generator.render import tablefit

    checked = 0
    for a, d in unit_tables(slug):
        grid = _grid(d)
        keys = [c.key for c in a.columns]
        for tr, row in zip(d.rows[1:], a.rows, strict=True):
            if row.is_section:
                continue
            for key in ("lead", "support"):
                tc = d.cells(tr)[keys.index(key)]
                text = "\n".join(raw_text_of(p) for p in d.cell_paras(tc))
                room = tablefit.usable_em(grid[keys.index(key)])
                for name in _names_of(text):
                    plain = name.replace(NBSP, " ")
                    if em(plain + ";") <= room:
                        assert " " not in name, f"{row.ident} {key}: {plain!r} fits, not glued"
                    head = next((h for h in HEADS if plain.startswith(h + " ")), None)
                    if head:
                        glued = name[: len(head) + 1]
                        assert " " not in glued, f"{row.ident} {key}: {plain!r} cut after its head"
                    checked += 1
    assert checked > 10


@pytest.mark.parametrize(
    "name, width, want",
    [
        ("Phòng Nội vụ", 2143, "Phòng_Nội_vụ"),
        ("Phòng Văn hóa - Xã hội", 2800, "Phòng_Văn_hóa_-_Xã_hội"),
        ("Phòng Văn hóa - Xã hội", 2143, "Phòng_Văn_hóa_- Xã_hội"),
        ("Trung tâm Phục vụ hành chính công", 2600, "Trung_tâm_Phục_vụ hành_chính_công"),
        ("Trung tâm Dịch vụ công ích", 2174, "Trung_tâm_Dịch_vụ công_ích"),
        ("Văn phòng HĐND và UBND phường", 2600, "Văn_phòng_HĐND và_UBND_phường"),
        ("Phòng Kinh tế, Hạ tầng và Đô thị", 2600, "Phòng_Kinh_tế, Hạ_tầng_và_Đô_thị"),
        ("các cơ quan, đơn vị có liên quan", 2600, "các_cơ_quan, đơn_vị_có_liên_quan"),
        ("các phòng chuyên môn", 2143, "các_phòng chuyên_môn"),
        ("Sở Tài chính (tham mưu kinh phí)", 2600, "Sở_Tài_chính (tham_mưu_kinh_phí)"),
        ("UBND cấp xã", 2143, "UBND_cấp_xã"),
        ("Trung tâm QLCK", 2143, "Trung_tâm_QLCK"),
        ("Trung tâm QLCK", 1607, "Trung_tâm QLCK"),  # narrower: the head stays whole
    ],
)
def test_a_long_name_is_cut_where_a_clerk_would(name, width, want):
    """Whole when it fits; else after a comma, before "và" or a bracket, between pairs of
    syllables, never inside its head or right after it (docs/layout.md, "Names")."""
    from generator.render import tablefit

    got = tablefit.glue(name, tablefit.usable_em(width), ";")
    assert got.replace(NBSP, "_") == want


def test_header_labels_break_between_pairs_of_syllables():
    from generator.render import tablefit

    assert tablefit.label_text("Đơn vị chủ trì", 1607) == "Đơn\u00a0vị chủ\u00a0trì"
    assert tablefit.label_text("Thời gian hoàn thành", 1714) == "Thời\u00a0gian hoàn\u00a0thành"
    assert tablefit.label_text("Sản phẩm/Kết quả dự kiến", 2586).endswith(" dự\u00a0kiến")


@pytest.mark.parametrize(
    "text, points, lines",
    [
        # seen in LibreOffice's PDFs: the line holds 0.06 pt more than its box
        ("dụng đúng quy định; 100%", 141.5, 1),
        ("thời gian giải quyết TTHC.", 141.5, 1),
        # a slash between words is no place to break; a hyphen is
        ("100% kết quả được trả đúng/sớm hơn.", 125.0, 2),
        ("Kế hoạch số 235/KH-UBND", 60.0, 4),  # Kế hoạch | số | 235/KH- | UBND
        ("", 50.0, 1),
    ],
)
def test_lines_are_measured_as_libreoffice_wraps_them(text, points, lines):
    from generator.render import measure

    assert measure.paragraph_lines(text, points / 13) == lines


def test_page_simulation_keeps_two_lines_on_each_side():
    """A row that would leave one line on a page is not split; the rows kept with the next
    one move with it (render/measure.py)."""
    from generator.render import measure

    def row(lines: int, **flags) -> measure.Row:
        return measure.Row((measure.cell([lines], 13, 2, 2),), **flags)

    geo = measure.Geometry(first=56.7, top=56.7, bottom=56.7 + 170, header=0)
    # after a row of 7 lines (109.2 pt) a row of 4 would be cut 3 + 1
    rows, pieces = measure.paginate([row(7), row(4)], geo)
    assert not rows[1].cant_split and pieces[1] == [(0, 3), (1, 1)]
    rows, pieces = measure.paginate([row(7), row(4)], geo, 2, 3.0)
    assert rows[1].cant_split and pieces[1] == [(1, 4)]
    # a heading kept with a row that goes to the next page goes with it
    rows, pieces = measure.paginate([row(7), row(1, keep_next=True), row(4, cant_split=True)], geo)
    assert pieces[1] == [(1, 1)] and pieces[2] == [(1, 4)]


def test_plan_body_keeps_body_names_together():
    """docs/layout.md, "Names": in the body, a body's name is joined by no-break spaces,
    whole when it takes at most a third of a line, else in pieces."""
    from generator.render.plan import NAME_ROOM, body_names, keep_names

    names = ("Trung tâm Phục vụ hành chính công", "Văn phòng UBND tỉnh", "Phòng Nội vụ")
    text = "Giao Văn phòng UBND tỉnh và Trung tâm Phục vụ hành chính công, phòng Nội vụ."
    got = keep_names(text, names)
    assert "Văn\u00a0phòng\u00a0UBND\u00a0tỉnh" in got
    assert "Trung\u00a0tâm\u00a0Phục\u00a0vụ hành\u00a0chính\u00a0công" in got
    assert "phòng\u00a0Nội\u00a0vụ" in got  # either case for the first letter
    assert got.replace(NBSP, " ") == text
    assert NAME_ROOM > 10
    from generator.resolve.body import build_plan

    docs = appendices(workspace(), "dinh-lap")
    plan = build_plan(workspace(), "dinh-lap", docs)
    assert "Trung tâm Phục vụ hành chính công" in body_names(plan)


# --------------------------------------------------------------------------- 5. schema order


def _schema_problems(root: etree._Element, part: str) -> list[str]:
    problems = []
    parents = {f"{{{W_NS}}}{name[2:]}": name for name in SCHEMA_ORDER}
    for el in root.iter(*parents):
        parent = parents[el.tag]
        order = SCHEMA_ORDER[parent]
        last, last_name = -1, None
        for child in el:
            if not isinstance(child.tag, str):
                continue
            name = prefixed(child)
            if name not in order:
                problems.append(
                    f"{part}: <{parent}> has <{name}>, which "
                    f"generator.render.ooxml.SCHEMA_ORDER[{parent!r}] does not list"
                )
                continue
            index = order.index(name)
            if index < last:
                problems.append(f"{part}: <{parent}>: <{name}> comes after <{last_name}>")
            last, last_name = index, name
    return problems


@pytest.mark.parametrize("slug", UNITS)
@pytest.mark.parametrize("numbered", [False, True])
def test_property_children_in_schema_order(slug, numbered):
    d = doc(slug, numbered)
    problems = []
    for part in ("word/document.xml", "word/styles.xml", "word/header1.xml", "word/header2.xml"):
        if part in d.raw:
            problems += _schema_problems(d.xml(part), part)
    assert not problems, "\n".join(problems)


def test_schema_order_checker_catches_disorder():
    bad = etree.fromstring(
        f'<w:p xmlns:w="{W_NS}"><w:pPr><w:jc w:val="center"/><w:pStyle w:val="x"/></w:pPr>'
        f"<w:r><w:rPr><w:madeUp/></w:rPr></w:r></w:p>"
    )
    problems = _schema_problems(bad, "test")
    assert len(problems) == 2
    assert "comes after" in problems[0] and "does not list" in problems[1]


# --------------------------------------------------------------------------- 6. text


def test_special_characters_and_newlines_survive(tmp_path):
    import docx as python_docx

    a = appendix("dinh-lap")
    i = next(i for i, r in enumerate(a.rows) if not r.is_section)
    row = a.rows[i]
    text = 'A & B <c> "d" \n- dòng hai'
    rows = list(a.rows)
    rows[i] = dataclasses.replace(row, cells={**row.cells, "task": text})
    odd = dataclasses.replace(a, rows=tuple(rows), title="X & Y <Z> \"Q\" 'R'")
    data = render_appendix(load_template(workspace().template), odd)
    path = tmp_path / "odd.docx"
    path.write_bytes(data)

    document = python_docx.Document(str(path))
    [table] = document.tables
    cell = table.rows[1 + i].cells[col_index("dinh-lap", "task")]
    texts = [p.text for p in cell.paragraphs]
    assert len(texts) == 2, texts
    assert texts[0].strip() == 'A & B <c> "d"'
    assert texts[1] == "- dòng hai"
    # the title goes through the template (Jinja autoescape), not the table builder
    assert "X & Y <Z> \"Q\" 'R'" in [p.text for p in document.paragraphs]
    # and the XML holds the escaped forms, still well formed
    xml = Docx(data).raw["word/document.xml"].decode("utf-8")
    assert "A &amp; B &lt;c&gt;" in xml


# --------------------------------------------------------------------------- 7. templates


def _edited_template(tmp_path: Path) -> Path:
    import docx as python_docx
    from docx.shared import Pt

    ws = workspace()
    document = python_docx.Document(str(ws.template))
    [style] = [s for s in document.styles if s.style_id == "PLCell"]
    style.font.size = Pt(12)
    [label] = [p for p in document.paragraphs if "{{ label }}" in p.text]
    label.insert_paragraph_before("LOGO ĐƠN VỊ")
    path = tmp_path / "office-template.docx"
    document.save(str(path))
    return path


def test_template_edited_in_word_keeps_working(tmp_path):
    path = _edited_template(tmp_path)
    a = appendix("dinh-lap")
    d = Docx(render_appendix(load_template(path), a))
    paras = [c for c in d.body if c.tag == w("p")]
    assert text_of(paras[0]) == "LOGO ĐƠN VỊ"
    assert text_of(paras[1]) == "Phụ lục II"
    assert [text_of(p) for p in _title_paragraphs(d)] == [
        "LOGO ĐƠN VỊ",
        "Phụ lục II",
        TITLES["dinh-lap"],
        "(Kèm theo Kế hoạch số 235/KH-UBND ngày 06/7/2026 của Ủy ban nhân dân xã)",
    ]
    assert len(d.tables) == 1
    assert len(d.rows) == len(doc("dinh-lap").rows) == 1 + len(a.rows)
    # the office's style change is carried into the output
    assert wval(d.style("PLCell").find(f"{w('rPr')}/{w('sz')}")) == "24"
    assert wval(doc("dinh-lap").style("PLCell").find(f"{w('rPr')}/{w('sz')}")) == "26"
    task_row = next(tr for tr, r in zip(d.rows[1:], a.rows, strict=True) if not r.is_section)
    p = d.cell_paras(d.cells(task_row)[col_index("dinh-lap", "task")])[0]
    assert d.sizes_pt(p) == {12.0}
    # the page set-up of the edited template still applies
    assert abs(sum(int(wval(g, "w")) for g in d.tables[0].iter(w("gridCol"))) - TEXT_WIDTH) <= 6


def _template_with(tmp_path: Path, old: bytes, new: bytes) -> Path:
    with zipfile.ZipFile(workspace().template) as zf:
        parts = {name: zf.read(name) for name in zf.namelist()}
    assert old in parts["word/document.xml"]
    parts["word/document.xml"] = parts["word/document.xml"].replace(old, new)
    path = tmp_path / "broken.docx"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def test_template_without_table_placeholder_is_refused(tmp_path):
    path = _template_with(tmp_path, b"{{p table }}", "bảng".encode())
    with pytest.raises(UserError) as info:
        load_template(path)
    assert "table" in str(info.value)


def test_template_with_inline_table_placeholder_is_refused(tmp_path):
    path = _template_with(tmp_path, b"{{p table }}", b"{{ table }}")
    with pytest.raises(UserError) as info:
        render_appendix(load_template(path), appendix("dinh-lap"))
    assert "table" in str(info.value)


# --------------------------------------------------------------------------- 8. determinism


@pytest.mark.parametrize("slug", UNITS)
def test_render_is_deterministic(slug):
    a = appendix(slug)
    first = render_appendix(load_template(workspace().template), a)
    second = render_appendix(load_template(workspace().template), a)
    assert first == second
    assert first == rendered(slug)


@pytest.mark.parametrize("slug", UNITS)
def test_core_properties_trace_the_source(slug):
    d = doc(slug)
    core = d.raw["docProps/core.xml"].decode("utf-8")
    etree.fromstring(d.raw["docProps/core.xml"])  # well formed
    assert "plangen" in core
    assert "sipas-2026" in core
    assert slug in core
    assert appendix(slug).catalog == "sipas-2026"


def test_an_office_template_may_use_more_jinja(tmp_path):
    """Beyond the four placeholders a template is rendered by Jinja, escaped for XML."""
    import docx

    document = docx.Document(str(workspace().template))
    document.paragraphs[0].insert_paragraph_before(
        "{% if unit.slug == 'dinh-lap' %}{{ unit.name }} & cộng sự{% endif %}"
    )
    path = tmp_path / "office.docx"
    document.save(str(path))
    template = load_template(path)
    assert not template.plain
    rendered = docx.Document(io.BytesIO(render_appendix(template, appendix("dinh-lap"))))
    texts = [p.text.replace(NBSP, " ") for p in rendered.paragraphs]
    assert texts[:3] == ["xã Đình Lập & cộng sự", "Phụ lục II", appendix("dinh-lap").title]
    assert len(rendered.tables[0].rows) == len(appendix("dinh-lap").rows) + 1
