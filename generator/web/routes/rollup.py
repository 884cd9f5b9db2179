"""The province's roll-up for Sở Nội vụ (administrators only; a unit's clerk gets 403): the
units' plans against the 15-day deadline, their progress from the newest submitted
trackers, the late tasks and where, two charts drawn by the server as inline SVG, and the
consolidated workbook and the province's report to download. Also the database a server
keeps its progress history in (`history_db`), for the tracker upload and the unit page.

GET /rollup?period=2026-Q3[&date=YYYY-MM-DD]   the page (no period: figures to today)
GET /rollup/files/<name>?period=…              the workbook (.xlsx) or the report (.docx)
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from generator.core.dates import short
from generator.core.errors import UserError
from generator.cycle.db import Database, database_url, open_database
from generator.cycle.periods import Period, current_period, parse_period
from generator.web.errors import Refused
from generator.web.site import Site, site_of

router = APIRouter()

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORBIDDEN = "Chỉ tài khoản quản trị (Sở Nội vụ) được xem trang tổng hợp của tỉnh."


def history_db(site: Site) -> Database:
    """The server's progress history: $PLANGEN_DB, or plangen.db in its data folder."""
    return open_database(database_url(None, site.data.root))


def _admin(site: Site, request: Request) -> None:
    viewer = site.viewer_of(request)
    if not viewer.admin:
        raise Refused(403, FORBIDDEN)


def _choices(today: dt.date) -> list[tuple[str, str]]:
    """(code, label) of the periods offered: this year's and last year's."""
    out = []
    for year in (today.year, today.year - 1):
        periods = [Period(year, "quarter", q) for q in range(1, 5)]
        periods += [Period(year, "half", 1), Period(year, "nine"), Period(year, "half", 2)]
        periods.append(Period(year, "year"))
        out += [(p.code, p.label) for p in periods if p.start <= today]
    return out


def _query(request: Request) -> tuple[Period | None, dt.date]:
    raw_period = (request.query_params.get("period") or "").strip()
    raw_date = (request.query_params.get("date") or "").strip()
    try:
        today = dt.date.fromisoformat(raw_date) if raw_date else dt.date.today()
        period = parse_period(raw_period) if raw_period else None
    except UserError as exc:
        raise Refused(400, exc.message[:1].upper() + exc.message[1:] + ".") from None
    except ValueError:
        raise Refused(400, "Ngày phải có dạng YYYY-MM-DD.") from None
    return period, today


def _build(site: Site, request: Request, period: Period | None, today: dt.date):
    from generator.cycle.rollup import build_rollup

    ws, _ = site.data.workspace()
    province = (request.query_params.get("province") or "").strip()[:64] or None
    try:
        return ws, build_rollup(ws, history_db(site), period, today, None, province)
    except UserError as exc:
        raise Refused(409, exc.message[:1].upper() + exc.message[1:] + ".") from None


@router.get("/rollup", response_class=HTMLResponse)
async def rollup_page(request: Request):
    site = site_of(request)
    _admin(site, request)
    period, today = _query(request)

    def build():
        from generator.cycle import charts
        from generator.cycle.rollup import late_by_unit, rollup_file_names
        from generator.cycle.rollupxlsx import SHORT, issue_state

        ws, summary = _build(site, request, period, today)
        names = {u.slug: u.name for u in summary.units}
        late_tasks = [
            (t, [names.get(s, s) for s in summary.late_units[t.key]])
            for t in summary.tasks
            if summary.late_units.get(t.key)
        ]
        late_tasks.sort(key=lambda x: -len(x[1]))
        xlsx, docx = rollup_file_names(summary)
        return {
            "summary": summary,
            "totals": summary.totals(),
            "issue_state": issue_state,
            "short": short,
            "labels": SHORT,
            "late_tasks": late_tasks,
            "late_units": late_by_unit(summary),
            "area_chart": Markup(charts.area_chart(summary)),
            "late_chart": Markup(charts.late_chart(summary)),
            "xlsx": xlsx,
            "docx": docx if summary.province else "",
        }

    ctx = await run_in_threadpool(build)
    code = period.code if period else ""
    return site.page(
        request,
        "rollup.html",
        title="Tổng hợp của tỉnh",
        period=period,
        period_code=code,
        query=f"?period={code}" if code else "",
        choices=_choices(today),
        current=current_period(today).code,
        **ctx,
    )


@router.get("/rollup/files/{name}")
async def rollup_file(request: Request, name: str):
    site = site_of(request)
    _admin(site, request)
    period, today = _query(request)

    def make() -> tuple[bytes, str]:
        from generator.cycle.document import report_docx
        from generator.cycle.rollup import rollup_file_names
        from generator.cycle.rollupdoc import province_report
        from generator.cycle.rollupxlsx import rollup_xlsx

        ws, summary = _build(site, request, period, today)
        xlsx, docx = rollup_file_names(summary)
        if name == xlsx:
            return rollup_xlsx(summary), XLSX
        if name == docx and summary.province is not None:
            try:
                body, table, addressee = province_report(ws, summary)
            except UserError as exc:
                raise Refused(409, exc.message) from None
            return report_docx(ws, body, table, addressee), DOCX
        raise Refused(404, f'Không có tệp "{name[:80]}" cho kỳ này.')

    data, media = await run_in_threadpool(make)
    return Response(
        data,
        media_type=media,
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
