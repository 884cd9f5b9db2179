"""The documents of a synthetic 2026 plan of tỉnh Lai Châu, built with python-docx from the
text kept in tests/fixtures/lai-chau/ (plain JSON): the Kế hoạch laid out as issued plans are
(a header table with the issuer and the Quốc hiệu, "Số: …", place and date; KẾ HOẠCH and the
trích yếu; the body; a signature table with Nơi nhận), and its Phụ lục I and II as tables.

    python tests/lai_chau_docs.py DIR   # DIR/KE-HOACH.docx, PHU-LUC-I.docx, PHU-LUC-II.docx

Other appendices (a year, a province) are made from a table of the same shape with
`appendix_docx`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

FIXTURE = Path(__file__).parent / "fixtures" / "lai-chau"
NAMES = ("KE-HOACH.docx", "PHU-LUC-I.docx", "PHU-LUC-II.docx")


def load(name: str) -> dict:
    return json.loads((FIXTURE / name).read_text(encoding="utf-8"))


def _document():
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(14)
    return document


def _line(cell_or_doc, text: str, bold=False, italic=False, center=True, size=None, first=False):
    p = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic = bold or None, italic or None
    if size:
        run.font.size = Pt(size)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return p


def plan_docx(path: Path, data: dict | None = None) -> Path:
    """The Kế hoạch of `data` (default: the fixture's)."""
    data = data or load("ke-hoach.json")
    document = _document()
    head = data["header"]
    table = document.add_table(rows=2, cols=2)
    left, right = table.rows[0].cells
    for i, text in enumerate(head["left"]):
        _line(left, text, bold=i > 0, size=13, first=i == 0)
    for i, text in enumerate(head["right"]):
        _line(right, text, bold=True, size=13 if i == 0 else 14, first=i == 0)
    _line(table.rows[1].cells[0], head["number"], size=13, first=True)
    _line(table.rows[1].cells[1], head["place_date"], italic=True, first=True)
    document.add_paragraph()
    _line(document, data["doc_type"], bold=True)
    for text in data["title"]:
        _line(document, text, bold=True)
    document.add_paragraph()  # the rule under the trích yếu
    for para in data["body"]:
        style = para.get("style", "text")
        p = document.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.first_line_indent = Cm(1.27)
        text = para["text"]
        if para.get("italic"):  # a point's title: the number upright, the words italic
            number, words = text.split(" ", 1)
            p.add_run(number + " ")
            p.add_run(words).italic = True
        else:
            p.add_run(text).bold = style in ("part", "item") or None
    table = document.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    for i, text in enumerate(data["recipients"]):
        _line(left, text, bold=i == 0, italic=i == 0, center=False, size=12 if i == 0 else 11,
              first=i == 0)  # fmt: skip
    for i, text in enumerate(data["signer"]):
        _line(right, text, bold=True, first=i == 0)
    for _ in range(3):
        right.add_paragraph()
    _line(right, data["signer_name"], bold=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def appendix_docx(path: Path, table: dict) -> Path:
    """A Phụ lục: label, title, guide line, then the table (section rows: the code in STT,
    the title merged across the other cells)."""
    keys = table["column_keys"]
    document = _document()
    _line(document, table["label"], bold=True)
    _line(document, table["title"], bold=True)
    _line(document, table["subtitle"], italic=True)
    t = document.add_table(rows=1, cols=len(keys))
    t.style = "Table Grid"
    for i, label in enumerate(table["columns"]):
        t.rows[0].cells[i].text = label
    for i, width in enumerate(table["widths_cm"]):
        t.columns[i].width = Cm(width)
    for row in table["rows"]:
        cells = t.add_row().cells
        if row["kind"] == "section":
            cells[0].text = row["code"]
            cells[1].merge(cells[-1]).text = row["title"]
            continue
        values = dict(row["cells"], stt=row["stt"])
        for cell, key in zip(cells, keys, strict=True):
            cell.text = values.get(key, "")
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def build_all(folder: Path) -> list[Path]:
    """The three documents of the plan, in `folder`."""
    plan, first, second = (folder / name for name in NAMES)
    return [
        plan_docx(plan),
        appendix_docx(first, load("phu-luc-i.json")),
        appendix_docx(second, load("phu-luc-ii.json")),
    ]


if __name__ == "__main__":
    for written in build_all(Path(sys.argv[1] if len(sys.argv) > 1 else ".")):
        print(written)
