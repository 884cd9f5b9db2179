"""A new unit (administrators): a minimal profile from a kind, written by the same code as
``plangen new-unit`` (flow.scaffold.write_unit). Fields too long to be a unit, and a date
in no form the page takes, are said under their field before anything is written."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from generator.core.errors import UserError
from generator.core.text import slugify
from generator.flow.scaffold import split_level, units_folder, write_unit
from generator.web import profiles
from generator.web.site import Site, site_of

router = APIRouter()

MAX_NAME = 200  # characters of a new unit's name
MAX_SLUG = 64  # characters of its unit id (the profile's file name)
FIELDS = ("name", "kind", "province", "plan_number", "plan_date", "plan_symbol", "slug")


def problems(fields: dict[str, str]) -> dict[str, str]:
    """The new-unit form's fields that cannot make a unit (too long for a name, a unit id,
    a file name; a date in no known form), said by field before anything is written."""
    errors: dict[str, str] = {}
    name = fields.get("name", "")
    if len(name) > MAX_NAME:
        errors["name"] = f"tên đơn vị quá dài ({len(name)} ký tự; tối đa {MAX_NAME})"
    for key in ("plan_number", "plan_date", "plan_symbol"):
        if len(fields.get(key, "")) > profiles.MAX_TEXT:
            errors[key] = f"quá dài (tối đa {profiles.MAX_TEXT} ký tự)"
    if "plan_date" not in errors and (why := profiles.date_problem(fields["plan_date"])):
        errors["plan_date"] = why
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


def provinces(ws) -> list[tuple[str, str]]:
    """(id, name) of every province the data folder has a plan of."""
    return sorted({(e.province_id, e.province) for e in ws.editions.values()})


def _page(site: Site, request: Request, ws, form, error="", errors=None, status=200):
    return site.page(
        request,
        "new.html",
        status=status,
        title="Thêm đơn vị",
        kinds=site.kinds(ws),
        provinces=provinces(ws),
        form=form,
        error=error,
        errors=errors or {},
        date_help=profiles.DATE_HELP,
    )


@router.get("/new", response_class=HTMLResponse)
async def new_form(request: Request):
    site = site_of(request)
    site.admin_of(request)
    ws, _ = await run_in_threadpool(site.data.workspace)
    return _page(site, request, ws, {})


@router.post("/new")
async def new_unit(request: Request):
    site = site_of(request)
    site.admin_of(request)
    form = await site.form_of(request)
    fields = {k: " ".join(str(form.get(k) or "").split()) for k in FIELDS}
    errors = problems(fields)

    def build():
        ws, _ = site.data.workspace()
        if errors:
            return None, ws, "Thông tin chưa hợp lệ; xem dòng đỏ dưới từng ô."
        folder, _why = units_folder(ws, list(site.data.units_dirs))
        try:
            path = write_unit(
                ws,
                folder,
                fields["name"],
                fields["kind"],
                fields["plan_number"] or None,
                profiles.date_text(fields["plan_date"]) or None,
                fields["plan_symbol"] or None,
                fields["slug"] or None,
                fields["province"] or None,
            )
        except UserError as exc:
            return None, ws, exc.message
        return path.stem, ws, ""

    slug, ws, error = await run_in_threadpool(build)
    if slug is None:
        return _page(site, request, ws, fields, error, errors, 422)
    return RedirectResponse(f"/units/{slug}?created=1", status_code=303)
