"""A set of files replaced all or none, even when the run is killed: a lock and a journal.

One run at a time writes into a folder: `locked` takes an exclusive lock on the folder itself
(flock on its directory handle, so nothing is left behind; a second run is told the folder is
busy). Before any file is staged, the run writes a journal (``.plangen-journal.json``) naming
every target, its staged ``.part`` file and, for a file replaced with --force, the backup
link of the old one. The journal says "staging" until every part is complete on disk, then
"placing" while the parts are renamed into place. A run killed at any moment leaves a
journal; the next run in that folder, under the lock, reads it and

- "staging": removes the parts (the old set was never touched), or
- "placing": renames the remaining parts into place (each was complete) and drops the
  backups, so the new set is whole,

and says what it did. Each part is synced before it is placed, and the journal once it says
"placing", so a power cut is survived as well as a kill.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from generator.core.errors import UserError, Where

JOURNAL = ".plangen-journal.json"


@dataclass
class Entry:
    target: Path
    part: Path
    backup: Path | None = None


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold `folder` for this run alone; another run holding it is a user error."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise UserError(
                    "thư mục đang được một lần chạy plangen khác ghi; chờ lần đó xong rồi chạy lại",
                    Where(folder),
                ) from None
            raise
        yield
    finally:
        os.close(fd)  # releases the lock


def write_journal(folder: Path, state: str, entries: list[Entry]) -> None:
    """The journal, replaced atomically; synced (with its folder) once it says "placing",
    the one state whose loss after a power cut could leave a mix. A killed process loses
    nothing the kernel has been given, so "staging" is not synced."""
    data = {
        "state": state,
        "files": [
            {
                "target": os.path.relpath(e.target, folder),
                "part": os.path.relpath(e.part, folder),
                "backup": os.path.relpath(e.backup, folder) if e.backup else None,
            }
            for e in entries
        ],
    }
    path = folder / JOURNAL
    tmp = folder / (JOURNAL + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        if state == "placing":
            os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    if state == "placing":
        fsync_dir(folder)


def drop_journal(folder: Path) -> None:
    """The journal removed (not synced: a journal back after a power cut is completed again,
    which changes nothing)."""
    for name in (JOURNAL, JOURNAL + ".tmp"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(folder / name)


def _inside(folder: Path, name: object) -> Path | None:
    """A journal's path, kept inside `folder` (a damaged journal names nothing else)."""
    if not isinstance(name, str) or not name or os.path.isabs(name) or ".." in Path(name).parts:
        return None
    return folder / name


def recover(folder: Path) -> str | None:
    """Finish or undo the write a killed run left in `folder` (under the lock); what was done,
    in one line, or None when there was nothing to do."""
    path = folder / JOURNAL
    try:
        raw = path.read_bytes()
    except OSError:  # no journal: at most a journal being written when the run was killed
        _quiet_unlink(folder / (JOURNAL + ".tmp"))
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
        state, files = data["state"], data["files"]
        entries = [
            (_inside(folder, f["target"]), _inside(folder, f["part"]), _inside(folder, f["backup"]))
            for f in files
        ]
    except (ValueError, KeyError, TypeError, AttributeError):
        drop_journal(folder)  # unreadable: written by no complete run; nothing was placed
        return "đã bỏ nhật ký ghi hỏng của một lần chạy bị dừng"
    done = 0
    for target, part, backup in entries:
        if part is not None and os.path.lexists(part):
            if state == "placing" and target is not None:
                os.replace(part, target)
                done += 1
            else:
                _quiet_unlink(part)
        if backup is not None and target is not None:
            restore(backup, target)
    drop_journal(folder)
    if state == "placing":
        return f"lần ghi trước bị dừng giữa chừng: đã hoàn tất bộ tệp mới ({done} tệp còn lại)"
    return "lần ghi trước bị dừng trước khi thay tệp nào: đã dọn các tệp tạm, bộ tệp cũ giữ nguyên"


def restore(backup: Path, target: Path) -> None:
    """The old file kept at `backup` is the file at `target` again: a hard link (the target
    still there) is dropped, a file moved aside is moved back."""
    if not os.path.lexists(backup):
        return
    if os.path.lexists(target):
        _quiet_unlink(backup)
    else:
        with contextlib.suppress(OSError):
            os.replace(backup, target)


def say(folder: Path, text: str | None) -> None:
    if text:
        print(f"{folder}: {text}", file=sys.stderr)


def _quiet_unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
