"""The whole plan (Kế hoạch): body catalog -> `Plan` -> one DOCX with the appendices.

Everything is rendered in memory and read back with python-docx and lxml. The province's
body is compared with a copy of its published text (fixtures/seed-001.txt).
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from functools import cache
from pathlib import Path

import docx as python_docx
import pytest
from conftest import FIXTURES
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt
from lxml import etree

from generator.check.workspace import validate as validate_plan
from generator.core.errors import UserError, ValidationFailed
from generator.flow.generate import plan_docx
from generator.model.workspace import open_workspace
from generator.render.appendix import render_appendix
from generator.render.plan import plan_file_name
from generator.render.template import load_template
from generator.resolve.body import build_plan, point_number
from generator.resolve.unit import unit_appendices as appendices

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W_NS}
SEED = FIXTURES / "seed-001.txt"


def w(name: str) -> str:
    return f"{{{W_NS}}}{name}"


def fold(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("*", "")
    return " ".join(text.split())


@cache
def workspace():
    return open_workspace()


@cache
def rendered(slug: str) -> tuple[bytes, tuple]:
    ws = workspace()
    docs = appendices(ws, slug)
    return plan_docx(ws, slug, docs), tuple(docs)


def document_xml(data: bytes) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return etree.fromstring(zf.read("word/document.xml"))


def texts(data: bytes) -> list[str]:
    """Every paragraph of the document, tables included, in order (folded)."""
    root = document_xml(data)
    return [
        fold("".join((t.text or "") if t.tag == w("t") else " " for t in p.iter(w("t"), w("br"))))
        for p in root.iter(w("p"))
    ]


def body_paragraphs(data: bytes) -> list:
    """The python-docx paragraphs of the first section outside tables (the plan body)."""
    return python_docx.Document(io.BytesIO(data)).paragraphs


# --------------------------------------------------------------------------- content


def test_dinh_lap_has_header_body_appendices_and_signature():
    data, _ = rendered("dinh-lap")
    text = "\n".join(texts(data))
    for expected in [
        "ỦY BAN NHÂN DÂN",
        "XÃ ĐÌNH LẬP",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 235/KH-UBND",
        "Đình Lập, ngày 06 tháng 7 năm 2026",
        "KẾ HOẠCH",
        "252/KH-UBND",
        "MỤC ĐÍCH, YÊU CẦU",
        "TỔ CHỨC THỰC HIỆN",
        "Phòng Nội vụ",
        "Phòng Văn hóa - Xã hội",
        "Phụ lục I",
        "Phụ lục II",
        "Nơi nhận",
        "TM. ỦY BAN NHÂN DÂN",
    ]:
        assert expected in text, expected
    paragraphs = texts(data)
    assert "Thực hiện Kế hoạch số 252/KH-UBND ngày 23/6/2026 của UBND tỉnh Lạng Sơn" in text
    assert (
        "Nâng cao Chỉ số cải cách hành chính (PAR INDEX); Chỉ số hài lòng của người dân đối với "
        "sự phục vụ của cơ quan hành chính nhà nước (SIPAS) xã Đình Lập năm 2026" in paragraphs
    )
    closing = next(p for p in paragraphs if p.startswith("Trên đây là Kế hoạch"))
    assert closing.endswith("./.")
    for placeholder in ("{{", "}}", "{%"):
        assert placeholder not in text


def test_points_follow_the_vietnamese_alphabet():
    assert [point_number(3, n) for n in range(1, 12)] == [
        "a)", "b)", "c)", "d)", "đ)", "e)", "g)", "h)", "i)", "k)", "l)",
    ]  # fmt: skip
    assert point_number(1, 3) == "III." and point_number(2, 7) == "7."
    data, _ = rendered("lang-son")
    points = [p for p in texts(data) if re.match(r"^[a-zđ]\) ", p)]
    letters = {p[0] for p in points}
    assert "f" not in letters and {"đ", "g", "k"} <= letters


def test_no_placeholder_left_for_any_shipped_unit():
    for slug in ("lang-son", "dinh-lap", "dong-dang"):
        data, _ = rendered(slug)
        xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
        assert "{{" not in xml and "}}" not in xml and "None" not in xml, slug


# --------------------------------------------------------------------------- seed 001


def seed_parts() -> dict[str, list[str]]:
    paragraphs = [fold(p) for p in SEED.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    start = next(i for i, p in enumerate(paragraphs) if p.startswith("Căn cứ kết quả"))
    end = next(i for i, p in enumerate(paragraphs) if p.endswith("./."))
    raw = SEED.read_text(encoding="utf-8")
    recipients = [fold(x) for x in raw.split("Nơi nhận:")[1].splitlines() if x.startswith("- ")]
    return {"body": paragraphs[start : end + 1], "recipients": recipients}


# Seed paragraphs the catalog corrects on purpose (see the catalog's header and docs/plan.md).
KEPT_DIFFERENCES = {
    "Chủ động phối hợp với Trung tâm Dữ liệu quốc gia": "kiên nghị -> kiến nghị",
    "Tăng cường đào tạo, tập huấn kỹ năng": "; Chấn chỉnh -> ; chấn chỉnh",
    "Thực hiện nghiêm túc quy định về công khai": "; Nâng cao -> ; nâng cao",
}


def test_province_body_reproduces_seed_001():
    data, _ = rendered("lang-son")
    ours = texts(data)
    seed = [p for p in seed_parts()["body"] if len(p) > 60]
    # A seed paragraph split by a page break is two fragments: each must lie inside one of ours.
    found = [p for p in seed if any(p == q or p in q for q in ours)]
    missing = [p for p in seed if p not in found]
    ratio = len(found) / len(seed)
    assert len(seed) >= 60
    assert ratio >= 0.9, f"{len(found)}/{len(seed)}"
    assert {next(k for k in KEPT_DIFFERENCES if p.startswith(k)) for p in missing} == set(
        KEPT_DIFFERENCES
    ), missing
    corrected = {
        p.replace("kiên nghị", "kiến nghị")
        .replace("; Chấn chỉnh", "; chấn chỉnh")
        .replace("; Nâng cao chất lượng", "; nâng cao chất lượng")
        for p in missing
    }
    assert all(any(c in q for q in ours) for c in corrected)


def test_province_header_title_recipients_and_signer_as_published():
    data, _ = rendered("lang-son")
    paragraphs = texts(data)
    assert "Số: 252/KH-UBND" in paragraphs
    assert "Lạng Sơn, ngày 23 tháng 6 năm 2026" in paragraphs
    i = paragraphs.index("TM. ỦY BAN NHÂN DÂN")
    label = paragraphs.index("Nơi nhận:")
    assert [p for p in paragraphs[label + 1 : i] if p] == seed_parts()["recipients"]
    assert paragraphs[i : i + 3] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    assert "Trần Thanh Nhân" in paragraphs[i + 3 :]
    # the province keeps its own III.1-III.7 headings
    for heading in [
        "1. Các sở, ban, ngành và UBND cấp xã",
        "2. Sở Nội vụ",
        "3. Các cơ quan được giao phụ trách tham mưu các lĩnh vực, tiêu chí CCHC",
        "4. Công an tỉnh",
        "7. Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
    ]:
        assert heading in paragraphs


# --------------------------------------------------------------------------- Tổ chức thực hiện


def expected_duties(docs) -> dict[str, dict[str, set[str]]]:
    """body -> appendix label -> the task codes it leads, straight from the rows."""
    out: dict[str, dict[str, set[str]]] = {}
    for appendix in docs:
        for row in appendix.tasks:
            code = ".".join((*row.path, row.code))
            for body in row.bodies.get("lead", ()):
                out.setdefault(body, {}).setdefault(appendix.label, set()).add(code)
    return out


def stated_codes(sentence: str, docs) -> dict[str, set[str]]:
    """The codes a duty paragraph says the body leads, sections expanded to their tasks."""
    m = re.search(r"[Cc]hủ trì thực hiện (?:các )?nhiệm vụ tại (.*?)\.(?: Phối hợp|$)", sentence)
    if not m:
        return {}
    tasks = {a.label: [".".join((*r.path, r.code)) for r in a.tasks] for a in docs}
    out: dict[str, set[str]] = {}
    for group in m.group(1).split("; "):
        g = re.fullmatch(r"mục (.+) (Phụ lục [IVX]+)", group)
        assert g, group
        label = g.group(2)
        for code in g.group(1).split(", "):
            covered = {t for t in tasks[label] if t == code or t.startswith(code + ".")}
            assert covered, f"{code} names no task of {label}"
            out.setdefault(label, set()).update(covered)
    return out


@pytest.mark.parametrize("slug", ["lang-son", "dinh-lap", "dong-dang"])
def test_organisation_names_every_lead_body_with_exactly_its_codes(slug):
    data, docs = rendered(slug)
    plan = build_plan(workspace(), slug, list(docs))
    in_docx = texts(data)
    expected = expected_duties(docs)
    stated: dict[str, list] = {}
    for n, p in enumerate(plan.paragraphs):
        if p.body:
            stated.setdefault(p.body, []).append((n, p))
    assert set(expected) <= set(stated), set(expected) - set(stated)
    for body, leads in expected.items():
        [(n, para)] = stated[body]  # one paragraph per body
        assert fold(para.full) in in_docx
        assert stated_codes(para.text, docs) == leads, body
        # the body is named in the paragraph or in the heading just above it
        above = [q for q in plan.paragraphs[:n] if q.style in ("item", "point")][-1:]
        named_in = para.text + "".join(q.text for q in above)
        assert body.casefold() in named_in.casefold(), body


def test_board_and_commune_organisation_lists_their_own_offices():
    paragraphs = texts(rendered("dong-dang")[0])
    assert "2. Văn phòng" in paragraphs
    assert any(p.startswith("d) Các phòng chuyên môn chủ trì thực hiện") for p in paragraphs)
    # an abbreviation is written out at its first use (here a heading) and in headings; the
    # tables keep the short form
    assert "3. Trung tâm Quản lý cửa khẩu (Trung tâm QLCK)" in paragraphs
    assert next(p for p in paragraphs if "QLCK" in p).startswith("3. Trung tâm Quản lý")
    dinh_lap = texts(rendered("dinh-lap")[0])
    assert "2. Phòng Nội vụ" in dinh_lap
    assert any(
        p.startswith("c) Định kỳ hằng quý tổng hợp") and "UBND tỉnh (qua Sở Nội vụ)" in p
        for p in dinh_lap
    )
    # a generic group that only supports gets no paragraph of its own
    body = dinh_lap[: dinh_lap.index("Phụ lục I")]
    assert not any(p.startswith("Các cơ quan, đơn vị có liên quan") for p in body)


# --------------------------------------------------------------------------- layout


def header_table(data: bytes):
    return python_docx.Document(io.BytesIO(data)).tables[0]


def style_of(paragraph):
    style = paragraph.style
    return style.font, style.paragraph_format


def test_header_block_texts_and_formatting():
    data, _ = rendered("dinh-lap")
    table = header_table(data)
    borders = table._tbl.tblPr.find(w("tblBorders"))
    assert {b.get(w("val")) for b in borders} == {"nil"}
    assert len(table.columns) == 2
    left = [p for p in table.cell(0, 0).paragraphs if p.text]
    right = [p for p in table.cell(0, 1).paragraphs if p.text]
    assert [p.text for p in left] == ["ỦY BAN NHÂN DÂN", "XÃ ĐÌNH LẬP"]
    assert [p.text for p in right] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
    ]
    for p in left:
        font, fmt = style_of(p)
        assert font.bold and font.size == Pt(12) and fmt.alignment == WD_ALIGN_PARAGRAPH.CENTER
    national, motto = (style_of(p)[0] for p in right)
    assert national.bold and national.size == Pt(12)
    assert motto.bold and motto.size == Pt(13)
    # the rules: under the issuer (shorter than the name) and under the Tiêu ngữ
    styles = [p.find(f".//{w('pStyle')}").get(w("val")) for p in table._tbl.iter(w("p"))]
    rules = [s for s in styles if s == "KHRule"]
    assert len(rules) == 2
    number = table.cell(1, 0).paragraphs[0]
    place = table.cell(1, 1).paragraphs[0]
    assert number.text == "Số: 235/KH-UBND"
    assert style_of(number)[0].size == Pt(13) and not style_of(number)[0].bold
    assert place.text == "Đình Lập, ngày 06 tháng 7 năm 2026"
    assert style_of(place)[0].italic and style_of(place)[0].size == Pt(14)
    body = body_paragraphs(data)
    kind, title = body[0], body[1]
    assert kind.text == "KẾ HOẠCH" and style_of(kind)[0].bold and style_of(kind)[0].size == Pt(14)
    assert style_of(title)[0].bold and title.text.startswith("Nâng cao Chỉ số cải cách")
    assert style_of(kind)[1].alignment == WD_ALIGN_PARAGRAPH.CENTER


def test_body_paragraphs_justified_indented_and_spaced():
    data, _ = rendered("dinh-lap")
    body = [p for p in body_paragraphs(data) if p.style.name.startswith("KH Đoạn")]
    assert len(body) > 30
    font, fmt = style_of(body[0])
    assert font.size == Pt(14) and font.name == "Times New Roman"
    assert fmt.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert 567 <= fmt.first_line_indent.twips <= 720
    assert fmt.space_before >= Pt(6)
    headings = {p.text for p in body_paragraphs(data) if p.style.name.startswith("KH Phần")}
    assert headings == {
        "I. MỤC ĐÍCH, YÊU CẦU",
        "II. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM",
        "III. TỔ CHỨC THỰC HIỆN",
    }
    titles = [p for p in body_paragraphs(data) if p.text.startswith("a) Cải thiện Chỉ số")]
    [runs] = [t.runs for t in titles]
    assert not runs[0].italic and runs[1].style.name == "KH Nghiêng"


def test_signature_and_recipients():
    data, _ = rendered("dinh-lap")
    table = python_docx.Document(io.BytesIO(data)).tables[1]
    left = [p for p in table.cell(0, 0).paragraphs if p.text]
    right = [p for p in table.cell(0, 1).paragraphs if p.text]
    label, items = left[0], left[1:]
    assert label.text == "Nơi nhận:"
    font = style_of(label)[0]
    assert font.bold and font.italic and font.size == Pt(12)
    assert all(style_of(p)[0].size == Pt(11) for p in items)
    assert all(p.text.startswith("- ") and p.text.endswith(";") for p in items[:-1])
    assert items[-1].text.startswith("- Lưu: VT") and items[-1].text.endswith(".")
    # no signer's name in the profile: a dotted line for the pen, not nothing
    assert [p.text for p in right] == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
        "…" * 12,
    ]
    assert all(style_of(p)[0].bold and style_of(p)[0].size == Pt(14) for p in right)
    # Nơi nhận: the bodies given tasks that no fixed line covers (Công an xã), and the
    # drafting office after "Lưu: VT"
    assert "- Công an xã;" in [p.text for p in items]
    assert items[-1].text == "- Lưu: VT, NV."
    borders = table._tbl.tblPr.find(w("tblBorders"))
    assert {b.get(w("val")) for b in borders} == {"nil"}
    # the signature never stands alone on a page: the last paragraph keeps with it
    assert table._tbl.find(f"{w('tr')}/{w('trPr')}/{w('cantSplit')}") is not None
    closing = table._tbl.getprevious()
    assert "".join(closing.itertext()).endswith("./.")
    assert closing.find(f"{w('pPr')}/{w('keepNext')}") is not None


def sections_of(data: bytes) -> list[dict]:
    """The document's sections in order: their properties and the tables they hold."""
    root = document_xml(data)
    body = root.find(w("body"))
    out: list[dict] = []
    tables: list = []
    for child in body:
        if child.tag == w("tbl"):
            tables.append(child)
        sect = child.find(f"{w('pPr')}/{w('sectPr')}") if child.tag == w("p") else None
        if child.tag == w("sectPr"):
            sect = child
        if sect is not None:
            out.append({"sect": sect, "tables": tables})
            tables = []
    return out


def test_portrait_body_then_two_landscape_appendices_numbered_from_one():
    data, docs = rendered("dinh-lap")
    document = python_docx.Document(io.BytesIO(data))
    sections = document.sections
    assert len(sections) == 3
    first, *appendix_sections = sections
    assert first.orientation == WD_ORIENT.PORTRAIT
    assert (first.page_width.twips, first.page_height.twips) == (11906, 16838)
    margins = [first.top_margin, first.bottom_margin, first.left_margin, first.right_margin]
    assert [round(m.mm) for m in margins] == [20, 20, 30, 15]
    for section in appendix_sections:
        assert section.orientation == WD_ORIENT.LANDSCAPE
        assert (section.page_width.twips, section.page_height.twips) == (16838, 11906)
    for section in sections:
        assert section.different_first_page_header_footer
        assert "PAGE" in section.header._element.xml
        assert "PAGE" not in section.first_page_header._element.xml
    parts = sections_of(data)
    assert [len(p["tables"]) for p in parts] == [2, 1, 1]
    for part in parts[1:]:
        start = part["sect"].find(w("pgNumType")).get(w("start"))
        assert start == "1"
        header_row = part["tables"][0].find(w("tr"))
        assert header_row.find(f"{w('trPr')}/{w('tblHeader')}") is not None
    labels = [p for p in texts(data) if p in ("Phụ lục I", "Phụ lục II")]
    assert labels == ["Phụ lục I", "Phụ lục II"]
    assert [a.label for a in docs] == labels


def test_appendices_are_the_separate_files_verbatim():
    data, docs = rendered("dinh-lap")
    whole = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    template = load_template(workspace().template)
    for appendix in docs:
        alone = zipfile.ZipFile(io.BytesIO(render_appendix(template, appendix))).read(
            "word/document.xml"
        )
        body = re.search(r"<w:body>(.*)</w:body>", alone.decode(), re.S).group(1)
        content = body[: body.rfind("<w:sectPr")]
        content = content[: content.rfind("<w:p>")]  # the last paragraph carries the section
        assert content in whole
    styles = zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml").decode()
    assert 'w:styleId="PLCell"' in styles and 'w:styleId="KHBody"' in styles


def test_document_properties_stamp_author_and_catalogs():
    data, docs = rendered("dinh-lap")
    props = python_docx.Document(io.BytesIO(data)).core_properties
    assert props.author == "Ủy ban nhân dân xã Đình Lập"
    assert props.title.startswith("Kế hoạch Nâng cao Chỉ số cải cách hành chính")
    assert "ke-hoach-don-vi sha256:" in props.keywords  # the shared body of a commune
    for appendix in docs:
        assert f"{appendix.catalog} sha256:{appendix.catalog_hash}" in props.keywords
    again = plan_docx(workspace(), "dinh-lap", list(docs))
    assert again == data  # deterministic
    assert plan_file_name("dinh-lap", 2026) == "dinh-lap-ke-hoach-2026.docx"


# --------------------------------------------------------------------------- other units


@pytest.fixture(scope="module")
def more_units(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("units")
    (folder / "so-tai-chinh.yaml").write_text(
        "kind: department\nprovince: lang-son\n"
        "name: Sở Tài chính\nplan: {number: 5, symbol: KH-STC, "
        "date: 2026-07-02}\n",
        encoding="utf-8",
    )
    (folder / "hoang-van-thu.yaml").write_text(
        "kind: ward\nprovince: lang-son\n"
        "name: phường Hoàng Văn Thụ\nplan: {number: 41, date: 2026-07-03}\n",
        encoding="utf-8",
    )
    (folder / "du-thao.yaml").write_text(
        "kind: commune\nprovince: lang-son\nname: xã Na Sầm\nplan: {date: 2026-07}\n",
        encoding="utf-8",
    )
    return folder


def render_extra(folder: Path, slug: str) -> tuple[bytes, list[str]]:
    ws = open_workspace(units_dirs=[folder])
    data = plan_docx(ws, slug, appendices(ws, slug))
    return data, texts(data)


def test_department_header_names_its_authority_and_signs_as_director(more_units):
    data, paragraphs = render_extra(more_units, "so-tai-chinh")
    left = [p for p in header_table(data).cell(0, 0).paragraphs if p.text]
    assert [p.text for p in left] == ["UBND TỈNH LẠNG SƠN", "SỞ TÀI CHÍNH"]
    assert not style_of(left[0])[0].bold and style_of(left[1])[0].bold
    assert "Số: 05/KH-STC" in paragraphs
    assert "Lạng Sơn, ngày 02 tháng 7 năm 2026" in paragraphs
    assert "GIÁM ĐỐC" in paragraphs
    assert any(
        p.startswith("Thực hiện Kế hoạch số 252/KH-UBND") and "Sở Tài chính ban hành" in p
        for p in paragraphs
    )
    assert "2. Văn phòng Sở" in paragraphs
    assert not any("UBND xã" in p or "của xã" in p for p in paragraphs)


def test_ward_writes_its_own_name_and_no_commune_words(more_units):
    _, paragraphs = render_extra(more_units, "hoang-van-thu")
    assert "PHƯỜNG HOÀNG VĂN THỤ" in paragraphs
    assert "Hoàng Văn Thụ, ngày 03 tháng 7 năm 2026" in paragraphs
    assert "1. Các cơ quan chuyên môn, đơn vị thuộc UBND phường" in paragraphs
    body = "\n".join(paragraphs[: paragraphs.index("Phụ lục I")])
    leftover = re.findall(r"(?<!\w)xã(?! hội)(?!\w)", body, flags=re.IGNORECASE)
    assert leftover == []


def test_unassigned_number_and_day_leave_blanks(more_units):
    _, paragraphs = render_extra(more_units, "du-thao")
    assert "Số: /KH-UBND" in paragraphs  # folded: the blank is a run of spaces
    assert "Na Sầm, ngày tháng 7 năm 2026" in paragraphs
    plan = build_plan(open_workspace(units_dirs=[more_units]), "du-thao", [])
    assert plan.number == "Số:       /KH-UBND"
    assert plan.place_date == "Na Sầm, ngày      tháng 7 năm 2026"
    assert plan.signer_name == "…" * 12  # a dotted line for the signer's name


# --------------------------------------------------------------------------- validation


def test_shipped_body_catalog_is_valid():
    assert validate_plan(workspace()) == []


def test_validate_reports_file_and_line(data_copy):
    path = data_copy / "catalogs" / "plans" / "ke-hoach-don-vi.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "      agency:\n        text: >-\n          Thực hiện {{ parent.title }}",
        "      agenci:\n        text: >-\n          Thực hiện {{ parent.titel }}",
        1,
    )
    text = text.replace("refer: SIPAS", "refer: SIPAS 2025")
    path.write_text(text, encoding="utf-8")
    problems = [str(p) for p in validate_plan(open_workspace(data_copy))]
    assert any(
        re.search(
            r"ke-hoach-don-vi\.yaml:\d+: variants cho loại đơn vị không tồn tại "
            r'"agenci" \(có phải ý bạn là "agency"\?\)',
            p,
        )
        for p in problems
    ), problems
    assert any('refer: không có phụ lục "SIPAS 2025"' in p for p in problems)
    fixed = text.replace("agenci:", "agency:").replace("SIPAS 2025", "SIPAS")
    path.write_text(fixed, encoding="utf-8")
    problems = [str(p) for p in validate_plan(open_workspace(data_copy))]
    assert problems and all(re.match(r".*ke-hoach-don-vi\.yaml:\d+: ", p) for p in problems)
    assert any('"titel"' in p or "titel" in p for p in problems)


def test_validate_finds_a_kind_without_wording(data_copy):
    # a kind of its own (no base) that the shared body serves: its words and its header
    commune = (data_copy / "catalogs" / "kinds" / "commune.yaml").read_text(encoding="utf-8")
    roles = commune[commune.index("roles:") :]  # and its document: header, signer, recipients
    (data_copy / "catalogs" / "kinds" / "khu.yaml").write_text(
        "id: khu\nname: Khu\nshort: khu\nplan_symbol: KH-UBND\navoid: [Thực hiện]\n" + roles,
        encoding="utf-8",
    )
    body = data_copy / "catalogs" / "plans" / "ke-hoach-don-vi.yaml"
    text = body.read_text(encoding="utf-8")
    body.write_text(text.replace("kinds: [commune, agency]", "kinds: [commune, agency, khu]"))
    problems = [str(p) for p in validate_plan(open_workspace(data_copy))]
    assert any(
        re.search(r'ke-hoach-don-vi\.yaml:\d+: loại "khu": đoạn "can-cu" chưa có cách viết', p)
        and "“Thực hiện”" in p
        for p in problems
    ), problems
    (data_copy / "catalogs" / "kinds" / "khu.yaml").write_text(
        "id: khu\nname: Khu\nshort: khu\nplan_symbol: KH-UBND\n" + roles.split("document:")[0],
        encoding="utf-8",
    )
    problems = [str(p) for p in validate_plan(open_workspace(data_copy))]
    assert any('loại "khu"' in p and "document.issuer_lines" in p for p in problems)


def test_structure_errors_are_user_errors(data_copy):
    path = data_copy / "catalogs" / "plans" / "ke-hoach-don-vi.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "refer: PAR INDEX", "refer: PAR INDEX\n            text: thêm", 1
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationFailed) as exc:
        build_plan(open_workspace(data_copy), "dinh-lap", [])
    assert 'đoạn "chi-tiet-phu-luc-i" cần đúng một trong text, refer, duties' in str(exc.value)


# --------------------------------------------------------------------------- edge cases


def unit_workspace(folder: Path, slug: str, text: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.yaml").write_text(text, encoding="utf-8")
    return open_workspace(units_dirs=[folder])


def test_two_bodies_of_one_role_are_named_in_their_points(tmp_path):
    ws = unit_workspace(
        tmp_path,
        "tam-son",
        "kind: ward\nprovince: lang-son\n"
        "name: phường Tam Sơn\nplan: {number: 4, date: 2026-07-03}\n"
        "roles: {home_affairs: [Phòng Nội vụ, Văn phòng HĐND và UBND phường]}\n",
    )
    plan = build_plan(ws, "tam-son", appendices(ws, "tam-son"))
    points = [p for p in plan.paragraphs if p.ident == "nv-phan-cong"]
    assert [p.body for p in points] == ["Phòng Nội vụ", "Văn phòng HĐND và UBND phường"]
    for p in points:
        assert p.text.startswith(f"{p.body} chủ trì thực hiện"), p.full


def test_long_issuer_name_wraps_beside_the_national_heading(tmp_path):
    from generator.core.fonts import twips as text_width
    from generator.render.plan import CELL_MARGIN, MAX_OUTDENT, TEXT_WIDTH

    name = "Ban Quản lý Khu kinh tế cửa khẩu Đồng Đăng - Lạng Sơn và các khu công nghiệp"
    ws = unit_workspace(
        tmp_path,
        "bql",
        "kind: board\nprovince: lang-son\n"
        f"name: {name}\nshow_name: false\nplan: {{date: 2026-07}}\n",
    )
    data = plan_docx(ws, "bql", appendices(ws, "bql"))
    table = header_table(data)._tbl
    left, right = (int(c.get(w("w"))) for c in table.iter(w("gridCol")))
    indent = int(table.tblPr.find(w("tblInd")).get(w("w")))
    assert left <= TEXT_WIDTH // 2 + MAX_OUTDENT
    assert left + right <= TEXT_WIDTH + MAX_OUTDENT and -indent == left + right - TEXT_WIDTH
    national = text_width("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 12, True)
    assert right - 2 * CELL_MARGIN >= national
    assert name.upper() in texts(data)  # one paragraph, wrapped by Word
    # the board's name written on two lines keeps its layout
    dong_dang = header_table(rendered("dong-dang")[0])._tbl
    assert sum(int(c.get(w("w"))) for c in dong_dang.iter(w("gridCol"))) <= (
        TEXT_WIDTH + MAX_OUTDENT
    )


def test_validate_reports_a_body_of_another_year_and_two_bodies_of_a_kind(data_copy):
    folder = data_copy / "catalogs" / "editions" / "lang-son-2026"
    path = folder / "ke-hoach-2026.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\nyear: 2026\n", "\nyear: 2027\n", 1), encoding="utf-8")
    problems = [str(p) for p in validate_plan(open_workspace(data_copy))]
    assert any(
        re.search(r"ke-hoach-2026\.yaml:[\d:]+ thân kế hoạch năm 2027 nằm trong kế hoạch năm", p)
        and "lang-son-2026" in p
        for p in problems
    ), problems
    path.write_text(text, encoding="utf-8")
    (folder / "ke-hoach-2026-ban-moi.yaml").write_text(
        text.replace("id: ke-hoach-2026\n", "id: ke-hoach-2026-moi\n", 1), encoding="utf-8"
    )
    ws = open_workspace(data_copy)
    problems = [str(p) for p in validate_plan(ws)]
    assert any(
        re.search(r"\.yaml:[\d:]+ hai thân kế hoạch cho cùng loại đơn vị và năm", p)
        for p in problems
    ), problems
    with pytest.raises(UserError, match="hai thân kế hoạch cho cùng loại đơn vị"):
        build_plan(ws, "lang-son", appendices(ws, "lang-son"))


def test_validate_reports_bodies_named_twice(data_copy):
    path = data_copy / "catalogs" / "plans" / "ke-hoach-don-vi.yaml"
    text = path.read_text(encoding="utf-8")
    rest = "      - id: phan-cong-don-vi\n"
    assert rest in text
    twice = (
        rest
        + "        duties: {rest: true, skip: [related]}\n"
        + rest.replace("phan-cong-don-vi", "phan-cong-lan-hai")
    )
    path.write_text(text.replace(rest, twice, 1), encoding="utf-8")
    problems = [str(p) for p in validate_plan(open_workspace(data_copy))]
    found = [p for p in problems if "được nêu 2 lần trong phần Tổ chức thực hiện" in p]
    assert any('đơn vị "dinh-lap"' in p and "Trung tâm Phục vụ hành chính công" in p for p in found)
    assert all(re.match(r".*ke-hoach-don-vi\.yaml:\d+: ", p) for p in found)


def test_missing_lead_body_names_the_kind_and_a_line(data_copy):
    path = data_copy / "catalogs" / "plans" / "ke-hoach-don-vi.yaml"
    text = path.read_text(encoding="utf-8")
    rest = "      - id: phan-cong-don-vi\n        duties: {rest: true, skip: [related]}\n"
    only = rest.replace("\n        duties", "\n        only: [agency]\n        duties")
    path.write_text(text.replace(rest, only, 1), "utf-8")
    problems = [str(p) for p in validate_plan(open_workspace(data_copy))]
    missing = [p for p in problems if "phần Tổ chức thực hiện không nêu" in p]
    assert missing and not any('"mau"' in p for p in problems)
    assert any(
        re.search(r'ke-hoach-don-vi\.yaml:\d+: loại "commune" \(đơn vị mới chỉ có mặc định\)', p)
        for p in missing
    ), missing
    assert all(re.match(r".*\.yaml:\d+: ", p) for p in missing)


def test_an_appendix_without_tasks_is_left_out_of_the_whole_plan(tmp_path):
    ws = unit_workspace(
        tmp_path,
        "khong-sipas",
        "kind: commune\nprovince: lang-son\n"
        "name: xã Khánh Khê\nplan: {number: 7, date: 2026-07-03}\n"
        "omit: [chinh-sach, dich-vu-hanh-chinh-cong]\n",
    )
    docs = appendices(ws, "khong-sipas")
    assert [bool(a.tasks) for a in docs] == [True, False]
    data = plan_docx(ws, "khong-sipas", docs)
    assert [len(p["tables"]) for p in sections_of(data)] == [2, 1]
    paragraphs = texts(data)
    assert "Phụ lục I" in paragraphs and "Phụ lục II" not in paragraphs
    assert not any("Phụ lục II" in p for p in paragraphs), [
        p for p in paragraphs if "Phụ lục II" in p
    ]
    assert any("Phụ lục I kèm theo" in p for p in paragraphs)


def test_an_unnumbered_appendix_is_phu_luc_in_running_text(data_copy):
    path = data_copy / "catalogs" / "editions" / "lang-son-2026" / "sipas-2026.yaml"
    path.write_text(path.read_text("utf-8").replace("\nappendix: II\n", "\n", 1), "utf-8")
    ws = open_workspace(data_copy)
    docs = appendices(ws, "dinh-lap")
    assert "PHỤ LỤC" in [a.label for a in docs]
    plan = build_plan(ws, "dinh-lap", docs)
    body = [p.full for p in plan.paragraphs]
    assert not any("PHỤ LỤC" in p for p in body)
    assert any(p.endswith(" Phụ lục.") or " Phụ lục; " in p for p in body if "Chủ trì" in p)
    assert "(Chi tiết tại Phụ lục)" in body


def test_a_unit_clears_a_kind_line_and_its_own_lines_render(tmp_path):
    ws = unit_workspace(
        tmp_path,
        "na-sam",
        "kind: commune\nprovince: lang-son\nname: xã Na Sầm\nplan: {date: 2026-07}\ndocument:\n"
        "  signer: {deputy: null, title: CHỦ TỊCH, name: 'Hoàng {{ unit.proper }}'}\n"
        "  recipients: ['- Bộ Nội vụ;', 'Sở Nội vụ.', 'Lưu: VT']\n",
    )
    plan = build_plan(ws, "na-sam", [])
    assert plan.signer == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    assert plan.signer_name == "Hoàng Na Sầm"
    assert plan.recipients == ("- Bộ Nội vụ;", "- Sở Nội vụ;", "- Lưu: VT.")
    # a key left out keeps the kind's value
    ws = unit_workspace(
        tmp_path,
        "na-sam",
        "kind: commune\nprovince: lang-son\nname: xã Na Sầm\nplan: {date: 2026-07}\n"
        "document:\n  signer: {name: Hoàng Văn A}\n",
    )
    plan = build_plan(ws, "na-sam", [])
    assert plan.signer == ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")


def test_stored_copy_must_be_the_last_recipient(tmp_path, data_copy):
    ws = unit_workspace(
        tmp_path,
        "na-sam",
        "kind: commune\nprovince: lang-son\nname: xã Na Sầm\nplan: {date: 2026-07}\n"
        "document:\n  recipients: ['Lưu: VT', Bộ Nội vụ]\n",
    )
    problems = [str(p) for p in validate_plan(ws, ["na-sam"])]
    assert any(
        re.search(
            r'na-sam\.yaml:\d+:\d+: đơn vị "na-sam": document\.recipients: "Lưu: VT" phải là', p
        )
        for p in problems
    ), problems
    with pytest.raises(ValidationFailed, match="phải là dòng cuối"):
        build_plan(ws, "na-sam", [])
    # a kind's list: said once, at the kind that writes it (not at the kinds inheriting it)
    kind = data_copy / "catalogs" / "kinds" / "commune.yaml"
    text = kind.read_text("utf-8")
    kind.write_text(text.replace("    - UBND tỉnh (b/c)\n", '    - "Lưu: VT"\n', 1), "utf-8")
    problems = [str(p) for p in validate_plan(open_workspace(data_copy))]
    stored = [p for p in problems if '"Lưu: VT" phải là dòng cuối' in p]
    assert len(stored) == 1 and re.match(r".*commune\.yaml:\d+:\d+: loại \"commune\"", stored[0])
