"""The parts of `plangen import` behind the round trips of test_import.py: the catalog YAML
written through ruamel.yaml and read back by plangen's own reader, the trial of the new
catalog run beside the writing and its problems said at the written file's lines, a main
part that is not named word/document.xml, and the tie-break hint's index."""

from __future__ import annotations

import io
import os
import random
import zipfile
from pathlib import Path

import pytest
import yaml
from test_import import mini_docx, renamed_main_part

from generator.check.workspace import validate
from generator.model import yamlfile
from generator.model.workspace import open_workspace
from generator.readback.docxread import read_table
from generator.readback.draft import CatalogOut, SectionOut, TaskOut
from generator.readback.hints import Hints, Similar
from generator.readback.importer import import_appendix
from generator.readback.yamlout import LINE_WIDTH, catalog_yaml, flow_line, overrides_yaml

# Values YAML 1.1 (PyYAML, which plangen reads with) or a careless writer would turn into
# something else: booleans, numbers, dates, null, indicators, comments, placeholders.
AWKWARD = [
    "yes", "No", "on", "OFF", "y", "null", "~", "2027", "1:20", "0x1F", "1e3", "0o17",
    "2026-07-01", ".inf", "- a: b", "#x", "a #b", "a: b", ": x", "? q", "!tag", "&a", "*a",
    "%x", "@x", "`x`", "'q'", '"q"', "{{ '{' }}{ unit.name }}", "[a, b]", "{a: b}", "|", ">",
    " lề", "lề ", "hai  cách", "tab\there", "dòng\u2028mới", "\ufeffBOM", "x, y", "Thường xuyên",
]  # fmt: skip


def catalog(texts: list[str], roles: list[str]) -> CatalogOut:
    tasks = [
        TaskOut(f"t{i}", text, ["related"], roles, deadline=text, product=text)
        for i, text in enumerate(texts)
    ]
    tasks[0].notes["lead"] = ["TODO: " + " ".join(texts)]  # a long note, wrapped
    tasks[0].omit, tasks[0].notes["omit"] = ["ward"], ["TODO: bỏ cho phường"]
    section = SectionOut("muc", "Mục: thử #1", 1, tasks=tasks)
    section.notes["title"] = ["TODO: mục do plangen thêm"]
    columns = [
        {"key": "stt", "label": "STT", "width": 5},
        {"key": "task", "label": "Nhiệm vụ, giải pháp", "width": 95},
    ]
    return CatalogOut("thu", "II", "SIPAS", 2026, "yes", None, columns, [section])


def test_awkward_values_come_back_as_written():
    long = "Nâng cao chất lượng phục vụ người dân " * 12 + "https://dichvucong.gov.vn/" + "x" * 120
    texts = [*AWKWARD, long, "- dòng một\n- dòng hai", "dòng một\n  thụt lề"]
    cat = catalog(texts, ["x, y", "[a]", "finance (tham mưu kinh phí)", "yes", "#1"])
    text = catalog_yaml(cat, ["đầu tệp", "", "# không phải khóa: x"])
    doc = yamlfile.parse_text(Path("thu.yaml"), text)  # plangen's own reader
    assert yaml.safe_load(text) == cat.data()
    assert doc.data["sections"][0]["tasks"][len(AWKWARD)]["text"] == long
    assert text.startswith("# đầu tệp\n#\n# # không phải khóa: x\nid: thu\n")
    assert "title: 'yes'" in text and "support: ['x, y', '[a]', finance (tham mưu kinh phí)" in text
    assert "    # TODO: mục do plangen thêm\n    title: 'Mục: thử #1'\n" in text
    assert "        # TODO: bỏ cho phường\n        omit: [ward]\n" in text
    assert "  - {key: task, label: 'Nhiệm vụ, giải pháp', width: 95}" in text
    assert "        text: |-\n          - dòng một\n          - dòng hai\n" in text
    folded = text.split(f"        text: >-\n          {long[:20]}")[1].split("\n        lead")[0]
    assert all(len(line) <= LINE_WIDTH for line in folded.splitlines()[:-2])
    assert "\n\n      - id: t1\n" in text  # a blank line between tasks


def test_random_text_survives():
    rng = random.Random(20)
    alphabet = "aăâbđeêoôơuưy ÀÁẢÃẠàáảãạ:#-'\"{}[],&*!|>%@`?\n\t\\ "
    texts = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 150))) for _ in range(300)]
    texts = [t for t in texts if t.strip()]
    cat = catalog(texts, texts[:5])
    text = catalog_yaml(cat, [])
    assert yaml.load(text, Loader=yaml.SafeLoader) == cat.data()


def test_report_snippets_are_yaml():
    overrides = {"bo-tri": {"lead": ["Sở Tài chính, tham mưu", "yes"], "support": ["#1"]}}
    lines = overrides_yaml(overrides)
    assert lines[:2] == ["tasks:", "  bo-tri:"]
    assert yaml.safe_load("\n".join(lines)) == {"tasks": overrides}
    line = flow_line("tasks", {"bo-tri": {"lead": ["Bưu điện tỉnh", "a: b"]}})
    assert line == "tasks: {bo-tri: {lead: [Bưu điện tỉnh, 'a: b']}}"


# --------------------------------------------------------------------------- the trial


ROWS = [
    ["1", "Phối hợp với UBND xã rà soát thủ tục.", "Sở Nội vụ", "Sở Tài chính", "Quý I", "Báo cáo"],
    ["2", "Kiểm tra công vụ đột xuất.", "Thanh tra tỉnh", "Sở Nội vụ", "Thường xuyên", "Biên bản"],
    ["3", "Tổng hợp của xã và UBND xã.", "Sở Nội vụ", "", "Quý IV", "Báo cáo"],
]  # fmt: skip


def validate_says(data: Path, path: Path) -> list[str]:
    """What `plangen validate` says about the written file, read as plangen reads it."""
    ws = open_workspace(data)
    return [str(p) for p in validate(ws) if p.where.path and p.where.path.samefile(path)]


@pytest.mark.parametrize("cores", [1, 2])
def test_the_trial_speaks_of_the_written_lines(tmp_path, data_copy, monkeypatch, cores):
    """The trial runs on a provisional document beside the writing (two cores) or after it
    (one): its problems are said at the lines of the file written, exactly as
    `plangen validate` then says them."""
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    mini_docx(tmp_path / "a.docx", ROWS)
    report = import_appendix(
        open_workspace(data_copy), tmp_path / "a.docx", "lang-son", "thu", None, False
    )
    assert len(report.problems) == 2, report.problems
    assert all('loại "province": nhiệm vụ' in p for p in report.problems)
    assert report.problems == validate_says(data_copy, report.path)
    lines = report.path.read_text("utf-8").splitlines()
    for problem in report.problems:
        line = int(problem.split(":")[1])
        assert lines[line - 1].lstrip().startswith("- id: "), (problem, lines[line - 1])


# --------------------------------------------------------------------------- the package


def test_a_main_part_with_another_name_is_read(tmp_path):
    buffer = io.BytesIO()
    mini_docx(buffer)
    document = zipfile.ZipFile(buffer).read("word/document.xml")
    path = tmp_path / "a.docx"
    path.write_bytes(renamed_main_part(document))
    with zipfile.ZipFile(path) as z:
        assert "word/document.dat" in z.namelist() and "word/document.xml" not in z.namelist()
    table = read_table(path)
    assert [r.kind for r in table.rows] == ["section", "task", "task"]


# --------------------------------------------------------------------------- hints


def test_the_similar_task_is_the_one_a_full_scan_finds(data_copy):
    ws = open_workspace(data_copy)
    hints = Hints(ws, ws.kind_of("dinh-lap"), ws.unit("dinh-lap").model, "dinh-lap", Path("-"))
    assert len(hints.tasks) > 40

    def scan(words: frozenset) -> Similar | None:
        best, score = None, 0.7
        for t in hints.tasks:
            common = len(words & t.words)
            if common and common / len(words | t.words) > score:
                best, score = t, common / len(words | t.words)
        return best

    rng = random.Random(3)
    for t in hints.tasks:
        words = sorted(t.words)
        kept = [w for w in words if rng.random() < 0.85] + ["thêm"] * rng.randint(0, 1)
        text = " ".join(kept)
        assert hints.similar(text) is scan(frozenset(kept)), text


def test_a_cells_paragraphs_are_read_through_content_controls_and_custom_xml():
    """Word wraps paragraphs of a cell in a content control (w:sdt) or custom XML: their
    text is the cell's text, in order; a nested table's is not."""
    from lxml import etree

    from generator.readback.docxxml import cell_text

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    tc = etree.fromstring(
        f'<w:tc xmlns:w="{w}"><w:p><w:r><w:t>Một</w:t></w:r></w:p>'
        "<w:sdt><w:sdtContent><w:p><w:r><w:t>Hai</w:t></w:r></w:p></w:sdtContent></w:sdt>"
        "<w:customXml><w:p><w:r><w:t>Ba</w:t></w:r></w:p></w:customXml>"
        "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Bảng lồng</w:t></w:r></w:p></w:tc></w:tr></w:tbl>"
        "</w:tc>"
    )
    assert cell_text(tc) == "Một\nHai\nBa"
