"""`plangen serve`: a web page where each unit's clerk fills its profile, previews and
downloads its plan. Another front end beside the CLI over the same load/validate/resolve/
render functions; the YAML files stay the source of truth. See docs/serve.md.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import UserError

__all__ = ["create_app", "serve"]


def create_app(
    data: Path | None = None,
    units_dirs: list[Path] | None = None,
    users: Path | None = None,
    secret: bytes | None = None,
):
    """The FastAPI application (imported lazily: the CLI does not pay for it)."""
    from .app import create_app as make

    return make(data, units_dirs, users, secret)


def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    data: Path | None = None,
    units_dirs: list[Path] | None = None,
    users: Path | None = None,
) -> None:
    """Run the server with uvicorn until interrupted.

    Without a users file every page is open, so the server only listens on this computer:
    another host is refused with a clear message.
    """
    from .security import is_loopback

    if users is None and not is_loopback(host):
        raise UserError(
            f'không mở máy chủ trên "{host}" khi không có tệp tài khoản: ai vào được mạng cũng '
            "sửa được mọi hồ sơ. Dùng --host 127.0.0.1 (chỉ máy này), hoặc tạo tệp tài khoản "
            "(python -m generator.web.users add TỆP TÊN --unit MÃ-ĐƠN-VỊ) rồi chạy với --users TỆP"
        )
    if users is not None and not Path(users).is_file():
        raise UserError(
            "không có tệp tài khoản này; tạo bằng: python -m generator.web.users add "
            f"{users} TÊN --admin"
        )
    if not 0 < port < 65536:
        raise UserError(f"cổng {port} không hợp lệ (1-65535)")
    app = create_app(data, list(units_dirs or []), users)

    import uvicorn

    shown = f"[{host}]" if ":" in host else host
    print(f"plangen serve: mở http://{shown}:{port}/ (Ctrl+C để dừng)", flush=True)
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level="info",
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
        date_header=False,
    )
