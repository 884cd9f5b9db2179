"""Work spread over the machine's cores: one forked worker per core, dying with its parent.

`forked_map` calls `task(item)` for every item in worker processes forked from this one, so
the task sees everything already loaded here (a workspace, a job) without copying or
pickling it; only the items and the results cross between processes. A worker dies with
its parent (Linux: PR_SET_PDEATHSIG), so killing the run leaves none behind; a worker that
dies (killed, out of memory) is reported for the items it held as `WorkerDied`, and the
other items still run. Where fork is not available, or one worker is enough, the items run
here, one after another.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any


class WorkerDied(Exception):
    """The worker process running an item ended without a result."""


_task: Callable[[Any], Any] | None = None  # a worker's own copy, set once by its initializer


def _start_worker(task: Callable[[Any], Any], parent: int) -> None:
    global _task
    _task = task
    die_with_parent()
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)


def _call(item: Any) -> Any:
    assert _task is not None
    return _task(item)


def die_with_parent() -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown still applies
        pass
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle


def workers_for(count: int) -> int:
    return max(1, min(os.cpu_count() or 1, count))


def forked_map(
    task: Callable[[Any], Any], items: Iterable[Any], workers: int | None = None
) -> Iterator[tuple[Any, Any]]:
    """(item, task(item)) for every item, in the order they finish; a result is a
    `WorkerDied` where the worker ended without one. An exception raised by the task is
    the task's to catch (it crosses back only if it pickles)."""
    items = list(items)
    workers = workers or workers_for(len(items))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        for item in items:
            yield item, task(item)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=_start_worker, initargs=(task, os.getpid())
    ) as pool:
        futures = {pool.submit(_call, item): item for item in items}
        try:
            for future in as_completed(futures):
                try:
                    result = future.result()
                except BrokenProcessPool:
                    result = WorkerDied()
                yield futures[future], result
        finally:
            for future in futures:
                future.cancel()
