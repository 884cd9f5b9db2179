"""The acceptance test: the three real Phụ lục II tables come back row by row, cell by cell.

The fixtures are the real tables as published, slips included; the catalog corrects
those slips, so the same corrections are applied to the expected text here, and section
codes are renumbered from position (the board's original jumps from I to III).
"""

from __future__ import annotations

import json
import re

import pytest
from conftest import FIXTURES, PUBLISHED_SLIPS, SHIPPED_UNITS, fold, read_table

from generator.core.text import letter, roman
from generator.model.workspace import open_workspace
from generator.render.appendix import render_appendix
from generator.render.template import load_template
from generator.resolve.unit import unit_appendices as appendices

# The originals' slips and what the catalog writes instead (listed in the catalog's header).
CORRECTIONS = PUBLISHED_SLIPS


def corrected(text: str) -> str:
    text = fold(text)
    for bad, good in CORRECTIONS:
        text = text.replace(bad, good)
    return text.rstrip(".").rstrip()


def bodies(text: str) -> list[str]:
    """A body cell as its list of names: the originals mix ';' and ','."""
    return [fold(p).rstrip(".").strip() for p in re.split(r"[;,]", text) if p.strip(" .")]


def expected_rows(slug: str) -> list[dict]:
    ref = json.loads((FIXTURES / "reference" / f"{slug}.json").read_text(encoding="utf-8"))
    rows, top, sub = [], 0, 0
    letters = any(
        r["kind"] == "section" and not re.fullmatch(r"[IVX]+", r["code"]) for r in ref["rows"]
    )
    for r in ref["rows"]:
        if r["kind"] == "section":
            if letters and not re.fullmatch(r"[IVX]+", r["code"]):
                top, sub = top + 1, 0
                code = letter(top)
            else:
                sub += 1
                code = roman(sub)
            rows.append({"kind": "section", "code": code, "title": corrected(r["title"])})
        else:
            rows.append({"kind": "task", "stt": r["stt"], **r["cells"]})
    return rows


@pytest.fixture(scope="module")
def rendered():
    ws = open_workspace()
    template = load_template(ws.template)
    return {
        slug: render_appendix(template, appendices(ws, slug, ["II"])[0]) for slug in SHIPPED_UNITS
    }


@pytest.mark.parametrize("slug", SHIPPED_UNITS)
def test_table_matches_reference(rendered, slug):
    got = read_table(rendered[slug])
    want = expected_rows(slug)
    assert [(r["kind"], r.get("code") or r["stt"]) for r in got] == [
        (r["kind"], r.get("code") or r["stt"]) for r in want
    ]
    for g, w in zip(got, want, strict=True):
        if w["kind"] == "section":
            assert g["title"] == w["title"]
            continue
        where = f"task {g['stt']} ({w['task'][:40]})"
        cells = list(g["cells"].values())
        task, lead, support, deadline, product = cells
        assert corrected(task) == corrected(w["task"]), where
        assert bodies(lead) == bodies(w["lead"]), where
        assert bodies(support) == bodies(w["support"]), where
        assert deadline == fold(w["deadline"]), where
        assert corrected(product) == corrected(w["product"]), where


@pytest.mark.parametrize("slug", SHIPPED_UNITS)
def test_title_block_matches_reference(rendered, slug):
    import io

    import docx

    ref = json.loads((FIXTURES / "reference" / f"{slug}.json").read_text(encoding="utf-8"))
    paragraphs = [fold(p.text) for p in docx.Document(io.BytesIO(rendered[slug])).paragraphs]
    assert paragraphs[0] == "Phụ lục II"
    assert paragraphs[1] == corrected(ref["title"])
    # The originals' guide lines carry stray blanks ("252 /KH-UBND") and "số:" with a
    # colon; the rendered one follows the decree's pattern.
    want = re.sub(r"\s+/", "/", fold(ref["subtitle"])).replace("số:", "số")
    assert re.sub(r"\s+/", "/", paragraphs[2]) == want
