"""Every unit at once, in parallel over the machine's cores; one failure stops no other.

A unit's bad data or a bug met by one unit, and even a worker that dies, is reported as
that unit's error; the others are written.

Each worker is forked with the loaded workspace, given to it explicitly (the pool's
initializer), and dies with its parent (Linux: PR_SET_PDEATHSIG), so killing `plangen
--all` leaves no worker behind. A unit whose files fail is reported as that unit's error;
its folder is left as it was (write.write_all), the other units are written.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.core.errors import UserError
from generator.flow.generate import Options, generate
from generator.model.load import Workspace
from generator.resolve.deadlines import deadline


@dataclass
class UnitResult:
    slug: str
    paths: list[Path] = field(default_factory=list)
    error: str | None = None
    deadline: str = ""  # the 15-day rule, said of this unit (computed where it was loaded)
    warnings: list[str] = field(default_factory=list)
    internal: bool = False  # the error is a bug of plangen's, not of the unit's data


@dataclass(frozen=True)
class Job:
    """What every unit of a batch shares."""

    ws: Workspace
    options: Options
    only: list[str] | None


def render_one(job: Job, slug: str) -> UnitResult:
    warnings: list[UserError] = []
    try:
        options = replace(job.options, out_dir=job.options.out_dir / slug)
        paths = generate(job.ws, slug, options, job.only, warnings)
        due = deadline(job.ws.kind_of(slug), job.ws.unit(slug).model)
        notes = [str(w) for w in warnings]
        return UnitResult(slug, paths, deadline=due.describe() if due else "", warnings=notes)
    except UserError as exc:
        return UnitResult(slug, error=str(exc))
    except OSError as exc:
        from generator.write.files import os_error

        return UnitResult(slug, error=str(os_error(exc)))
    except Exception as exc:  # a bug met by one unit must not stop the others
        message = f"lỗi nội bộ của plangen ({type(exc).__name__}: {exc})"
        return UnitResult(slug, error=message, internal=True)


_worker_job: Job | None = None  # a worker process's own copy, set once by its initializer


def _start_worker(job: Job, parent: int) -> None:
    global _worker_job
    _worker_job = job
    _die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _in_worker(slug: str) -> UnitResult:
    assert _worker_job is not None
    return render_one(_worker_job, slug)


def _die_with_parent() -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown still applies
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def run_all(
    ws: Workspace,
    slugs: list[str],
    options: Options,
    only: list[str] | None = None,
    on_done: Callable[[UnitResult], None] | None = None,
    workers: int | None = None,
) -> list[UnitResult]:
    """Render `slugs` into ``options.out_dir/<slug>/``; results in the order of `slugs`."""
    job = Job(ws, options, only)
    workers = workers or min(os.cpu_count() or 1, len(slugs))
    results: dict[str, UnitResult] = {}
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for slug in slugs:
            results[slug] = render_one(job, slug)
            if on_done:
                on_done(results[slug])
        return [results[s] for s in slugs]
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_start_worker, initargs=(job, os.getpid())
    ) as pool:
        futures = {pool.submit(_in_worker, slug): slug for slug in slugs}
        for future in as_completed(futures):
            try:
                result = future.result()
            except BrokenProcessPool:  # a worker died (killed, out of memory): say so per unit
                result = UnitResult(
                    futures[future],
                    error="tiến trình lập kế hoạch dừng đột ngột (hết bộ nhớ hoặc bị dừng); "
                    "chạy riêng đơn vị này để xem lỗi",
                    internal=True,
                )
            results[result.slug] = result
            if on_done:
                on_done(result)
    return [results[s] for s in slugs]
