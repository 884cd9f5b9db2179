"""The CLI's PDF (through LibreOffice), read back with poppler: what a clerk sees printed.

One CLI run per shipped unit converts both appendices (Phụ lục I and II); the tests of that
unit share it. The rules are those of docs/layout.md. Without ``soffice`` the module is
skipped, except on CI (``$CI`` set), where it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from generator.model.workspace import open_workspace
from generator.resolve.unit import unit_appendices as appendices

UNITS = ("lang-son", "dinh-lap", "dong-dang")
SOFFICE = shutil.which("soffice")
ON_CI = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")

pytestmark = pytest.mark.skipif(
    SOFFICE is None and not ON_CI, reason="LibreOffice (soffice) is not installed: no PDF to check"
)

A4_LANDSCAPE = (841.89, 595.3)  # points


def _require_tools() -> None:
    if SOFFICE is None:  # only reached on CI: the skipif let the module run
        pytest.fail(
            "CI is set but LibreOffice (soffice) is not installed: the PDF tests must run on CI"
        )
    for tool in ("pdftotext", "pdfinfo"):
        if shutil.which(tool) is None:
            message = f"poppler's {tool} is not installed"
            if ON_CI:
                pytest.fail(message)
            pytest.skip(message)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _collapse(text: str) -> str:
    return " ".join(_nfc(text).split())


def _squash(text: str) -> str:
    return "".join(_nfc(text).split())


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd, capture_output=True, text=True, encoding="utf-8", timeout=300, **kwargs
    )


def _pdftotext(pdf: Path, *args: str) -> str:
    proc = _run(["pdftotext", "-enc", "UTF-8", *args, str(pdf), "-"])
    assert proc.returncode == 0, proc.stderr
    return _nfc(proc.stdout)


def test_libreoffice_and_poppler_are_available():
    """Skipped with the module when soffice is missing, except on CI, where this fails."""
    _require_tools()
    assert SOFFICE is not None


def _pages(pdf: Path) -> int:
    if not pdf.is_file():
        return 0
    info = _run(["pdfinfo", str(pdf)])
    assert info.returncode == 0, info.stderr
    return int(re.search(r"^Pages:\s+(\d+)", info.stdout, re.M).group(1))


class Converted:
    """One CLI run: its process, its output folder and the appendix PDFs it wrote."""

    def __init__(self, slug: str, out: Path, proc: subprocess.CompletedProcess) -> None:
        self.slug, self.out, self.proc = slug, out, proc
        self.appendices = appendices(open_workspace(), slug, ["I", "II"])
        stems = {a.numeral: f"{slug}-phu-luc-{a.numeral}-{a.catalog}" for a in self.appendices}
        self.pdfs = {n: out / f"{stem}.pdf" for n, stem in stems.items()}
        # Phụ lục II: the table the references give, checked in most detail below
        self.docx, self.pdf = out / f"{stems['II']}.docx", self.pdfs["II"]
        self.appendix = self.appendices[1]
        self.pages = _pages(self.pdf)


@pytest.fixture(scope="module", params=UNITS)
def converted(request, tmp_path_factory) -> Converted:
    """`plangen --unit SLUG --out DIR --pdf --appendix II`, run once per unit.

    The exit code is checked by `test_cli_pdf_run_succeeds`; the layout tests only need the
    appendix's PDF, so one CLI problem does not hide what the PDF looks like.
    """
    _require_tools()
    slug = request.param
    out = tmp_path_factory.mktemp(f"pdf-{slug}")
    cmd = [
        sys.executable,
        "-m",
        "generator.cli",
        "--unit",
        slug,
        "--out",
        str(out),
        "--pdf",
        "--appendix",
        "I",
        "--appendix",
        "II",
        "--no-tracker",
    ]
    return Converted(slug, out, _run(cmd, cwd=out))


def test_cli_writes_the_appendix_docx_and_pdf(converted):
    assert converted.docx.is_file(), converted.proc.stderr
    assert converted.pdf.is_file(), f"no {converted.pdf.name}: {converted.proc.stderr}"
    assert converted.pdf.read_bytes()[:5] == b"%PDF-"
    assert converted.pages >= 1


def test_cli_pdf_run_succeeds(converted):
    proc = converted.proc
    assert proc.returncode == 0, f"exit {proc.returncode}: {proc.stderr}"
    written = {Path(line.strip()) for line in proc.stdout.splitlines() if line.strip()}
    assert converted.docx in written and converted.pdf in written, proc.stdout
    assert sorted(p.name for p in converted.out.glob("*.pdf")) == sorted(
        p.name for p in converted.pdfs.values()
    )


def test_every_page_is_a4_landscape(converted):
    assert converted.pages >= 2, "a whole SIPAS table does not fit on one page"
    proc = _run(["pdfinfo", "-f", "1", "-l", str(converted.pages), str(converted.pdf)])
    assert proc.returncode == 0, proc.stderr
    sizes = re.findall(r"^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", proc.stdout, re.M)
    assert [int(n) for n, _, _ in sizes] == list(range(1, converted.pages + 1))
    for n, width, height in sizes:
        width, height = float(width), float(height)
        assert width > height, f"page {n} is portrait: {width} x {height}"
        assert abs(width - A4_LANDSCAPE[0]) < 1 and abs(height - A4_LANDSCAPE[1]) < 1, (
            f"page {n}: {width} x {height} pts is not A4"
        )


def test_every_task_is_printed(converted):
    text = _pdftotext(converted.pdf, "-layout")
    collapsed, squashed = _collapse(text), _squash(text)
    missing = []
    tasks = converted.appendix.tasks
    assert tasks
    for row in tasks:
        start = _collapse(row.cells["task"])[:25]
        if start not in collapsed and _squash(start) not in squashed:
            missing.append(f"{row.code} {row.ident}: {start!r}")
    assert not missing, "task text not found in the PDF:\n" + "\n".join(missing)


def test_first_page_has_title_block_and_no_page_number(converted):
    page1 = _pdftotext(converted.pdf, "-layout", "-f", "1", "-l", "1")
    assert "Phụ lục II" in page1
    assert _collapse(converted.appendix.title) in _collapse(page1)
    lines = [line.strip() for line in page1.splitlines() if line.strip()]
    assert lines[0] == "Phụ lục II", f"page 1 starts with {lines[0]!r}, not the label"


def test_second_page_is_numbered_and_repeats_the_header_row(converted):
    assert converted.pages >= 2
    page2 = _pdftotext(converted.pdf, "-layout", "-f", "2", "-l", "2")
    lines = [line.strip() for line in page2.splitlines() if line.strip()]
    assert lines[0] == "2", f"page 2 starts with {lines[0]!r}, not its number"
    # -layout interleaves the lines of multi-line header cells, so compare words: the block
    # right under the page number must be made of the header labels' words, all of them.
    labels = [c.label for c in converted.appendix.columns]
    words = {word for label in labels for word in _nfc(label).split()}
    block: list[str] = []
    for line in lines[1:]:
        tokens = line.split()
        if not set(tokens) <= words:
            break
        block += tokens
    assert block, f"page 2 does not start its table with the header row: {lines[1:4]}"
    assert "STT" in block
    assert set(block) == words, f"header words missing on page 2: {words - set(block)}"
    expected_pair = (
        ("Đơn vị chủ trì", "Đơn vị phối hợp")
        if converted.slug == "dong-dang"
        else ("Cơ quan chủ trì", "Cơ quan phối hợp")
    )
    assert set(expected_pair) <= set(labels)
    assert "2" in page2


# --------------------------------------------------------------------------- what a văn thư sees


def _page_lines(pdf: Path, page: int) -> list[str]:
    text = _pdftotext(pdf, "-layout", "-f", str(page), "-l", str(page))
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("numeral", ["I", "II"])
def test_the_place_name_is_on_one_line_in_the_title(converted, numeral):
    """docs/layout.md, title block: "XÃ ĐÌNH LẬP NĂM 2026" never splits."""
    [appendix] = [a for a in converted.appendices if a.numeral == numeral]
    lines = [_collapse(line) for line in _page_lines(converted.pdfs[numeral], 1)[:6]]
    tail = _collapse(appendix.title_tail)
    assert any(tail in line for line in lines), (tail, lines)


@pytest.mark.parametrize("numeral", ["I", "II"])
def test_thuong_xuyen_is_not_broken(converted, numeral):
    """docs/layout.md, table widths: "Thường xuyên" fits its column (at most 10 % broken)."""
    [appendix] = [a for a in converted.appendices if a.numeral == numeral]
    wanted = sum(r.cells.get("deadline", "").strip() == "Thường xuyên" for r in appendix.tasks)
    if not wanted:
        pytest.skip("no task due Thường xuyên")
    text = _pdftotext(converted.pdfs[numeral], "-layout")
    whole = sum(_nfc(line).count("Thường xuyên") for line in text.splitlines())
    assert whole >= 0.9 * wanted, f"{whole} of {wanted} printed on one line"


@pytest.mark.parametrize("numeral", ["I", "II"])
def test_no_section_row_ends_a_page(converted, numeral):
    """docs/layout.md, section rows: a heading is kept with the row after it."""
    [appendix] = [a for a in converted.appendices if a.numeral == numeral]
    pdf = converted.pdfs[numeral]
    titles = {_collapse(r.title) for r in appendix.sections}
    pages = _pages(pdf)
    for page in range(1, pages):  # the last page may end anywhere
        lines = [_collapse(line) for line in _page_lines(pdf, page)]
        tail = " ".join(lines[-2:])
        alone = [t for t in titles if t in tail]
        assert not alone, f"page {page} ends with the heading {alone}"


def test_deadline_header_takes_at_most_two_lines(converted):
    """docs/layout.md, table widths: "Thời gian hoàn thành" on at most two lines."""
    lines = _page_lines(converted.pdf, 1)
    start = next(i for i, line in enumerate(lines) if line.startswith("STT"))
    header = lines[max(start - 2, 0) : start + 4]
    carrying = [line for line in header if re.search(r"Thời gian|hoàn thành|hoàn|thành", line)]
    assert len(carrying) <= 2, header
