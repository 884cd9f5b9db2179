"""What guards every request: signed session cookies, CSRF tokens, security headers, body
limits, and the local-only rule of a server without accounts.

Written as plain ASGI middleware on the standard library (hmac, secrets): no extra
dependency. The session is a small JSON object signed with HMAC-SHA256 and kept in an
HttpOnly, SameSite=Lax cookie (Secure when the request came over HTTPS); it carries the
signed-in account and the CSRF token every POST form must send back.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import time
from collections.abc import Callable
from http.cookies import SimpleCookie

COOKIE = "plangen_session"
SESSION_AGE = 12 * 3600  # seconds without a request before a session ends
REFRESH = 600  # a session in use is re-signed with a new time this often
CSRF_FIELD = "csrf"

# Pages are forms and tables of the server's own: nothing from elsewhere, no inline script.
HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
        b"form-action 'self'; frame-ancestors 'none'",
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """HMAC-SHA256 over a JSON payload: ``<payload>.<signature>``, both base64url."""

    def __init__(self, secret: bytes) -> None:
        self.key = hashlib.sha256(b"plangen-session\0" + secret).digest()

    def sign(self, payload: dict) -> str:
        body = _b64(json.dumps(payload, separators=(",", ":"), sort_keys=True).encode())
        mac = hmac.new(self.key, body.encode("ascii"), hashlib.sha256).digest()
        return f"{body}.{_b64(mac)}"

    def unsign(self, value: str, max_age: int = SESSION_AGE) -> dict | None:
        try:
            body, mac = value.split(".")
            expected = hmac.new(self.key, body.encode("ascii"), hashlib.sha256).digest()
            if not hmac.compare_digest(_unb64(mac), expected):
                return None
            payload = json.loads(_unb64(body))
        except (ValueError, UnicodeError):
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("iat"), int):
            return None
        if not 0 <= time.time() - payload["iat"] <= max_age:
            return None
        return payload


def new_session() -> dict:
    return {"csrf": secrets.token_urlsafe(24), "iat": int(time.time()), "user": None}


def csrf_ok(session: dict, token: str | None) -> bool:
    expected = session.get("csrf")
    return bool(token and expected) and hmac.compare_digest(str(token), str(expected))


def is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The name part of a Host header: 'localhost:8000' -> 'localhost', '[::1]:80' -> '::1'."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit


class Guard:
    """ASGI middleware: the session cookie, security headers, body limits, local-only."""

    def __init__(
        self,
        app,
        signer: Signer,
        *,
        local_only: bool,
        body_limit: Callable[[str], int],
        refuse: Callable[[int, str], tuple[bytes, bytes]],
    ) -> None:
        self.app = app
        self.signer = signer
        self.local_only = local_only
        self.body_limit = body_limit
        self.refuse = refuse  # (status, message) -> (content type, body): an error page

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        secure = scope.get("scheme") == "https"

        async def send_page(status: int, message: str) -> None:
            ctype, body = self.refuse(status, message)
            await send(
                {
                    "type": "http.response.start",
                    "status": status,
                    "headers": [
                        (b"content-type", ctype),
                        (b"content-length", str(len(body)).encode()),
                        (b"cache-control", b"no-store"),
                        *HEADERS,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})

        if self.local_only:
            client = (scope.get("client") or ("", 0))[0]
            # Only this computer, and only under a local name: a web page elsewhere cannot
            # reach the server through a DNS name it points at 127.0.0.1.
            if not is_loopback(client) or not is_loopback(host_name(headers.get("host", ""))):
                await send_page(
                    403,
                    "Máy chủ này chạy không có tệp tài khoản nên chỉ mở cho chính máy này "
                    "(127.0.0.1). Để các đơn vị truy cập qua mạng, chạy plangen serve với "
                    "--users TỆP.",
                )
                return

        limit = self.body_limit(scope["path"]) if scope["method"] in ("POST", "PUT") else 0
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await send_page(413, _too_large(limit))
            return
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed Cookie header: start a new session
            cookie = SimpleCookie()
        raw = cookie[COOKIE].value if COOKIE in cookie else None
        session = self.signer.unsign(raw) if raw else None
        fresh = session is None
        if fresh:
            session = new_session()
        elif time.time() - session["iat"] > REFRESH:
            session = {**session, "iat": int(time.time())}  # an active clerk stays signed in
            fresh = True
        scope["session"] = session
        before = json.dumps(session, sort_keys=True)

        started = False

        async def guarded_send(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                out = list(message.get("headers", []))
                present = {k.lower() for k, _ in out}
                out += [(k, v) for k, v in HEADERS if k not in present]
                if b"cache-control" not in present:
                    out.append((b"cache-control", b"no-store"))
                current = scope.get("session")
                if current is None:  # signed out: drop the cookie
                    out.append((b"set-cookie", _cookie("", 0, secure)))
                elif fresh or json.dumps(current, sort_keys=True) != before:
                    out.append(
                        (b"set-cookie", _cookie(self.signer.sign(current), SESSION_AGE, secure))
                    )
                message = {**message, "headers": out}
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except BodyTooLarge as exc:
            if started:
                raise
            await send_page(413, _too_large(exc.limit))


def _too_large(limit: int) -> str:
    if limit <= 0:
        return "Yêu cầu này không được gửi kèm dữ liệu."
    size = f"{limit / 1024 / 1024:.0f} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
    return f"Dữ liệu gửi lên quá lớn (tối đa {size})."


def _cookie(value: str, age: int, secure: bool) -> bytes:
    parts = [f"{COOKIE}={value}", "Path=/", f"Max-Age={age}", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")
