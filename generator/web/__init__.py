"""`plangen serve`: a web page where each unit's clerk fills its profile, previews and
downloads its plan. Another front end beside the CLI over the same load/validate/resolve/
render functions; the YAML files stay the source of truth. See docs/serve.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

from generator.core.errors import UserError

__all__ = ["create_app", "serve"]

# uvicorn: connections served at once (beyond: 503) and seconds an idle keep-alive
# connection is kept. Slow clients are best left to a buffering reverse proxy (nginx).
LIMIT_CONCURRENCY = 100
TIMEOUT_KEEP_ALIVE = 5


def create_app(
    data: Path | None = None,
    units_dirs: list[Path] | None = None,
    users: Path | None = None,
    secret: bytes | None = None,
    hosts: list[str] | None = None,
):
    """The FastAPI application (imported lazily: the CLI does not pay for it)."""
    from generator.web.app import create_app as make

    return make(data, units_dirs, users, secret, hosts)


def start_warnings(host: str, users: Path | None, hosts: list[str]) -> list[str]:
    """What `serve` says on standard error before it starts, in Vietnamese."""
    from generator.web.security import is_loopback

    out = []
    if users is not None and not is_loopback(host):
        out.append(
            f"CẢNH BÁO: máy chủ mở trên {host} bằng HTTP thường, không mã hóa: mật khẩu và "
            "phiên đăng nhập đi qua mạng ai cũng đọc được. plangen serve không tự có TLS: "
            "hãy chạy với --host 127.0.0.1 sau một reverse proxy (nginx) giữ chứng chỉ TLS "
            "(HTTPS); xem docs/serve.md."
        )
    if users is not None and not hosts:
        out.append(
            "Lưu ý: chưa đặt PLANGEN_HOSTS nên máy chủ chỉ trả lời các yêu cầu gửi tới "
            "localhost, 127.0.0.1 hoặc ::1. Đặt tên miền của máy chủ, ví dụ "
            "PLANGEN_HOSTS=kehoach.example.gov.vn, trong môi trường của dịch vụ."
        )
    return out


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
    from generator.web.security import is_loopback

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
    from generator.web.app import env_hosts

    hosts = env_hosts()
    if users is not None and not is_loopback(host) and host not in ("0.0.0.0", "::"):
        hosts = [*hosts, host.strip("[]").lower()]  # the address it listens on, asked by IP
    app = create_app(data, list(units_dirs or []), users, hosts=hosts)

    import uvicorn

    for warning in start_warnings(host, users, env_hosts()):
        print(warning, file=sys.stderr, flush=True)
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
        limit_concurrency=LIMIT_CONCURRENCY,
        timeout_keep_alive=TIMEOUT_KEEP_ALIVE,
    )
