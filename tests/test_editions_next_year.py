"""Next year's plan for Lạng Sơn, in a copy of the data folder: the province's Phụ lục II of
2027 imported with the one-appendix form goes to a new edition, lang-son-2027, whose identity
comes from the appendix's guide line; the plans of 2026 do not change, and a commune with a
plan of 2027 gets a whole plan citing the 2027 plan and holding only its appendix."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import ROOT
from lai_chau_docs import appendix_docx
from test_editions import docx_text
from test_import import reference
from typer.testing import CliRunner

from generator.cli import app

runner = CliRunner()
GUIDE = "(Kèm theo Kế hoạch số 199/KH-UBND ngày 20/6/2027 của UBND tỉnh Lạng Sơn)"
KEYS = ["stt", "task", "lead", "support", "deadline", "product"]


def plangen(*args):
    return runner.invoke(app, [str(a) for a in args])


def table_2027() -> dict:
    """The province's Phụ lục II of 2026, as next year's: its title, guide line and dates."""
    table = copy.deepcopy(reference("lang-son"))
    table["title"] = table["title"].replace("2026", "2027")
    table["subtitle"] = GUIDE
    table["column_keys"] = KEYS
    table["widths_cm"] = [1.2, 8.0, 3.6, 3.6, 2.2, 5.6]
    for row in table["rows"]:
        if row["kind"] == "task":
            row["cells"] = {k: v.replace("2026", "2027") for k, v in row["cells"].items()}
    return table


def outputs(data: Path, out: Path, *extra: str) -> dict[str, str]:
    """The text of every DOCX dinh-lap gets (whole plan and appendices)."""
    result = plangen("--data", data, "--unit", "dinh-lap", "--out", out, "--no-tracker", *extra)
    assert result.exit_code == 0, result.output
    return {p.name: docx_text(p) for p in sorted(out.glob("*.docx"))}


@pytest.fixture(scope="module")
def next_year(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("2027")
    data = tmp / "data"
    for part in ("catalogs", "templates", "schemas"):
        shutil.copytree(ROOT / part, data / part)
    before = outputs(data, tmp / "before")
    source = appendix_docx(tmp / "phu-luc-ii-2027.docx", table_2027())
    result = plangen(
        "--data", data, "import", source, "--unit", "lang-son", "--id", "sipas-2027"
    )  # fmt: skip
    return tmp, data, before, result


def test_the_table_goes_to_a_new_edition_of_its_year(next_year):
    _, data, _, result = next_year
    assert result.exit_code == 0, result.output
    folder = data / "catalogs" / "editions" / "lang-son-2027"
    assert sorted(p.name for p in folder.iterdir()) == ["edition.yaml", "sipas-2027.yaml"]
    identity = yaml.safe_load((folder / "edition.yaml").read_text("utf-8"))
    assert identity["province"] == "Lạng Sơn" and identity["year"] == 2027
    assert identity["plan"] == {
        "number": 199,
        "symbol": "KH-UBND",
        "date": identity["plan"]["date"],
    }
    assert str(identity["plan"]["date"]) == "2027-06-20"
    assert identity["issuer"] == "UBND tỉnh Lạng Sơn" and identity["deadline_days"] == 15
    assert "lang-son-2027 (mới)" in result.stderr
    assert "chưa có câu mục tiêu của tỉnh (texts.target)" in result.stderr
    assert result.stdout.split()[-1].endswith("lang-son-2027/sipas-2027.yaml")
    check = plangen("--data", data, "validate")
    assert check.exit_code == 0, check.output


def test_the_plans_of_2026_do_not_change(next_year):
    tmp, data, before, _ = next_year
    assert outputs(data, tmp / "after", "--year", "2026") == before


def test_a_commune_with_a_plan_of_2027(next_year):
    tmp, data, _, _ = next_year
    profile = data / "catalogs" / "units" / "dinh-lap.yaml"
    profile.write_text(
        profile.read_text("utf-8") + "plans:\n  2027: {number: 40, date: 2027-07-02}\n",
        encoding="utf-8",
    )
    check = plangen("--data", data, "validate")
    assert check.exit_code == 0, check.output
    texts = outputs(data, tmp / "2027", "--year", "2027")
    assert sorted(texts) == ["dinh-lap-ke-hoach-2027.docx", "dinh-lap-phu-luc-II-sipas-2027.docx"]
    plan = texts["dinh-lap-ke-hoach-2027.docx"]
    assert "Kế hoạch số 199/KH-UBND ngày 20/6/2027" in plan
    assert "252/KH-UBND" not in plan and "23/6/2026" not in plan
    assert "(chi tiết tại Phụ lục II)" in plan
    # only the 2027 appendix, never two Phụ lục II
    assert set(re.findall(r"(?i)phụ lục\s+([IVX]+)", plan)) == {"II"}
    assert len(re.findall(r"Phụ lục II CÁC NHIỆM VỤ", plan)) == 1
