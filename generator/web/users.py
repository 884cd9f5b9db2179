"""Accounts of `plangen serve --users FILE`: who may sign in, and which unit each one edits.

The file is YAML, one entry per account under ``users``::

    users:
      dinh-lap:                  # the name typed to sign in
        unit: dinh-lap           # the one unit this clerk sees and edits
        password: scrypt$16384$8$1$…$…
      so-noi-vu:
        admin: true              # every unit, and "new unit"
        password: scrypt$16384$8$1$…$…

Passwords are never stored: only an scrypt hash with a salt of its own per account. The file
is written by ``python -m generator.web.users add FILE NAME --unit SLUG`` (or ``--admin``),
which asks for the password (or reads one line from standard input when it is not a
terminal) and keeps the comments and order of the file. The server reads the file again
when it changes, so an account added while it runs can sign in at once; a file deleted or
left with an error while it runs signs everybody out (no account is kept from an earlier
read) until it is restored.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import io
import logging
import os
import re
import secrets
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from generator.core.errors import UserError, ValidationFailed, Where
from generator.core.text import check_slug
from generator.write.files import write_atomic
from generator.write.yamledit import round_trip_yaml

# scrypt: 2**14 rounds, block size 8, one lane: 16 MB and ~50 ms per check on a small server.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
SCHEME = "scrypt"
NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}\Z")
MIN_PASSWORD = 8


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$<salt>$<hash>`` (base64), with a fresh 16-byte salt by default."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32
    )
    return f"{SCHEME}${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return None
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt, digest = (
            base64.b64decode(parts[4], validate=True),
            base64.b64decode(parts[5], validate=True),
        )
    except ValueError:
        return None
    if not (2 <= n <= 2**20 and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        return None
    if len(salt) < 8 or len(digest) < 16:
        return None
    return n, r, p, salt, digest


def verify_password(password: str, stored: str) -> bool:
    parsed = _parse_hash(stored)
    if parsed is None:
        return False
    n, r, p, salt, digest = parsed
    try:
        trial = hashlib.scrypt(
            password.encode("utf-8"),
            salt=salt,
            n=n,
            r=r,
            p=p,
            dklen=len(digest),
            maxmem=256 * n * r * p + 2**20,
        )
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(trial, digest)


# A hash checked for unknown names, so a wrong name costs as long as a wrong password.
_DUMMY = hash_password("plangen", b"plangen-dummy-salt")


@dataclass(frozen=True)
class Account:
    name: str
    password: str  # the stored hash
    unit: str | None = None
    admin: bool = False

    def may_see(self, slug: str) -> bool:
        return self.admin or self.unit == slug


def parse_users(path: Path) -> dict[str, Account]:
    """Every account of the file; all problems at once, as file:line: message."""
    from generator.model.yamlfile import load

    doc = load(path)
    data = doc.data if doc.data is not None else {}
    problems: list[UserError] = []
    if not isinstance(data, dict) or set(data) - {"users"}:
        raise UserError('tệp tài khoản phải có dạng "users: {tên: {…}}"', doc.where())
    entries = data.get("users") or {}
    if not isinstance(entries, dict):
        raise UserError('"users" phải là một bảng tên: {…}', doc.where(("users",)))
    accounts: dict[str, Account] = {}
    for name, entry in entries.items():
        where = doc.where(("users", name))
        name = str(name)
        if not NAME.fullmatch(name):
            problems.append(
                UserError(
                    f'tên tài khoản "{name}" không hợp lệ: chữ, số và . _ @ -, tối đa 64 ký tự',
                    where,
                )
            )
            continue
        if not isinstance(entry, dict):
            problems.append(UserError(f'tài khoản "{name}" phải là một bảng khóa: giá trị', where))
            continue
        unknown = set(entry) - {"password", "unit", "admin"}
        if unknown:
            problems.append(
                UserError(
                    f'tài khoản "{name}": khóa không hợp lệ {", ".join(sorted(map(str, unknown)))}'
                    " (chỉ có password, unit, admin)",
                    where,
                )
            )
            continue
        stored = entry.get("password")
        if not isinstance(stored, str) or _parse_hash(stored) is None:
            problems.append(
                UserError(
                    f'tài khoản "{name}": "password" phải là mật khẩu đã băm (scrypt$…); '
                    "tạo bằng: python -m generator.web.users add",
                    doc.where(("users", name, "password")),
                )
            )
            continue
        admin = entry.get("admin", False)
        unit = entry.get("unit")
        if admin is not True and admin is not False:
            problems.append(
                UserError(f'tài khoản "{name}": "admin" phải là true hoặc false', where)
            )
            continue
        if admin and unit is not None:
            problems.append(
                UserError(f'tài khoản "{name}": có "admin: true" thì không ghi "unit"', where)
            )
            continue
        if not admin:
            if not isinstance(unit, str):
                problems.append(
                    UserError(
                        f'tài khoản "{name}": cần "unit: <mã đơn vị>" hoặc "admin: true"', where
                    )
                )
                continue
            try:
                check_slug(unit)
            except UserError as exc:
                problems.append(UserError(exc.message, doc.where(("users", name, "unit"))))
                continue
        accounts[name] = Account(name, stored, None if admin else unit, bool(admin))
    if problems:
        raise ValidationFailed(problems)
    return accounts


class Users:
    """The accounts file, read again whenever it changes on disk.

    Fails closed: when the file is deleted, unreadable or left with an error while the
    server runs, there are no accounts (every session ends, every sign-in is refused, and
    `problem` says why) until the file is good again; nothing is kept from an earlier read.
    Thread-safe: one lock covers the look at the file, its reading and what was read.
    """

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._accounts: Mapping[str, Account] = MappingProxyType({})
        self._problem: str | None = None  # why nobody may sign in now, or None
        self.reload()  # a broken file stops the server at start, with its errors

    def _current_stamp(self) -> tuple:
        st = self.path.stat()
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def reload(self) -> None:
        with self._lock:
            self._load(self._current_stamp())

    def _load(self, stamp: tuple) -> None:
        accounts = parse_users(self.path)
        self._accounts, self._stamp, self._problem = MappingProxyType(accounts), stamp, None

    def _refuse_all(self, stamp: tuple | None, problem: str) -> None:
        if self._problem != problem:
            logging.getLogger("plangen.web").error(
                "tệp tài khoản %s; mọi đăng nhập bị từ chối cho đến khi sửa xong", problem
            )
        self._accounts, self._stamp, self._problem = MappingProxyType({}), stamp, problem

    @property
    def problem(self) -> str | None:
        with self._lock:
            return self._problem

    def accounts(self) -> Mapping[str, Account]:
        """The accounts as the file is now (an immutable mapping)."""
        with self._lock:
            try:
                stamp = self._current_stamp()
            except OSError as exc:
                self._refuse_all(None, f"{self.path}: không đọc được tệp ({exc.strerror or exc})")
                return self._accounts
            if stamp != self._stamp:
                try:
                    self._load(stamp)
                except UserError as exc:
                    self._refuse_all(stamp, str(exc).splitlines()[0])
                except OSError as exc:
                    reason = f"{self.path}: không đọc được tệp ({exc.strerror or exc})"
                    self._refuse_all(None, reason)
            return self._accounts

    def get(self, name: str) -> Account | None:
        return self.accounts().get(name)

    def authenticate(self, name: str, password: str) -> Account | None:
        account = self.get(name)
        if account is None:
            verify_password(password, _DUMMY)  # same cost as a real check
            return None
        return account if verify_password(password, account.password) else None


# --------------------------------------------------------------------------- writing


HEADER = (
    "# Tài khoản của plangen serve. Không ghi mật khẩu vào đây: chỉ có mật khẩu đã băm.\n"
    "# Thêm hoặc đổi mật khẩu: python -m generator.web.users add TỆP TÊN --unit MÃ-ĐƠN-VỊ\n"
    "#                         python -m generator.web.users add TỆP TÊN --admin\n"
)


def set_account(
    path: Path, name: str, password: str, unit: str | None = None, admin: bool = False
) -> bool:
    """Add the account or replace its password and unit; True when it is new.

    The rest of the file (other accounts, comments, order) is kept as it was.
    """
    from ruamel.yaml.comments import CommentedMap

    if not NAME.fullmatch(name):
        raise UserError(f'tên tài khoản "{name}" không hợp lệ: chữ, số và . _ @ -, tối đa 64 ký tự')
    if (unit is None) == (not admin):
        raise UserError("cần đúng một trong --unit MÃ-ĐƠN-VỊ hoặc --admin")
    if unit is not None:
        check_slug(unit)
    if len(password) < MIN_PASSWORD:
        raise UserError(f"mật khẩu cần ít nhất {MIN_PASSWORD} ký tự")
    yaml = round_trip_yaml()
    path = Path(path)
    if path.exists():
        parse_users(path)  # refuse to rewrite a file that is broken already
        data = yaml.load(path.read_text(encoding="utf-8")) or CommentedMap()
    else:
        data = yaml.load(HEADER + "users: {}\n")
    if data.get("users") is None:
        data["users"] = CommentedMap()
    users = data["users"]
    if hasattr(users, "fa") and users.fa.flow_style():
        users.fa.set_block_style()
    entry = CommentedMap()
    if admin:
        entry["admin"] = True
    else:
        entry["unit"] = unit
    entry["password"] = hash_password(password)
    new = name not in users
    users[name] = entry
    _write_keeping_owner(path, yaml, data)
    return new


def remove_account(path: Path, name: str) -> None:
    yaml = round_trip_yaml()
    path = Path(path)
    parse_users(path)
    data = yaml.load(path.read_text(encoding="utf-8"))
    users = data.get("users") or {}
    if name not in users:
        raise UserError(f'không có tài khoản "{name}"', Where(path))
    del users[name]
    _write_keeping_owner(path, yaml, data)


def _write_keeping_owner(path: Path, yaml, data) -> None:
    """Write the file atomically; a new file is readable by its owner only, an existing one
    keeps its permissions and, where allowed, its owner and group (e.g. root:plangen 640)."""
    try:
        before = path.stat()
    except FileNotFoundError:
        before = None
    out = io.StringIO()
    yaml.dump(data, out)
    write_atomic(path, out.getvalue().encode("utf-8"), force=True)
    if before is None:
        os.chmod(path, 0o600)
        return
    os.chmod(path, before.st_mode & 0o777)
    try:
        os.chown(path, before.st_uid, before.st_gid)
    except OSError:
        pass  # not allowed to give it away: the writer owns it now


def _read_password(stdin=None) -> str:
    stdin = stdin or sys.stdin
    if stdin.isatty():
        import getpass

        first = getpass.getpass("Mật khẩu: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != first:
            raise UserError("hai lần nhập mật khẩu không khớp")
        return first
    line = stdin.readline()
    return line.rstrip("\r\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m generator.web.users",
        description="Quản lý tài khoản của plangen serve (mật khẩu được băm bằng scrypt).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="thêm tài khoản hoặc đổi mật khẩu")
    add.add_argument("file", type=Path, metavar="TỆP")
    add.add_argument("name", metavar="TÊN")
    who = add.add_mutually_exclusive_group(required=True)
    who.add_argument("--unit", metavar="MÃ-ĐƠN-VỊ", help="đơn vị mà tài khoản được xem và sửa")
    who.add_argument("--admin", action="store_true", help="được xem, sửa mọi đơn vị")
    rm = sub.add_parser("remove", help="xóa một tài khoản")
    rm.add_argument("file", type=Path, metavar="TỆP")
    rm.add_argument("name", metavar="TÊN")
    ls = sub.add_parser("list", help="liệt kê tài khoản")
    ls.add_argument("file", type=Path, metavar="TỆP")
    args = parser.parse_args(argv)
    try:
        if args.command == "add":
            password = _read_password()
            new = set_account(args.file, args.name, password, args.unit, args.admin)
            what = "Đã thêm" if new else "Đã cập nhật"
            print(f"{what} tài khoản {args.name} trong {args.file}")
        elif args.command == "remove":
            remove_account(args.file, args.name)
            print(f"Đã xóa tài khoản {args.name} khỏi {args.file}")
        else:
            for account in parse_users(args.file).values():
                role = "quản trị (mọi đơn vị)" if account.admin else f"đơn vị {account.unit}"
                print(f"{account.name}\t{role}")
    except UserError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
