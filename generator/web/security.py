"""What guards every request: signed session cookies, CSRF tokens, security headers, body
limits and timeouts, the local-only rule of a server without accounts, and the host names
of a server with accounts.

Written as plain ASGI middleware on the standard library (hmac, secrets): no extra
dependency. The session is a small JSON object signed with HMAC-SHA256 and kept in an
HttpOnly, SameSite=Lax cookie (Secure when the request came over HTTPS); it carries the
signed-in account, the session's id and time of sign-in, the account's version (a digest
of its password hash) and the CSRF token every POST form must send back. The app refuses
a session signed out, older than SESSION_LIFETIME, or of an account whose password changed.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable

from starlette.requests import cookie_parser

from generator.core.files import size_text

COOKIE = "plangen_session"
SESSION_AGE = 4 * 3600  # seconds without a request before a session ends
SESSION_LIFETIME = 12 * 3600  # seconds after signing in before a session ends, in use or not
REFRESH = 600  # a session in use is re-signed with a new time this often
CSRF_FIELD = "csrf"
BODY_TIMEOUT = 60.0  # seconds a client may take to send a request's whole body

log = logging.getLogger("plangen.web")

# Pages are forms and tables of the server's own: nothing from elsewhere, no inline script.
HEADERS = (
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
)


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


def signed_in(user: str, version: str) -> dict:
    """A new session (and CSRF token) for an account that has just signed in: its own id
    (a sign-out revokes it), the time of sign-in (the absolute lifetime counts from it) and
    the account's version (a new password ends every session of the old one)."""
    session = new_session()
    session.update(user=user, sid=secrets.token_urlsafe(16), auth=session["iat"], v=version)
    return session


def account_version(stored_hash: str) -> str:
    """A short digest of an account's stored password hash: it changes with the password."""
    return hashlib.sha256(b"plangen-account\0" + stored_hash.encode()).hexdigest()[:16]


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


def host_allowed(name: str, allowed: list[str]) -> bool:
    """Whether a Host name is one of `allowed` ('*.example.org' allows its subdomains)."""
    for pattern in allowed:
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


def same_origin(headers: dict[str, str], ours: list[str] | None = None) -> bool:
    """False when the browser says the request comes from another site (Origin,
    Sec-Fetch-Site): such a POST is refused before its body is read; the CSRF token is the
    check that counts, this one only spares the parsing of a forged upload. An Origin
    naming the Host of the request, or one of `ours` (the configured host names: a proxy
    that does not pass the Host on), is this site."""
    if headers.get("sec-fetch-site", "").lower() in ("cross-site", "same-site"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True
    origin = origin.strip().lower()
    if origin == "null" or "://" not in origin:
        return False
    name = host_name(origin.split("://", 1)[1].split("/", 1)[0])
    if name == host_name(headers.get("host", "")):
        return True
    return host_allowed(name, [h for h in ours or () if h != "*"])


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


class BodyTooSlow(Exception):
    """The client took longer than the body timeout to send the request's body."""


class Revoked:
    """The sessions signed out, by id -> when they signed in; a session older than
    `lifetime` ends anyway, so it is dropped from the table. Thread-safe."""

    def __init__(self, lifetime: float) -> None:
        self.lifetime = lifetime
        self._lock = threading.Lock()
        self._ids: dict[str, float] = {}

    def add(self, sid: str, signed_in: float) -> None:
        now = time.time()
        with self._lock:
            for old, when in list(self._ids.items()):
                if now - when > self.lifetime:
                    del self._ids[old]
            self._ids[sid] = signed_in

    def has(self, sid: str) -> bool:
        with self._lock:
            return sid in self._ids


def request_headers(scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for k, v in scope["headers"]:
        name, value = k.decode("latin-1").lower(), v.decode("latin-1")
        if name == "cookie" and name in headers:  # HTTP/2 may split the cookies
            value = headers[name] + "; " + value
        headers[name] = value
    return headers


class LimitedBody:
    """An ASGI `receive` that stops a body over `limit` bytes or slower than `timeout`."""

    def __init__(self, receive, limit: int, timeout: float) -> None:
        self.receive, self.limit = receive, limit
        self.deadline = time.monotonic() + timeout
        self.received = 0
        self.done = False

    async def __call__(self):
        if self.done:  # the body is in: what follows is a disconnect, awaited freely
            return await self.receive()
        try:
            wait = max(0.0, self.deadline - time.monotonic())
            message = await asyncio.wait_for(self.receive(), wait)
        except TimeoutError:
            raise BodyTooSlow from None
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.limit:
                raise BodyTooLarge(self.limit)
            self.done = not message.get("more_body", False)
        else:
            self.done = True
        return message


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
        hosts: tuple[str, ...] | None = None,
        body_timeout: float = BODY_TIMEOUT,
    ) -> None:
        self.app = app
        self.signer = signer
        self.local_only = local_only
        self.body_limit = body_limit
        self.refuse = refuse  # (status, message) -> (content type, body): an error page
        self.hosts = hosts  # the Host names served (None: any; local_only checks its own)
        self.body_timeout = body_timeout

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = request_headers(scope)
        refused = self.refusal(scope, headers)
        if refused is not None:
            await self.send_page(send, *refused)
            return
        limit = self.body_limit(scope["path"]) if scope["method"] in ("POST", "PUT") else 0
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self.send_page(send, 413, _too_large(limit))
            return
        session, fresh = self.session(headers)
        scope["session"] = session
        sender = SessionSender(send, scope, self.signer, fresh, scope.get("scheme") == "https")
        try:
            await self.app(scope, LimitedBody(receive, limit, self.body_timeout), sender)
        except BodyTooLarge as exc:
            if sender.started:
                raise
            await self.send_page(send, 413, _too_large(exc.limit))
        except BodyTooSlow:
            client = (scope.get("client") or ("?", 0))[0]
            log.info("%s %s: phần thân yêu cầu gửi quá chậm, đã ngắt", client, scope["path"])
            if not sender.started:
                message = "Dữ liệu gửi lên quá chậm nên máy chủ đã ngừng chờ; hãy thử lại."
                await self.send_page(send, 408, message)

    def refusal(self, scope, headers: dict[str, str]) -> tuple[int, str] | None:
        """Why the request is not answered at all: (status, message), or None."""
        if self.local_only:
            client = (scope.get("client") or ("", 0))[0]
            # Only this computer, and only under a local name: a web page elsewhere cannot
            # reach the server through a DNS name it points at 127.0.0.1.
            if not is_loopback(client) or not is_loopback(host_name(headers.get("host", ""))):
                return (
                    403,
                    "Máy chủ này chạy không có tệp tài khoản nên chỉ mở cho chính máy này "
                    "(127.0.0.1). Để các đơn vị truy cập qua mạng, chạy plangen serve với "
                    "--users TỆP.",
                )
        elif self.hosts is not None:
            name = host_name(headers.get("host", ""))
            if not host_allowed(name, list(self.hosts)):
                return (
                    400,
                    f'Máy chủ này không phục vụ tên "{name[:100]}". Người quản trị khai báo '
                    "các tên của máy chủ trong biến môi trường PLANGEN_HOSTS.",
                )
        return None

    def session(self, headers: dict[str, str]) -> tuple[dict, bool]:
        """The request's session, and whether its cookie is to be (re)sent."""
        # Lenient, as browsers are: a foreign cookie the standard library cannot parse must
        # not hide the session cookie that follows it.
        try:
            raw = cookie_parser(headers.get("cookie", "")).get(COOKIE)
        except Exception:  # noqa: BLE001 - a malformed Cookie header: a new session
            raw = None
        session = self.signer.unsign(raw) if raw else None
        if session is None:
            return new_session(), True
        if time.time() - session["iat"] > REFRESH:
            return {**session, "iat": int(time.time())}, True  # an active clerk stays in
        return session, False

    async def send_page(self, send, status: int, message: str) -> None:
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


class SessionSender:
    """An ASGI `send` that adds the security headers and the session cookie, when the
    session is new or changed (or dropped: signed out)."""

    def __init__(self, send, scope, signer: Signer, fresh: bool, secure: bool) -> None:
        self.send, self.scope, self.signer = send, scope, signer
        self.fresh, self.secure = fresh, secure
        self.before = json.dumps(scope["session"], sort_keys=True)
        self.started = False

    async def __call__(self, message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            out = list(message.get("headers", []))
            present = {k.lower() for k, _ in out}
            out += [(k, v) for k, v in HEADERS if k not in present]
            if b"cache-control" not in present:
                out.append((b"cache-control", b"no-store"))
            current = self.scope.get("session")
            if current is None:  # signed out: drop the cookie
                out.append((b"set-cookie", _cookie("", 0, self.secure)))
            elif self.fresh or json.dumps(current, sort_keys=True) != self.before:
                value = _cookie(self.signer.sign(current), SESSION_AGE, self.secure)
                out.append((b"set-cookie", value))
            message = {**message, "headers": out}
        await self.send(message)


def _too_large(limit: int) -> str:
    if limit <= 0:
        return "Yêu cầu này không được gửi kèm dữ liệu."
    return f"Dữ liệu gửi lên quá lớn (tối đa {size_text(limit)})."


def _cookie(value: str, age: int, secure: bool) -> bytes:
    parts = [f"{COOKIE}={value}", "Path=/", f"Max-Age={age}", "HttpOnly", "SameSite=Lax"]
    if secure:
        parts.append("Secure")
    return "; ".join(parts).encode("latin-1")
