"""After the plan: the tracker's status, and the web page (serve)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from generator.cli.base import app, settings, user_errors
from generator.core.errors import UserError


@app.command()
@user_errors
def status(
    tracker: Annotated[Path, typer.Argument(help="Tệp Excel theo dõi đã cập nhật")],
    date: Annotated[
        str | None,
        typer.Option("--date", metavar="YYYY-MM-DD", help="Ngày báo cáo (mặc định: hôm nay)"),
    ] = None,
) -> None:
    """Tổng hợp tệp theo dõi: số nhiệm vụ theo trạng thái, nhiệm vụ chậm (mã thoát 1 nếu có)."""
    import datetime as dt

    from generator.readback.status import format_report, read_status

    today = None
    if date is not None:
        try:
            today = dt.date.fromisoformat(date)
        except ValueError:
            raise UserError(f'--date "{date}" phải có dạng YYYY-MM-DD') from None
    report = read_status(tracker, today)
    typer.echo(format_report(report))
    if report.late:
        raise typer.Exit(1)


@app.command()
@user_errors
def serve(
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Cổng")] = 8000,
    users: Annotated[
        Path | None,
        typer.Option("--users", help="Tệp tài khoản (mật khẩu đã băm); bỏ trống: chỉ máy này"),
    ] = None,
) -> None:
    """Mở trang web để văn thư từng đơn vị điền hồ sơ, xem trước và tải kế hoạch."""
    from generator.web import serve as run_server

    s = settings()
    run_server(host=host, port=port, data=s.data, units_dirs=s.units_dirs, users=users)
