"""Every shipped catalog against every shipped unit: complete, numbered, traceable."""

from __future__ import annotations

import re

import pytest
from conftest import ROOT, SHIPPED_UNITS
from typer.testing import CliRunner

from generator.check import validate
from generator.cli import app
from generator.generate import appendices
from generator.load import open_workspace

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


@pytest.fixture(scope="module")
def ws():
    return open_workspace()


def test_shipped_data_is_valid(ws):
    assert [str(p) for p in validate(ws)] == []


@pytest.mark.parametrize("slug", SHIPPED_UNITS)
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


@pytest.mark.parametrize("slug", SHIPPED_UNITS)
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
