"""What every request of one application shares, and the helpers each router uses: who is
asking (`viewer_of`, `unit_access`), the checked form of a POST (`form_of`), the pages.

The server runs handlers in a thread pool: everything here is immutable once built, or
guarded by its own lock (the data's caches, the accounts file, the login limits, the slots
of the costly work, the signed-out sessions).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from generator.core.text import SLUG
from generator.model.workspace import Workspace
from generator.web import security
from generator.web.errors import STATUS_TEXT, LoginNeeded, Refused
from generator.web.limits import LoginLimits, Slots
from generator.web.security import (
    CSRF_FIELD,
    Revoked,
    Signer,
    account_version,
    csrf_ok,
    same_origin,
)
from generator.web.state import Data
from generator.web.users import Users

HERE = Path(__file__).resolve().parent
MAX_FIELDS = 2000  # fields of one form (a profile has its scalars, roles and omissions)


@dataclass(frozen=True)
class Viewer:
    """Who is asking: an account, or anyone on this computer when there are no accounts."""

    name: str | None
    admin: bool
    unit: str | None = None

    def may_see(self, slug: str) -> bool:
        return self.admin or self.unit == slug


@dataclass(frozen=True)
class Bounds:
    """The slots of the costly work and the sign-in limits (limits.py), built per app."""

    login: LoginLimits
    login_slots: Slots
    status_slots: Slots
    pdf_slots: Slots


def templates():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda w: f"{float(w):g}%"
    return env  # thread-safe once built: its template cache has a lock of its own


class Site:
    """One application's shared parts."""

    def __init__(
        self,
        data: Data,
        accounts: Users | None,
        signer: Signer,
        hosts: tuple[str, ...] | None,
        bounds: Bounds,
    ) -> None:
        self.data = data
        self.accounts = accounts
        self.signer = signer
        self.hosts = hosts  # the Host names answered (None: no accounts, this computer only)
        self.bounds = bounds
        self.revoked = Revoked(security.SESSION_LIFETIME)
        self.env = templates()

    # -- pages
    def render(self, name: str, **context: Any) -> str:
        return self.env.get_template(name).render(**context)

    def page(self, request: Request, name: str, status: int = 200, **context: Any):
        viewer = context.pop("viewer", None) or self.current(request)
        session = request.scope.get("session") or {}
        html = self.render(
            name,
            viewer=viewer,
            accounts=self.accounts is not None,
            csrf=session.get("csrf", ""),
            csrf_field=CSRF_FIELD,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def error_html(self, status: int, message: str) -> tuple[bytes, bytes]:
        html = self.render(
            "error.html",
            viewer=None,
            accounts=self.accounts is not None,
            csrf="",
            csrf_field=CSRF_FIELD,
            status=status,
            message=message,
            title=STATUS_TEXT.get(status, "Lỗi"),
        )
        return b"text/html; charset=utf-8", html.encode("utf-8")

    # -- who is asking
    def current(self, request: Request) -> Viewer | None:
        if self.accounts is None:
            return Viewer(None, admin=True)
        session = request.scope.get("session") or {}
        name = session.get("user")
        account = self.accounts.get(name) if isinstance(name, str) else None
        if account is None:
            return None
        auth, sid = session.get("auth"), session.get("sid")
        if not isinstance(auth, int) or not isinstance(sid, str):
            return None  # not a session of a sign-in
        if not 0 <= time.time() - auth <= security.SESSION_LIFETIME:
            return None  # signed in too long ago, however active since
        if session.get("v") != account_version(account.password):
            return None  # the password changed since
        if self.revoked.has(sid):
            return None  # signed out: the cookie is replayed
        return Viewer(account.name, account.admin, account.unit)

    def viewer_of(self, request: Request) -> Viewer:
        viewer = self.current(request)
        if viewer is None:
            raise LoginNeeded(request.url.path)
        return viewer

    def unit_access(self, request: Request, slug: str) -> Viewer:
        viewer = self.viewer_of(request)
        if not SLUG.fullmatch(slug):  # fullmatch: no line break after the id either
            raise Refused(404, f'Không có đơn vị "{slug[:80]}".')
        if not viewer.may_see(slug):
            raise Refused(403, "Tài khoản này chỉ xem và sửa được hồ sơ của đơn vị mình.")
        return viewer

    def admin_of(self, request: Request) -> Viewer:
        viewer = self.viewer_of(request)
        if not viewer.admin:
            raise Refused(403, "Chỉ người quản trị được thêm đơn vị.")
        return viewer

    async def form_of(self, request: Request, max_files: int = 0):
        """The POSTed form, after the checks of where it came from and its CSRF token."""
        # Refused before the body is parsed when the browser says another site sent it.
        if not same_origin(dict(request.headers), list(self.hosts or ())):
            raise Refused(
                403,
                "Biểu mẫu này được gửi từ một trang web khác nên bị từ chối. Hãy mở trang "
                "của máy chủ này rồi thử lại.",
            )
        form = await request.form(max_files=max_files, max_fields=MAX_FIELDS)
        if not csrf_ok(request.scope.get("session") or {}, form.get(CSRF_FIELD)):
            await form.close()
            raise Refused(
                403,
                "Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ (thiếu mã bảo vệ CSRF). "
                "Hãy tải lại trang rồi thử lại.",
            )
        return form

    # -- the data
    @staticmethod
    def unit_path(ws: Workspace, slug: str) -> Path:
        if slug not in ws.unit_files:
            raise Refused(404, f'Không có đơn vị "{slug}".')
        return ws.unit_files[slug]

    @staticmethod
    def kinds(ws: Workspace) -> list[tuple[str, str]]:
        """(id, Vietnamese name) of every kind a unit may be."""
        return [
            (kind_id, loaded.model.name)
            for kind_id, loaded in sorted(ws.kinds.items())
            if not loaded.model.abstract
        ]


def site_of(request: Request) -> Site:
    return request.app.state.site


def read_disk(path: Path) -> tuple[bytes, str]:
    """A profile's bytes and text (a Vietnamese error page when it cannot be read)."""
    try:
        raw = path.read_bytes()
        return raw, raw.decode("utf-8-sig")
    except OSError as exc:
        raise Refused(500, f"Không đọc được tệp hồ sơ {path.name}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise Refused(500, f"Tệp hồ sơ {path.name} không phải UTF-8.") from None
