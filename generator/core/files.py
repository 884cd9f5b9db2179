"""Reading what a user supplies, bounded by construction.

Every file plangen opens (a YAML input, a template, a DOCX to import, a filled tracker, the
accounts file) is read through `read_bounded`: only a regular file (a device such as
/dev/zero, a FIFO or a socket is refused before a byte is read, so nothing can hang or fill
memory), never more than its cap, and every failure is one Vietnamese `UserError` naming
the file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from generator.core.errors import UserError, Where

MB = 1024 * 1024


def size_text(n: int) -> str:
    """'21 MB', '20,5 MB', '300 KB': never rounded to look like the cap it exceeds."""
    if n >= MB:
        return f"{n / MB:.1f}".replace(".", ",").removesuffix(",0") + " MB"
    return f"{max(1, n // 1024)} KB"


def _reason(exc: OSError) -> str:
    return {
        errno.ENOENT: "không có tệp này",
        errno.EACCES: "không có quyền đọc tệp này",
        errno.EPERM: "không có quyền đọc tệp này",
        errno.EISDIR: "đây là một thư mục, không phải tệp",
        errno.ENOTDIR: "một phần của đường dẫn là tệp, không phải thư mục",
        errno.ELOOP: "đường dẫn có liên kết tượng trưng vòng tròn",
        errno.ENAMETOOLONG: "đường dẫn quá dài",
        errno.EIO: "lỗi đọc của thiết bị",
    }.get(exc.errno or 0, f"không đọc được tệp ({exc.strerror or type(exc).__name__})")


def read_bounded(path: Path, limit: int, what: str = "tệp") -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them, or a UserError.

    The file is opened without blocking and checked with fstat before anything is read: a
    directory, a device, a FIFO or a socket is refused at once; a file larger than `limit`
    (or that grows past it while it is read) is refused with both sizes said."""
    where = Where(Path(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        raise UserError(_reason(exc), where) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UserError("đây là một thư mục, không phải tệp", where)
        if not stat.S_ISREG(info.st_mode):
            raise UserError("đây không phải một tệp thường (thiết bị, ống dẫn hoặc socket)", where)
        if info.st_size > limit:
            raise too_big(info.st_size, limit, where, what)
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # it grew after the check
                raise too_big(size, limit, where, what)
        return b"".join(chunks)
    except OSError as exc:
        raise UserError(_reason(exc), where) from None
    finally:
        os.close(fd)


def too_big(size: int, limit: int, where: Where, what: str = "tệp") -> UserError:
    return UserError(f"{what} quá lớn ({size_text(size)}; tối đa {size_text(limit)})", where)


def read_text(path: Path, limit: int, what: str = "tệp") -> str:
    """A bounded UTF-8 text file (a byte-order mark is dropped)."""
    data = read_bounded(path, limit, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"tệp không phải UTF-8 (byte {exc.start})", Where(Path(path))) from None
