"""A filled tracker sent back: the `plangen status` summary of it, and the tracker stored
in the progress history (cycle/submit.py, as `plangen submit`): who sent it, when, its hash,
every task's status, date done and notes. A tracker older than the unit's newest submission
is not stored: the page shows the differences and a form to send it again with "Ghi nhận dù
cũ hơn" ticked.

The upload is checked by its content, not its name: at most `MAX_UPLOAD` bytes, then the
one safe-package check of the core (core.package.Package: parts, unpacked sizes, ratios,
encryption, XML elements, every part read once so a damaged one is found), then it must
hold a workbook. Only then is it read, one at a time, from a temporary file of the
server's own naming. Every message is Vietnamese; no exception's name reaches the page.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from generator.core.errors import UserError, Where
from generator.core.files import MB
from generator.core.package import Limits, Package
from generator.core.text import capitalize_first
from generator.web.errors import Refused
from generator.web.limits import Busy
from generator.web.site import Site, site_of

router = APIRouter()

MAX_UPLOAD = 5 * MB  # a filled tracker is a few hundred KB
# Its zip, checked before it is read (a few hundred KB unpack to a few MB).
TRACKER = Limits(parts=1000, unpacked=10 * MB, part=5 * MB, ratio=100, ratio_from=MB // 4)
WORKBOOK = ("[Content_Types].xml", "xl/workbook.xml")

# What a reader's message must not show: a Python exception's name and its English text.
_PYTHON = re.compile(r"\s*\(?\b(?:[A-Z][A-Za-z]*(?:Error|Exception)|BadZipFile)\b")
DAMAGED = "hãy mở tệp bằng Excel, lưu lại dạng .xlsx rồi gửi lại"


def display_name(name: str) -> str:
    name = Path(name.replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ]", "_", name)[:80]
    return name or "theo-doi.xlsx"


def vietnamese(message: str) -> str:
    """A reader's message as the page says it: a sentence, without the name and English
    text of an exception (a reader that quotes one says only what it could not do)."""
    m = _PYTHON.search(message)
    if m is not None:
        message = message[: m.start()].rstrip(" :;,(") + f": {DAMAGED}"
    return capitalize_first(message).rstrip(".") + "."


def check_package(data: bytes) -> None:
    """Refused (400) unless `data` is a workbook safe to read."""
    try:
        with Package(data, Where(), "tệp theo dõi", TRACKER) as package:
            package.parts()  # every part read once: a damaged one is said here
            missing = [n for n in WORKBOOK if n not in package.names]
    except UserError as exc:
        raise Refused(400, vietnamese(exc.message)) from None
    if missing:
        raise Refused(400, f"Tệp theo dõi không phải sổ tính Excel (.xlsx): thiếu {missing[-1]}.")


def _report(site: Site, data: bytes, display: str, slug: str = "", who: str = "", force=False):
    from generator.readback import status as reader  # openpyxl, only for an upload

    stored = None
    try:
        with site.bounds.status_slots.hold():
            check_package(data)
            with tempfile.TemporaryDirectory(prefix="plangen-web-") as tmp:
                path = Path(tmp) / "theo-doi.xlsx"
                path.write_bytes(data)
                try:
                    report = reader.read_status(path)
                except UserError as exc:
                    raise Refused(400, vietnamese(exc.message)) from None
                if slug:
                    stored = _store(site, path, slug, who, force, display)
    except Busy:
        raise Refused(
            503, "Máy chủ đang đọc tệp theo dõi của đơn vị khác; hãy gửi lại sau ít phút."
        ) from None
    report.path = Path(display)
    return report, reader.format_report(report), stored


def _store(site: Site, path: Path, slug: str, who: str, force: bool, display: str) -> dict:
    """The tracker stored in the history: what happened, for the page."""
    from generator.cycle.submit import OlderTracker, submit
    from generator.web.routes.rollup import history_db

    try:
        ws, _ = site.data.workspace()
        outcome = submit(
            history_db(site), ws, slug, path, who=who, source="web", force=force,
            file_name=display,
        )  # fmt: skip
    except OlderTracker as exc:
        message = exc.message.split(". Chưa ghi gì")[0]
        return {"refused": vietnamese(message), "changes": exc.changes}
    except UserError as exc:
        return {"error": vietnamese(exc.message)}
    return {"outcome": outcome}


@router.post("/units/{slug}/status")
async def status(request: Request, slug: str):
    site = site_of(request)
    viewer = site.unit_access(request, slug)
    form = await site.form_of(request, max_files=1)
    force = form.get("force") == "1"
    try:
        upload = form.get("tracker")
        if upload is None or not hasattr(upload, "read"):
            raise Refused(400, "Chưa chọn tệp theo dõi (.xlsx) để tải lên.")
        data = await upload.read(MAX_UPLOAD + 1)
    finally:
        await form.close()
    if len(data) > MAX_UPLOAD:
        raise Refused(413, "Tệp theo dõi quá lớn (tối đa 5 MB).")
    display = display_name(getattr(upload, "filename", "") or "theo-doi.xlsx")
    who = viewer.name or "(trên máy chủ, không có tài khoản)"
    report, text, stored = await run_in_threadpool(_report, site, data, display, slug, who, force)
    return site.page(
        request,
        "submitted.html",
        title="Tình hình thực hiện",
        slug=slug,
        file_name=display,
        report=report,
        text=text,
        stored=stored,
    )
