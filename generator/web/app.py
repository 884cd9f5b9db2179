"""The web front end: FastAPI routes over the same load/validate/resolve/render functions as
the CLI. `create_app` builds the application (tests use it directly); `serve` runs it.

Pages (all in Vietnamese, plain HTML forms; one small script of our own makes the preview
live, and every page works without it):

    GET  /                              the units, their plan and 15-day deadline
    GET  /units/<unit>                  the profile as a form, its problems, the preview
    POST /units/<unit>/preview          the preview of the submitted, unsaved form
    POST /units/<unit>/save             save (optimistic: refused when the file changed)
    GET  /units/<unit>/files/<name>     the plan, each appendix, the tracker, PDFs
    POST /units/<unit>/status           a filled tracker -> the `plangen status` summary
    GET  /new, POST /new                a new unit from a kind (scaffold.write_unit)
    GET  /login, POST /login, POST /logout
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import secrets
import tempfile
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.staticfiles import StaticFiles

from generator.core.errors import UserError
from generator.flow.generate import check_slug
from generator.resolve.deadlines import deadline, short
from generator.web import profiles, security, views
from generator.web.limits import Busy, LoginLimits, Slots
from generator.web.security import (
    CSRF_FIELD,
    Guard,
    Signer,
    account_version,
    csrf_ok,
    is_loopback,
    same_origin,
    signed_in,
)
from generator.web.state import Data
from generator.web.users import Account, Users

HERE = Path(__file__).resolve().parent
log = logging.getLogger("plangen.web")

MAX_UPLOAD = 5 * 1024 * 1024  # a filled tracker is a few hundred KB
MAX_FORM = 1024 * 1024
MAX_FIELDS = 2000  # fields of one form (a profile has its scalars, roles and omissions)

# A tracker's zip, checked before it is unpacked (a few hundred KB unpack to a few MB).
MAX_UNPACKED = 10 * 1024 * 1024  # all its parts
MAX_PART = 5 * 1024 * 1024  # any one part
MAX_RATIO = 100  # unpacked / packed, of a part (over RATIO_FROM bytes) and of the whole
RATIO_FROM = 256 * 1024
MAX_PARTS = 1000

# Signing in: each password check is scrypt, 16 MB and ~50 ms.
LOGIN_FAILURES = 10  # wrong passwords per address in the window
LOGIN_ACCOUNT_FAILURES = 30  # wrong passwords per account name, from any address
LOGIN_WINDOW = 15 * 60
LOGIN_IN_PROGRESS = 2  # sign-ins under way per address
LOGIN_PARALLEL = 4  # password checks at once, in all
LOGIN_QUEUE = 8  # sign-ins waiting for a check
LOGIN_WAIT = 5.0  # seconds one waits before "busy"

# The slow work, one or two at a time; beyond the queue the clerk is told to retry.
STATUS_PARALLEL, STATUS_QUEUE, STATUS_WAIT = 1, 2, 20.0
PDF_PARALLEL, PDF_QUEUE, PDF_WAIT = 2, 4, 120.0

MAX_NAME = 200  # characters of a new unit's name
MAX_SLUG = 64  # characters of its unit id (the profile's file name)

STATUS_TEXT = {
    400: "Yêu cầu không hợp lệ.",
    403: "Bạn không có quyền xem trang này.",
    404: "Không tìm thấy trang này.",
    405: "Thao tác này không được phép ở địa chỉ này.",
    408: "Dữ liệu gửi lên quá chậm.",
    413: "Dữ liệu gửi lên quá lớn.",
    429: "Quá nhiều lần thử, hãy đợi ít phút.",
    500: "Máy chủ gặp lỗi khi xử lý yêu cầu.",
    503: "Máy chủ đang bận, hãy thử lại sau ít phút.",
}


class Refused(Exception):
    """An error page with a Vietnamese message and an HTTP status."""

    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message or STATUS_TEXT.get(status, "Có lỗi xảy ra.")
        self.headers = {"retry-after": "30"} if status == 503 else None


@dataclass(frozen=True)
class Viewer:
    """Who is asking: an account, or anyone on this computer when there are no accounts."""

    name: str | None
    admin: bool
    unit: str | None = None

    def may_see(self, slug: str) -> bool:
        return self.admin or self.unit == slug


def _templates():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["pct"] = lambda w: f"{float(w):g}%"
    return env


def create_app(
    data: Path | None = None,
    units_dirs: list[Path] | None = None,
    users: Path | None = None,
    secret: bytes | None = None,
    hosts: list[str] | None = None,
) -> FastAPI:
    """The application over the data root `data` (see load.data_root), the extra profile
    folders `units_dirs`, and the accounts file `users` (None: open, this computer only).

    With accounts, only requests addressed to `hosts` (default: $PLANGEN_HOSTS) or to a
    loopback name are answered."""
    state = Data(data, list(units_dirs or []))
    accounts = Users(users) if users is not None else None
    env = _templates()
    if secret is None:
        secret = os.environ.get("PLANGEN_SECRET", "").encode() or secrets.token_bytes(32)
    signer = Signer(secret)
    allowed_hosts = None
    if accounts is not None:
        allowed_hosts = [*LOOPBACK_NAMES, *(hosts if hosts is not None else env_hosts())]
    limits = LoginLimits(LOGIN_FAILURES, LOGIN_ACCOUNT_FAILURES, LOGIN_WINDOW, LOGIN_IN_PROGRESS)
    login_slots = Slots(LOGIN_PARALLEL, LOGIN_QUEUE, LOGIN_WAIT)
    status_slots = Slots(STATUS_PARALLEL, STATUS_QUEUE, STATUS_WAIT)
    pdf_slots = Slots(PDF_PARALLEL, PDF_QUEUE, PDF_WAIT)
    revoked: dict[str, float] = {}  # signed-out session ids -> when they signed in
    revoked_lock = threading.Lock()

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, title="plangen")
    app.state.data = state
    app.state.users = accounts
    app.state.login_limits = limits
    app.state.revoked = revoked
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    # -------------------------------------------------------------- helpers

    def render(name: str, **context: Any) -> str:
        return env.get_template(name).render(**context)

    def page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        viewer = context.pop("viewer", None) or current(request)
        session = request.scope.get("session") or {}
        html = render(
            name,
            viewer=viewer,
            accounts=accounts is not None,
            csrf=session.get("csrf", ""),
            csrf_field=CSRF_FIELD,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def error_html(status: int, message: str) -> tuple[bytes, bytes]:
        html = render(
            "error.html",
            viewer=None,
            accounts=accounts is not None,
            csrf="",
            csrf_field=CSRF_FIELD,
            status=status,
            message=message,
            title=STATUS_TEXT.get(status, "Lỗi"),
        )
        return b"text/html; charset=utf-8", html.encode("utf-8")

    def current(request: Request) -> Viewer | None:
        if accounts is None:
            return Viewer(None, admin=True)
        session = request.scope.get("session") or {}
        name = session.get("user")
        account: Account | None = accounts.get(name) if isinstance(name, str) else None
        if account is None:
            return None
        auth, sid = session.get("auth"), session.get("sid")
        if not isinstance(auth, int) or not isinstance(sid, str):
            return None  # not a session of a sign-in
        if not 0 <= time.time() - auth <= security.SESSION_LIFETIME:
            return None  # signed in too long ago, however active since
        if session.get("v") != account_version(account.password):
            return None  # the password changed since
        with revoked_lock:
            if sid in revoked:
                return None  # signed out: the cookie is replayed
        return Viewer(account.name, account.admin, account.unit)

    def viewer_of(request: Request) -> Viewer:
        viewer = current(request)
        if viewer is None:
            raise LoginNeeded(request.url.path)
        return viewer

    def unit_access(request: Request, slug: str) -> Viewer:
        viewer = viewer_of(request)
        try:
            if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
                raise UserError(slug)
            check_slug(slug)
        except UserError:
            raise Refused(404, f'Không có đơn vị "{slug}".') from None
        if not viewer.may_see(slug):
            raise Refused(403, "Tài khoản này chỉ xem và sửa được hồ sơ của đơn vị mình.")
        return viewer

    async def form_of(request: Request, max_files: int = 0):
        # Refused before the body is parsed when the browser says another site sent it.
        if not same_origin(dict(request.headers), allowed_hosts):
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

    def workspace():
        ws, stamp = state.workspace()
        return ws, stamp

    def unit_path(ws, slug: str) -> Path:
        if slug not in ws.unit_files:
            raise Refused(404, f'Không có đơn vị "{slug}".')
        return ws.unit_files[slug]

    # -------------------------------------------------------------- errors

    class LoginNeeded(Exception):
        def __init__(self, path: str) -> None:
            super().__init__(path)
            self.path = path

    @app.exception_handler(LoginNeeded)
    async def _login_needed(request: Request, exc: LoginNeeded):
        if request.method == "GET":
            return RedirectResponse(f"/login?next={quote(exc.path)}", status_code=303)
        return HTMLResponse(error_html(401, "Hãy đăng nhập.")[1], status_code=401)

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused):
        return HTMLResponse(
            error_html(exc.status, exc.message)[1], status_code=exc.status, headers=exc.headers
        )

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        message = STATUS_TEXT.get(exc.status_code, "Có lỗi xảy ra.")
        return HTMLResponse(
            error_html(exc.status_code, message)[1],
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: ClientDisconnect):
        client = request.client.host if request.client else "?"
        log.info("%s %s: máy khách ngắt kết nối giữa chừng", client, request.url.path)
        return Response(status_code=400)  # nobody is left to read it

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return HTMLResponse(error_html(400, STATUS_TEXT[400])[1], status_code=400)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):
        log.exception("lỗi nội bộ khi xử lý %s", request.url.path)
        message = (
            "Máy chủ gặp lỗi khi xử lý yêu cầu. Đây là lỗi của chương trình, không phải của "
            "dữ liệu; hãy báo cho người quản trị (chi tiết đã được ghi vào nhật ký máy chủ)."
        )
        return HTMLResponse(error_html(500, message)[1], status_code=500)

    # -------------------------------------------------------------- sign in

    @app.get("/login", response_class=HTMLResponse)
    async def login_form(request: Request, next: str = "/"):
        if accounts is None:
            return RedirectResponse("/", status_code=303)
        return page(request, "login.html", title="Đăng nhập", next=_safe_next(next), error="")

    @app.post("/login")
    async def login(request: Request):
        if accounts is None:
            return RedirectResponse("/", status_code=303)
        form = await form_of(request)
        name = str(form.get("name") or "").strip()
        password = str(form.get("password") or "")
        target = _safe_next(str(form.get("next") or "/"))
        client = (request.client.host if request.client else "") or "?"

        def again(status: int, error: str) -> HTMLResponse:
            return page(
                request,
                "login.html",
                status=status,
                title="Đăng nhập",
                next=target,
                error=error,
                viewer=None,
            )

        accounts.accounts()  # the file as it is now: deleted or broken, nobody signs in
        if accounts.problem is not None:
            return again(
                503,
                "Máy chủ không đọc được tệp tài khoản (tệp đã bị xóa hoặc có lỗi) nên mọi "
                "đăng nhập đang bị từ chối. Hãy báo người quản trị.",
            )
        # The attempt is counted before the password is checked, so guesses sent at once
        # cannot slip past the count; a successful sign-in takes it back.
        why, started = limits.begin(client, name)
        if why == "in-progress":
            raise Refused(
                429, "Đang có một lần đăng nhập khác từ máy này; đợi vài giây rồi thử lại."
            )
        if why == "address":
            raise Refused(429, "Sai mật khẩu quá nhiều lần; hãy đợi 15 phút rồi thử lại.")
        if why == "account":
            raise Refused(
                429,
                "Tài khoản này bị nhập sai mật khẩu quá nhiều lần; hãy đợi 15 phút rồi thử lại "
                "hoặc báo người quản trị.",
            )

        def check() -> Account | None:
            with login_slots.hold():  # a few scrypt checks at once (16 MB each)
                return accounts.authenticate(name, password)

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
            limits.end(client, name, started, failed)
        if account is None:
            return again(401, "Sai tên đăng nhập hoặc mật khẩu.")
        # a new session (and CSRF token) at every sign-in
        request.scope["session"] = signed_in(account.name, account_version(account.password))
        if target == "/" and not account.admin and account.unit:
            target = f"/units/{account.unit}"
        return RedirectResponse(target, status_code=303)

    @app.post("/logout")
    async def logout(request: Request):
        await form_of(request)
        session = request.scope.get("session") or {}
        sid, auth = session.get("sid"), session.get("auth")
        if isinstance(sid, str):  # a replayed copy of this cookie is refused from now on
            now = time.time()
            with revoked_lock:
                for old, when in list(revoked.items()):
                    if now - when > security.SESSION_LIFETIME:
                        del revoked[old]
                revoked[sid] = auth if isinstance(auth, int) else now
        request.scope["session"] = None
        return RedirectResponse("/login" if accounts is not None else "/", status_code=303)

    @app.get("/healthz")
    async def healthz():
        return Response("ok\n", media_type="text/plain")

    # -------------------------------------------------------------- units

    @app.get("/", response_class=HTMLResponse)
    async def units_page(request: Request):
        viewer = viewer_of(request)

        def build():
            ws, _ = workspace()
            rows = views.unit_rows(ws, viewer.may_see)
            return ws, rows

        ws, rows = await run_in_threadpool(build)
        return page(
            request,
            "units.html",
            title="Các đơn vị",
            rows=rows,
            # the shared data's problems name other units' files: administrators only
            shared=[views.no_paths(str(p), ws.root) for p in ws.problems][:20]
            if viewer.admin
            else [],
            viewer=viewer,
        )

    def unit_context(
        ws,
        stamp,
        slug: str,
        disk_text: str,
        values: profiles.Values,
        orig: profiles.Values,
        base: str,
        check: profiles.Check,
        saved_check: profiles.Check | None,
    ) -> dict:
        unit = check.unit or (saved_check.unit if saved_check else None)
        kind = None
        try:
            kind_id = unit.kind if unit else profiles.kind_of_text(disk_text)
            kind = ws.kind(kind_id) if kind_id else None
        except UserError:  # an unknown kind: the check says so next to the form
            kind = None
        context = views.kind_context(kind, unit, slug, values)
        apps = check.appendices
        files, pdf = [], False
        download_error = ""
        if saved_check is not None and saved_check.ok:
            try:
                files = state.files(ws, stamp, slug)
                from generator.render.pdf import soffice

                pdf = soffice() is not None
            except UserError as exc:
                download_error = exc.message
        due = None
        if unit is not None and kind is not None:
            due = deadline(kind, unit)
        plan = views.plan_preview(check.workspace, slug, apps) if apps and check.ok else None
        return {
            "slug": slug,
            "file_name": unit_path(ws, slug).name,
            "kind": kind,
            "unit": unit,
            "values": values,
            "orig_json": profiles.encode_values(orig),
            "base": base,
            "check": check,
            "fields_json": json.dumps(profiles.fields_for(values, _declared(ws))),
            "roles": views.role_rows(ws, kind, values, context),
            "omits": views.omit_groups(ws, kind, unit, slug, values),
            "hints": views.placeholders(kind, context),
            "apps": apps,
            "plan": plan,
            "downloads": views.downloads(files, saved_check.appendices, pdf)
            if files and saved_check
            else [],
            "download_error": download_error,
            "due": due,
            "due_date": short(due.due) if due else "",
            "labels": profiles.LABELS,
        }

    def _declared(ws) -> list[str]:
        return list(ws.roles.model.roles) if ws.roles else []

    def read_disk(path: Path) -> tuple[bytes, str]:
        try:
            raw = path.read_bytes()
            return raw, raw.decode("utf-8-sig")
        except OSError as exc:
            raise Refused(500, f"Không đọc được tệp hồ sơ {path.name}: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise Refused(500, f"Tệp hồ sơ {path.name} không phải UTF-8.") from None

    def broken_profile(request: Request, slug: str, path: Path, exc: UserError) -> HTMLResponse:
        return page(
            request,
            "broken.html",
            status=200,
            title=slug,
            slug=slug,
            file_name=path.name,
            message=str(exc).split(": ", 1)[-1] if exc.where.path else exc.message,
        )

    @app.get("/units/{slug}", response_class=HTMLResponse)
    async def unit_page(request: Request, slug: str, saved: int = 0, created: int = 0):
        unit_access(request, slug)

        def build():
            ws, stamp = workspace()
            path = unit_path(ws, slug)
            raw, text = read_disk(path)
            try:
                values = profiles.load_values(text)
            except UserError as exc:
                return None, (path, exc)
            fields = profiles.fields_for(values, _declared(ws))
            check = profiles.check_profile(ws, slug, text, fields)
            ctx = unit_context(
                ws, stamp, slug, text, values, values, profiles.digest(raw), check, check
            )
            return ctx, None

        ctx, broken = await run_in_threadpool(build)
        if broken:
            return broken_profile(request, slug, *broken)
        return page(
            request,
            "unit.html",
            title=ctx["values"].get("name") or slug,
            saved=saved,
            created=created,
            conflict=None,
            **ctx,
        )

    def submitted(ws, slug: str, form, disk_text: str):
        """(values submitted, values the form was filled with, changes, candidate text)."""
        disk_values = profiles.load_values(disk_text)
        orig = profiles.decode_values(form.get("orig")) or disk_values
        fields = profiles.fields_for({**disk_values, **orig}, _declared(ws))
        shown = _shown_fields(form, fields)
        new = profiles.form_values(form, shown)
        changes = profiles.changed(new, orig)
        return disk_values, orig, new, changes, fields

    @app.post("/units/{slug}/preview")
    async def preview(request: Request, slug: str):
        unit_access(request, slug)
        form = await form_of(request)
        wants_json = "application/json" in request.headers.get("accept", "")

        def build():
            ws, stamp = workspace()
            path = unit_path(ws, slug)
            raw, disk_text = read_disk(path)
            try:
                disk_values, orig, new, changes, fields = submitted(ws, slug, form, disk_text)
            except UserError as exc:
                return None, (path, exc)
            check = _check(ws, slug, disk_text, changes, new, fields, disk_values)
            saved_check = profiles.check_profile(ws, slug, disk_text, fields)
            ctx = unit_context(
                ws,
                stamp,
                slug,
                disk_text,
                new,
                orig,
                str(form.get("base") or ""),
                check,
                saved_check,
            )
            ctx["dirty"] = bool(changes)
            return ctx, None

        ctx, broken = await run_in_threadpool(build)
        if broken:
            return broken_profile(request, slug, *broken)
        status = 200 if ctx["check"].ok else 422
        if wants_json:
            check: profiles.Check = ctx["check"]
            html = render("_preview.html", **ctx)
            return JSONResponse(
                {
                    "ok": check.ok,
                    "html": html,
                    "fields": check.fields,
                    "general": check.general,
                    "dirty": ctx["dirty"],
                },
                status_code=200,
            )
        return page(
            request,
            "unit.html",
            status=status,
            title=ctx["values"].get("name") or slug,
            saved=0,
            conflict=None,
            previewing=True,
            **ctx,
        )

    def _check(ws, slug, disk_text, changes, new, fields, disk_values) -> profiles.Check:
        bad = profiles.form_problems(new, disk_values)
        if bad:
            return profiles.Check.of(bad)
        try:
            inherited = profiles.inherited_paths(ws, slug)
            candidate = profiles.apply(disk_text, changes, _declared(ws), inherited)
        except UserError as exc:
            return profiles.Check.of({None: exc.message})
        return profiles.check_profile(ws, slug, candidate, fields)

    @app.post("/units/{slug}/save")
    async def save(request: Request, slug: str):
        unit_access(request, slug)
        form = await form_of(request)

        def attempt():
            ws, stamp = workspace()
            path = unit_path(ws, slug)
            raw, disk_text = read_disk(path)
            try:
                disk_values, orig, new, changes, fields = submitted(ws, slug, form, disk_text)
            except UserError as exc:
                return "broken", (path, exc)
            base = str(form.get("base") or "")
            role_order = _declared(ws)

            def invalid(check):  # the form again, the clerk's values and the messages
                on_disk = profiles.check_profile(ws, slug, disk_text, fields)
                return "invalid", unit_context(
                    ws, stamp, slug, disk_text, new, orig, base, check, on_disk
                )

            bad = profiles.form_problems(new, disk_values)
            if bad:  # too large, or a character a DOCX cannot hold: no YAML, no preview
                return invalid(profiles.Check.of(bad))
            inherited = profiles.inherited_paths(ws, slug)
            candidate = profiles.apply(disk_text, changes, role_order, inherited)
            if base != profiles.digest(raw):
                merged = {**disk_values, **changes}
                clash = profiles.conflict(
                    orig, disk_values, new, disk_text, candidate, _role_names(ws)
                )
                check = profiles.check_profile(ws, slug, candidate, fields)
                ctx = unit_context(
                    ws,
                    stamp,
                    slug,
                    disk_text,
                    merged,
                    disk_values,
                    profiles.digest(raw),
                    check,
                    profiles.check_profile(ws, slug, disk_text, fields),
                )
                ctx["conflict"] = clash
                return "conflict", ctx
            check = profiles.check_profile(ws, slug, candidate, fields)
            if not check.ok:
                return invalid(check)
            if not profiles.save(path, base, candidate):
                return "retry", None
            return "saved", None

        for _ in range(3):
            outcome, ctx = await run_in_threadpool(attempt)
            if outcome != "retry":  # the file changed between reading and writing: again
                break
        if outcome == "broken":
            return broken_profile(request, slug, *ctx)
        if outcome == "saved":
            return RedirectResponse(f"/units/{slug}?saved=1", status_code=303)
        if outcome == "retry":
            raise Refused(409, "Hồ sơ đang được lưu liên tục từ nơi khác; hãy thử lại.")
        status = 409 if outcome == "conflict" else 422
        return page(
            request,
            "unit.html",
            status=status,
            title=ctx["values"].get("name") or slug,
            saved=0,
            conflict=ctx.pop("conflict", None),
            **ctx,
        )

    def _role_names(ws) -> dict[str, str]:
        return dict(ws.roles.model.roles) if ws.roles else {}

    # -------------------------------------------------------------- downloads

    MEDIA = {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf",
    }

    @app.get("/units/{slug}/files/{name}")
    async def download(request: Request, slug: str, name: str):
        unit_access(request, slug)

        def build() -> bytes:
            ws, stamp = workspace()
            unit_path(ws, slug)
            try:
                files = dict(state.files(ws, stamp, slug))
            except UserError as exc:
                raise Refused(
                    409,
                    "Hồ sơ đã lưu còn lỗi nên chưa tải được tệp; mở trang đơn vị để xem lỗi. "
                    f"({exc.message.splitlines()[0]})",
                ) from None
            if name in files:
                return files[name]
            if name.endswith(".pdf") and (docx := name[: -len(".pdf")] + ".docx") in files:
                from generator.render import pdf

                if pdf.soffice() is None:
                    raise Refused(404, "Máy chủ chưa cài LibreOffice nên không xuất được PDF.")

                def convert() -> bytes:
                    try:
                        with pdf_slots.hold():  # one or two LibreOffice processes at a time
                            return pdf.to_pdf([(docx, files[docx])])[0]
                    except Busy:
                        raise Refused(
                            503,
                            "Máy chủ đang chuyển nhiều tệp khác sang PDF; hãy thử lại sau ít "
                            "phút, hoặc tải bản .docx.",
                        ) from None

                try:
                    return state.extra(
                        ("pdf", name, hashlib.sha256(files[docx]).hexdigest()), convert
                    )
                except UserError as exc:
                    raise Refused(500, exc.message) from None
            raise Refused(404, f'Đơn vị "{slug}" không có tệp "{name}".')

        data = await run_in_threadpool(build)
        ext = name.rsplit(".", 1)[-1]
        return Response(
            data,
            media_type=MEDIA.get(ext, "application/octet-stream"),
            headers={"content-disposition": f'attachment; filename="{name}"'},
        )

    # -------------------------------------------------------------- tracker status

    @app.post("/units/{slug}/status")
    async def status(request: Request, slug: str):
        unit_access(request, slug)
        form = await form_of(request, max_files=1)
        try:
            upload = form.get("tracker")
            if upload is None or not hasattr(upload, "read"):
                raise Refused(400, "Chưa chọn tệp theo dõi (.xlsx) để tải lên.")
            data = await upload.read(MAX_UPLOAD + 1)
        finally:
            await form.close()
        if len(data) > MAX_UPLOAD:
            raise Refused(413, "Tệp theo dõi quá lớn (tối đa 5 MB).")
        display = _display_name(getattr(upload, "filename", "") or "theo-doi.xlsx")
        problem = _xlsx_problem(data)
        if problem:
            raise Refused(400, problem)

        def build():
            from generator.readback.status import format_report, read_status

            try:
                with status_slots.hold(), tempfile.TemporaryDirectory(prefix="plangen-web-") as tmp:
                    path = Path(tmp) / "theo-doi.xlsx"
                    path.write_bytes(data)
                    try:
                        report = read_status(path)
                    except UserError as exc:
                        return None, exc.message
            except Busy:
                raise Refused(
                    503,
                    "Máy chủ đang đọc tệp theo dõi của đơn vị khác; hãy gửi lại sau ít phút.",
                ) from None
            report.path = Path(display)
            return report, format_report(report)

        report, text = await run_in_threadpool(build)
        if report is None:
            raise Refused(400, text)
        return page(
            request,
            "status.html",
            title="Tình hình thực hiện",
            slug=slug,
            file_name=display,
            report=report,
            text=text,
        )

    # -------------------------------------------------------------- new unit

    @app.get("/new", response_class=HTMLResponse)
    async def new_form(request: Request):
        viewer = viewer_of(request)
        if not viewer.admin:
            raise Refused(403, "Chỉ người quản trị được thêm đơn vị.")
        ws, _ = await run_in_threadpool(workspace)
        return page(
            request, "new.html", title="Thêm đơn vị", kinds=_kinds(ws), form={}, error="", errors={}
        )

    @app.post("/new")
    async def new_unit(request: Request):
        viewer = viewer_of(request)
        if not viewer.admin:
            raise Refused(403, "Chỉ người quản trị được thêm đơn vị.")
        form = await form_of(request)
        fields = {
            k: " ".join(str(form.get(k) or "").split())
            for k in ("name", "kind", "plan_number", "plan_date", "plan_symbol", "slug")
        }

        errors = _new_unit_problems(fields)

        def build():
            from generator.flow.scaffold import units_folder, write_unit

            ws, _ = workspace()
            if errors:
                return None, ws, "Thông tin chưa hợp lệ; xem dòng đỏ dưới từng ô."
            folder, _why = units_folder(ws, state.units_dirs)
            try:
                path = write_unit(
                    ws,
                    folder,
                    fields["name"],
                    fields["kind"],
                    fields["plan_number"] or None,
                    fields["plan_date"] or None,
                    fields["plan_symbol"] or None,
                    fields["slug"] or None,
                )
            except UserError as exc:
                return None, ws, exc.message
            return path.stem, ws, ""

        slug, ws, error = await run_in_threadpool(build)
        if slug is None:
            return page(
                request,
                "new.html",
                status=422,
                title="Thêm đơn vị",
                kinds=_kinds(ws),
                form=fields,
                error=error,
                errors=errors,
            )
        return RedirectResponse(f"/units/{slug}?created=1", status_code=303)

    def _kinds(ws) -> list[tuple[str, str]]:
        return [
            (kind_id, loaded.model.name)
            for kind_id, loaded in sorted(ws.kinds.items())
            if not loaded.model.abstract
        ]

    # -------------------------------------------------------------- the guard

    def body_limit(path: str) -> int:
        if re.fullmatch(r"/units/[^/]+/status", path):
            return MAX_UPLOAD + 64 * 1024
        return MAX_FORM

    app.add_middleware(
        Guard,
        signer=signer,
        local_only=accounts is None,
        body_limit=body_limit,
        refuse=error_html,
        hosts=allowed_hosts,
        body_timeout=security.BODY_TIMEOUT,
    )
    return app


LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"]


def env_hosts() -> list[str]:
    """The host names of $PLANGEN_HOSTS (comma or space separated, '*.example.org' for the
    subdomains): the names a server with accounts answers to, besides the loopback ones."""
    raw = os.environ.get("PLANGEN_HOSTS", "")
    return [h.strip().lower().rstrip(".") for h in re.split(r"[,\s]+", raw) if h.strip()]


def loopback_only(hosts: list[str]) -> bool:
    return all(h in LOOPBACK_NAMES or is_loopback(h) for h in hosts)


def _new_unit_problems(fields: dict[str, str]) -> dict[str, str]:
    """The new-unit form's fields too long to be a unit (the name, the unit id it gives, a
    file name the system can hold), said by field before anything is written."""
    from generator.core.text import slugify
    from generator.flow.scaffold import split_level

    errors: dict[str, str] = {}
    name = fields.get("name", "")
    if len(name) > MAX_NAME:
        errors["name"] = f"tên đơn vị quá dài ({len(name)} ký tự; tối đa {MAX_NAME})"
    for key in ("plan_number", "plan_date", "plan_symbol"):
        if len(fields.get(key, "")) > profiles.MAX_TEXT:
            errors[key] = f"quá dài (tối đa {profiles.MAX_TEXT} ký tự)"
    given = fields.get("slug", "")
    if given:
        if len(given) > MAX_SLUG:
            errors["slug"] = f"mã đơn vị quá dài ({len(given)} ký tự; tối đa {MAX_SLUG})"
    elif "name" not in errors:
        derived = slugify(split_level(name)[1])
        if len(derived) > MAX_SLUG:
            errors["name"] = (
                f"mã đơn vị lấy từ tên này quá dài ({len(derived)} ký tự; tối đa {MAX_SLUG}): "
                "nhập một mã ngắn hơn vào ô Mã đơn vị, ví dụ loc-binh"
            )
    return errors


def _shown_fields(form, fields: list[str]) -> list[str]:
    """The fields the submitted page had: every known field, and role fields it carried
    (at most MAX_EXTRA_ROLES beyond those the page knows of)."""
    extra = [k for k in form.keys() if k.startswith(profiles.ROLE_PREFIX) and k not in fields]
    extra = [k for k in extra if profiles.ROLE_NAME.fullmatch(k[len(profiles.ROLE_PREFIX) :])]
    extra = list(dict.fromkeys(extra))[: profiles.MAX_EXTRA_ROLES]
    return [f for f in fields if not f.startswith(profiles.ROLE_PREFIX) or f in form] + extra


def _safe_next(target: str) -> str:
    """Only a path of this site: never '//host' or 'http://…' (an open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target if re.fullmatch(r"/[A-Za-z0-9/_.?=&%-]*", target) else "/"


def _display_name(name: str) -> str:
    name = Path(name.replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ]", "_", name)[:80]
    return name or "theo-doi.xlsx"


def _xlsx_problem(data: bytes) -> str | None:
    """Why `data` is not an Excel workbook (by its bytes, whatever the file is called)."""
    if not data:
        return "Tệp tải lên trống."
    if not data.startswith(b"PK\x03\x04"):
        return "Tệp tải lên không phải tệp Excel .xlsx (nội dung không đúng định dạng)."
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return "Tệp tải lên bị hỏng: không mở được như một tệp .xlsx."
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        return "Tệp tải lên không phải sổ tính Excel (.xlsx): thiếu xl/workbook.xml."
    return _unpacked_problem(infos)


def _megabytes(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB" if n >= 1024 * 1024 else f"{max(1, n // 1024)} KB"


def _unpacked_problem(infos: list[zipfile.ZipInfo]) -> str | None:
    """Why the workbook's parts are too much to unpack (as the zip declares them: Python's
    zipfile never gives more than the declared size, and checks its CRC), or None."""
    big = "Tệp theo dõi giải nén ra quá lớn"
    if len(infos) > MAX_PARTS:
        return f"{big}: có {len(infos)} phần bên trong (tối đa {MAX_PARTS})."
    total = packed = 0
    for info in infos:
        if info.file_size > MAX_PART:
            return (
                f"{big}: phần {info.filename[:80]} giải nén ra {_megabytes(info.file_size)} "
                f"(tối đa {_megabytes(MAX_PART)} mỗi phần)."
            )
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(1, info.compress_size):
            return (
                f"{big}: phần {info.filename[:80]} bị nén bất thường "
                f"(gấp {info.file_size // max(1, info.compress_size)} lần, tối đa {MAX_RATIO})."
            )
        total += info.file_size
        packed += info.compress_size
    if total > MAX_UNPACKED:
        return f"{big} ({_megabytes(total)}; tối đa {_megabytes(MAX_UNPACKED)})."
    if total > RATIO_FROM and total > MAX_RATIO * max(1, packed):
        return f"{big}: bị nén bất thường (gấp {total // max(1, packed)} lần, tối đa {MAX_RATIO})."
    return None
