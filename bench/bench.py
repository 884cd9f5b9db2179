"""plangen benchmark: wall time of the CLI, of one render, of a batch, against bare docxtpl.

    python bench/bench.py [--units 100] [--runs 10]

Targets (2-core machine): one appendix <= 15 ms in-process, the whole plan (body and both
appendices) well under a second, `plangen --unit dinh-lap` <= 0.5 s wall, a 100-unit batch
(whole plan, both appendices and the tracker for each) <= 3 s wall. The web server's load
test is bench/web_load.py. Everything is written under a temporary folder removed at the end.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def wall(cmd: list[str], runs: int, env: dict) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return times


def per_call(fn, runs: int) -> list[float]:
    fn()  # warm: template compiled and cached, modules imported
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def fmt(times: list[float], unit: str = "ms") -> str:
    scale, digits = (1000, 1) if unit == "ms" else (1, 3)
    return (
        f"median {statistics.median(times) * scale:7.{digits}f} {unit}   "
        f"min {min(times) * scale:7.{digits}f} {unit}   (n={len(times)})"
    )


def bare_docxtpl_template(path: Path) -> None:
    """A docxtpl template with the same six columns and a row loop, built with python-docx."""
    import docx

    document = docx.Document()
    document.add_paragraph("{{ label }}")
    document.add_paragraph("{{ title }}")
    document.add_paragraph("{{ guide }}")
    table = document.add_table(rows=3, cols=6)
    for cell, text in zip(
        table.rows[0].cells,
        ["STT", "Nhiệm vụ", "Chủ trì", "Phối hợp", "Thời gian", "Sản phẩm"],
        strict=True,
    ):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for r in rows %}"
    for cell, key in zip(
        table.rows[2].cells, ["code", "task", "lead", "support", "deadline", "product"], strict=True
    ):
        cell.text = "{{ r." + key + " }}"
    row4 = table.add_row()
    row4.cells[0].text = "{%tr endfor %}"
    document.save(str(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100, help="communes in the batch")
    parser.add_argument("--runs", type=int, default=10, help="repetitions per measure")
    args = parser.parse_args()

    from generator.resolve.unit import unit_appendices as appendices
    from generator.model.workspace import open_workspace
    from generator.render.appendix import render_appendix
    from generator.render.template import load_template

    tmp = Path(tempfile.mkdtemp(prefix="plangen-bench-"))
    env = {**os.environ, "PLANGEN_CACHE": str(tmp / "cache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # time an ordinary install: bytecode is cached
    os.environ["PLANGEN_CACHE"] = env["PLANGEN_CACHE"]
    plangen = shutil.which("plangen") or f"{sys.executable} -m generator.cli"
    try:
        print(f"plangen benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")

        # 1. the CLI, as a clerk runs it (template cache warm after the first run)
        cmd = [*plangen.split(), "--unit", "dinh-lap", "--out", str(tmp / "cli"), "--force"]
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        print("plangen --unit dinh-lap (plan, 2 PL, tracker)", fmt(wall(cmd, args.runs, env), "s"))
        cmd_docx = [*cmd, "--appendix", "II", "--no-tracker"]
        print(
            "plangen --unit dinh-lap -a II --no-tracker    ",
            fmt(wall(cmd_docx, args.runs, env), "s"),
        )

        # 2. one appendix in-process: resolve + render
        ws = open_workspace()
        template = load_template(ws.template)

        def one() -> bytes:
            [appendix] = appendices(ws, "dinh-lap", ["II"])
            return render_appendix(template, appendix)

        print("one appendix in-process (resolve + render)   ", fmt(per_call(one, 50 * args.runs)))

        from generator.flow.generate import plan_docx

        def whole_plan() -> bytes:
            return plan_docx(ws, "dinh-lap", appendices(ws, "dinh-lap"))

        print("whole plan in-process (body + 2 appendices)  ", fmt(per_call(whole_plan, args.runs)))

        from generator.render.tracker import tracker_bytes

        both = appendices(ws, "dinh-lap")
        print(
            "tracker workbook in-process (2 sheets)       ",
            fmt(per_call(lambda: tracker_bytes(both, 7, 2026), 5 * args.runs)),
        )

        # 3. bare docxtpl on the same rows, for comparison
        from docxtpl import DocxTemplate

        bare = tmp / "bare.docx"
        bare_docxtpl_template(bare)
        [appendix] = appendices(ws, "dinh-lap", ["II"])
        rows = [{"code": r.code, **r.cells} for r in appendix.rows]
        context = {
            "label": appendix.label,
            "title": appendix.title,
            "guide": appendix.guide,
            "rows": rows,
        }

        def docxtpl_render() -> bytes:
            doc = DocxTemplate(str(bare))
            doc.render(context, autoescape=True)
            out = io.BytesIO()
            doc.save(out)
            return out.getvalue()

        print(
            "bare docxtpl render of the same rows         ",
            fmt(per_call(docxtpl_render, 5 * args.runs)),
        )

        # 4. a batch of generated communes
        data = tmp / "data"
        for part in ("catalogs", "templates"):
            shutil.copytree(ROOT / part, data / part)
        for i in range(args.units):
            (data / "catalogs" / "units" / f"xa-{i:03d}.yaml").write_text(
                f"kind: commune\nname: xã Thử {i}\nplan:\n  number: {i + 1}\n  date: 2026-07-06\n",
                encoding="utf-8",
            )
        units = len(list((data / "catalogs" / "units").glob("*.yaml")))
        cmd = [*plangen.split(), "--data", str(data), "--all", "--out", str(tmp / "batch")]
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        took = time.perf_counter() - start
        files = sum(1 for _ in (tmp / "batch").rglob("*.*"))
        print(
            f"plangen --all, {units} units ({files} files)       "
            f"wall {took:6.2f} s   ({took / units * 1000:.1f} ms per unit)"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
