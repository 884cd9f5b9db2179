"""Run one untrusted computation where the operating system bounds it.

A restyled Word template may hold Jinja, and no list of forbidden operators can prove that an
expression stays small: `run_bounded` runs the call in a forked child whose address space
and CPU time are capped by `setrlimit`, waits for it at most `seconds` of wall time, and
kills it after that. The child sends back its result (or the `UserError` it raised) through
a pipe; whatever else happens to it (out of memory, too deep, killed) becomes one
`UserError` in the caller's words. Where fork or resource limits do not exist, the call runs
here, with only the checks of the code it calls.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import Any

from generator.core.errors import UserError, Where

MB = 1024 * 1024


class Exceeded(UserError):
    """The computation went beyond its time or memory."""


def _address_space() -> int | None:
    """This process's virtual memory size in bytes (Linux), else None."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit_child(seconds: float, memory: int) -> None:
    import resource

    size = _address_space()
    if size is not None:
        cap = size + memory
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    cpu = max(1, int(seconds + 0.999))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _child(pipe: int, call: Callable[[], Any], seconds: float, memory: int) -> None:
    """In the child: limits, the call, its outcome down the pipe; never returns."""
    code = 0
    try:
        _limit_child(seconds, memory)
        try:
            outcome = ("ok", call())
        except UserError as exc:
            outcome = ("error", exc)
        except MemoryError:
            outcome = ("memory", None)
        except (RecursionError, SyntaxError):  # nesting too deep to parse or compile
            outcome = ("deep", None)
        data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        view = memoryview(data)
        while view:
            written = os.write(pipe, view)
            view = view[written:]
    except MemoryError:
        code = 3
    except BaseException:  # anything else is the caller's internal error: said by exit code
        code = 4
    finally:
        os._exit(code)


def _read_all(pipe: int, pid: int, deadline: float) -> tuple[bytes, bool]:
    """What the child wrote, and whether it finished before `deadline`."""
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return b"".join(chunks), False
        ready, _, _ = select.select([pipe], [], [], left)
        if not ready:
            return b"".join(chunks), False
        chunk = os.read(pipe, 1 << 20)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)


def run_bounded(
    call: Callable[[], Any],
    what: str,
    where: Where | None = None,
    seconds: float = 5.0,
    memory: int = 400 * MB,
) -> Any:
    """`call()` in a child bounded to `seconds` (wall and CPU) and `memory` bytes more than
    this process uses; its result, or its `UserError`; `what` names the input in the
    messages ("mẫu DOCX")."""
    if not hasattr(os, "fork") or _address_space() is None:
        return call()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        _child(write_end, call, seconds, memory)
    os.close(write_end)
    try:
        data, finished = _read_all(read_end, pid, time.monotonic() + seconds)
    finally:
        os.close(read_end)
    if not finished:
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    too_slow = Exceeded(f"{what}: chạy quá {seconds:g} giây (mẫu tính toán quá nhiều)", where)
    too_big = Exceeded(f"{what}: cần quá {memory // MB} MB bộ nhớ (mẫu tạo dữ liệu quá lớn)", where)
    if not finished or (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU):
        raise too_slow
    if os.WIFSIGNALED(status) or (os.WIFEXITED(status) and os.WEXITSTATUS(status) == 3):
        raise too_big
    if not data:
        raise RuntimeError(f"tiến trình con dừng với mã {os.WEXITSTATUS(status)}")
    kind, value = pickle.loads(data)
    if kind == "ok":
        return value
    if kind == "error":
        raise value
    if kind == "memory":
        raise too_big
    raise Exceeded(f"{what}: biểu thức lồng quá sâu", where)
