"""plangen benchmark: the CLI against its import floor, PDFs, a batch, validate, in-process.

    python bench/bench.py [--runs 15] [--units 100] [--validate-units 4000] [--skip-pdf]

Measures, each paired in one run so the machine's mood hits both sides alike:

- `plangen --unit dinh-lap` against its **import floor**: a Python process that imports
  exactly the modules the command ends up with (third-party and plangen's own, in the same
  order) and does nothing else. The ratio is what the command's own work costs on top of
  loading its code (target: at most 1.2). Caches are warm, as when a clerk makes the plan
  again; the same run with the tables' widths and page breaks not kept (a task's text
  changed) is measured too.
- `plangen --unit dinh-lap --pdf` (target: at most 2 s) and `plangen --all --pdf` over 20
  units (target: at most 15 s): every DOCX of a run converted by one LibreOffice per core.
- `plangen validate` over a data folder of 4,000 synthetic units (target: at most 15 s).
- `plangen --all` over 100 units, and the in-process costs (one appendix, the whole plan,
  the tracker).

The import of a 4,760-row appendix is measured by bench/bench_import.py; the web server's
load by bench/web_load.py. Everything is written under a temporary folder removed at the end.
"""

from __future__ import annotations

import argparse
import json
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

MODULES_OF = """
import runpy, sys, json, atexit
out = sys.argv.pop(1)
atexit.register(lambda: open(out, "w").write(json.dumps(list(sys.modules))))
sys.argv = ["plangen", *sys.argv[1:]]
runpy.run_module("generator.cli", run_name="__main__")
"""


def timed(cmd: list[str], env: dict, cwd: Path | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=cwd)
    return time.perf_counter() - start


def fmt(times: list[float], unit: str = "ms") -> str:
    scale, digits = (1000, 1) if unit == "ms" else (1, 3)
    return (
        f"median {statistics.median(times) * scale:8.{digits}f} {unit}   "
        f"min {min(times) * scale:8.{digits}f} {unit}   (n={len(times)})"
    )


def per_call(fn, runs: int) -> list[float]:
    fn()  # warm: template cleaned and cached, modules imported
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def floor_script(tmp: Path, cli: list[str], env: dict) -> Path:
    """A script importing every module `plangen <cli>` ends up with, in the same order."""
    listed = tmp / "modules.json"
    subprocess.run(
        [sys.executable, "-c", MODULES_OF, str(listed), *cli],
        check=True,
        capture_output=True,
        env=env,
        cwd=tmp,
    )
    names = [n for n in json.loads(listed.read_text()) if n not in ("__main__", "__mp_main__")]
    script = tmp / "floor.py"
    script.write_text(
        "import importlib\n"
        f"for name in {names!r}:\n"
        "    try:\n        importlib.import_module(name)\n"
        "    except Exception:\n        pass\n",
        encoding="utf-8",
    )
    return script


def cli_against_floor(tmp: Path, env: dict, runs: int) -> None:
    out = tmp / "cli"
    cli = ["--unit", "dinh-lap", "--out", str(out), "--force"]
    cmd = [sys.executable, "-m", "generator.cli", *cli]
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=tmp)  # caches warm
    floor = [sys.executable, str(floor_script(tmp, cli, env))]
    cache = Path(env["PLANGEN_CACHE"])

    def measured_afresh() -> float:  # the tables' widths and pages not kept from before
        for entry in [*cache.glob("widths-*"), *cache.glob("rows-*")]:
            entry.unlink()
        return timed(cmd, env, tmp)

    runs_ = [(timed(floor, env, tmp), timed(cmd, env, tmp), measured_afresh()) for _ in range(runs)]
    floors, walls, fresh = ([r[i] for r in runs_] for i in range(3))
    ratio = statistics.median(walls) / statistics.median(floors)
    print("import floor of the command's modules      ", fmt(floors, "s"))
    print("plangen --unit dinh-lap (plan, 2 PL, tracker)", fmt(walls, "s"))
    print(f"  ratio to the import floor: {ratio:.2f} (target <= 1.2)")
    print("  the same, tables measured afresh         ", fmt(fresh, "s"))
    print(
        f"  ratio to the import floor: {statistics.median(fresh) / statistics.median(floors):.2f}"
    )


def pdf_runs(tmp: Path, env: dict, data: Path) -> None:
    cmd = [sys.executable, "-m", "generator.cli", "--unit", "dinh-lap", "--pdf", "--force"]
    single = [timed([*cmd, "--out", str(tmp / "pdf1")], env, tmp) for _ in range(3)]
    print("plangen --unit dinh-lap --pdf (7 files)    ", fmt(single, "s"), "(target <= 2 s)")
    batch = [
        sys.executable, "-m", "generator.cli", "--data", str(data), "--all", "--pdf",
        "--force", "--out", str(tmp / "pdf20"),
    ]  # fmt: skip
    took = timed(batch, env, tmp)
    pdfs = sum(1 for _ in (tmp / "pdf20").rglob("*.pdf"))
    units = len(list((data / "catalogs" / "units").glob("*.yaml")))
    print(f"plangen --all --pdf, {units} units ({pdfs} PDFs)  wall {took:6.2f} s (target <= 15 s)")


def synthetic(tmp: Path, name: str, units: int) -> Path:
    """A copy of the data folder with `units` communes (the shipped units removed)."""
    data = tmp / name
    for part in ("catalogs", "templates"):
        shutil.copytree(ROOT / part, data / part)
    shutil.rmtree(data / "catalogs" / "units")
    (data / "catalogs" / "units").mkdir()
    for i in range(units):
        (data / "catalogs" / "units" / f"xa-{i:04d}.yaml").write_text(
            f"kind: commune\nprovince: lang-son\nname: xã Thử {i}\nplan:\n  number: {i + 1}\n"
            "  date: 2026-07-06\n",
            encoding="utf-8",
        )
    return data


def in_process(runs: int) -> None:
    from generator.flow.generate import plan_docx
    from generator.model.workspace import open_workspace
    from generator.render.appendix import render_appendix
    from generator.render.template import load_template
    from generator.render.tracker import tracker_bytes
    from generator.resolve.unit import unit_appendices

    ws = open_workspace()
    template = load_template(ws.template)

    def one() -> bytes:
        [appendix] = unit_appendices(ws, "dinh-lap", ["II"])
        return render_appendix(template, appendix)

    both = unit_appendices(ws, "dinh-lap")
    print("one appendix in-process (resolve + render)  ", fmt(per_call(one, 10 * runs)))
    whole = per_call(lambda: plan_docx(ws, "dinh-lap", unit_appendices(ws, "dinh-lap")), runs)
    print("whole plan in-process (body + 2 appendices) ", fmt(whole))
    tracker = per_call(lambda: tracker_bytes(both, 7, 2026), runs)
    print("tracker workbook in-process (2 sheets)      ", fmt(tracker))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="repetitions per measure")
    parser.add_argument("--units", type=int, default=100, help="communes in the batch")
    parser.add_argument("--validate-units", type=int, default=4000, help="units to validate")
    parser.add_argument("--skip-pdf", action="store_true", help="no LibreOffice measures")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="plangen-bench-"))
    env = {**os.environ, "PLANGEN_CACHE": str(tmp / "cache"), "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # time an ordinary install: bytecode is cached
    env.pop("PLANGEN_DATA", None)
    os.environ["PLANGEN_CACHE"] = env["PLANGEN_CACHE"]
    plangen = [sys.executable, "-m", "generator.cli"]
    try:
        print(f"plangen benchmark on {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
        env_root = {**env}
        os.chdir(ROOT)
        cli_against_floor(tmp, {**env_root, "PLANGEN_DATA": str(ROOT)}, args.runs)
        if not args.skip_pdf and shutil.which("soffice"):
            pdf_runs(tmp, {**env, "PLANGEN_DATA": str(ROOT)}, synthetic(tmp, "pdf-data", 20))

        data = synthetic(tmp, "validate-data", args.validate_units)
        took = timed([*plangen, "--data", str(data), "validate"], env)
        print(f"plangen validate, {args.validate_units} units       wall {took:6.2f} s"
              " (target <= 15 s)")  # fmt: skip

        data = synthetic(tmp, "batch-data", args.units)
        took = timed([*plangen, "--data", str(data), "--all", "--out", str(tmp / "batch")], env)
        files = sum(1 for _ in (tmp / "batch").rglob("*.*"))
        print(
            f"plangen --all, {args.units} units ({files} files)     "
            f"wall {took:6.2f} s   ({took / args.units * 1000:.1f} ms per unit)"
        )
        in_process(args.runs)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
