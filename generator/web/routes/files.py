"""Downloads: the files of a unit's saved profile (the whole plan, each appendix, the
tracker) and, with LibreOffice, a PDF of each DOCX. A file is found by name among the
files rendered for the unit, never by a path. A download that cannot be made answers with
a Vietnamese page, or JSON to the page's own script, which shows it beside the link."""

from __future__ import annotations

import hashlib
from types import MappingProxyType

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from generator.core.errors import UserError
from generator.render import pdf
from generator.web.errors import Refused
from generator.web.limits import Busy
from generator.web.site import Site, site_of

router = APIRouter()

MEDIA = MappingProxyType(
    {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "pdf": "application/pdf",
    }
)


def _pdf(site: Site, name: str, docx: str, data: bytes) -> bytes:
    """The PDF of one DOCX, made once (at most a few LibreOffice runs at a time)."""
    if pdf.soffice() is None:
        raise Refused(404, "Máy chủ chưa cài LibreOffice nên không xuất được PDF.")

    def convert() -> bytes:
        try:
            with site.bounds.pdf_slots.hold():
                return pdf.to_pdf([(docx, data)])[0]
        except Busy:
            raise Refused(
                503,
                "Máy chủ đang chuyển nhiều tệp khác sang PDF; hãy thử lại sau ít phút, hoặc "
                "tải bản .docx.",
            ) from None

    try:
        return site.data.pdf(("pdf", name, hashlib.sha256(data).hexdigest()), convert)
    except UserError as exc:
        raise Refused(500, f"Không chuyển được sang PDF: {exc.message}") from None


def _not_yet(problem: str) -> Refused:
    return Refused(
        409,
        "Hồ sơ đã lưu còn lỗi nên chưa tải được tệp; mở trang đơn vị để xem lỗi. "
        f"({problem.splitlines()[0]})",
    )


def _file(site: Site, slug: str, name: str) -> bytes:
    ws, stamp = site.data.workspace()
    site.unit_path(ws, slug)
    problems = site.data.problems(ws, stamp, slug)  # the whole check, as the page shows
    if problems:
        raise _not_yet(problems[0])
    try:
        files = dict(site.data.files(ws, stamp, slug))
    except UserError as exc:
        raise _not_yet(exc.problems[0].message) from None
    if name in files:
        return files[name]
    docx = name.removesuffix(".pdf") + ".docx"
    if name.endswith(".pdf") and docx in files:
        return _pdf(site, name, docx, files[docx])
    raise Refused(404, f'Đơn vị "{slug}" không có tệp "{name[:100]}".')


@router.get("/units/{slug}/files/{name}")
async def download(request: Request, slug: str, name: str):
    site = site_of(request)
    site.unit_access(request, slug)
    data = await run_in_threadpool(_file, site, slug, name)
    ext = name.rsplit(".", 1)[-1]
    return Response(
        data,
        media_type=MEDIA.get(ext, "application/octet-stream"),
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
