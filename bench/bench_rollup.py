"""Benchmark of the province's roll-up (docs/cycle.md): 100 units, each with 12 monthly
submissions of its tracker in the history (SQLite by default), then `plangen rollup` (the
consolidated workbook and the province's report) timed as a command and in-process.

    python bench/bench_rollup.py [--units 100] [--months 12] [--runs 5] [--db URL]

Target: the roll-up of 100 units × 12 months of history in at most 2 s on SQLite.

The history is written through the same code as `plangen submit` (cycle.store.save), from
one real tracker made by plangen and read back (cycle.intake), its statuses, notes and month
cells varied per unit and month, so the database holds what a year of submissions holds:
100 × 12 submissions, 63 tasks each, month cells growing month by month.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from generator.cycle import store  # noqa: E402
from generator.cycle.db import close_all, database_url, open_database  # noqa: E402
from generator.cycle.intake import read_snapshot  # noqa: E402
from generator.render.tracker import DONE, IN_PROGRESS, LATE, NOT_STARTED  # noqa: E402

CYCLE = (NOT_STARTED, IN_PROGRESS, DONE, LATE, IN_PROGRESS, DONE)


def synthetic(tmp: Path, units: int) -> Path:
    """A data folder with the province and `units` communes."""
    data = tmp / "data"
    for part in ("catalogs", "templates"):
        shutil.copytree(ROOT / part, data / part)
    folder = data / "catalogs" / "units"
    for path in folder.glob("*.yaml"):
        if path.stem != "lang-son":
            path.unlink()
    for i in range(units):
        (folder / f"xa-{i:04d}.yaml").write_text(
            f"kind: commune\nprovince: lang-son\nname: xã Thử {i}\nplan:\n  number: {i + 1}\n"
            f"  date: 2026-07-{1 + i % 20:02d}\n",
            encoding="utf-8",
        )
    return data


def history(data: Path, url: str, units: int, months: int) -> float:
    """Write the history; the seconds it took."""
    env = {**os.environ, "PLANGEN_DATA": str(data)}
    out = data.parent / "made"
    subprocess.run(
        [sys.executable, "-m", "generator.cli", "--unit", "xa-0000", "--out", str(out)],
        check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    [tracker] = out.glob("*-theo-doi.xlsx")
    base = read_snapshot(tracker, dt.date(2026, 9, 14))
    db = open_database(url)
    start = time.perf_counter()
    for u in range(units):
        with db.writing(f"xa-{u:04d}") as conn:
            for m in range(1, months + 1):
                tasks = []
                for i, t in enumerate(base.tasks):
                    status = CYCLE[(i + u + m) % len(CYCLE)] if i % 12 < m else NOT_STARTED
                    cells = tuple(
                        (f"2026-{k:02d}", f"Tháng {k}: đã làm phần {i}")
                        for k in range(7, 7 + min(m, 6))
                        if (i + k) % 3 == 0
                    )
                    note = f"Ghi chú tháng {m}" if status in (DONE, LATE) else ""
                    tasks.append(replace(t, status=status, note=note, months=cells))
                snap = replace(base, tasks=tuple(tasks), sha256=f"{u:04d}{m:02d}".ljust(64, "0"))
                store.save(
                    conn, f"xa-{u:04d}", 2026, "lang-son-2026", snap, who="bench", source="cli",
                    as_of=dt.date(2026, m, 15), now=dt.datetime(2026, m, 15, 9, 0),
                )  # fmt: skip
    return time.perf_counter() - start


def in_process(data: Path, url: str) -> tuple[float, float]:
    """(the roll-up's figures, the figures + workbook + report), seconds, one run."""
    from generator.cycle.document import report_docx
    from generator.cycle.periods import parse_period
    from generator.cycle.rollup import build_rollup
    from generator.cycle.rollupdoc import province_report
    from generator.cycle.rollupxlsx import rollup_xlsx
    from generator.model.workspace import open_workspace

    start = time.perf_counter()
    ws = open_workspace(data)
    summary = build_rollup(ws, open_database(url), parse_period("2026-Q3"), dt.date(2026, 12, 31))
    figures = time.perf_counter() - start
    rollup_xlsx(summary)
    body, table, addressee = province_report(ws, summary)
    report_docx(ws, body, table, addressee)
    return figures, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=100)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--db", default=None, help="a database URL (default: SQLite in the data)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="plangen-bench-rollup-") as name:
        tmp = Path(name)
        data = synthetic(tmp, args.units)
        url = database_url(args.db, data)
        took = history(data, url, args.units, args.months)
        with open_database(url).reading() as conn:
            subs = conn.exec_driver_sql("SELECT count(*) FROM submissions").scalar()
            rows = conn.exec_driver_sql("SELECT count(*) FROM task_status").scalar()
            cells = conn.exec_driver_sql("SELECT count(*) FROM month_notes").scalar()
        size = (data / "plangen.db").stat().st_size / 1e6 if args.db is None else 0
        print(
            f"history: {subs} submissions, {rows} task rows, {cells} month cells"
            + (f", {size:.1f} MB" if size else "")
            + f" (written in {took:.1f} s)"
        )
        close_all()
        env = {**os.environ, "PLANGEN_DATA": str(data)}
        if args.db:
            env["PLANGEN_DB"] = args.db
        walls = []
        for n in range(args.runs):
            out = tmp / f"out-{n}"
            cmd = [sys.executable, "-m", "generator.cli", "rollup", "--period", "2026-Q3",
                   "--date", "2026-12-31", "--out", str(out)]  # fmt: skip
            start = time.perf_counter()
            subprocess.run(cmd, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
            walls.append(time.perf_counter() - start)
        figures, whole = zip(*(in_process(data, url) for _ in range(args.runs)), strict=True)
        print(
            f"plangen rollup, {args.units} units x {args.months} months: wall median "
            f"{statistics.median(walls):.2f} s (min {min(walls):.2f}, max {max(walls):.2f}; "
            f"target <= 2 s)"
        )
        print(
            f"in-process: figures {statistics.median(figures) * 1000:.0f} ms, figures + "
            f"workbook + report {statistics.median(whole) * 1000:.0f} ms (median of {args.runs})"
        )
        close_all()


if __name__ == "__main__":
    main()
