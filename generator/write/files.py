"""Atomic, non-clobbering writes: temp files beside the targets, then renames.

`write_all` writes a unit's files all or none: every target is checked first, every file is
staged under a temporary ``.part`` name, and only then are they renamed into place; if a
rename fails, the files already moved are taken back (and, with --force, the old files
restored), so a failed run leaves the folder as it was. The folder is locked for the run and
a journal makes the set whole even when the run is killed (write/journal.py). Every
operating-system fault (no space, no permission, a file where a folder should be) is a
`UserError` naming the path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from pathlib import Path

from generator.core.errors import UserError, Where
from generator.write import journal


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# New files get the usual permissions (a temp file would be private to its owner).
FILE_MODE = 0o666 & ~_umask()

_REASONS = {
    errno.ENOSPC: "hết dung lượng đĩa",
    errno.EDQUOT: "vượt hạn mức dung lượng đĩa",
    errno.EFBIG: "tệp vượt giới hạn kích thước cho phép (ulimit -f)",
    errno.EACCES: "không có quyền ghi",
    errno.EPERM: "không có quyền ghi",
    errno.EROFS: "ổ đĩa chỉ cho phép đọc",
    errno.ENOTDIR: "một phần của đường dẫn là tệp, không phải thư mục",
    errno.EISDIR: "đây là một thư mục, không phải tệp",
    errno.ENAMETOOLONG: "đường dẫn quá dài",
    errno.ELOOP: "đường dẫn có liên kết tượng trưng vòng tròn",
    errno.EIO: "lỗi đọc/ghi của thiết bị",
    errno.ENOENT: "đường dẫn không tồn tại",
    errno.EEXIST: "tệp đã tồn tại",
    errno.EBUSY: "tệp đang được dùng",
}


def os_error(exc: OSError, path: Path | str | None = None) -> UserError:
    """One Vietnamese line for an operating-system fault."""
    reason = _REASONS.get(exc.errno or 0) or (exc.strerror or type(exc).__name__)
    target = path if path is not None else exc.filename
    return UserError(f"không ghi được: {reason}", Where(Path(target)) if target else None)


def _taken(path: Path) -> bool:
    return os.path.lexists(path)  # a dangling symlink takes the name too


PACKAGE = Path(__file__).resolve().parent.parent  # the installed plangen: never written


def check_free(path: Path, force: bool) -> None:
    try:
        inside = path.resolve().is_relative_to(PACKAGE)
    except (OSError, RuntimeError):  # a symlink loop: said by the checks below
        inside = False
    if inside:
        raise UserError(
            "plangen không ghi vào thư mục cài đặt của chính nó: chọn thư mục khác (--out), "
            "hoặc chạy trong một thư mục dữ liệu (docs/install.md)",
            Where(path),
        )
    if path.is_dir() and not path.is_symlink():
        raise UserError("đây là một thư mục, không phải tệp", Where(path))
    if _taken(path) and not force:
        what = "liên kết tượng trưng" if path.is_symlink() else "tệp"
        raise UserError(f"{what} đã tồn tại; thêm --force để ghi đè", Where(path))
    parent = path.parent
    while not parent.exists():
        if parent.is_symlink():  # a dangling link where a folder should be
            raise UserError("thư mục là một liên kết hỏng", Where(parent))
        parent = parent.parent
    if not parent.is_dir():
        raise UserError("đường dẫn thư mục kết quả là một tệp, không phải thư mục", Where(parent))


def _part_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.part")


def _clean_stale_parts(folder: Path, names: set[str]) -> None:
    """Remove `.part` files of these targets left by runs that no longer exist."""
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for entry in entries:
        parts = entry.name.split(".")
        # ".<name>.<pid>.<token>.part" -> ["", <name pieces>, pid, token, "part"]
        if len(parts) < 5 or parts[0] or parts[-1] != "part":
            continue
        if ".".join(parts[1:-3]) not in names or not parts[-3].isdigit():
            continue
        pid = int(parts[-3])
        if pid != os.getpid() and not _alive(pid):
            try:
                entry.unlink()
            except OSError:
                pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True
    return True


def _stage(tmp: Path, data: bytes) -> None:
    """`data` written whole and synced under the temporary name `tmp`."""
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, FILE_MODE)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(tmp)
        raise
    os.close(fd)


def _place(tmp: Path, path: Path, force: bool) -> None:
    """Move a staged file to its name; without `force`, never over an existing one."""
    if force:
        os.replace(tmp, path)
        return
    try:
        os.link(tmp, path)  # fails if the name was taken meanwhile: never clobber
    except FileExistsError:
        raise UserError("tệp đã tồn tại; thêm --force để ghi đè", Where(path)) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        try:  # no hard links here: claim the name first, then fill it
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            raise UserError("tệp đã tồn tại; thêm --force để ghi đè", Where(path)) from None
        os.replace(tmp, path)
        return
    os.unlink(tmp)


def write_all(files: list[tuple[Path, bytes]], force: bool = False) -> list[Path]:
    """Write every (path, data) or none of them, under the folder's lock and journal
    (write/journal.py): a run killed at any moment leaves the old set or, after the next run,
    the new one. Return the paths."""
    for path, _ in files:
        check_free(path, force)
    created: list[Path] = []  # folders made here, removed again on failure
    current: Path | None = None
    try:
        for path, _ in files:
            current = path.parent
            missing = [p for p in [current, *current.parents] if not p.exists()]
            for folder in reversed(missing):
                try:
                    folder.mkdir()
                except FileExistsError:  # made meanwhile by another run (a batch's worker)
                    if not folder.is_dir():
                        raise
                    continue
                created.append(folder)
        home = Path(os.path.commonpath([str(p.parent) for p, _ in files]))
        current = home
        with journal.locked(home):
            journal.say(home, journal.recover(home))
            _write_locked(home, files, force)
    except BaseException as exc:
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(exc, OSError):
            raise os_error(exc, current) from None
        raise
    return [path for path, _ in files]


def _write_locked(home: Path, files: list[tuple[Path, bytes]], force: bool) -> None:
    for folder in {p.parent for p, _ in files}:
        _clean_stale_parts(folder, {p.name for p, _ in files if p.parent == folder})
    entries = [
        journal.Entry(
            path, _part_name(path), _backup_name(path) if force and _taken(path) else None
        )
        for path, _ in files
    ]
    journal.write_journal(home, "staging", entries)
    staged: list[tuple[Path, Path]] = []
    placed: list[tuple[Path, Path | None]] = []  # (target, backup of the old file)
    current: Path | None = None
    try:
        for entry, (path, data) in zip(entries, files, strict=True):
            current = path
            _stage(entry.part, data)
            staged.append((entry.part, path))
        for entry in entries:
            current = entry.target
            if entry.backup is not None:
                _backup(entry.target, entry.backup)
        journal.write_journal(home, "placing", entries)
        for entry in entries:
            current = entry.target
            _place(entry.part, entry.target, force)
            placed.append((entry.target, entry.backup))
    except BaseException as exc:
        _undo(staged, placed, [e.backup for e in entries if e.backup])
        journal.drop_journal(home)
        if isinstance(exc, OSError):
            raise os_error(exc, current) from None
        raise
    for entry in entries:
        if entry.backup is not None:
            _quiet_unlink(entry.backup)
    journal.drop_journal(home)


def _backup_name(path: Path) -> Path:
    """Where the file about to be replaced is kept until the new one is in place. The name
    ends in ".bak", so the clean-up of a killed run's ".part" files never removes it."""
    return path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.bak")


def _backup(path: Path, backup: Path) -> None:
    """A second name for the file about to be replaced, to restore it if the run fails. A hard
    link keeps the old name in place until the atomic replace (no moment without the file);
    where links are not possible the file is moved aside instead."""
    try:
        os.link(path, backup, follow_symlinks=False)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
            raise
        os.rename(path, backup)


def _undo(staged, placed, backups) -> None:
    """Put the old set back: each replaced file from its backup, each new one removed."""
    for path, backup in reversed(placed):
        if backup is not None:
            with contextlib.suppress(OSError):
                os.replace(backup, path)
        else:
            _quiet_unlink(path)
    for backup in backups:  # made for a file not replaced yet
        journal.restore(backup, _target_of(backup))
    for tmp, _ in staged:
        _quiet_unlink(tmp)


def _target_of(backup: Path) -> Path:
    """The file a backup ".<name>.<pid>.<token>.bak" was made of."""
    return backup.with_name(".".join(backup.name.split(".")[1:-3]))


def _quiet_unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError:
        pass


def write_atomic(path: Path, data: bytes, force: bool = False) -> Path:
    """Write one file whole or not at all; refuse to replace without `force`."""
    return write_all([(path, data)], force)[0]
