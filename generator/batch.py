"""Every unit at once, in parallel over the machine's cores; one failure stops no other."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path

from .deadline import deadline
from .errors import UserError
from .generate import Options, generate
from .load import Workspace


@dataclass
class UnitResult:
    slug: str
    paths: list[Path] = field(default_factory=list)
    error: str | None = None
    deadline: str = ""  # the 15-day rule, said of this unit (computed where it was loaded)


_job: tuple[Workspace, Options, list[str] | None] | None = None  # set before the fork


def _one(slug: str) -> UnitResult:
    ws, options, only = _job
    try:
        paths = generate(ws, slug, replace(options, out_dir=options.out_dir / slug), only)
        due = deadline(ws.kind_of(slug).model, ws.unit(slug).model)
        return UnitResult(slug, paths, deadline=due.describe() if due else "")
    except UserError as exc:
        return UnitResult(slug, error=str(exc))
    except Exception as exc:  # a bug met by one unit must not stop the others
        return UnitResult(slug, error=f"lỗi nội bộ của plangen ({type(exc).__name__}: {exc})")


def run_all(
    ws: Workspace,
    slugs: list[str],
    options: Options,
    only: list[str] | None = None,
    on_done: Callable[[UnitResult], None] | None = None,
    workers: int | None = None,
) -> list[UnitResult]:
    """Render `slugs` into ``options.out_dir/<slug>/``; results in the order of `slugs`."""
    global _job
    _job = (ws, options, only)
    workers = workers or min(os.cpu_count() or 1, len(slugs))
    results: dict[str, UnitResult] = {}
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for slug in slugs:
            results[slug] = _one(slug)
            if on_done:
                on_done(results[slug])
    else:
        # Workers are forked with the loaded workspace; chunks keep the overhead small.
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            futures = {pool.submit(_one, slug): slug for slug in slugs}
            for future in as_completed(futures):
                result = future.result()
                results[result.slug] = result
                if on_done:
                    on_done(result)
    _job = None
    return [results[s] for s in slugs]
