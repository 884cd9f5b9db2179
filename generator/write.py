"""Atomic, non-clobbering writes: a temp file beside the target, then a rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import UserError, Where


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp creates files only the owner can read; the result gets the usual permissions.
FILE_MODE = 0o666 & ~_umask()


def check_free(path: Path, force: bool) -> None:
    if path.exists() and not force:
        raise UserError("tệp đã tồn tại; thêm --force để ghi đè", Where(path))


def write_atomic(path: Path, data: bytes, force: bool = False) -> Path:
    """Write `data` to `path` whole or not at all; refuse to replace without `force`."""
    check_free(path, force)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if force:
            os.replace(tmp, path)
        else:
            try:  # link() fails if the name was taken meanwhile: never clobber
                os.link(tmp, path)
            except FileExistsError:
                raise UserError("tệp đã tồn tại; thêm --force để ghi đè", Where(path)) from None
            except OSError:  # no hard links here: claim the name first, then fill it
                try:
                    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                except FileExistsError:
                    raise UserError("tệp đã tồn tại; thêm --force để ghi đè", Where(path)) from None
                os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
