"""The web front end's application factory: the FastAPI app over the same load, check,
resolve and render functions as the CLI, built from one router per page group
(generator/web/routes) and the state they share (site.Site). `create_app` builds it (tests
use it directly); `generator.web.serve` runs it.

Pages are in Vietnamese, plain HTML forms; one small script of our own makes the preview
live and the downloads say what they are doing, and every page works without it.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from generator.web import errors, security
from generator.web.limits import LoginLimits, Slots
from generator.web.routes import auth, files, new, rollup, tracker, unit, units
from generator.web.security import Guard, Signer, is_loopback
from generator.web.site import HERE, Bounds, Site
from generator.web.state import Data
from generator.web.users import Users

MAX_FORM = 1024 * 1024  # a POSTed form; a tracker upload may take tracker.MAX_UPLOAD

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

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")
_UPLOAD = re.compile(r"/units/[^/]+/status")


def env_hosts() -> list[str]:
    """The host names of $PLANGEN_HOSTS (comma or space separated, '*.example.org' for the
    subdomains): the names a server with accounts answers to, besides the loopback ones."""
    raw = os.environ.get("PLANGEN_HOSTS", "")
    return [h.strip().lower().rstrip(".") for h in re.split(r"[,\s]+", raw) if h.strip()]


def loopback_only(hosts: list[str]) -> bool:
    return all(h in LOOPBACK_NAMES or is_loopback(h) for h in hosts)


def body_limit(path: str) -> int:
    return tracker.MAX_UPLOAD + 64 * 1024 if _UPLOAD.fullmatch(path) else MAX_FORM


def bounds() -> Bounds:
    """The limits of this module as they are now (tests lower them before building an app)."""
    return Bounds(
        login=LoginLimits(LOGIN_FAILURES, LOGIN_ACCOUNT_FAILURES, LOGIN_WINDOW, LOGIN_IN_PROGRESS),
        login_slots=Slots(LOGIN_PARALLEL, LOGIN_QUEUE, LOGIN_WAIT),
        status_slots=Slots(STATUS_PARALLEL, STATUS_QUEUE, STATUS_WAIT),
        pdf_slots=Slots(PDF_PARALLEL, PDF_QUEUE, PDF_WAIT),
    )


def create_app(
    data: Path | None = None,
    units_dirs: list[Path] | None = None,
    users: Path | None = None,
    secret: bytes | None = None,
    hosts: list[str] | None = None,
) -> FastAPI:
    """The application over the data root `data` (see model.workspace.data_root), the extra
    profile folders `units_dirs`, and the accounts file `users` (None: open, this computer
    only). With accounts, only requests addressed to `hosts` (default: $PLANGEN_HOSTS) or to
    a loopback name are answered."""
    accounts = Users(users) if users is not None else None
    if secret is None:
        secret = os.environ.get("PLANGEN_SECRET", "").encode() or secrets.token_bytes(32)
    signer = Signer(secret)
    allowed = None
    if accounts is not None:
        allowed = (*LOOPBACK_NAMES, *(hosts if hosts is not None else env_hosts()))
    site = Site(Data(data, list(units_dirs or [])), accounts, signer, allowed, bounds())

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None, title="plangen")
    app.state.site = site
    app.state.data = site.data  # for tests and benchmarks: the caches and their counts
    app.state.users = accounts
    app.state.login_limits = site.bounds.login
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    errors.install(app)
    for module in (auth, units, unit, files, tracker, new, rollup):
        app.include_router(module.router)
    app.add_middleware(
        Guard,
        signer=signer,
        local_only=accounts is None,
        body_limit=body_limit,
        refuse=site.error_html,
        hosts=allowed,
        body_timeout=security.BODY_TIMEOUT,
    )
    return app
