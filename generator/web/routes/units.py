"""The units list: every unit the account may see, its plan and 15-day deadline, and
whether its saved profile passes the whole check (a unit that fails is marked, never
"Trong hạn")."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool

from generator.web import views
from generator.web.checking import no_paths
from generator.web.site import site_of

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def units_page(request: Request):
    site = site_of(request)
    viewer = site.viewer_of(request)

    def build():
        ws, stamp = site.data.workspace()
        rows = views.unit_rows(ws, viewer.may_see, lambda slug: site.data.problems(ws, stamp, slug))
        # the shared data's problems name other units' files: administrators only
        shared = [no_paths(str(p), ws.root) for p in ws.problems][:20] if viewer.admin else []
        return rows, shared

    rows, shared = await run_in_threadpool(build)
    return site.page(
        request, "units.html", title="Các đơn vị", rows=rows, shared=shared, viewer=viewer
    )
