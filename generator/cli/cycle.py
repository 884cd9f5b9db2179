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
    trackers: Annotated[
        list[Path],
        typer.Argument(
            metavar="TỆP.xlsx", help="Các tệp Excel theo dõi đã cập nhật (một hoặc nhiều)"
        ),
    ],
    date: Annotated[
        str | None,
        typer.Option("--date", metavar="YYYY-MM-DD", help="Ngày báo cáo (mặc định: hôm nay)"),
    ] = None,
) -> None:
    """Tổng hợp tệp theo dõi: số nhiệm vụ theo trạng thái, nhiệm vụ chậm (mã thoát 1 nếu có
    nhiệm vụ chậm, 2 nếu có tệp không đọc được)."""
    import datetime as dt

    from generator.readback.status import format_report, format_total, read_status

    today = None
    if date is not None:
        try:
            today = dt.date.fromisoformat(date)
        except ValueError:
            raise UserError(f'--date "{date}" phải có dạng YYYY-MM-DD') from None
    reports = []
    failed = 0
    for path in trackers:
        try:
            report = read_status(path, today)
        except UserError as exc:  # said, and the other files are still read
            if settings().debug:
                raise
            typer.echo(str(exc), err=True)
            failed += 1
            continue
        if reports:
            typer.echo("")
        typer.echo(format_report(report))
        reports.append(report)
    if len(trackers) > 1:
        typer.echo("")
        typer.echo(format_total(reports, failed))
    if failed:
        raise typer.Exit(2)
    if any(r.late for r in reports):
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
