"""The data the server works from: the workspace, re-opened when a file changes, and what is
made from it (each unit's files, PDFs, each saved profile's verdict), kept while the inputs
it came from are unchanged.

The YAML files stay the source of truth: every request looks at their modification stamps
(inode, mtime, size), so an edit made with the CLI or a text editor shows up on the next
page. The workspace is immutable; everything kept here is behind a lock, and each thing is
made at most once per version of its inputs, even when many clerks ask at once (one lock
per key while it is made).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

from generator.flow.generate import Options, render_files
from generator.model.workspace import Workspace, data_root, open_workspace, working_units
from generator.web.checking import saved_problems

Stamp = tuple


class Memo:
    """Values made once per key, the `size` most recently used kept. While one thread makes
    a key's value, the others asking for it wait for that one (a lock per key). A maker that
    fails keeps nothing: the next asker tries again."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._making: dict[Hashable, threading.Lock] = {}
        self._made = 0

    @property
    def made(self) -> int:
        """How many values were actually made (for tests)."""
        with self._lock:
            return self._made

    def get(self, key: Hashable, make: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
            lock = self._making.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                if key in self._values:
                    return self._values[key]
            try:
                value = make()
            finally:
                with self._lock:
                    self._making.pop(key, None)
            with self._lock:
                self._made += 1
                self._values[key] = value
                while len(self._values) > self.size:
                    self._values.popitem(last=False)
            return value


class Data:
    """The data root and profile folders of one server; safe to share between threads."""

    def __init__(self, data: Path | None, units_dirs: list[Path]) -> None:
        self.data = data
        self.units_dirs = tuple(Path(d) for d in units_dirs)
        self.root = data_root(data)
        self._lock = threading.Lock()
        self._open_lock = threading.Lock()
        self._opened: tuple[Stamp, Workspace] | None = None
        self._files = Memo(64)  # (inputs, unit) -> its rendered files
        self._pdfs = Memo(64)  # (name, hash of the DOCX) -> the PDF
        self._verdicts = Memo(4096)  # (inputs, unit) -> what is wrong with its saved profile

    @property
    def render_count(self) -> int:
        """How many times a unit's files were actually rendered (for tests)."""
        return self._files.made

    @property
    def check_count(self) -> int:
        """How many times a saved profile was actually checked for the units list."""
        return self._verdicts.made

    # -- the workspace
    @staticmethod
    def _entry(path: Path) -> tuple | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return (str(path), st.st_ino, st.st_mtime_ns, st.st_size)

    def stamp(self) -> Stamp:
        """(the shared inputs' stamps, the profiles' stamps): what the workspace and each
        unit's files were made from."""
        cdir = self.root / "catalogs"
        shared = [
            *cdir.glob("*.yaml"),
            *(cdir / "kinds").glob("*.yaml"),
            *(cdir / "plans").glob("*.yaml"),
            *(self.root / "templates").glob("*.docx"),
        ]
        units = []
        for d in [*self.units_dirs, *working_units(), cdir / "units"]:
            units += d.glob("*.yaml")
        return (
            tuple(sorted(e for p in shared if (e := self._entry(p)))),
            tuple(sorted(e for p in units if (e := self._entry(p)))),
        )

    def workspace(self) -> tuple[Workspace, Stamp]:
        """The workspace as the files are now, and the stamp it was opened at."""
        stamp = self.stamp()
        with self._lock:
            if self._opened is not None and self._opened[0] == stamp:
                return self._opened[1], stamp
        with self._open_lock:  # one reader when the files changed, the others wait for it
            with self._lock:
                if self._opened is not None and self._opened[0] == stamp:
                    return self._opened[1], stamp
            ws = open_workspace(self.data, list(self.units_dirs))
            with self._lock:
                self._opened = (stamp, ws)
        return ws, stamp

    @staticmethod
    def _key(ws: Workspace, stamp: Stamp, slug: str) -> tuple:
        """The inputs a unit's outputs depend on: the shared files and its own profile
        (saving one unit does not touch another's)."""
        shared, units = stamp
        own = str(ws.unit_files.get(slug, ""))
        return (shared, tuple(e for e in units if e[0] == own), slug)

    # -- what is made from it
    def files(self, ws: Workspace, stamp: Stamp, slug: str) -> list[tuple[str, bytes]]:
        """Every output of the unit (`render_files`), rendered once per version of its
        inputs."""
        return self._files.get(
            self._key(ws, stamp, slug),
            lambda: render_files(ws, slug, Options(out_dir=Path("."), tracker=True)),
        )

    def pdf(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        """A PDF, made once per key (its name and the hash of its DOCX)."""
        return self._pdfs.get(key, make)

    def problems(self, ws: Workspace, stamp: Stamp, slug: str) -> tuple[str, ...]:
        """What is wrong with the unit's saved profile, by the whole check (cached)."""
        return self._verdicts.get(self._key(ws, stamp, slug), lambda: saved_problems(ws, slug))
