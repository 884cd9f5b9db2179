"""`plangen import`: an issued appendix DOCX back into a catalog, and the round trip.

The DOCX files are built here with python-docx from the reference tables (fixtures/reference)
in the shapes real appendices take: section rows as a code in STT with the title merged
across, or "A. TITLE" in one cell merged across the row; a "(1) (2) …" row; the table split
in two with its header repeated. Rendering the imported catalog for the same unit must give
the source table back under the tolerant comparison of tools/compare.py (NFC and white
space folded, trailing "." ignored, lead/support as sets of names split on ";" or ",").
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import time
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
import yaml
from conftest import FIXTURES, fold, read_table
from docx.shared import Cm
from typer.testing import CliRunner

from generator.cli import app
from generator.core.errors import UserError
from generator.core.package import Limits
from generator.model.workspace import open_workspace
from generator.readback import docxfile, docxtable
from generator.readback.bodies import Bodies, split_bodies
from generator.readback.docxread import read_table as read_source_table
from generator.readback.importer import import_appendix
from generator.readback.source import column_key as source_column_key

runner = CliRunner()
REFERENCE = FIXTURES / "reference"
KEYS = ["stt", "task", "lead", "support", "deadline", "product"]
WIDTHS_CM = [1.2, 8.0, 3.6, 3.6, 2.2, 5.6]


def reference(name: str) -> dict:
    folder = REFERENCE if (REFERENCE / f"{name}.json").exists() else FIXTURES / "import"
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


def plangen(*args: str):
    return runner.invoke(app, [str(a) for a in args])


# --------------------------------------------------------------------------- building DOCX


def build_docx(
    path: Path,
    table: dict,
    sections: str = "code",
    numbering: bool = True,
    split_at: int | None = None,
) -> Path:
    """A Phụ lục DOCX holding `table` (a reference JSON): label, title, guide line, then the
    table; `sections` "code" puts the code in STT and merges the title across the other
    cells, "merged" writes "A. TITLE" in one cell merged across the whole row; from row
    `split_at` on the rows go to a second table with the same header."""
    keys = table.get("column_keys", KEYS)
    widths = table.get("widths_cm", WIDTHS_CM)
    document = docx.Document()
    for line in (table["label"], table["title"], table["subtitle"]):
        document.add_paragraph(line)

    def new_table():
        t = document.add_table(rows=1, cols=len(keys))
        t.style = "Table Grid"
        for i, label in enumerate(table["columns"]):
            t.rows[0].cells[i].text = label
        for i, w in enumerate(widths):
            t.columns[i].width = Cm(w)
        return t

    t = new_table()
    if numbering:
        for i, cell in enumerate(t.add_row().cells):
            cell.text = f"({i + 1})"
    for n, row in enumerate(table["rows"]):
        if split_at is not None and n == split_at:
            document.add_paragraph()
            t = new_table()
        cells = t.add_row().cells
        if row["kind"] == "section":
            if sections == "code":
                cells[0].text = row["code"]
                cells[1].merge(cells[-1]).text = row["title"]
            else:
                cells[0].merge(cells[-1]).text = f"{row['code']}. {row['title']}"
            continue
        values = dict(row["cells"], stt=row["stt"])
        for cell, key in zip(cells, keys, strict=True):
            cell.text = values[key]
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


# --------------------------------------------------------------------------- comparing


def column_key(label: str) -> str | None:
    return source_column_key(label)


def norm(text: str) -> str:
    return re.sub(r"\s*\.$", "", fold(text))


def names(text: str) -> set[str]:
    parts = re.split(r"[;,\n]", unicodedata.normalize("NFC", text))
    return {norm(re.sub(r"^\s*[-–]\s+", "", p)).rstrip(". ").lower() for p in parts} - {""}


def renumbered(rows: list[dict]) -> list[dict]:
    """Section codes from position (A, B / I, II under each letter), as plangen numbers."""
    romans = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
    letters = any(r["kind"] == "section" and r["code"] not in romans for r in rows)
    top = sub = 0
    out = []
    for r in rows:
        r = dict(r)
        if r["kind"] == "section":
            if letters and r["code"] not in romans:
                top, sub = top + 1, 0
                r["code"] = chr(ord("A") + top - 1)
            else:
                sub += 1
                r["code"] = romans[sub - 1]
        out.append(r)
    return out


def compare(expected: list[dict], docx_path: Path) -> tuple[int, list[str]]:
    """(rows matched, differences) between reference rows and the rendered table."""
    got = read_table(docx_path)
    diffs = []
    if len(got) != len(expected):
        diffs.append(f"{len(got)} dòng, cần {len(expected)}")
    matched = 0
    for want, row in zip(renumbered(expected), got, strict=False):
        if want["kind"] != row["kind"]:
            diffs.append(f"{want} / {row}")
            continue
        if want["kind"] == "section":
            ok = want["code"] == row["code"] and (
                norm(want["title"]).casefold() == norm(row["title"]).casefold()
            )
            if not ok:
                diffs.append(f"mục {want['code']} {want['title']!r} / {row['title']!r}")
            matched += ok
            continue
        cells = {column_key(label): text for label, text in row["cells"].items()}
        ok = norm(want["stt"]) == norm(row["stt"])
        for key, text in want["cells"].items():
            same = (
                names(text) == names(cells.get(key, ""))
                if key in ("lead", "support")
                else norm(text) == norm(cells.get(key, ""))
            )
            if not same:
                ok = False
                diffs.append(f"{want['stt']} [{key}] {text!r} / {cells.get(key)!r}")
        matched += ok
    return matched, diffs


def edition_file(data: Path, name: str, edition: str = "lang-son-2026") -> Path:
    """A file of an edition of the data folder: an imported catalog goes to the edition of
    the unit's province and the table's year."""
    return data / "catalogs" / "editions" / edition / name


def import_cli(data: Path, source: Path, unit: str, ident: str, *extra: str):
    return plangen("--data", data, "import", source, "--unit", unit, "--id", ident, *extra)


def render(data: Path, unit: str, ident: str, folder: Path, year: int | None = None) -> Path:
    """The unit's appendix of catalog `ident` (of its plan of `year`, default its newest),
    rendered into a new folder under `folder`."""
    out = folder / f"out-{unit}"
    when = ["--year", str(year)] if year else []
    result = plangen(
        "--data", data, "--unit", unit, "--appendix", ident, "--out", out, "--no-tracker", *when
    )
    assert result.exit_code == 0, result.output
    [path] = out.glob("*.docx")
    return path


def role_share(stderr: str) -> float:
    m = re.search(r"thành vai trò \((\d+)%\)", stderr)
    assert m, stderr
    return float(m.group(1))


# --------------------------------------------------------------------------- round trips


@pytest.mark.parametrize("sections", ["code", "merged"])
def test_province_table_round_trip(tmp_path, data_copy, sections):
    table = reference("lang-son")
    source = build_docx(tmp_path / "phu-luc-ii.docx", table, sections, split_at=14)
    result = import_cli(data_copy, source, "lang-son", "sipas-import")
    assert result.exit_code == 0, result.output
    written = edition_file(data_copy, "sipas-import.yaml")
    assert result.stdout.strip().endswith("sipas-import.yaml")
    assert written.exists()
    assert role_share(result.stderr) >= 90

    check = plangen("--data", data_copy, "validate", written)
    assert check.exit_code == 0, check.output

    matched, diffs = compare(table["rows"], render(data_copy, "lang-son", "sipas-import", tmp_path))
    assert (matched, diffs) == (28, [])

    other = render(data_copy, "dinh-lap", "sipas-import", tmp_path)
    leads = [r["cells"]["Cơ quan chủ trì"] for r in read_table(other) if r["kind"] == "task"]
    assert len(leads) == 21
    provincial = re.compile(r"(?i)\bSở\b|UBND cấp xã|sở, ban, ngành")
    assert [lead for lead in leads if provincial.search(lead)] == []
    assert "Phòng Nội vụ" in " ".join(leads)  # dinh-lap's own body for home_affairs


@pytest.mark.parametrize(("unit", "rows", "tasks"), [("dinh-lap", 28, 21), ("dong-dang", 18, 12)])
def test_unit_tables_round_trip(tmp_path, data_copy, unit, rows, tasks):
    table = reference(unit)
    source = build_docx(tmp_path / f"{unit}.docx", table, "merged", split_at=10)
    result = import_cli(data_copy, source, unit, f"sipas-{unit}")
    assert result.exit_code == 0, result.output
    assert f"-> {rows - tasks} mục, {tasks} nhiệm vụ" in result.stderr
    assert role_share(result.stderr) == 100
    written = edition_file(data_copy, f"sipas-{unit}.yaml")
    assert plangen("--data", data_copy, "validate", written).exit_code == 0
    matched, diffs = compare(table["rows"], render(data_copy, unit, f"sipas-{unit}", tmp_path))
    assert (matched, diffs) == (rows, [])


def test_board_table_reports_its_numbering_slip(tmp_path, data_copy):
    """The board's table jumps from section I to III; plangen renumbers and says so."""
    source = build_docx(tmp_path / "dd.docx", reference("dong-dang"))
    result = import_cli(data_copy, source, "dong-dang", "sipas-bql")
    assert result.exit_code == 0, result.output
    assert 'mục "III" (theo thứ tự phải là "II")' in result.stderr
    catalog = yaml.safe_load(edition_file(data_copy, "sipas-bql.yaml").read_text("utf-8"))
    assert catalog["title"] == "Các nhiệm vụ, giải pháp nhằm nâng cao Chỉ số SIPAS"
    assert [c["label"] for c in catalog["columns"]][2:4] == ["Đơn vị chủ trì", "Đơn vị phối hợp"]


def test_other_year_layout(tmp_path, data_copy):
    """Tiến độ third, "Kết quả/sản phẩm", "Đơn vị chủ trì", no numeral, Roman-only sections,
    comma-separated bodies with commas in a name, a note, a bullet cell, one body the province
    profile does not know and one known name with words naming another body after it."""
    table = reference("other-year")
    source = build_docx(tmp_path / "2027.docx", table, "code", numbering=False)
    result = import_cli(data_copy, source, "lang-son", "cchc-2027")
    assert result.exit_code == 0, result.output
    path = edition_file(data_copy, "cchc-2027.yaml", "lang-son-2027")
    catalog = yaml.safe_load(path.read_text("utf-8"))
    assert "appendix" not in catalog
    assert (catalog["index"], catalog["year"]) == ("CCHC", 2027)
    assert catalog["title"] == "Kế hoạch thực hiện các nhiệm vụ nâng cao Chỉ số CCHC"
    assert [(c["key"], c["label"]) for c in catalog["columns"]] == list(
        zip(table["column_keys"], table["columns"], strict=True)
    )
    widths = [c["width"] for c in catalog["columns"]]
    assert sum(widths) == 100 and widths[1] == 35  # 9 cm of 26 cm
    assert [s["title"] for s in catalog["sections"]] == [
        "Cải cách thể chế",
        "Cải cách thủ tục hành chính",
        "Xây dựng và phát triển chính quyền điện tử, chính quyền số",
    ]
    assert all("sections" not in s for s in catalog["sections"])  # Roman only: level 1
    tasks = [t for s in catalog["sections"] for t in s["tasks"]]
    assert [(t["lead"], t["support"]) for t in tasks] == [
        (["justice"], ["departments", "communes"]),
        (["culture_social", "home_affairs"], ["communes", "related"]),
        (["office"], ["digital (theo dõi)"]),  # "Bưu điện tỉnh": unknown, kept per unit
        # "Sở Tài chính tham mưu UBND tỉnh" names another body and a level: not a note every
        # unit would print after its own finance body: a name kept for lang-son, finance for
        # the other units
        (["finance"], ["office"]),
        (["education", "digital"], ["departments", "communes"]),
    ]
    assert len({t["id"] for t in tasks}) == 5 and all(len(t["id"]) <= 40 for t in tasks)

    err = result.stderr
    assert '"Bưu điện tỉnh" (1 lần; gần nhất:' in err
    assert '"Sở Tài chính tham mưu UBND tỉnh" (1 lần; gần nhất: "Sở Tài chính"' in err
    assert "giữ nguyên văn" in err
    # The report's unit-profile snippet keeps the literal names for lang-son: add it and the
    # table comes back exactly.
    snippet = err[err.index("    tasks:") :].split("\n  Nếu")[0]
    profile = plan_of_2027(data_copy)
    profile.write_text(
        profile.read_text("utf-8") + "\n".join(line[4:] for line in snippet.splitlines()) + "\n",
        encoding="utf-8",
    )
    assert plangen("--data", data_copy, "validate").exit_code == 0
    rendered = render(data_copy, "lang-son", "cchc-2027", tmp_path, 2027)
    assert [fold(c) for c in read_table_header(rendered)] == table["columns"]
    matched, diffs = compare(table["rows"], rendered)
    assert (matched, diffs) == (8, [])


def plan_of_2027(data: Path) -> Path:
    """lang-son's profile with a plan of 2027 (the tables of 2027 go to lang-son-2027)."""
    profile = data / "catalogs" / "units" / "lang-son.yaml"
    profile.write_text(
        profile.read_text("utf-8") + "plans:\n  2027: {number: 41, date: 2027-03-05}\n",
        encoding="utf-8",
    )
    return profile


def read_table_header(path: Path) -> list[str]:
    [table] = docx.Document(str(path)).tables
    return [c.text for c in table.rows[0].cells]


# --------------------------------------------------------------------------- the catalog file


def test_catalog_file_is_pleasant_and_names_only_the_file(tmp_path, data_copy):
    source = build_docx(tmp_path / "nested" / "bang.docx", reference("lang-son"), "code")
    ws = open_workspace(data_copy)
    report = import_appendix(
        ws, source, "lang-son", "sipas-import", None, False, today=dt.date(2026, 7, 1)
    )
    text = report.path.read_text("utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../schemas/catalog.schema.json\n")
    assert '"bang.docx" bằng lệnh' in text and "\n# Ngày nhập: 01/7/2026.\n" in text
    assert str(tmp_path) not in text
    assert text == unicodedata.normalize("NFC", text)
    assert "        text: >-\n          Tăng cường cung cấp, giải thích" in text
    assert "  - {key: stt, label: STT, width: 5}" in text
    assert "        lead: [departments, communes]\n" in text
    assert "support: [finance (tham mưu kinh phí)]" in text
    assert max(len(line) for line in text.splitlines()) <= 100
    data = yaml.safe_load(text)
    assert data["title"] == "Các nhiệm vụ, giải pháp nhẫm nâng cao Chỉ số SIPAS"
    titles = [s["title"] for s in data["sections"]]
    assert titles == [
        "Nâng cao chất lượng xây dựng, tổ chức thực hiện chính sách",
        "Cung ứng dịch vụ hành chính công",
    ]
    sub = [s["title"] for s in data["sections"][1]["sections"]]
    assert sub[-1] == "Tiếp nhận, xử lý phản ánh, kiến nghị (PAKN) của người dân"
    ids = [t["id"] for s in data["sections"] for t in s.get("tasks", [])]
    assert ids[:4] == [
        "tang-cuong-cung-cap-giai-thich",
        "to-chuc-da-dang-cac-hinh",
        "an-sinh-xa-hoi-tai-dia",  # told apart from the tasks opening the same way
        "giao-duc-pho-thong-tai-dia",
    ]
    # An id already used by another catalog of the folder gets the year.
    assert data["sections"][1]["sections"][0]["id"] == "tiep-can-dich-vu-2026"
    # Kinds the province's wording cannot serve are omitted, each with a # TODO.
    assert "# TODO: plangen import tự thêm omit: board, department" in text


def test_written_elsewhere_has_no_schema_line(tmp_path, data_copy):
    source = build_docx(tmp_path / "a.docx", reference("dinh-lap"))
    out = tmp_path / "ra" / "sipas.yaml"
    result = import_cli(data_copy, source, "dinh-lap", "sipas-xa", "--out", out)
    assert result.exit_code == 0, result.output
    assert not out.read_text("utf-8").startswith("# yaml-language-server")
    assert not edition_file(data_copy, "sipas-xa.yaml").exists()


# --------------------------------------------------------------------------- refusals


def catalog_files(data: Path) -> set[str]:
    return {p.name for p in (data / "catalogs").rglob("*")}


def xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def docx_without_table() -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Phụ lục II")
    document.add_paragraph("CÁC NHIỆM VỤ, GIẢI PHÁP")
    document.save(buffer)
    return buffer.getvalue()


def docx_with_other_table() -> bytes:
    buffer = io.BytesIO()
    document = docx.Document()
    t = document.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Họ và tên", "Chức vụ"
    document.save(buffer)
    return buffer.getvalue()


def corrupt_zip() -> bytes:
    good = docx_without_table()
    return good[: len(good) // 2]


def pptx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("ppt/presentation.xml", "<p:presentation/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        z.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def docx_without_document() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (docx_without_table, "tệp không có bảng nào"),
        (docx_with_other_table, "không thấy bảng nhiệm vụ trong 1 bảng của tệp"),
        (xlsx_bytes, "đây là bảng tính Excel (.xlsx) đổi đuôi thành .docx, không phải tệp Word"),
        (
            lambda: "STT\tNhiệm vụ\n1\tRà soát\n".encode(),
            "tệp DOCX không phải tệp Office (.docx, .xlsx): nội dung không phải gói zip",
        ),
        (lambda: b"", "tệp rỗng, không phải tệp DOCX"),
        (corrupt_zip, "tệp DOCX bị hỏng (không mở được gói zip)"),
        (docx_without_document, "gói không có word/document.xml"),
        (
            lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100),
            "là tệp Office cũ (.doc, .xls) hoặc tệp đặt mật khẩu",
        ),
        (lambda: b"%PDF-1.7\n" + bytes(100), "là tệp PDF, không phải tệp Office"),
        (pptx_bytes, "đây là tệp PowerPoint (.pptx) đổi đuôi, không phải tệp Word"),
        (odt_bytes, "đây là tệp OpenDocument (.odt)"),
    ],
)
def test_unreadable_sources_write_nothing(tmp_path, data_copy, content, message):
    source = tmp_path / "phu-luc.docx"
    source.write_bytes(content())
    before = catalog_files(data_copy)
    result = import_cli(data_copy, source, "lang-son", "sipas-import")
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith(f"{source}: ") and message in line, line
    assert catalog_files(data_copy) == before


def test_existing_catalog_needs_force(tmp_path, data_copy):
    source = build_docx(tmp_path / "a.docx", reference("lang-son"))
    assert import_cli(data_copy, source, "lang-son", "sipas-import").exit_code == 0
    path = edition_file(data_copy, "sipas-import.yaml")
    path.write_text(path.read_text("utf-8") + "# sửa tay\n", encoding="utf-8")
    again = import_cli(data_copy, source, "lang-son", "sipas-import")
    assert again.exit_code == 2
    assert again.stderr.strip() == f"{path}: tệp đã tồn tại; thêm --force để ghi đè"
    assert path.read_text("utf-8").endswith("# sửa tay\n")
    forced = import_cli(data_copy, source, "lang-son", "sipas-import", "--force")
    assert forced.exit_code == 0, forced.output
    assert not path.read_text("utf-8").endswith("# sửa tay\n")


def test_catalog_id_of_another_file_is_refused(tmp_path, data_copy):
    source = build_docx(tmp_path / "a.docx", reference("lang-son"))
    out = tmp_path / "sipas-moi.yaml"  # outside the data folder: the id is what is refused
    result = import_cli(data_copy, source, "lang-son", "sipas-2026", "--out", out, "--force")
    assert result.exit_code == 2
    assert 'mã catalog "sipas-2026" đã có ở' in result.stderr
    assert not out.exists()
    bad = import_cli(data_copy, source, "lang-son", "Sipas 2027")
    assert bad.exit_code == 2 and 'mã catalog "Sipas 2027" không hợp lệ' in bad.stderr
    unknown = import_cli(data_copy, source, "lang-sonn", "sipas-2027")
    assert unknown.exit_code == 2 and 'không có đơn vị "lang-sonn"' in unknown.stderr


def test_work_is_bounded(tmp_path, data_copy, monkeypatch):
    source = build_docx(tmp_path / "a.docx", reference("lang-son"))
    ws = open_workspace(data_copy)
    monkeypatch.setattr(docxtable, "MAX_ROWS", 20)
    with pytest.raises(UserError, match="bảng quá lớn \\(trên 20 dòng\\)"):
        import_appendix(ws, source, "lang-son", "sipas-import", None, False)
    monkeypatch.setattr(docxfile, "MAX_BYTES", 1000)
    with pytest.raises(UserError, match="tệp DOCX quá lớn \\(.* KB; tối đa 1 KB\\)"):
        import_appendix(ws, source, "lang-son", "sipas-import", None, False)
    assert not (edition_file(data_copy, "sipas-import.yaml")).exists()


# --------------------------------------------------------------------------- odd tables


def odd_docx(path: Path) -> Path:
    """One table with what clerks' tables really hold: a repeated header row, an empty row,
    an empty lead cell, a task row split by hand, a lead merged down over two tasks, and a
    numbered row whose text is merged across the body columns."""
    document = docx.Document()
    document.add_paragraph("PHỤ LỤC II")
    document.add_paragraph("CÁC NHIỆM VỤ NÂNG CAO CHỈ SỐ SIPAS TỈNH LẠNG SƠN NĂM 2026")
    t = document.add_table(rows=0, cols=6)
    header = ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn", "Sản phẩm"]

    def row(*values: str):
        cells = t.add_row().cells
        for cell, value in zip(cells, values, strict=False):
            cell.text = value
        return cells

    row(*header)
    cells = row("A")
    cells[1].merge(cells[5]).text = "NHIỆM VỤ CHUNG"
    row("1", "Rà soát quy trình nội bộ.", "Sở Nội vụ", "Sở Tài chính", "Quý I/2026", "Báo cáo")
    row(*header)
    row("", "", "", "", "", "")
    row("2", "Kiểm tra công vụ đột xuất.", "", "Thanh tra tỉnh", "Thường xuyên", "Biên bản")
    row("3", "Tập huấn kỹ năng giao tiếp cho", "Sở Nội vụ", "", "Quý II/2026", "Lớp tập huấn")
    row("", "công chức Bộ phận Một cửa.", "", "Văn phòng UBND tỉnh", "", "")
    first = row("4", "Niêm yết thủ tục hành chính.", "Văn phòng UBND tỉnh", "", "Thường xuyên", "")
    second = row("5", "Số hóa kết quả giải quyết.", "", "", "Quý IV/2026", "Kho dữ liệu")
    first[2].merge(second[2])
    cells = row("6")
    cells[1].merge(cells[5]).text = "Nhiệm vụ khác theo chỉ đạo của UBND tỉnh"
    document.save(path)
    return path


def test_report_lines_say_what_was_read_and_what_to_check(tmp_path, data_copy):
    ws = open_workspace(data_copy)
    source = odd_docx(tmp_path / "le.docx")
    report = import_appendix(ws, source, "lang-son", "sipas-le", None, False)
    lines = report.lines()
    assert lines[0] == (
        "Đã đọc le.docx: PHỤ LỤC II, chỉ số SIPAS, năm 2026; 11 dòng bảng -> 1 mục, 6 nhiệm vụ."
    )
    assert lines[1] == "Tiêu đề: Các nhiệm vụ nâng cao Chỉ số SIPAS"
    assert lines[2] == (
        "Cột: STT 17% · Nội dung 17% · Cơ quan chủ trì 17% · Cơ quan phối hợp 17% · Thời hạn 16% · "
        "Sản phẩm 16%"
    )
    assert "Cơ quan: 7 lần nêu tên; 7 thành vai trò (100%), 0 giữ nguyên văn." in lines
    assert "  dòng 4: dòng tiêu đề cột lặp lại (sang trang): bỏ qua" in lines
    assert "  dòng 5: dòng trống: bỏ qua" in lines
    assert (
        "  dòng 6: ô chủ trì trống: catalog tạm ghi vai trò related "
        '(nhiệm vụ "kiem-tra-cong-vu-dot-xuat")' in lines
    )
    assert "  dòng 8: dòng không có STT: nối vào nhiệm vụ ở dòng trên (dòng bị tách)" in lines
    assert "  dòng 10: ô chủ trì gộp dọc với dòng trên: dùng nội dung ô phía trên" in lines
    assert any(line.startswith("  dòng 11: ô nội dung gộp sang các cột") for line in lines)
    assert '  dòng 9: ô "Sản phẩm" trống: ghi tạm "Chưa xác định"' in lines
    assert (
        '  "Văn phòng UBND tỉnh" -> office (3); chọn trong office, one_stop: vai trò các catalog '
        "hiện có dùng nhiều nhất" in lines
    )
    assert lines[-1].startswith("Tiếp theo: ")
    data = yaml.safe_load(report.path.read_text("utf-8"))
    tasks = data["sections"][0]["tasks"]
    assert tasks[2]["text"] == "Tập huấn kỹ năng giao tiếp cho công chức Bộ phận Một cửa."
    assert tasks[2]["support"] == ["office"]
    assert tasks[1]["lead"] == ["related"]
    assert tasks[4]["lead"] == ["office"]  # merged down from the row above
    assert "# TODO: ô chủ trì trong bảng gốc trống" in report.path.read_text("utf-8")


# --------------------------------------------------------------------------- bodies


PROVINCE = Bodies(
    {
        "departments": ["các sở, ban, ngành"],
        "communes": ["UBND cấp xã"],
        "related": ["các cơ quan, đơn vị có liên quan"],
        "culture_social": ["Sở Văn hóa, Thể thao và Du lịch"],
        "home_affairs": ["Sở Nội vụ"],
        "finance": ["Sở Tài chính"],
    },
    ["departments", "communes", "related", "home_affairs", "finance", "culture_social"],
)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # (the mention's text starts with, its note, a body the unit knows)
        ("Các sở, ban, ngành, UBND cấp xã", [("các sở, ban, ngành", None, 1), ("UBND", None, 1)]),
        (
            "Sở Văn hóa, Thể thao và Du lịch, Sở Nội vụ.",
            [("Sở Văn hóa", None, 1), ("Sở Nội vụ", None, 1)],
        ),
        ("Sở Văn hoá, Thể thao và Du lịch", [("Sở Văn hoá", None, 1)]),  # new-style tone mark
        (
            "UBND cấp xã.; các cơ quan, đơn vị có liên quan",
            [("UBND cấp xã", None, 1), ("các cơ quan", None, 1)],
        ),
        ("- Sở Nội vụ\n- Sở  Tài chính", [("Sở Nội vụ", None, 1), ("Sở Tài", None, 1)]),
        ("Sở Tài chính (tham mưu kinh phí)", [("Sở Tài chính", "(tham mưu kinh phí)", 1)]),
        ("Sở Nội vụ chủ trì tổng hợp", [("Sở Nội vụ", "chủ trì tổng hợp", 1)]),
        ("Sở Nội vụ và Sở Tài chính", [("Sở Nội vụ", None, 1), ("Sở Tài chính", None, 1)]),
        ("Bưu điện tỉnh, Sở Nội vụ", [("Bưu điện tỉnh", None, 0), ("Sở Nội vụ", None, 1)]),
        ("Sở Du lịch, thể thao", [("Sở Du lịch, thể thao", None, 0)]),
        # words after a known name that name a level, a place or another body: another body
        ("Sở Nội vụ tỉnh", [("Sở Nội vụ tỉnh", None, 0)]),
        ("Sở Tài chính tỉnh Lạng Sơn", [("Sở Tài chính tỉnh Lạng Sơn", None, 0)]),
        ("Sở Nội vụ tham mưu UBND tỉnh", [("Sở Nội vụ tham mưu UBND tỉnh", None, 0)]),
        (
            "Sở Tài chính và các đơn vị trực thuộc; Sở Nội vụ",
            [("Sở Tài chính và các đơn vị trực thuộc", None, 0), ("Sở Nội vụ", None, 1)],
        ),
        ("Sở Nội vụ phối hợp bảo hiểm xã hội", [("Sở Nội vụ", "phối hợp bảo hiểm xã hội", 1)]),
        # marks that say "nobody"
        ("-", []),
        ("Sở Nội vụ; x", [("Sở Nội vụ", None, 1)]),
        ("Sở Nội vụ -", [("Sở Nội vụ", None, 1)]),
    ],
)
def test_bodies_longest_known_name_first(cell, expected):
    mentions, _ = split_bodies(cell, PROVINCE)
    got = [(m.text, m.note, int(m.key is not None)) for m in mentions]
    assert len(got) == len(expected), got
    for (start, note, known), (text, got_note, got_known) in zip(expected, got, strict=True):
        assert text.casefold().startswith(start.casefold()), got
        assert (got_note, got_known) == (note, known), got


def test_a_role_with_two_bodies_is_written_once(tmp_path, data_copy):
    profile = data_copy / "catalogs" / "units" / "lang-son.yaml"
    profile.write_text(
        profile.read_text("utf-8")
        + "roles:\n  schools: [Sở Giáo dục và Đào tạo, các cơ sở giáo dục phổ thông]\n",
        encoding="utf-8",
    )
    table = reference("other-year")
    table["rows"] = table["rows"][:2]
    table["rows"][1]["cells"]["lead"] = "Sở Giáo dục và Đào tạo; các cơ sở giáo dục phổ thông"
    table["rows"][1]["cells"]["support"] = "Sở Giáo dục và Đào tạo"
    source = build_docx(tmp_path / "a.docx", table)
    report = import_appendix(open_workspace(data_copy), source, "lang-son", "gd", None, False)
    task = yaml.safe_load(report.path.read_text("utf-8"))["sections"][0]["tasks"][0]
    assert task["lead"] == ["schools"]
    assert task["support"] == ["education"]  # the role that is exactly that one body


# --------------------------------------------------------------------------- other shapes


def add_rows(t, rows: list[list[str]]) -> None:
    for values in rows:
        for cell, value in zip(t.add_row().cells, values, strict=True):
            cell.text = value


TASKS = [
    ["1", "Rà soát quy trình nội bộ.", "Sở Nội vụ", "Sở Tài chính", "Quý I/2026", "Báo cáo"],
    ["2", "Kiểm tra công vụ đột xuất.", "Thanh tra tỉnh", "Sở Nội vụ", "Thường xuyên", "Biên bản"],
]


def test_header_over_two_rows(tmp_path, data_copy):
    """ "Cơ quan thực hiện" over "Chủ trì | Phối hợp", the other labels merged down."""
    document = docx.Document()
    document.add_paragraph("Phụ lục II")
    document.add_paragraph("CÁC NHIỆM VỤ NÂNG CAO CHỈ SỐ SIPAS TỈNH LẠNG SƠN NĂM 2026")
    t = document.add_table(rows=2, cols=6)
    top = ["STT", "Nhiệm vụ", "Cơ quan thực hiện", "", "Thời gian", "Sản phẩm"]
    for i, label in enumerate(top):
        t.cell(0, i).text = label
    t.cell(1, 2).text, t.cell(1, 3).text = "Chủ trì", "Phối hợp"
    for i in (0, 1, 4, 5):
        t.cell(0, i).merge(t.cell(1, i))
    t.cell(0, 2).merge(t.cell(0, 3))
    cells = t.add_row().cells
    cells[0].text = "I"
    cells[1].merge(cells[5]).text = "CÔNG VỤ"
    add_rows(t, TASKS)
    document.save(tmp_path / "a.docx")
    report = import_appendix(
        open_workspace(data_copy), tmp_path / "a.docx", "lang-son", "hai-tang", None, False
    )
    data = yaml.safe_load(report.path.read_text("utf-8"))
    assert [c["label"] for c in data["columns"]] == [
        "STT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời gian", "Sản phẩm",
    ]  # fmt: skip
    tasks = data["sections"][0]["tasks"]
    assert [(t["lead"], t["support"]) for t in tasks] == [
        (["home_affairs"], ["finance"]),
        (["inspection"], ["home_affairs"]),
    ]
    assert "tiêu đề cột hai tầng: dùng nhãn ở tầng dưới" in report.check


def test_only_the_first_appendix_of_a_file_is_read(tmp_path, data_copy):
    """A whole plan: body text, then Phụ lục I and Phụ lục II with the same header; the
    title comes from the last "Phụ lục" line before the table, and the second appendix is
    not taken as a continuation of the first."""
    document = docx.Document()
    for line in (
        "KẾ HOẠCH",
        "Nâng cao Chỉ số PAR INDEX năm 2026",
        "Phụ lục kèm theo được ban hành cùng Kế hoạch này.",
        "(Chi tiết tại Phụ lục I)",
        "Phụ lục I",
        "CÁC NHIỆM VỤ NHẰM NÂNG CAO CHỈ SỐ CẢI CÁCH HÀNH CHÍNH (PAR INDEX)",
        "TỈNH LẠNG SƠN NĂM 2026",
        "(Kèm theo Kế hoạch số 252/KH-UBND ngày 23/6/2026 của Ủy ban nhân dân tỉnh)",
    ):
        document.add_paragraph(line)
    header = [
        "STT",
        "Nhiệm vụ cụ thể",
        "Cơ quan chủ trì",
        "Cơ quan phối hợp",
        "Thời gian",
        "Kết quả",
    ]
    for label in ("Phụ lục I", "Phụ lục II"):
        if label == "Phụ lục II":
            document.add_paragraph("Phụ lục II")
            document.add_paragraph("CÁC NHIỆM VỤ NÂNG CAO CHỈ SỐ SIPAS")
        t = document.add_table(rows=1, cols=6)
        for cell, text in zip(t.rows[0].cells, header, strict=True):
            cell.text = text
        cells = t.add_row().cells
        cells[0].merge(cells[5]).text = "I. CÔNG VỤ"
        add_rows(t, TASKS)
    document.save(tmp_path / "ke-hoach.docx")
    report = import_appendix(
        open_workspace(data_copy), tmp_path / "ke-hoach.docx", "lang-son", "par", None, False
    )
    data = yaml.safe_load(report.path.read_text("utf-8"))
    assert (data["appendix"], data["index"]) == ("I", "PAR INDEX")
    assert data["title"] == "Các nhiệm vụ nhằm nâng cao Chỉ số cải cách hành chính (PAR INDEX)"
    assert report.tasks == 2
    assert any("tệp còn bảng thứ 2 thuộc phần khác (Phụ lục II)" in c for c in report.check)


def test_awkward_text_survives_yaml_and_rendering(tmp_path, data_copy):
    """Text that looks like YAML or like a placeholder is data: it comes back as written."""
    table = reference("other-year")
    awkward = {
        "task": 'Ghi "{{ unit.name }}" và {% raw %} đúng như văn bản: không thay thế #1',
        "deadline": "2027",
        "product": "- Kết quả: báo cáo; yes",
    }
    table["rows"] = table["rows"][:2]
    table["rows"][1]["cells"].update(awkward)
    source = build_docx(tmp_path / "a.docx", table)
    result = import_cli(data_copy, source, "lang-son", "la")
    assert result.exit_code == 0, result.output
    plan_of_2027(data_copy)
    assert plangen("--data", data_copy, "validate").exit_code == 0
    rendered = render(data_copy, "lang-son", "la", tmp_path, 2027)
    [row] = [r for r in read_table(rendered) if "stt" in r]
    cells = {column_key(k): v for k, v in row["cells"].items()}
    assert {k: cells[k] for k in awkward} == awkward


# --------------------------------------------------------------------------- hard inputs


HEADER = ["STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian", "Sản phẩm"]


def mini_docx(
    path: Path,
    rows: list[list[str]] = TASKS,
    title: str = "CÁC NHIỆM VỤ NÂNG CAO CHỈ SỐ SIPAS TỈNH LẠNG SƠN NĂM 2026",
    guide: str = "",
    label: str = "Phụ lục II",
):
    """A small appendix: label, title, guide line, one table (a section row, then `rows`)."""
    document = docx.Document()
    for line in (label, title, guide):
        if line:
            document.add_paragraph(line)
    t = document.add_table(rows=1, cols=6)
    for cell, text in zip(t.rows[0].cells, HEADER, strict=True):
        cell.text = text
    cells = t.add_row().cells
    cells[0].text = "I"
    cells[1].merge(cells[5]).text = "CÔNG VỤ"
    add_rows(t, rows)
    document.save(path)
    return document, t


def tasks_of(report) -> list[dict]:
    data = yaml.safe_load(report.path.read_text("utf-8"))
    return [t for s in data["sections"] for t in s.get("tasks", [])]


def test_words_after_a_known_name_make_another_body(tmp_path, data_copy):
    rows = [
        ["1", "Rà soát quy trình nội bộ.", "Sở Nội vụ tỉnh", "Sở Tài chính tỉnh Lạng Sơn", "Quý I",
         "Báo cáo"],
        ["2", "Kiểm tra y tế học đường.", "Sở Y tế và các đơn vị trực thuộc",
         "Sở Nội vụ (theo dõi)", "Quý II", "Biên bản"],
        ["3", "Tổng hợp kết quả.", "Sở Nội vụ chủ trì tổng hợp", "", "Quý IV", "Báo cáo"],
    ]  # fmt: skip
    mini_docx(tmp_path / "a.docx", rows)
    ws = open_workspace(data_copy)
    report = import_appendix(ws, tmp_path / "a.docx", "lang-son", "sau-ten", None, False)
    tasks = tasks_of(report)
    assert [(t["lead"], t["support"]) for t in tasks] == [
        (["home_affairs"], ["finance"]),
        (["health"], ["home_affairs (theo dõi)"]),
        (["home_affairs chủ trì tổng hợp"], []),
    ]
    assert set(report.unknown) == {
        "Sở Nội vụ tỉnh",
        "Sở Tài chính tỉnh Lạng Sơn",
        "Sở Y tế và các đơn vị trực thuộc",
    }
    assert report.unknown["Sở Nội vụ tỉnh"][1][0] == "Sở Nội vụ"
    assert report.overrides[tasks[0]["id"]] == {
        "lead": ["Sở Nội vụ tỉnh"],
        "support": ["Sở Tài chính tỉnh Lạng Sơn"],
    }
    # the running-text note kept is for a person to check
    assert any("chủ trì tổng hợp" in c and tasks[2]["id"] in c for c in report.check)
    # another unit prints its own body, with nothing of the province's words
    out = render(data_copy, "dinh-lap", "sau-ten", tmp_path)
    leads = [r["cells"]["Cơ quan chủ trì"] for r in read_table(out) if r["kind"] == "task"]
    assert leads[0] == "Phòng Nội vụ"
    assert not any("tỉnh" in lead or "trực thuộc" in lead for lead in leads), leads


def test_filler_marks_are_empty_cells(tmp_path, data_copy):
    rows = [
        ["1", "Rà soát quy trình nội bộ.", "-", "x", "Quý I", "Báo cáo"],
        ["2", "Kiểm tra công vụ.", "Thanh tra tỉnh", "/", "Quý II", "Biên bản"],
        ["3", "Tổng hợp kết quả.", "Sở Nội vụ", "…", "Quý IV", "Báo cáo"],
    ]
    mini_docx(tmp_path / "a.docx", rows)
    ws = open_workspace(data_copy)
    report = import_appendix(ws, tmp_path / "a.docx", "lang-son", "trong", None, False)
    tasks = tasks_of(report)
    assert [(t["lead"], t["support"]) for t in tasks] == [
        (["related"], []),
        (["inspection"], []),
        (["home_affairs"], []),
    ]
    assert report.unknown == {} and report.mentions == 2
    assert any('ô chủ trì chỉ ghi "-"' in line for line in report.odd)


def test_a_lead_cell_merged_over_the_support_column_is_reported(tmp_path, data_copy):
    document, t = mini_docx(tmp_path / "a.docx")
    cells = t.add_row().cells
    cells[0].text, cells[1].text = "3", "Số hóa hồ sơ."
    cells[2].merge(cells[3]).text = "Văn phòng UBND tỉnh; Sở Nội vụ"
    cells[4].text, cells[5].text = "Quý III", "Kho dữ liệu"
    document.save(tmp_path / "a.docx")
    ws = open_workspace(data_copy)
    report = import_appendix(ws, tmp_path / "a.docx", "lang-son", "gop", None, False)
    assert any(
        line.startswith("dòng 5: ") and 'ô "Chủ trì" gộp sang cột "Phối hợp"' in line
        for line in report.odd
    ), report.odd


@pytest.mark.parametrize(
    ("title", "guide", "year"),
    [
        # a plan's number in the guide line is not a year; its date is
        (
            "CÁC NHIỆM VỤ NÂNG CAO CHỈ SỐ SIPAS",
            "(Kèm theo Kế hoạch số 2045/KH-UBND ngày 05/3/2027 của UBND tỉnh)",
            2027,
        ),
        (
            "CÁC NHIỆM VỤ NÂNG CAO CHỈ SỐ SIPAS",
            "(Kèm theo Kế hoạch số 2045/KH-UBND ngày 23 tháng 6 năm 2028 của UBND tỉnh)",
            2028,
        ),
        # "NĂM yyyy" in the title wins, also before a bracket
        (
            "CÁC NHIỆM VỤ NÂNG CAO CHỈ SỐ SIPAS TỈNH LẠNG SƠN NĂM 2027 (SỬA ĐỔI)",
            "(Kèm theo Kế hoạch số 12/KH-UBND ngày 05/3/2026 của UBND tỉnh)",
            2027,
        ),
    ],
)
def test_year_from_the_title_then_the_guide_date(tmp_path, data_copy, title, guide, year):
    mini_docx(tmp_path / "a.docx", title=title, guide=guide)
    ws = open_workspace(data_copy)
    report = import_appendix(ws, tmp_path / "a.docx", "lang-son", "nam", None, False)
    data = yaml.safe_load(report.path.read_text("utf-8"))
    assert data["year"] == year
    assert data["title"] == "Các nhiệm vụ nâng cao Chỉ số SIPAS"
    if "SỬA ĐỔI" in title:
        assert any('đã bỏ "(SỬA ĐỔI)"' in c for c in report.check)


@pytest.mark.parametrize(
    ("title", "guide", "message"),
    [
        ("CÁC NHIỆM VỤ NÂNG CAO CHỈ SỐ SIPAS NĂM 1999", "", "năm 1999 ở tiêu đề nằm ngoài"),
        ("CÁC NHIỆM VỤ NÂNG CAO CHỈ SỐ SIPAS NĂM 2150", "", "năm 2150 ở tiêu đề nằm ngoài"),
        (
            "CÁC NHIỆM VỤ NÂNG CAO CHỈ SỐ SIPAS",
            "(Kèm theo Kế hoạch số 2045/KH-UBND của UBND tỉnh)",
            'không thấy năm của phụ lục: tiêu đề cần có "NĂM yyyy"',
        ),
    ],
)
def test_a_year_that_cannot_be_read_is_refused(tmp_path, data_copy, title, guide, message):
    source = tmp_path / "a.docx"
    mini_docx(source, title=title, guide=guide)
    before = catalog_files(data_copy)
    result = import_cli(data_copy, source, "lang-son", "nam")
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith(f"{source}: ") and message in line, line
    assert catalog_files(data_copy) == before


@pytest.mark.parametrize("width", ["nan", "1e309", "-5", "0", "inf"])
def test_absurd_grid_widths_count_as_missing(tmp_path, data_copy, width):
    document, t = mini_docx(tmp_path / "a.docx")
    qn = docx.oxml.ns.qn
    cols = list(t._tbl.tblGrid.iter(qn("w:gridCol")))
    for col in cols:
        col.set(qn("w:w"), "1500")
    cols[1].set(qn("w:w"), width)  # the task column's width makes no sense
    t.rows[0].cells[1]._tc.get_or_add_tcPr().get_or_add_tcW().set(qn("w:w"), width)
    document.save(tmp_path / "a.docx")
    result = import_cli(data_copy, tmp_path / "a.docx", "lang-son", "rong")
    assert result.exit_code == 0, result.output
    data = yaml.safe_load(edition_file(data_copy, "rong.yaml").read_text("utf-8"))
    assert [c["width"] for c in data["columns"]] == [5, 33, 15, 15, 9, 23]


def test_an_unnumbered_appendix_beside_numbered_ones_is_reported(tmp_path, data_copy):
    mini_docx(tmp_path / "a.docx", label="PHỤ LỤC")
    ws = open_workspace(data_copy)
    report = import_appendix(ws, tmp_path / "a.docx", "lang-son", "khong-so", None, False)
    assert any(
        c.startswith('phụ lục không đánh số ("PHỤ LỤC") cùng năm với Phụ lục I (par-index-2026)')
        for c in report.check
    ), report.check


# --------------------------------------------------------------------------- hostile files


def docx_with_part(name: str, content: bytes) -> bytes:
    """A valid appendix DOCX whose part `name` is replaced by `content`."""
    buffer = io.BytesIO()
    mini_docx(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = content if info.filename == name else src.read(info)
            dst.writestr(info.filename, data)
    return out.getvalue()


def document_xml_of(body: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w='
        b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
        + body
        + b"</w:body></w:document>"
    )


def many_elements(n: int) -> bytes:
    """`n` empty elements with random two-letter names (a few bits each: they compress
    about 4 times, well within the ratio a zip bomb needs)."""
    letters = os.urandom(2 * n).translate(bytes(97 + i % 16 for i in range(256)))
    out = bytearray(5 * n)
    out[0::5], out[1::5], out[2::5] = b"<" * n, letters[0::2], letters[1::2]
    out[3::5], out[4::5] = b"/" * n, b">" * n
    return bytes(out)


def renamed_main_part(document: bytes) -> bytes:
    """A valid appendix DOCX whose main part is word/document.dat, holding `document`."""
    buffer = io.BytesIO()
    mini_docx(buffer)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            name = info.filename.replace("document.xml", "document.dat")
            if name == "word/document.dat":
                data = document
            elif name in ("[Content_Types].xml", "_rels/.rels"):
                data = data.replace(b"document.xml", b"document.dat")
            dst.writestr(name, data)
    return out.getvalue()


def encrypted_docx() -> bytes:
    """An appendix whose zip members say they are encrypted (zipfile: RuntimeError)."""
    data = bytearray(docx_with_part("", b""))
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        data[at + 8] |= 1  # general purpose flag: encrypted
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # a 100 kB file of 8 million empty paragraphs: refused before any parsing
        (
            lambda: docx_with_part("word/document.xml", document_xml_of(b"<w:p/>" * 8_000_000)),
            "tệp DOCX có phần word/document.xml nén bất thường",
        ),
        (
            lambda: docx_with_part("word/styles.xml", b"<w:styles>" + b" " * 50_000_000),
            "tệp DOCX có phần word/styles.xml nén bất thường",
        ),
        # 3.1 million elements that compress only 4 times, in a main part that is not named
        # .xml: counted all the same
        (
            lambda: renamed_main_part(document_xml_of(many_elements(3_100_000))),
            "tệp DOCX có quá nhiều phần tử XML (trên 2.000.000)",
        ),
        # one text node of 12 MB (incompressible): lxml's own limit, said in Vietnamese
        (
            lambda: docx_with_part(
                "word/document.xml",
                document_xml_of(
                    b"<w:p><w:r><w:t>"
                    + os.urandom(6_000_000).hex().encode()
                    + b"</w:t></w:r></w:p>"
                ),
            ),
            "có một đoạn chữ quá dài",
        ),  # fmt: skip
        (encrypted_docx, "tệp DOCX có phần bị mã hóa (đặt mật khẩu)"),
    ],
)
def test_zip_bombs_and_huge_xml_are_refused_quickly(tmp_path, data_copy, content, message):
    source = tmp_path / "phu-luc.docx"
    source.write_bytes(content())
    start = time.monotonic()
    result = import_cli(data_copy, source, "lang-son", "bom")
    assert time.monotonic() - start < 10
    assert result.exit_code == 2, result.output
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith(f"{source}: ") and message in line, line


def test_elements_are_counted_in_every_xml_part(tmp_path, data_copy, monkeypatch):
    source = tmp_path / "a.docx"
    mini_docx(source)
    monkeypatch.setattr(docxfile, "LIMITS", Limits(elements=200))
    with pytest.raises(UserError, match="tệp DOCX có quá nhiều phần tử XML \\(trên 200\\)"):
        read_source_table(source)


def test_only_a_regular_file_is_read(tmp_path, data_copy):
    device = Path("/dev/zero")
    if not device.exists():
        pytest.skip("no /dev/zero")
    result = import_cli(data_copy, device, "lang-son", "thiet-bi")
    assert result.exit_code == 2, result.output
    assert result.stderr.strip() == (
        "/dev/zero: đây không phải một tệp thường (thiết bị, ống dẫn hoặc socket)"
    )
