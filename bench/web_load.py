"""Load test of `plangen serve` on this computer: many clerks downloading at once.

Starts the server (`python -m generator.cli serve`) on a free 127.0.0.1 port, reads the
unit list and each unit's download links from the pages, then N concurrent clients fetch M
files in total (the whole plan when the core renders it, each appendix DOCX, the tracker
XLSX, in turn across units) and check every file is a valid DOCX/XLSX (a zip with the parts
Word and Excel need). Prints latency percentiles per kind of file and overall.

    .venv/bin/python bench/web_load.py                  # 20 clients, 200 files
    .venv/bin/python bench/web_load.py --clients 40 --requests 400 --data DIR

The server works on a temporary copy of the data. Reading the pages renders every unit
once; the profiles' modification times are then bumped, so the first download of each file
renders it again under load ("first (renders)") and the others come from the server's
cache of the current data version.

Bounded: at most 64 clients and 2000 requests, every request times out, and the whole run
stops after --timeout seconds. Only the loopback address is ever used.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import zipfile
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HOST = "127.0.0.1"  # never anything else: this is a local test
MAX_CLIENTS = 64
MAX_REQUESTS = 2000
PARTS = {
    "docx": {"[Content_Types].xml", "word/document.xml", "docProps/core.xml"},
    "xlsx": {"[Content_Types].xml", "xl/workbook.xml"},
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def start_server(port: int, data: Path | None, timeout: float) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "generator.cli"]
    if data is not None:
        cmd += ["--data", str(data)]
    cmd += ["serve", "--host", HOST, "--port", str(port)]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped: {proc.stderr.read().strip()}")
        try:
            if fetch(f"http://{HOST}:{port}/healthz", 1)[0] == 200:
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start in time")


def file_kind(name: str) -> str:
    if name.endswith(".xlsx"):
        return "tracker"
    if "-ke-hoach-" in name:
        return "plan"
    return "appendix"


def valid(name: str, data: bytes) -> str | None:
    """Why `data` is not a valid file of its type, or None."""
    ext = name.rsplit(".", 1)[-1]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            bad = zf.testzip()
    except zipfile.BadZipFile:
        return "not a zip"
    if bad:
        return f"corrupt part {bad}"
    missing = PARTS[ext] - names
    return f"missing {sorted(missing)}" if missing else None


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--data", type=Path, default=None, help="data root (default: checkout)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds for the whole run")
    args = parser.parse_args(argv)
    clients = max(1, min(args.clients, MAX_CLIENTS))
    total = max(1, min(args.requests, MAX_REQUESTS))
    request_timeout = min(60.0, args.timeout)

    port = free_port()
    base = f"http://{HOST}:{port}"
    # A private copy of the data: the run may touch the profiles' times, nothing else.
    from generator.model.workspace import data_root

    tmp = tempfile.TemporaryDirectory(prefix="plangen-load-")
    data = Path(tmp.name)
    for part in ("catalogs", "templates"):
        shutil.copytree(data_root(args.data) / part, data / part)
    started = time.monotonic()
    proc = start_server(port, data, 30)
    startup = time.monotonic() - started
    try:
        status, body = fetch(base + "/", request_timeout)
        if status != 200:
            raise SystemExit(f"GET / -> {status}")
        units = re.findall(r'data-unit="([a-z0-9-]+)"', body.decode())
        links: dict[str, list[str]] = {}
        for slug in units:
            status, body = fetch(f"{base}/units/{slug}", request_timeout)
            found = re.findall(rf'href="(/units/{slug}/files/[^"]+\.(?:docx|xlsx))"', body.decode())
            if found:
                links[slug] = list(dict.fromkeys(found))
        if not links:
            raise SystemExit("no unit has files to download (are the profiles valid?)")
        # Reading the pages rendered every unit once; a new modification time on each
        # profile makes the server render again, so the first downloads measure rendering
        # under load and the rest the cached files.
        later = time.time() + 1
        for profile in (data / "catalogs" / "units").glob("*.yaml"):
            os.utime(profile, (later, later))
        # the whole plan, each appendix, the tracker: in turn, across units
        plan: list[str] = []
        queues = [links[s] for s in sorted(links)]
        i = 0
        while len(plan) < total:
            queue = queues[i % len(queues)]
            plan.append(queue[(i // len(queues)) % len(queue)])
            i += 1

        results: list[tuple[str, float, str | None, float]] = []  # path, s, problem, start
        lock = threading.Lock()
        stop_at = time.monotonic() + args.timeout

        def one(path: str) -> None:
            if time.monotonic() > stop_at:
                with lock:
                    results.append((path, float("nan"), "not run: time limit", 0.0))
                return
            t0 = time.perf_counter()
            try:
                status, data = fetch(base + path, request_timeout)
                problem = None if status == 200 else f"HTTP {status}"
                if problem is None:
                    problem = valid(path, data)
            except OSError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - t0
            with lock:
                results.append((path, elapsed, problem, t0))

        t0 = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(one, plan))
        wall = time.perf_counter() - t0
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        tmp.cleanup()

    failures = [(p, why) for p, _, why, _ in results if why]
    by_kind: dict[str, list[float]] = defaultdict(list)
    first: dict[str, float] = {}  # the first download of each file: rendered, not cached
    for path, elapsed, why, _start in sorted(results, key=lambda r: r[3]):
        if not why:
            by_kind[file_kind(path)].append(elapsed * 1000)
            first.setdefault(path, elapsed * 1000)
    every = [v for vs in by_kind.values() for v in vs]
    print(
        f"plangen serve on {HOST}, {os.cpu_count()} CPUs: {clients} clients, {len(results)} "
        f"downloads of {sum(len(v) for v in links.values())} files from {len(links)} units "
        f"(server ready in {startup:.1f} s)"
    )
    print(f"{'kind':<16}{'n':>5}{'p50 ms':>10}{'p95 ms':>10}{'max ms':>10}")

    def line(label: str, values: list[float]) -> None:
        print(
            f"{label:<16}{len(values):>5}{percentile(values, 50):>10.1f}"
            f"{percentile(values, 95):>10.1f}{max(values):>10.1f}"
        )

    for kind in ("plan", "appendix", "tracker"):
        if by_kind.get(kind):
            line(kind, by_kind[kind])
    if every:
        line("all", every)
    if first:
        line("first (renders)", list(first.values()))
    print(f"wall {wall:.2f} s, {len(results) / wall:.0f} downloads/s, {len(failures)} failed")
    for path, why in failures[:10]:
        print(f"  FAILED {path}: {why}")
    return 1 if failures or len(results) < total else 0


if __name__ == "__main__":
    sys.exit(main())
