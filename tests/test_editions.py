"""A second province ships: tỉnh Lai Châu, 2026 (catalogs/editions/lai-chau-2026/).

The edition and the province's profile are what `plangen import … --apply` makes of the
documents of tests/lai_chau_docs.py (a synthetic plan built from tests/fixtures/lai-chau/):
the shipped files must equal a fresh import. The province, a commune (xã Tả Lèng) and a ward
(phường Tân Phong) then get whole plans that validate and never name Lạng Sơn, and the
province's body reproduces its document paragraph by paragraph.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from conftest import ROOT
from lai_chau_docs import build_all, load
from test_import import compare
from typer.testing import CliRunner

from generator.cli import app

runner = CliRunner()
EDITION = Path("catalogs") / "editions" / "lai-chau-2026"
PROFILE = Path("catalogs") / "units" / "lai-chau.yaml"
UNITS = ("lai-chau", "ta-leng", "tan-phong")


def plangen(*args):
    return runner.invoke(app, [str(a) for a in args])


def fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


EXAMPLE_NOTE = re.compile(r"(?:#\n)?# VÍ DỤ:.*?\.ldo\)\.\n", re.S)


def without_date(text: str) -> str:
    """A file's text without its header's date line (the day it was imported) and the note
    the shipped copy adds to say it is an example ("# VÍ DỤ: …")."""
    text = EXAMPLE_NOTE.sub("", text)
    return "\n".join(line for line in text.splitlines() if not line.startswith("# Ngày nhập:"))


def copy_data(target: Path, *, shipped: bool = True) -> Path:
    """A copy of the data folder; without `shipped`, as it was before Lai Châu was imported."""
    for part in ("catalogs", "templates", "schemas"):
        shutil.copytree(ROOT / part, target / part)
    if not shipped:
        shutil.rmtree(target / EDITION)
        (target / PROFILE).unlink()
    return target


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> tuple[Path, object]:
    """The documents imported into a copy of the data folder without the shipped edition."""
    tmp = tmp_path_factory.mktemp("lai-chau")
    data = copy_data(tmp / "data", shipped=False)
    sources = build_all(tmp / "docs")
    result = plangen("--data", data, "import", *sources, "--edition", "lai-chau-2026", "--apply")
    return data, result


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """The whole plan of each Lai Châu unit, rendered from a copy of the shipped data."""
    tmp = tmp_path_factory.mktemp("lai-chau-out")
    data = copy_data(tmp / "data")
    out = {}
    for unit in UNITS:
        result = plangen("--data", data, "--unit", unit, "--out", tmp / unit, "--no-tracker")
        assert result.exit_code == 0, result.output
        out[unit] = tmp / unit / f"{unit}-ke-hoach-2026.docx"
    return out


def docx_text(path: Path) -> str:
    """Every piece of text of a DOCX (body, tables, headers), joined."""
    with zipfile.ZipFile(path) as z:
        parts = [n for n in z.namelist() if n.startswith("word/") and n.endswith(".xml")]
        xml = "".join(z.read(n).decode("utf-8") for n in parts)
    return fold(" ".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", xml)))  # no-break spaces too


def paragraphs(path: Path) -> list[str]:
    """The paragraphs of a DOCX, table cells too, each line on its own."""
    document = docx.Document(str(path))
    found = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                found += cell.paragraphs
    return [fold(line) for p in found for line in p.text.split("\n") if fold(line)]


def test_the_shipped_edition_is_a_fresh_import(fresh):
    data, result = fresh
    assert result.exit_code == 0, result.output
    made = sorted(p.name for p in (data / EDITION).iterdir())
    shipped = sorted(p.name for p in (ROOT / EDITION).iterdir())
    assert (
        made
        == shipped
        == [
            "edition.yaml",
            "ke-hoach-2026.yaml",
            "par-index-2026-lai-chau.yaml",
            "sipas-2026-lai-chau.yaml",
        ]
    )
    for name in made:
        fresh_text = without_date((data / EDITION / name).read_text("utf-8"))
        assert fresh_text == without_date((ROOT / EDITION / name).read_text("utf-8")), name
    made_profile = without_date((data / PROFILE).read_text("utf-8"))
    assert made_profile == without_date((ROOT / PROFILE).read_text("utf-8"))


def test_the_report_says_what_was_taken(fresh):
    _, result = fresh
    err = result.stderr
    assert "lai-chau-2026 (mới): tỉnh Lai Châu, Kế hoạch số 1468/KH-UBND ngày 16/6/2026" in err
    assert 'texts.target (từ mục "Mục đích"' in err
    assert '"(Chi tiết tại Phụ lục I)" -> refer: par-index-2026-lai-chau' in err
    assert 'catalog ghi "numbering: continuous"' in err
    assert '"Bưu điện tỉnh" (1 lần' in err  # a body no kind knows: kept for the province
    assert "Hồ sơ lai-chau.yaml (--apply):" in err
    assert "validate còn báo" not in err
    assert "theo thứ tự phải là" not in err  # numbering on across sections is no slip
    stdout = result.stdout.split()
    assert stdout[-1].endswith("catalogs/units/lai-chau.yaml")


def test_the_data_folder_validates_and_lists_both_provinces(tmp_path):
    data = copy_data(tmp_path / "data")
    check = plangen("--data", data, "validate")
    assert check.exit_code == 0, check.output
    assert check.stdout.startswith("Hợp lệ:")
    mine = [
        line
        for line in check.stderr.splitlines()
        if "lai-chau" in line and "chưa ghi đơn vị soạn thảo" not in line
    ]
    assert mine == []
    listed = plangen("--data", data, "editions")
    assert listed.exit_code == 0, listed.output
    rows = {line.split()[0]: line for line in listed.stdout.splitlines() if "-20" in line}
    assert "Lai Châu" in rows["lai-chau-2026"] and "ta-leng" in rows["lai-chau-2026"]
    assert "Lạng Sơn" in rows["lang-son-2026"] and "dinh-lap" in rows["lang-son-2026"]


@pytest.mark.parametrize("unit", UNITS)
def test_every_unit_gets_a_whole_plan_of_its_own_province(rendered, unit):
    text = docx_text(rendered[unit])
    assert "Lạng Sơn" not in text and "LẠNG SƠN" not in text
    assert "1468/KH-UBND" in text or unit == "lai-chau"
    assert "PHỤ LỤC I" in text.upper() and "PHỤ LỤC II" in text.upper()
    if unit == "tan-phong":  # a ward's plan never says "xã" (but "xã hội")
        words = re.sub(r"(?i)xã hội", "", text)
        assert not re.search(r"(?i)(?<!\w)xã(?!\w)", words)


def test_the_province_body_reproduces_its_document(rendered, tmp_path):
    [source, *_] = build_all(tmp_path)
    wanted = [p for p in paragraphs(source) if len(p) > 60]
    got = set(paragraphs(rendered["lai-chau"]))
    found = [p for p in wanted if p in got]
    assert len(found) / len(wanted) >= 0.9, [p for p in wanted if p not in got]


def test_the_province_appendices_render_back_exactly(tmp_path):
    data = copy_data(tmp_path / "data")
    for numeral, name in (("I", "phu-luc-i.json"), ("II", "phu-luc-ii.json")):
        out = tmp_path / f"out-{numeral}"
        result = plangen(
            "--data", data, "--unit", "lai-chau", "--appendix", numeral, "--out", out,
            "--no-tracker",
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        [path] = out.glob("*.docx")
        table = load(name)
        matched, diffs = compare(table["rows"], path)
        assert (matched, diffs) == (len(table["rows"]), [])


def test_the_commune_names_its_own_bodies(rendered):
    text = docx_text(rendered["ta-leng"])
    assert "Phòng Văn hóa - Xã hội" in text and "Văn phòng HĐND và UBND xã" in text
    assert "Kế hoạch số 1468/KH-UBND ngày 16/6/2026 của UBND tỉnh Lai Châu" in text
