"""The data the server works from: the workspace, re-opened when a file changes, and the
rendered files of each unit, kept while the inputs they came from are unchanged.

The YAML files stay the source of truth: every request looks at their modification stamps
(inode, mtime, size), so an edit made with the CLI or a text editor shows up on the next
page. Rendering happens at most once per unit and data version, even when many clerks ask
at once (one lock per unit).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from generator.flow.generate import Options, render_files
from generator.model.workspace import Workspace, data_root, open_workspace, working_units

Stamp = tuple


class Data:
    def __init__(self, data: Path | None, units_dirs: list[Path]) -> None:
        self.data = data
        self.units_dirs = [Path(d) for d in units_dirs]
        self.root = data_root(data)
        self._lock = threading.Lock()
        self._open_lock = threading.Lock()
        self._stamp: Stamp | None = None
        self._ws: Workspace | None = None
        self._renders: OrderedDict[tuple, list[tuple[str, bytes]]] = OrderedDict()
        self._render_locks: dict[tuple, threading.Lock] = {}
        self.render_count = 0  # how many times files were actually rendered (for tests)

    # -- the workspace
    def _entry(self, path: Path) -> tuple | None:
        try:
            st = path.stat()
        except OSError:
            return None
        return (str(path), st.st_ino, st.st_mtime_ns, st.st_size)

    def stamp(self) -> Stamp:
        """(the shared inputs' stamps, {profile path: its stamp}): what the workspace and
        each unit's files were made from."""
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
            if self._ws is not None and stamp == self._stamp:
                return self._ws, stamp
        with self._open_lock:  # one reader when the files changed, the others wait for it
            with self._lock:
                if self._ws is not None and stamp == self._stamp:
                    return self._ws, stamp
            ws = open_workspace(self.data, self.units_dirs)
            with self._lock:
                self._ws, self._stamp = ws, stamp
        return ws, stamp

    # -- rendered files
    def files(self, ws: Workspace, stamp: Stamp, slug: str) -> list[tuple[str, bytes]]:
        """Every output of the unit (`render_files`), rendered once per version of the shared
        inputs and of the unit's own profile (saving one unit does not re-render another)."""
        shared, units = stamp
        own = str(ws.unit_files.get(slug, ""))
        key = (shared, tuple(e for e in units if e[0] == own), slug)
        with self._lock:
            if key in self._renders:
                self._renders.move_to_end(key)
                return self._renders[key]
            lock = self._render_locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                if key in self._renders:
                    return self._renders[key]
            files = render_files(ws, slug, Options(out_dir=Path("."), tracker=True))
            with self._lock:
                self.render_count += 1
                self._renders[key] = files
                self._render_locks.pop(key, None)
                while len(self._renders) > 64:
                    self._renders.popitem(last=False)
            return files

    def extra(self, key: tuple, make) -> bytes:
        """A derived file (a PDF), made once per key."""
        with self._lock:
            if key in self._renders:
                return self._renders[key]  # type: ignore[return-value]
            lock = self._render_locks.setdefault(key, threading.Lock())
        with lock:
            with self._lock:
                if key in self._renders:
                    return self._renders[key]  # type: ignore[return-value]
            data = make()
            with self._lock:
                self._renders[key] = data  # type: ignore[assignment]
                self._render_locks.pop(key, None)
                while len(self._renders) > 64:
                    self._renders.popitem(last=False)
            return data
