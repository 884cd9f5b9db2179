"""Names never break, rows never leave one line on a page (issue 19, item 5): read back from
the PDF that LibreOffice prints, as a văn thư reads it (docs/layout.md, "Names" and "Pages").

For every shipped unit the CLI writes the whole plan and its two appendices; one LibreOffice
run converts the three, and poppler's ``pdftotext -bbox`` gives every word with its box.
The tables are found in the PDF by their header row and the codes of their rows (the column
edges come from the DOCX's grid), the plan body by its portrait pages. Without ``soffice``
the module is skipped, except on CI (``$CI`` set), where it fails.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT
from lxml import etree

from generator.core.fonts import em
from generator.model.workspace import open_workspace
from generator.resolve.unit import unit_appendices

UNITS = tuple(sorted(p.stem for p in (ROOT / "catalogs" / "units").glob("*.yaml")))
SOFFICE = shutil.which("soffice")
ON_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NBSP = "\u00a0"
HEADS = ("Phòng", "Văn phòng", "Trung tâm", "Ban", "Sở")  # never alone before their name
SIZE = 13  # points, the table's text
BODY_LABELS = ("chủ trì", "phối hợp")  # the headers of the lead and support columns
BODY_SIZE = 14

pytestmark = pytest.mark.skipif(
    SOFFICE is None and not ON_CI, reason="LibreOffice (soffice) is not installed: no PDF to check"
)


# --------------------------------------------------------------------------- reading the PDF


@dataclass(frozen=True)
class Word:
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


@dataclass(frozen=True)
class Page:
    number: int
    landscape: bool
    words: tuple[Word, ...]


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def pdf_pages(pdf: Path) -> list[Page]:
    proc = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    pages = []
    for n, m in enumerate(_PAGE.finditer(proc.stdout), 1):
        words = tuple(
            Word(*map(float, box), unicodedata.normalize("NFC", html.unescape(text)))
            for *box, text in _WORD.findall(m.group(3))
        )
        pages.append(Page(n, float(m.group(1)) > float(m.group(2)), words))
    return pages


def lines_of(words) -> list[list[Word]]:
    """Words grouped into lines (same top, within 3 pt), top to bottom, left to right."""
    out: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (round(w.y0), w.x0)):
        if out and abs(out[-1][0].y0 - word.y0) < 3:
            out[-1].append(word)
        else:
            out.append([word])
    return out


def tokens(line: list[Word]) -> list[str]:
    """A line's words; a no-break space, if the PDF kept one, separates words too."""
    return [t for w in line for t in w.text.split(NBSP) if t]


# --------------------------------------------------------------------------- the tables


@dataclass
class Table:
    grid: list[float]  # column widths, points
    labels: list[list[str]]  # the header row's words, by column
    codes: list[str]  # the STT cell of each row under the header
    sections: list[bool]


def docx_tables(docx: Path) -> tuple[list[Table], float]:
    """The bordered task tables of a DOCX and its appendices' left margin (points)."""
    with zipfile.ZipFile(docx) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    tables = []
    for tbl in root.iter(W + "tbl"):
        top = tbl.find(f"{W}tblPr/{W}tblBorders/{W}top")
        if top is None or top.get(W + "val") != "single":
            continue
        grid = [int(g.get(W + "w")) / 20 for g in tbl.findall(f"{W}tblGrid/{W}gridCol")]
        rows = tbl.findall(W + "tr")
        header = [r for r in rows if r.find(f"{W}trPr/{W}tblHeader") is not None]
        body = rows[len(header) :]
        text = lambda tc: "".join(tc.itertext()).replace(NBSP, " ")  # noqa: E731
        labels = [text(tc).split() for tc in header[0].findall(W + "tc")]
        codes = [text(r.find(W + "tc")).strip() for r in body]
        sections = [len(r.findall(W + "tc")) < len(grid) for r in body]
        tables.append(Table(grid, labels, codes, sections))
    margins = [int(m.get(W + "left")) / 20 for m in root.iter(W + "pgMar")]
    return tables, margins[-1]


@dataclass
class Piece:
    """The part of a table row on one page: its lines, column by column."""

    page: int
    columns: list[list[list[Word]]]

    @property
    def lines(self) -> int:
        return max((len(c) for c in self.columns), default=0)


def appendix_groups(pages: list[Page]) -> list[list[Page]]:
    """The landscape pages of each appendix (a new one starts with its label, "Phụ lục")."""
    groups: list[list[Page]] = []
    for page in pages:
        if not page.landscape:
            continue
        first = min(page.words, key=lambda w: (round(w.y0), w.x0), default=None)
        if first is not None and first.text in ("Phụ", "PHỤ"):
            groups.append([page])
        elif groups:
            groups[-1].append(page)
    return groups


def table_rows(pages: list[Page], table: Table, left: float) -> list[list[Piece]]:
    """The pieces of every row of `table` over `pages`, found by the codes in the STT column
    and the header row repeated at the top of each page."""
    edges = [left]
    for width in table.grid:
        edges.append(edges[-1] + width)

    def column(word: Word) -> int:
        middle = (word.x0 + word.x1) / 2
        return next((i for i in range(len(table.grid)) if edges[i] <= middle < edges[i + 1]), -1)

    rows: list[list[Piece]] = [[] for _ in table.codes]
    following = 0  # the next row to start
    for page in pages:
        stt = [w for w in page.words if w.text == "STT" and column(w) == 0]
        assert stt, f"page {page.number}: no header row"
        header_bottom = stt[0].y1
        for c, label in enumerate(table.labels):
            found = sorted(
                (w for w in page.words if column(w) == c and w.y0 >= stt[0].y0 - 30),
                key=lambda w: (round(w.y0), w.x0),
            )[: len(label)]
            assert [w.text for w in found] == label, f"page {page.number}: header {label}"
            header_bottom = max([header_bottom] + [w.y1 for w in found])
        body = [w for w in page.words if w.y0 > header_bottom - 1 and column(w) >= 0]
        starts = []
        for line in lines_of(w for w in body if column(w) == 0):
            text = " ".join(w.text for w in line)
            if following < len(table.codes) and text == table.codes[following]:
                starts.append((line[0].y0, following))
                following += 1
        marks = [(header_bottom, None), *starts]
        for k, (top, index) in enumerate(marks):
            end = marks[k + 1][0] if k + 1 < len(marks) else float("inf")
            words = [w for w in body if top - 1 <= w.y0 < end - 1]
            if index is None:  # the rest of the row the previous page began
                if not words:
                    continue
                index = (starts[0][1] if starts else following) - 1
            columns = [lines_of(w for w in words if column(w) == c) for c in range(len(edges) - 1)]
            rows[index].append(Piece(page.number, columns))
    assert following == len(table.codes), f"{following} of {len(table.codes)} rows found"
    return rows


# --------------------------------------------------------------------------- names


def fits(text: str, width: float, size: float) -> bool:
    return em(text) * size <= width


def split_names(cell: list[tuple[int, list[str]]], names: list[str], room: float, size: float):
    """The names broken where they need not be, in a cell given as (line number, tokens):
    a name that fits `room` points on a line of its own split over two lines, a longer one
    split right after its head ("Phòng | Văn hóa - Xã hội")."""
    flat = [(t, n) for n, line in cell for t in line]
    words = [t for t, _ in flat]
    found = []
    for name in names:
        want = name.split()
        k = len(want)
        for i in range(len(words) - k + 1):
            got = words[i : i + k]
            same = [g.casefold() for g in got[:-1]] == [w.casefold() for w in want[:-1]]
            if not same or got[-1].rstrip(";,.:)").casefold() != want[-1].casefold():
                continue
            lines = [flat[j][1] for j in range(i, i + k)]
            if lines[0] == lines[-1]:
                continue
            shown = " / ".join(
                " ".join(words[j] for j in range(i, i + k) if flat[j][1] == n)
                for n in sorted(set(lines))
            )
            if fits(" ".join(got), room, size):
                found.append(f"{name!r} split although it fits a line: {shown}")
                continue
            head = next((h for h in HEADS if want[: len(h.split())] == h.split()), None)
            if head and len(set(lines[: len(head.split()) + 1])) > 1:
                found.append(f"{name!r} split after its head: {shown}")
    return found


def head_ends_line(cell: list[tuple[int, list[str]]]) -> list[str]:
    """Lines of a cell ending with a head ("Phòng") whose name goes on the next line."""
    out = []
    for (_, line), nxt in zip(cell, cell[1:], strict=False):
        for head in HEADS:
            size = len(head.split())
            if line[-size:] == head.split() and nxt[1]:
                out.append(f"{' '.join(line)} / {' '.join(nxt[1])}")
    return out


# --------------------------------------------------------------------------- the runs


def _require_tools() -> None:
    if SOFFICE is None:  # only reached on CI
        pytest.fail("CI is set but LibreOffice (soffice) is not installed")
    for tool in ("pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            if ON_CI:
                pytest.fail(f"poppler's {tool} is not installed")
            pytest.skip(f"poppler's {tool} is not installed")


@dataclass
class Printed:
    slug: str
    docs: dict[str, tuple[Path, list[Page]]]  # "plan", "I", "II" -> (DOCX, its PDF's pages)
    names: list[str]  # the bodies of the unit's lead and support cells, longest first


@pytest.fixture(scope="module", params=UNITS)
def printed(request, tmp_path_factory) -> Printed:
    """`plangen --unit SLUG`, then one LibreOffice run converting its three DOCX."""
    _require_tools()
    slug = request.param
    out = tmp_path_factory.mktemp(f"names-{slug}")
    cmd = [sys.executable, "-m", "generator.cli", "--unit", slug, "--out", str(out)]
    proc = subprocess.run([*cmd, "--no-tracker"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    docx = sorted(out.glob("*.docx"))
    profile = out / "lo-profile"
    convert = [SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless"]
    convert += ["--convert-to", "pdf", "--outdir", str(out), *map(str, docx)]
    proc = subprocess.run(convert, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    docs = {}
    for path in docx:
        key = "plan" if "-ke-hoach-" in path.name else path.name.split("-phu-luc-")[1].split("-")[0]
        docs[key] = (path, pdf_pages(path.with_suffix(".pdf")))
    appendices = unit_appendices(open_workspace(), slug)
    names = {
        body
        for a in appendices
        for row in a.rows
        for key in ("lead", "support")
        for body in row.bodies.get(key, ())
    }
    return Printed(slug, docs, sorted(names, key=lambda n: (-len(n), n)))


def _tables(printed: Printed):
    """(document, appendix number, table, its rows' pieces, its pages) of every table."""
    for key, (docx, pages) in printed.docs.items():
        tables, left = docx_tables(docx)
        groups = appendix_groups(pages)
        assert len(groups) == len(tables), f"{docx.name}: {len(groups)} appendices printed"
        for n, (table, group) in enumerate(zip(tables, groups, strict=True), 1):
            yield key, n, table, table_rows(group, table, left), group


def test_every_document_is_printed(printed):
    assert set(printed.docs) >= {"plan", "I"}, sorted(printed.docs)
    for docx, pages in printed.docs.values():
        assert pages, f"{docx.name}: no page printed"


def test_names_in_lead_and_support_cells_are_not_broken(printed):
    """docs/layout.md, "Names": a name that fits a line of its cell is on one line; a longer
    one keeps its head with the next word; "Phòng" never ends a line before its name."""
    problems = []
    for key, n, table, rows, _ in _tables(printed):
        for index, pieces in enumerate(rows):
            if table.sections[index]:
                continue
            body_columns = [
                c for c, label in enumerate(table.labels) if " ".join(label).endswith(BODY_LABELS)
            ]
            assert len(body_columns) == 2, table.labels
            for c in body_columns:  # Cơ quan chủ trì, Cơ quan phối hợp
                cell = [
                    (k, tokens(line))
                    for k, line in enumerate(line for p in pieces for line in p.columns[c])
                ]
                room = table.grid[c] - 2 * 85 / 20
                where = f"{key} table {n} row {table.codes[index]} column {c + 1}"
                problems += [f"{where}: {p}" for p in split_names(cell, printed.names, room, SIZE)]
                problems += [f"{where}: head ends a line: {p}" for p in head_ends_line(cell)]
    assert not problems, "\n".join(problems)


def test_no_row_leaves_a_single_line_on_a_page(printed):
    """docs/layout.md, "Pages": a row cut across two pages keeps two lines on each."""
    problems = []
    for key, n, table, rows, _ in _tables(printed):
        for index, pieces in enumerate(rows):
            if len(pieces) > 1 and min(p.lines for p in pieces) < 2:
                shape = [(p.page, p.lines) for p in pieces]
                problems.append(f"{key} table {n} row {table.codes[index]}: (page, lines) {shape}")
    assert not problems, "\n".join(problems)


def test_the_last_page_of_an_appendix_holds_more_than_one_row(printed):
    """docs/layout.md, "Pages": the last row is not split, the row before it is kept with it."""
    problems = []
    for key, n, _, rows, group in _tables(printed):
        last = group[-1].number
        held = sum(1 for pieces in rows for p in pieces if p.page == last)
        if held < 2:
            problems.append(f"{key} table {n}: page {last} holds {held} row")
    assert not problems, "\n".join(problems)


def _body_lines(pages: list[Page]) -> list[tuple[int, list[str]]]:
    """The plan body's lines, page by page, without page numbers, up to "Nơi nhận:" (the
    signature block sets two columns side by side)."""
    out = []
    for page in pages:
        if page.landscape:
            break
        for line in lines_of(page.words):
            words = tokens(line)
            if len(words) == 1 and words[0].isdigit() and line[0].y0 < 50:
                continue  # the page number
            if words[:2] == ["Nơi", "nhận:"]:
                return out
            out.append((page.number, words))
    return out


def test_names_in_the_plan_body_are_not_broken(printed):
    """docs/layout.md, "Names": in the body a name is never split over two pages, and one that
    takes at most a third of a line never over two lines."""
    _, pages = printed.docs["plan"]
    lines = _body_lines(pages)
    flat = [(t, n, page) for n, (page, words) in enumerate(lines) for t in words]
    words = [t for t, _, _ in flat]
    third = (595.3 - (30 + 15) * 72 / 25.4) / 3  # points: a third of the text width
    problems = []
    for name in printed.names:
        want = name.split()
        k = len(want)
        for i in range(len(words) - k + 1):
            got = words[i : i + k]
            if [g.casefold() for g in got[:-1]] != [w.casefold() for w in want[:-1]]:
                continue
            if got[-1].rstrip(";,.:)").casefold() != want[-1].casefold():
                continue
            (_, first, page1), (_, end, page2) = flat[i], flat[i + k - 1]
            if page1 != page2:
                problems.append(f"{name!r} split over pages {page1} and {page2}")
            elif first != end and fits(name, third, BODY_SIZE):
                problems.append(f"{name!r} split over two lines on page {page1}")
    assert not problems, "\n".join(problems)


def test_no_body_page_ends_with_a_heading(printed):
    """A heading (I., 1., a) with a title) is kept with the first lines after it."""
    from generator.resolve.body import build_plan

    ws = open_workspace()
    plan = build_plan(ws, printed.slug, unit_appendices(ws, printed.slug))
    headings = {
        " ".join(p.full.split()) for p in plan.paragraphs if p.style in ("part", "item", "point")
    }
    _, pages = printed.docs["plan"]
    lines = _body_lines(pages)
    problems = []
    for (page, words), (nxt, _) in zip(lines, lines[1:], strict=False):
        if nxt != page and " ".join(words) in headings:
            problems.append(f"page {page} ends with the heading {' '.join(words)!r}")
    assert not problems, "\n".join(problems)


# --------------------------------------------------------------------------- the checks' checks


def test_the_name_check_finds_what_a_clerk_sees():
    """The checks above, on the lines the issue reported (they must fail on them)."""
    names = ["Phòng Văn hóa - Xã hội", "Trung tâm Dịch vụ tổng hợp", "Phòng Nội vụ"]
    cell = [(0, ["Phòng"]), (1, ["Văn", "hóa", "-", "Xã", "hội;"]), (2, ["Phòng", "Nội", "vụ"])]
    assert len(split_names(cell, names, 98.7, SIZE)) == 1  # the head alone
    assert len(split_names(cell, names, 200, SIZE)) == 1  # it fits: split at all
    assert head_ends_line(cell) == ["Phòng / Văn hóa - Xã hội;"]
    cell = [(0, ["Trung"]), (1, ["tâm", "Dịch", "vụ", "tổng"]), (2, ["hợp"])]
    assert len(split_names(cell, names, 98.7, SIZE)) == 1
    cell = [(0, ["Trung", "tâm", "Dịch", "vụ"]), (1, ["tổng", "hợp"])]
    assert split_names(cell, names, 98.7, SIZE) == []  # too long for the line: cut after a pair
