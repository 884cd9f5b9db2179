"""The unit page: the profile as a form, its live preview, and saving it.

A save is checked as ``plangen --unit`` checks (checking.unit_problems) and refused, with
each problem at its field, when anything fails; it is optimistic (refused, with both
versions shown, when the file changed since the form was filled).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from generator.core.errors import UserError
from generator.web import profiles, saving, unitpage
from generator.web.errors import Refused
from generator.web.site import Site, read_disk, site_of

router = APIRouter()


def _broken(site: Site, request: Request, slug: str, path: Path, exc: UserError):
    """The page of a profile that is not YAML at all: no form can show it."""
    return site.page(
        request,
        "broken.html",
        title=slug,
        slug=slug,
        file_name=path.name,
        message=str(exc).split(": ", 1)[-1] if exc.where.path else exc.message,
    )


def _unit_page(site: Site, request: Request, ctx: dict, status: int = 200, **extra):
    return site.page(
        request,
        "unit.html",
        status=status,
        title=ctx["values"].get("name") or ctx["slug"],
        **{"saved": 0, "created": 0, "conflict": None, "failed": False, **extra, **ctx},
    )


@router.get("/units/{slug}", response_class=HTMLResponse)
async def unit_page(request: Request, slug: str, saved: int = 0, created: int = 0):
    site = site_of(request)
    site.unit_access(request, slug)

    def build():
        ws, stamp = site.data.workspace()
        path = site.unit_path(ws, slug)
        raw, text = read_disk(path)
        try:
            values = profiles.load_values(text)
        except UserError as exc:
            return None, (path, exc)
        check = unitpage.saved_check(ws, slug, text, values)
        base = saving.digest(raw)
        return unitpage.context(
            site, ws, stamp, slug, text, values, values, base, check, check
        ), None

    ctx, broken = await run_in_threadpool(build)
    if broken:
        return _broken(site, request, slug, *broken)
    return _unit_page(site, request, ctx, saved=saved, created=created)


@router.post("/units/{slug}/preview")
async def preview(request: Request, slug: str):
    site = site_of(request)
    site.unit_access(request, slug)
    form = await site.form_of(request)

    def build():
        read = _read_form(site, slug, form)
        if isinstance(read, tuple):  # the profile on disk cannot be read: (path, error)
            return None, read
        check, _ = unitpage.candidate(read.ws, slug, read.disk_text, read.sent)
        ctx = _form_context(site, slug, read, str(form.get("base") or ""), check)
        ctx["dirty"] = bool(read.sent.changes)
        return ctx, None

    ctx, broken = await run_in_threadpool(build)
    if broken:
        return _broken(site, request, slug, *broken)
    check = ctx["check"]
    if "application/json" in request.headers.get("accept", ""):
        return JSONResponse(
            {
                "ok": check.ok,
                "html": site.render("_preview.html", **ctx),
                "fields": check.fields,
                "general": check.general,
                "dirty": ctx["dirty"],
            }
        )
    status = 200 if check.ok else 422
    return _unit_page(site, request, ctx, status, previewing=True, failed=not check.ok)


@dataclass(frozen=True)
class _Read:
    """The profile on disk and the form sent over it."""

    ws: object
    stamp: object
    path: Path
    raw: bytes
    disk_text: str
    sent: object


def _read_form(site: Site, slug: str, form) -> _Read | tuple[Path, UserError]:
    """The profile as it is on disk, and the form read over it; (path, error) when the
    form cannot be read over the profile (a broken file)."""
    ws, stamp = site.data.workspace()
    path = site.unit_path(ws, slug)
    raw, disk_text = read_disk(path)
    try:
        sent = unitpage.submitted(ws, form, disk_text)
    except UserError as exc:
        return path, exc
    return _Read(ws, stamp, path, raw, disk_text, sent)


def _form_context(site: Site, slug: str, read: _Read, base: str, check) -> dict:
    """The page of the form as sent, with its check and the saved profile's."""
    ws, sent = read.ws, read.sent
    saved = unitpage.saved_check(ws, slug, read.disk_text, sent.disk)
    return unitpage.context(
        site, ws, read.stamp, slug, read.disk_text, sent.new, sent.orig, base, check, saved
    )


def _attempt(site: Site, slug: str, form) -> tuple[str, object]:
    """One try at saving: ("saved" | "retry" | "invalid" | "conflict" | "broken", what the
    page needs)."""
    read = _read_form(site, slug, form)
    if isinstance(read, tuple):
        return "broken", read
    ws, sent, disk_text = read.ws, read.sent, read.disk_text
    base = str(form.get("base") or "")
    check, text = unitpage.candidate(ws, slug, disk_text, sent)
    if not text:  # too large, a bad character, a date in no form: not even YAML
        return "invalid", _form_context(site, slug, read, base, check)
    if base != saving.digest(read.raw):  # changed meanwhile: both versions, nothing written
        merged = {**sent.disk, **sent.changes}
        names = unitpage.role_names(ws)
        clash = saving.conflict(sent.orig, sent.disk, sent.new, disk_text, text, names)
        saved = unitpage.saved_check(ws, slug, disk_text, sent.disk)
        digest = saving.digest(read.raw)
        ctx = unitpage.context(
            site, ws, read.stamp, slug, disk_text, merged, sent.disk, digest, check, saved
        )
        ctx["conflict"] = clash
        return "conflict", ctx
    if not check.ok:
        return "invalid", _form_context(site, slug, read, base, check)
    if not saving.save(read.path, base, text):
        return "retry", None
    return "saved", None


@router.post("/units/{slug}/save")
async def save(request: Request, slug: str):
    site = site_of(request)
    site.unit_access(request, slug)
    form = await site.form_of(request)
    for _ in range(3):
        outcome, ctx = await run_in_threadpool(_attempt, site, slug, form)
        if outcome != "retry":  # the file changed between reading and writing: again
            break
    if outcome == "broken":
        return _broken(site, request, slug, *ctx)
    if outcome == "saved":
        return RedirectResponse(f"/units/{slug}?saved=1", status_code=303)
    if outcome == "retry":
        raise Refused(409, "Hồ sơ đang được lưu liên tục từ nơi khác; hãy thử lại.")
    if outcome == "conflict":
        return _unit_page(site, request, ctx, 409)
    return _unit_page(site, request, ctx, 422, failed=True)
