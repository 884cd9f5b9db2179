"""`plangen --unit X` and `plangen --all`: the main job, the whole flow for units."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from generator.cli.base import Settings, app, note, user_errors, workspace
from generator.core.errors import UserError


@app.callback(invoke_without_command=True)
@user_errors
def main_command(
    ctx: typer.Context,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", "-u", metavar="MÃ", help="Mã đơn vị, ví dụ dinh-lap (xem: plangen units)"
        ),
    ] = None,
    all_units: Annotated[bool, typer.Option("--all", help="Mọi đơn vị, song song")] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            metavar="THƯ-MỤC",
            help="Thư mục kết quả (mặc định ./out/<đơn vị>; với --all: ./out)",
        ),
    ] = None,
    appendix: Annotated[
        list[str] | None,
        typer.Option(
            "--appendix",
            "-a",
            metavar="I|II|CATALOG",
            help="Chỉ phụ lục này: I, II hoặc mã catalog; lặp lại được",
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            "-y",
            metavar="NĂM",
            help="Kế hoạch của năm này (mặc định: năm mới nhất đơn vị có kế hoạch)",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp đã có")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Xuất thêm PDF (cần LibreOffice)")] = False,
    tracker: Annotated[
        bool, typer.Option("--tracker/--no-tracker", help="Ghi kèm tệp Excel theo dõi tiến độ")
    ] = True,
    tracker_paper: Annotated[
        str,
        typer.Option(
            "--tracker-paper",
            metavar="auto|A4|A3",
            help="Khổ giấy in tệp theo dõi (auto: A3 khi theo dõi quá 6 tháng)",
        ),
    ] = "auto",
    numbered_columns: Annotated[
        bool, typer.Option("--numbered-columns", help="Thêm dòng (1) (2) … dưới tiêu đề bảng")
    ] = False,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", metavar="THƯ-MỤC", help="Thư mục dữ liệu chứa catalogs/ và templates/"
        ),
    ] = None,
    units_dir: Annotated[
        list[Path] | None,
        typer.Option(
            "--units-dir", metavar="THƯ-MỤC", help="Thư mục hồ sơ đơn vị thêm vào; lặp lại được"
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Hiện traceback khi có lỗi")] = False,
) -> None:
    ctx.obj = Settings(debug=debug, data=data, units_dirs=list(units_dir or []))
    if ctx.invoked_subcommand is not None:
        return
    if unit is None and not all_units:
        typer.echo(ctx.get_help())
        return
    from generator.core.text import check_slug
    from generator.flow.generate import Options

    if unit is not None and all_units:
        raise UserError("dùng --unit cho một đơn vị hoặc --all cho mọi đơn vị, không dùng cả hai")
    if unit is not None:
        check_slug(unit)
    ws = workspace()
    default_out = Path("out") if all_units else Path("out") / unit
    if tracker_paper not in ("auto", "A4", "A3"):
        raise UserError(f'--tracker-paper "{tracker_paper}" không hợp lệ: dùng auto, A4 hoặc A3')
    options = Options(
        out or default_out, force, pdf, numbered_columns, tracker, tracker_paper, year
    )
    if all_units:
        _render_all(ws, options, appendix)
        return
    from generator.flow.generate import generate
    from generator.resolve.deadlines import bound_deadline
    from generator.resolve.scope import bind

    warnings: list[UserError] = []
    for path in generate(ws, unit, options, appendix, warnings):
        typer.echo(str(path))
    for warning in warnings:
        note(str(warning))
    bound = bind(ws, unit, year)
    edition = bound.scope.edition
    said = f"{unit}: kế hoạch năm {edition.year} theo kế hoạch của tỉnh {edition.province}"
    note(f"{said} (edition {edition.id})")
    due = bound_deadline(bound)
    if due:
        note(f"{unit}: {due.describe()}")


def _render_all(ws, options, appendix) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from generator.cli.listing import print_table
    from generator.flow.batch import STOPPED, Stopped, run_all

    slugs = sorted(ws.unit_files)
    console = Console(stderr=True)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as bar:
        job = bar.add_task("Đang lập phụ lục", total=len(slugs))
        try:
            results = run_all(ws, slugs, options, appendix, on_done=lambda r: bar.advance(job))
            stopped = False
        except Stopped as exc:
            results, stopped = exc.results, True
    rows = []
    for r in results:
        if r.error:
            rows.append([r.slug, "LỖI", r.error.replace("\n", " | ")])
            continue
        rows.append([r.slug, f"{len(r.paths)} tệp", r.deadline])
    print_table(f"Kết quả: {options.out_dir}", ["Đơn vị", "Kết quả", "Ghi chú"], rows)
    for r in results:
        for warning in r.warnings:
            note(warning)
    if stopped:
        left = [r.slug for r in results if r.error == STOPPED]
        note(
            f"Đã dừng (Ctrl-C): {len(results) - len(left)}/{len(results)} đơn vị đã xong, "
            f"{len(left)} đơn vị chưa lập"
        )
        raise typer.Exit(130)
    failed = [r.slug for r in results if r.error]
    if failed:
        note(f"{len(failed)}/{len(results)} đơn vị lỗi: {', '.join(failed)}")
        raise typer.Exit(70 if any(r.internal for r in results) else 2)
