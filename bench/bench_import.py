"""plangen import benchmark: a 4,760-row appendix table read back into a catalog.

    python bench/bench_import.py [--repeat 170] [--runs 3] [--profile]

The DOCX is built in a temporary folder from the province's Phụ lục II of the tests
(tests/fixtures/reference/lang-son.json, 28 rows: 7 section rows, 21 task rows) repeated
`--repeat` times (170 x 28 = 4,760 rows, under the reader's 5,000), each repetition under
sections of its own ("… ĐỢT 12") and with task texts of its own, the way one long table
of a real year reads. The import runs in-process (`import_appendix`, the workspace loaded
once) and through the CLI (`plangen import`, a fresh process each time); the medians are
printed. Target: <= 6 s for the CLI. `--profile` prints the in-process run's cProfile,
heaviest functions first. Everything is written under a temporary folder removed at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WIDTHS = [680, 4540, 2040, 2040, 1250, 3180]  # twips: 1.2, 8, 3.6, 3.6, 2.2, 5.6 cm
KEYS = ["stt", "task", "lead", "support", "deadline", "product"]


def paragraph(text: str) -> str:
    """A w:p holding `text`, line breaks as w:br."""
    runs = "<w:br/>".join(f'<w:t xml:space="preserve">{escape(t)}</w:t>' for t in text.split("\n"))
    return f"<w:p><w:r>{runs}</w:r></w:p>"


def cell(text: str, width: int, span: int = 1) -> str:
    grid = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{grid}</w:tcPr>{paragraph(text)}</w:tc>'
    )


def rows_of(table: dict, repeat: int) -> list[str]:
    """The table rows (XML), the reference's rows `repeat` times under sections of their own."""
    out = [
        "<w:tr>"
        + "".join(cell(c, w) for c, w in zip(table["columns"], WIDTHS, strict=True))
        + "</w:tr>"
    ]
    out.append("<w:tr>" + "".join(cell(f"({i + 1})", w) for i, w in enumerate(WIDTHS)) + "</w:tr>")
    letters = 0
    for n in range(repeat):
        for row in table["rows"]:
            if row["kind"] == "section":
                code, title = row["code"], row["title"]
                if not code.startswith(("I", "V")):  # a letter: the next one, A to Z again
                    code = chr(ord("A") + letters % 26)
                    letters += 1
                    title = f"{title} ĐỢT {n + 1}"
                span = cell(title, sum(WIDTHS[1:]), len(WIDTHS) - 1)
                out.append(f"<w:tr>{cell(code, WIDTHS[0])}{span}</w:tr>")
                continue
            values = dict(row["cells"], stt=row["stt"])
            values["task"] = f"{values['task'].rstrip('.')} (đợt {n + 1})."
            out.append(
                "<w:tr>"
                + "".join(cell(values.get(k, ""), w) for k, w in zip(KEYS, WIDTHS, strict=True))
                + "</w:tr>"
            )
    return out


def build_docx(path: Path, repeat: int) -> int:
    """Write the appendix DOCX; the number of table rows under the header."""
    import docx

    table = json.loads(
        (ROOT / "tests" / "fixtures" / "reference" / "lang-son.json").read_text("utf-8")
    )
    document = docx.Document()
    for line in (table["label"], table["title"], table["subtitle"]):
        document.add_paragraph(line)
    rows = rows_of(table, repeat)
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in WIDTHS)
    xml = (
        f'<w:tbl xmlns:w="{W}"><w:tblPr><w:tblStyle w:val="TableGrid"/>'
        f'<w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>'
        + "".join(rows)
        + "</w:tbl>"
    )
    from lxml import etree

    body = document.element.body
    body.insert(len(body) - 1, etree.fromstring(xml))  # before the section properties
    document.save(str(path))
    return len(rows) - 2


def median(times: list[float]) -> str:
    return f"median {statistics.median(times):6.2f} s   min {min(times):6.2f} s   (n={len(times)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=170, help="copies of the 28 rows")
    parser.add_argument("--runs", type=int, default=3, help="repetitions per measure")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one run")
    args = parser.parse_args()

    from generator.model.workspace import open_workspace
    from generator.readback.importer import import_appendix

    tmp = Path(tempfile.mkdtemp(prefix="plangen-bench-import-"))
    env = {**os.environ, "PLANGEN_CACHE": str(tmp / "cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    plangen = shutil.which("plangen") or f"{sys.executable} -m generator.cli"
    try:
        data = tmp / "data"
        for part in ("catalogs", "templates"):
            shutil.copytree(ROOT / part, data / part)
        source = tmp / "phu-luc-ii-dai.docx"
        rows = build_docx(source, args.repeat)
        size = source.stat().st_size
        print(
            f"plangen import benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}"
        )
        print(f"{source.name}: {rows} table rows, {size / 1024:.0f} KB\n")
        out = tmp / "out.yaml"

        ws = open_workspace(data)
        times = []
        report = None
        for _ in range(args.runs):
            start = time.perf_counter()
            report = import_appendix(ws, source, "lang-son", "sipas-dai", out, True)
            times.append(time.perf_counter() - start)
        assert report is not None
        print(f"import in-process ({report.tasks} tasks, {report.sections} sections)  ", end="")
        print(median(times))

        cmd = [*plangen.split(), "--data", str(data), "import", str(source)]
        cmd += ["--unit", "lang-son", "--id", "sipas-dai", "--out", str(out), "--force"]
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=env)
            times.append(time.perf_counter() - start)
        print(f"plangen import (CLI, a new process each run)           {median(times)}")

        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            import_appendix(ws, source, "lang-son", "sipas-dai", out, True)
            profiler.disable()
            text = io.StringIO()
            stats = pstats.Stats(profiler, stream=text).sort_stats("tottime")
            stats.print_stats(25)
            stats.sort_stats("cumulative").print_stats(40)
            print(text.getvalue())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
