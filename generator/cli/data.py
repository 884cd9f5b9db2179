"""The commands that check and write the data folder: validate, new-unit, schema, import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from generator.cli.base import app, note, settings, user_errors, workspace
from generator.core.errors import UserError, Where


@app.command()
@user_errors
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Tệp cần kiểm tra (mặc định: mọi tệp)")
    ] = None,
) -> None:
    """Kiểm tra mọi catalog, loại đơn vị và hồ sơ đơn vị; báo tất cả lỗi, mỗi lỗi một dòng."""
    from generator.check.workspace import validate as run_checks
    from generator.model.workspace import open_workspace, with_file

    s = settings()
    ws = open_workspace(s.data, s.units_dirs)
    wanted = set()
    for path in paths or []:
        if not path.is_file():
            raise UserError("không có tệp này", Where(path))
        wanted.add(path.resolve())
        ws = with_file(ws, path)  # a file kept elsewhere: recognised by its content
    warnings: list[UserError] = []
    problems = run_checks(ws, warnings=warnings)
    if wanted:  # only what is said of the files named
        problems = [p for p in problems if p.where.path and p.where.path.resolve() in wanted]
        warnings = [w for w in warnings if w.where.path and w.where.path.resolve() in wanted]
    for problem in problems + warnings:
        typer.echo(str(problem), err=True)
    if problems:
        raise typer.Exit(2)
    counts = f"{len(ws.catalogs)} catalog, {len(ws.kinds)} loại đơn vị"
    typer.echo(f"Hợp lệ: {counts}, {len(ws.unit_files)} đơn vị.")


@app.command("new-unit")
@user_errors
def new_unit(
    name: Annotated[str, typer.Argument(help='Tên đơn vị, ví dụ "Xã Lộc Bình", "Sở Y tế"')],
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            "-k",
            help="Loại đơn vị: province, department, commune, ward, … (plangen kinds)",
        ),
    ],
    plan_number: Annotated[
        str | None, typer.Option("--plan-number", help="Số kế hoạch (bỏ trống để văn thư điền)")
    ] = None,
    plan_date: Annotated[
        str | None, typer.Option("--plan-date", help="YYYY-MM-DD, hoặc YYYY-MM khi chưa có ngày")
    ] = None,
    plan_symbol: Annotated[
        str | None,
        typer.Option("--plan-symbol", help="Ký hiệu kế hoạch, ví dụ KH-SYT (mặc định theo loại)"),
    ] = None,
    slug: Annotated[str | None, typer.Option("--slug", help="Mã đơn vị (mặc định: từ tên)")] = None,
    province: Annotated[
        str | None,
        typer.Option(
            "--province",
            help='Mã tỉnh của đơn vị, ví dụ "lang-son" (mặc định: tỉnh duy nhất của dữ liệu)',
        ),
    ] = None,
    edition: Annotated[
        str | None,
        typer.Option(
            "--edition", help='Kế hoạch của tỉnh mà đơn vị thực hiện, ví dụ "lai-chau-2026"'
        ),
    ] = None,
) -> None:
    """Tạo hồ sơ tối thiểu cho một đơn vị mới (không ghi đè hồ sơ đã có)."""
    from generator.flow.scaffold import units_folder, write_unit

    s = settings()
    ws = workspace()
    target, why = units_folder(ws, s.units_dirs)
    path = write_unit(
        ws, target, name, kind, plan_number, plan_date, plan_symbol, slug, province, edition
    )
    typer.echo(str(Where(path)))
    options = ""
    if s.data:
        options += f" --data {s.data}"
    if s.units_dirs or why != "catalogs":
        options += f" --units-dir {target}"
    note(
        f"Đã tạo hồ sơ trong {Where(target)} ({why}). Kiểm tra: plangen{options} validate; "
        f"lập kế hoạch: plangen{options} --unit {path.stem}"
    )


@app.command()
@user_errors
def schema(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Thư mục ghi (mặc định: schemas/ của dữ liệu)"),
    ] = None,
) -> None:
    """Ghi JSON Schema của catalog, vai trò, loại đơn vị và hồ sơ đơn vị (cho trình soạn thảo)."""
    from generator.flow.schema import write_schemas
    from generator.model.workspace import data_root

    for path in write_schemas(out or data_root(settings().data) / "schemas"):
        typer.echo(str(path))


@app.command("import")
@user_errors
def import_command(
    sources: Annotated[
        list[Path],
        typer.Argument(help="Các tệp DOCX đã ban hành: Kế hoạch của tỉnh và/hoặc các phụ lục"),
    ],
    edition: Annotated[
        str | None,
        typer.Option(
            "--edition",
            "-e",
            help="Kế hoạch của tỉnh theo năm, ví dụ lai-chau-2026 (mặc định: "
            "theo tỉnh và năm của tài liệu)",
        ),
    ] = None,
    unit: Annotated[
        str | None,
        typer.Option(
            "--unit", "-u", help="Đơn vị ban hành tài liệu, để nhận ra cơ quan (mặc định: tỉnh)"
        ),
    ] = None,
    catalog_id: Annotated[
        str | None, typer.Option("--id", help="Mã catalog khi nhập một phụ lục, ví dụ sipas-2027")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Ghi catalog của một phụ lục ra tệp khác (ngoài edition)"),
    ] = None,
    apply: Annotated[
        bool,
        typer.Option(
            "--apply", help="Tạo hoặc cập nhật hồ sơ của tỉnh (catalogs/units/<tỉnh>.yaml)"
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp đã có")] = False,
) -> None:
    """Nhập Kế hoạch và các phụ lục DOCX của tỉnh thành một edition (thân kế hoạch, catalog)."""
    from generator.readback.importer import Request, import_documents

    s = settings()
    ws = workspace()
    request = Request(
        sources, edition, unit, catalog_id, out, apply, force,
        units_dir=s.units_dirs[0] if s.units_dirs else None,
    )  # fmt: skip
    report = import_documents(ws, request)
    for line in report.lines():
        note(line)
    for path in report.written:
        typer.echo(str(Where(path)))
