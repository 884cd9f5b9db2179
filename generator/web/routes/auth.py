"""Signing in and out. Every attempt is counted before its password is checked (limits.py),
the password checks run a few at a time, and signing out revokes the session on the server
too."""

from __future__ import annotations

import re
import time
from types import MappingProxyType

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from generator.web.errors import Refused
from generator.web.limits import Busy
from generator.web.security import account_version, signed_in
from generator.web.site import Site, site_of
from generator.web.users import Account

router = APIRouter()

REFUSED = MappingProxyType(
    {
        "in-progress": "Đang có một lần đăng nhập khác từ máy này; đợi vài giây rồi thử lại.",
        "address": "Sai mật khẩu quá nhiều lần; hãy đợi 15 phút rồi thử lại.",
        "account": "Tài khoản này bị nhập sai mật khẩu quá nhiều lần; hãy đợi 15 phút rồi "
        "thử lại hoặc báo người quản trị.",
    }
)


def safe_next(target: str) -> str:
    """Only a path of this site: never '//host' or 'http://…' (an open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target if re.fullmatch(r"/[A-Za-z0-9/_.?=&%-]*", target) else "/"


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str = "/"):
    site = site_of(request)
    if site.accounts is None:
        return RedirectResponse("/", status_code=303)
    return site.page(request, "login.html", title="Đăng nhập", next=safe_next(next), error="")


async def _check(site: Site, client: str, name: str, password: str) -> Account | None:
    """The account, when the password is right; counted, bounded, a few at a time."""
    why, started = site.bounds.login.begin(client, name)
    if why is not None:
        raise Refused(429, REFUSED[why])

    def check() -> Account | None:
        with site.bounds.login_slots.hold():  # a few scrypt checks at once (16 MB each)
            return site.accounts.authenticate(name, password)

    failed = True
    try:
        account = await run_in_threadpool(check)
        failed = account is None
    except Busy:
        failed = False  # no password was checked: not a guess
        raise Refused(
            503, "Máy chủ đang bận với nhiều lượt đăng nhập; hãy thử lại sau vài giây."
        ) from None
    finally:
        site.bounds.login.end(client, name, started, failed)
    return account


@router.post("/login")
async def login(request: Request):
    site = site_of(request)
    if site.accounts is None:
        return RedirectResponse("/", status_code=303)
    form = await site.form_of(request)
    name = str(form.get("name") or "").strip()
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or "/"))
    client = (request.client.host if request.client else "") or "?"

    def again(status: int, error: str) -> HTMLResponse:
        return site.page(
            request,
            "login.html",
            status=status,
            title="Đăng nhập",
            next=target,
            error=error,
            viewer=None,
        )

    site.accounts.accounts()  # the file as it is now: deleted or broken, nobody signs in
    if site.accounts.problem is not None:
        return again(
            503,
            "Máy chủ không đọc được tệp tài khoản (tệp đã bị xóa hoặc có lỗi) nên mọi "
            "đăng nhập đang bị từ chối. Hãy báo người quản trị.",
        )
    account = await _check(site, client, name, password)
    if account is None:
        return again(401, "Sai tên đăng nhập hoặc mật khẩu.")
    # a new session (and CSRF token) at every sign-in
    request.scope["session"] = signed_in(account.name, account_version(account.password))
    if target == "/" and not account.admin and account.unit:
        target = f"/units/{account.unit}"
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request):
    site = site_of(request)
    await site.form_of(request)
    session = request.scope.get("session") or {}
    sid, auth = session.get("sid"), session.get("auth")
    if isinstance(sid, str):  # a replayed copy of this cookie is refused from now on
        site.revoked.add(sid, auth if isinstance(auth, int) else time.time())
    request.scope["session"] = None
    return RedirectResponse("/login" if site.accounts is not None else "/", status_code=303)


@router.get("/healthz")
async def healthz():
    return Response("ok\n", media_type="text/plain")
