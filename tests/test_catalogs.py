"""Every shipped catalog against every shipped unit: complete, numbered, traceable."""

from __future__ import annotations

import re

import pytest
from conftest import PUBLISHED_SLIPS, ROOT
from typer.testing import CliRunner

from generator.check.workspace import validate
from generator.cli import app
from generator.model.workspace import open_workspace
from generator.resolve.unit import unit_appendices as appendices

AREAS = [
    "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH",
    "CẢI CÁCH THỂ CHẾ",
    "CẢI CÁCH THỦ TỤC HÀNH CHÍNH",
    "CẢI CÁCH TỔ CHỨC BỘ MÁY HÀNH CHÍNH",
    "CẢI CÁCH CHẾ ĐỘ CÔNG VỤ",
    "CẢI CÁCH TÀI CHÍNH CÔNG",
    "XÂY DỰNG VÀ PHÁT TRIỂN CHÍNH QUYỀN ĐIỆN TỬ, CHÍNH QUYỀN SỐ",
    "TÁC ĐỘNG CỦA CẢI CÁCH HÀNH CHÍNH ĐẾN NGƯỜI DÂN, TỔ CHỨC VÀ PHÁT TRIỂN KINH TẾ - XÃ HỘI",
]
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
# Every shipped profile: the three real units and the samples of a ward and a department of
# Lạng Sơn; the example province Lai Châu, a commune and a ward of it.
UNITS = sorted(p.stem for p in (ROOT / "catalogs" / "units").glob("*.yaml"))
LAI_CHAU = ["lai-chau", "ta-leng", "tan-phong"]
LANG_SON = [u for u in UNITS if u not in LAI_CHAU]


@pytest.fixture(scope="module")
def ws():
    return open_workspace()


def test_shipped_data_is_valid(ws):
    assert [str(p) for p in validate(ws)] == []


def test_the_shipped_profiles():
    assert LANG_SON == ["dinh-lap", "dong-dang", "lang-son", "so-y-te", "tam-thanh"]
    assert sorted(LAI_CHAU) == [u for u in UNITS if u in LAI_CHAU]


@pytest.mark.parametrize("slug", UNITS)
def test_every_cell_filled_and_no_placeholder_left(ws, slug):
    for appendix in appendices(ws, slug):
        assert appendix.tasks, appendix.catalog
        for row in appendix.tasks:
            for key in ("task", "lead", "deadline", "product"):
                assert row.cells[key].strip(), (appendix.catalog, row.ident, key)
            for text in row.cells.values():
                assert not re.search(r"\{\{|\{%|\b[a-z]+_[a-z_]+\b|\bNone\b", text), (
                    appendix.catalog,
                    row.ident,
                    text,
                )


@pytest.mark.parametrize("slug", LANG_SON)
def test_par_index_areas_in_order_and_numbered(ws, slug):
    [par] = appendices(ws, slug, ["I"])
    assert par.label == "Phụ lục I"
    sections = par.sections
    assert [s.code for s in sections] == ROMAN[: len(sections)]
    titles = [s.title for s in sections]
    assert titles == [a for a in AREAS if a in titles]  # the plan's order, some maybe omitted
    if slug == "lang-son":
        assert titles == AREAS
    numbers: dict[str, list[str]] = {}
    for row in par.tasks:
        numbers.setdefault(row.path[-1], []).append(row.code)
    for code, got in numbers.items():
        assert got == [str(i) for i in range(1, len(got) + 1)], code


@pytest.mark.parametrize("slug", LAI_CHAU)
def test_lai_chau_numbers_its_tasks_on_across_sections(ws, slug):
    """Its Phụ lục I numbers tasks on from one section to the next, as its document does."""
    [par] = appendices(ws, slug, ["I"])
    assert [s.code for s in par.sections] == ROMAN[: len(par.sections)]
    assert [r.code for r in par.tasks] == [str(i) for i in range(1, len(par.tasks) + 1)]


def test_par_index_tasks_trace_to_the_plan_body(ws):
    catalog = ws.catalogs["par-index-2026"].model
    tasks = list(catalog.iter_tasks())
    assert 30 <= len(tasks) <= 45
    for task in tasks:
        assert task.source and re.match(r"^(II\.1\.[a-hđ]|III\.\d+\.[a-hđ])\b", task.source), (
            task.id
        )
    deadlines = {t.deadline for t in tasks}
    assert {"Thường xuyên", "Trước quý III/2026", "Tháng 7/2026"} <= deadlines


def comment_header(path) -> str:
    """The catalog's header comment as running text (the "#" lines before "id:")."""
    head = path.read_text(encoding="utf-8").split("\nid:")[0]
    return " ".join(" ".join(line.lstrip("#").split()) for line in head.splitlines()).strip()


def every_wording(catalog):
    """(task id, kind or "chung", field, text) of every task text, common and per kind."""
    for task in catalog.iter_tasks():
        for kind, fields in [("chung", task), *task.variants.items()]:
            for field in ("text", "deadline", "product"):
                value = getattr(fields, field)
                if value is not None:
                    yield task.id, kind, field, value


@pytest.mark.parametrize("catalog_id", ["par-index-2026", "sipas-2026"])
def test_final_punctuation_follows_the_catalog_rule(ws, catalog_id):
    """Task text and product end with a full stop; a deadline has no final punctuation."""
    wrong = [
        (task, kind, field, value[-20:])
        for task, kind, field, value in every_wording(ws.catalogs[catalog_id].model)
        if (field == "deadline") == value.rstrip().endswith((".", ";", ","))
        or (field != "deadline" and not value.rstrip().endswith("."))
    ]
    assert wrong == []
    assert "Dấu câu cuối ô" in comment_header(ws.catalogs[catalog_id].path)


# The slips of the published documents each catalog corrects, as its
# header comment lists them; none of them may be left in the catalog's text.
SLIPS = {
    "sipas-2026": PUBLISHED_SLIPS,
    "par-index-2026": [("kiên nghị", "kiến nghị")],
}


@pytest.mark.parametrize("catalog_id", sorted(SLIPS))
def test_seed_slips_are_corrected_and_listed(ws, catalog_id):
    loaded = ws.catalogs[catalog_id]
    header = comment_header(loaded.path)
    texts = [v for *_, v in every_wording(loaded.model)] + [loaded.model.title]
    texts += [s.title for s, _ in loaded.model.iter_sections()]
    for bad, good in SLIPS[catalog_id]:
        assert bad in header and good in header, (bad, "not listed in the header comment")
        assert not [t for t in texts if bad.casefold() in t.casefold()], bad
    if catalog_id == "sipas-2026":
        assert '"tiêu cực, nhiễu"' in header
        assert not [t for t in texts if "tiêu cực, nhiễu" in t]


def test_sample_output_in_examples_is_current(tmp_path):
    """examples/sample-output is what `plangen --unit dinh-lap` writes today, byte for byte."""
    result = CliRunner().invoke(app, ["--unit", "dinh-lap", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    sample = ROOT / "examples" / "sample-output"
    for fresh in sorted(tmp_path.iterdir()):
        assert (sample / fresh.name).read_bytes() == fresh.read_bytes(), (
            f"{fresh.name} is stale: run plangen --unit dinh-lap --out examples/sample-output "
            "--force"
        )
