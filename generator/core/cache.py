"""plangen's cache folder: what can be made again, kept to make it faster.

The folder is ``$PLANGEN_CACHE``, else ``$XDG_CACHE_HOME/plangen``, else ``~/.cache/plangen``;
when none of them can be a private folder of the current user (no home, a home of "/", a
folder another user owns or may write to), there is no cache and plangen works without
one. Everything in it is keyed by a digest of what it was made from and of plangen's own
version, and is only ever read back from a folder that nobody else can write to.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator import __version__

MAX_ENTRY = 64 * 1024 * 1024


def cache_dir() -> Path | None:
    """The cache folder (created private on first use), or None where there can be none."""
    if os.environ.get("PLANGEN_CACHE"):
        base = Path(os.environ["PLANGEN_CACHE"])
    elif os.environ.get("XDG_CACHE_HOME"):
        base = Path(os.environ["XDG_CACHE_HOME"]) / "plangen"
    else:
        home = os.environ.get("HOME", "")
        if not home or Path(home).resolve() == Path("/"):
            return None
        base = Path(home) / ".cache" / "plangen"
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = base.stat()
    except OSError:
        return None
    if info.st_uid != os.geteuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None  # a folder others may write to: nothing read from it can be trusted
    return base


def key(*parts: bytes | str) -> str:
    """A digest of what an entry is made from, plangen's version included."""
    digest = hashlib.sha256(f"plangen {__version__}".encode())
    for part in parts:
        digest.update(b"\0" + (part.encode() if isinstance(part, str) else part))
    return digest.hexdigest()[:32]


def sources(*paths: Path) -> list[str]:
    """What stands for the code an entry was made by: each source file's name, size and
    time (an entry is only as good as the code that made it, version or not)."""
    return sorted(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in paths)


def read(name: str) -> bytes | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / name, "rb") as f:
            if os.fstat(f.fileno()).st_uid != os.geteuid():
                return None
            return f.read(MAX_ENTRY)
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    """Keep `data` under `name`, whole or not at all (a failure is silent: it is a cache)."""
    folder = cache_dir()
    if folder is None or len(data) > MAX_ENTRY:
        return
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, folder / name)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass


def load_object(name: str) -> Any | None:
    """An object kept by `store_object` (None when absent, damaged or of another version)."""
    data = read(name)
    if data is None:
        return None
    try:
        return pickle.loads(data)
    except Exception:  # noqa: BLE001 - a damaged or outdated entry is made again
        return None


def store_object(name: str, value: Any) -> None:
    try:
        data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - what cannot be kept is made again next time
        return
    write(name, data)


def remembered(
    kind: str, made_from: str, make: Callable[[], Any], code: list[str], fits: Callable
) -> Any:
    """What `make()` returns (JSON data), kept under a digest of `made_from`, the whole input
    of the pure function it calls, and of `code`, that function's sources: the same input
    is not worked out again. A kept value that `fits` rejects is made again."""
    name = f"{kind}-{key(made_from, *code)}.json"
    try:
        kept = json.loads(read(name) or "null")
    except ValueError:  # a damaged entry is made again
        kept = None
    if kept is not None and fits(kept):
        return kept
    value = make()
    write(name, json.dumps(value).encode())
    return value
