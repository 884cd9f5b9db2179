"""Every unit at once, in parallel over the machine's cores; one failure stops no other.

A unit's bad data or a bug met by one unit, and even a worker that dies, is reported as
that unit's error; the others are written. Workers are forked with the loaded workspace
(core/parallel.py) and die with their parent. A unit whose files fail is reported as that
unit's error; its folder is left as it was (write/files.write_all).

With PDFs, the workers render each unit's files in memory and the parent converts every
DOCX of the run with one LibreOffice start per core (render/pdf.py), then writes each unit's
set, all or none.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from generator.core.errors import UserError
from generator.core.parallel import WorkerDied, forked_map
from generator.flow.generate import Options, generate, pdf_files, render_files
from generator.model.workspace import Workspace
from generator.resolve.deadlines import bound_deadline
from generator.resolve.scope import bind
from generator.write.files import os_error, write_all


@dataclass
class UnitResult:
    slug: str
    paths: list[Path] = field(default_factory=list)
    error: str | None = None
    deadline: str = ""  # the 15-day rule, said of this unit (computed where it was loaded)
    warnings: list[str] = field(default_factory=list)
    internal: bool = False  # the error is a bug of plangen's, not of the unit's data
    files: list[tuple[str, bytes]] = field(default_factory=list, repr=False)  # not yet written


STOPPED = "chưa lập: đã dừng bằng Ctrl-C (thư mục của đơn vị, nếu có, là một bộ tệp trọn vẹn)"


class Stopped(KeyboardInterrupt):
    """Ctrl-C during a batch: the results so far, the units not done marked `STOPPED`."""

    def __init__(self, results: list[UnitResult]) -> None:
        super().__init__()
        self.results = results


@dataclass(frozen=True)
class Job:
    """What every unit of a batch shares."""

    ws: Workspace
    options: Options
    only: list[str] | None


def render_one(job: Job, slug: str) -> UnitResult:
    """One unit's files written (or, with PDFs, rendered and kept for the parent)."""
    warnings: list[UserError] = []
    try:
        options = replace(job.options, out_dir=job.options.out_dir / slug)
        if options.pdf:
            files = render_files(job.ws, slug, replace(options, pdf=False), job.only, warnings)
            paths = []
        else:
            files, paths = [], generate(job.ws, slug, options, job.only, warnings)
        due = bound_deadline(bind(job.ws, slug, options.year))
        notes = [str(w) for w in warnings]
        return UnitResult(slug, paths, None, due.describe() if due else "", notes, files=files)
    except UserError as exc:
        return UnitResult(slug, error=str(exc))
    except OSError as exc:
        return UnitResult(slug, error=str(os_error(exc)))
    except Exception as exc:  # a bug met by one unit must not stop the others
        message = f"lỗi nội bộ của plangen ({type(exc).__name__}: {exc})"
        return UnitResult(slug, error=message, internal=True)


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
    results: dict[str, UnitResult] = {}
    done = forked_map(lambda s: render_one(job, s), slugs, workers)
    try:
        for slug, result in done:
            if isinstance(result, WorkerDied):  # killed, out of memory: said for this unit
                result = UnitResult(
                    slug,
                    error="tiến trình lập kế hoạch dừng đột ngột (hết bộ nhớ hoặc bị dừng); "
                    "chạy riêng đơn vị này để xem lỗi",
                    internal=True,
                )
            results[slug] = result
            if on_done and not options.pdf:
                on_done(result)
    except KeyboardInterrupt:  # Ctrl-C: the units not started are not; the rest say so
        done.close()  # cancels what has not started, waits for what has (written whole)
        raise Stopped([results.get(s) or UnitResult(s, error=STOPPED) for s in slugs]) from None
    if options.pdf:
        _write_with_pdfs(results, options, on_done)
    return [results[s] for s in slugs]


def _write_with_pdfs(
    results: dict[str, UnitResult], options: Options, on_done: Callable | None
) -> None:
    """Convert every DOCX of the run together, then write each unit's set, all or none."""
    ready = [r for r in results.values() if r.error is None]
    everything = [(f"{r.slug}/{name}", data) for r in ready for name, data in r.files]
    try:
        pdfs = dict(pdf_files(everything))
    except UserError as exc:
        for r in ready:
            r.error, r.files = str(exc), []
        pdfs = {}
    for r in results.values():
        if r.error is None:
            own = [(n.split("/", 1)[1], d) for n, d in pdfs.items() if n.startswith(r.slug + "/")]
            docx = [(n, d) for n, d in r.files if n.endswith(".docx")]
            files = docx + own + [(n, d) for n, d in r.files if not n.endswith(".docx")]
            folder = options.out_dir / r.slug
            try:
                r.paths = write_all([(folder / n, d) for n, d in files], options.force)
            except UserError as exc:
                r.error = str(exc)
            r.files = []
        if on_done:
            on_done(r)
