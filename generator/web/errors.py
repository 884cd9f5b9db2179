"""Every refusal and failure as a page in Vietnamese (or, to the page's own script, JSON):
a bug is one line in the server's log with its traceback, never shown to the browser."""

from __future__ import annotations

import logging
from types import MappingProxyType
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect

log = logging.getLogger("plangen.web")

STATUS_TEXT = MappingProxyType(
    {
        400: "Yêu cầu không hợp lệ.",
        401: "Hãy đăng nhập.",
        403: "Bạn không có quyền xem trang này.",
        404: "Không tìm thấy trang này.",
        405: "Thao tác này không được phép ở địa chỉ này.",
        408: "Dữ liệu gửi lên quá chậm.",
        409: "Chưa làm được việc này lúc này.",
        413: "Dữ liệu gửi lên quá lớn.",
        422: "Thông tin chưa hợp lệ.",
        429: "Quá nhiều lần thử, hãy đợi ít phút.",
        500: "Máy chủ gặp lỗi khi xử lý yêu cầu.",
        503: "Máy chủ đang bận, hãy thử lại sau ít phút.",
    }
)
BUG = (
    "Máy chủ gặp lỗi khi xử lý yêu cầu. Đây là lỗi của chương trình, không phải của dữ liệu; "
    "hãy báo cho người quản trị (chi tiết đã được ghi vào nhật ký máy chủ)."
)


class Refused(Exception):
    """An error page with a Vietnamese message and an HTTP status."""

    def __init__(self, status: int, message: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message or STATUS_TEXT.get(status, "Có lỗi xảy ra.")
        self.headers = {"retry-after": "30"} if status == 503 else None


class LoginNeeded(Exception):
    """No one is signed in: a page asked for is sent to the sign-in form."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


def wants_json(request: Request) -> bool:
    """The page's own script asks with "Accept: application/json" (a preview, a download):
    it gets the message as JSON, to show it where the clerk is looking."""
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def refusal(request: Request, status: int, message: str, headers=None) -> Response:
    if wants_json(request):
        return JSONResponse({"message": message}, status_code=status, headers=headers)
    html = request.app.state.site.error_html(status, message)[1]
    return HTMLResponse(html, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """The handlers of every exception a route may end with."""

    @app.exception_handler(LoginNeeded)
    async def _login_needed(request: Request, exc: LoginNeeded):
        if request.method == "GET" and not wants_json(request):
            return RedirectResponse(f"/login?next={quote(exc.path)}", status_code=303)
        return refusal(request, 401, "Phiên đăng nhập đã hết; hãy tải lại trang và đăng nhập.")

    @app.exception_handler(Refused)
    async def _refused(request: Request, exc: Refused):
        return refusal(request, exc.status, exc.message, exc.headers)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException):
        message = STATUS_TEXT.get(exc.status_code, "Có lỗi xảy ra.")
        return refusal(request, exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(ClientDisconnect)
    async def _gone(request: Request, exc: ClientDisconnect):
        client = request.client.host if request.client else "?"
        log.info("%s %s: máy khách ngắt kết nối giữa chừng", client, request.url.path)
        return Response(status_code=400)  # nobody is left to read it

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return refusal(request, 400, STATUS_TEXT[400])

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception):
        log.exception("lỗi nội bộ khi xử lý %s", request.url.path)
        return refusal(request, 500, BUG)
