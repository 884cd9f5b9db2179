"""Saving a profile from the form: optimistic, with the previous version kept.

The form carries the hash of the file it was filled from; when the file changed meanwhile
(another clerk, the CLI), nothing is written and the clerk is shown both versions, field by
field and as a diff (`conflict`). The previous version of every saved file is kept in
``.history/`` beside it, the last `KEEP` per unit.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from generator.core.errors import UserError
from generator.model.workspace import Workspace
from generator.web.profiles import Value, Values, label, same
from generator.write.files import write_atomic

HISTORY = ".history"
KEEP = 50  # previous versions kept per unit

# One save at a time in this process: reading the hash, keeping the old version and
# writing the new one happen together (another process is seen by the hash).
_save_lock = threading.Lock()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Conflict:
    rows: tuple[dict, ...]  # field label, value when opened, value saved meanwhile, the clerk's
    diff: str  # the saved file -> what the clerk's save would write


def show(value: Value | None) -> str:
    if isinstance(value, tuple):
        return "\n".join(value) if value else "(trống)"
    if isinstance(value, bool):
        return "có" if value else "không"
    return value or "(trống)"


def conflict(
    orig: Values,
    disk: Values,
    mine: Values,
    disk_text: str,
    my_text: str,
    role_names: Mapping[str, str],
) -> Conflict:
    rows = []
    for name in dict.fromkeys([*mine, *disk]):
        o, d, m = orig.get(name), disk.get(name), mine.get(name)
        theirs = not same(name, o, d)
        ours = not same(name, o, m)
        if not theirs and not ours:
            continue
        rows.append(
            {
                "field": name,
                "label": label(name, role_names),
                "orig": show(o),
                "disk": show(d),
                "mine": show(m),
                "theirs": theirs,
                "ours": ours,
                "clash": theirs and ours and not same(name, d, m),
            }
        )
    diff = "".join(
        difflib.unified_diff(
            disk_text.splitlines(keepends=True),
            my_text.splitlines(keepends=True),
            "bản đang lưu trên máy chủ",
            "bản của bạn nếu lưu",
        )
    )
    return Conflict(tuple(rows), diff)


def history_dir(path: Path) -> Path:
    return path.parent / HISTORY


def save(path: Path, base: str, text: str) -> bool:
    """Write `text` over the profile if it still has hash `base`; False when it changed.

    The previous version goes to ``.history/<unit>.<time>.yaml`` first.
    """
    with _save_lock:
        old = path.read_bytes()
        if digest(old) != base:
            return False
        new = text.encode("utf-8")
        if new == old:
            return True
        folder = history_dir(path)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        write_atomic(folder / f"{path.stem}.{stamp}.yaml", old)
        write_atomic(path, new, force=True)
        kept = sorted(folder.glob(f"{path.stem}.*.yaml"))
        for extra in kept[:-KEEP]:
            try:
                extra.unlink()
            except OSError:
                pass
        return True


def inherited_paths(ws: Workspace, slug: str) -> frozenset:
    """The `document` paths where the unit's kind gives a value (a blank field there must
    remove the key, not write a null that would clear the kind's value)."""
    try:
        document = ws.kind_of(slug).document.model_dump(exclude_none=True)
    except UserError:
        return frozenset()
    paths = set()
    for key, value in document.items():
        if isinstance(value, dict):
            paths |= {("document", key, sub) for sub in value}
        paths.add(("document", key))
    return frozenset(paths)
