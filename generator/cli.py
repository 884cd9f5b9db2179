"""The `plangen` command line (typer). Thin: parse, call the flow, print.

A `UserError` becomes one line on stderr and exit code 2; `--debug` shows the traceback.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from .errors import UserError

app = typer.Typer(add_completion=False, no_args_is_help=False, rich_markup_mode=None,
                  pretty_exceptions_enable=False,
                  help="plangen: phụ lục PAR INDEX / SIPAS của kế hoạch đơn vị, từ catalog và hồ sơ đơn vị.")

_state = {"debug": False, "data": None, "units_dirs": []}

DataOpt = Annotated[Path | None, typer.Option("--data", help="Thư mục dữ liệu (chứa catalogs/, templates/)")]
UnitsDirOpt = Annotated[list[Path] | None, typer.Option("--units-dir", help="Thêm thư mục hồ sơ đơn vị")]


def user_errors(fn):
    """Print a user error as one line (exit 2); a bug as a short report (exit 70)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            if _state["debug"]:
                raise
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if _state["debug"]:
                raise
            typer.echo(f"lỗi nội bộ của plangen ({type(exc).__name__}: {exc}). Đây là lỗi của "
                       "chương trình, không phải của dữ liệu: hãy chạy lại với --debug và gửi "
                       "toàn bộ kết quả cho nhóm phát triển plangen.", err=True)
            raise typer.Exit(70) from None

    return wrapper


def _workspace(catalogs: list[str] | None = None):
    from .load import open_workspace

    return open_workspace(_state["data"], _state["units_dirs"])


def _raise_problems(problems) -> None:
    from .errors import ValidationFailed

    if problems:
        raise ValidationFailed(problems)


@app.callback(invoke_without_command=True)
@user_errors
def main_command(
    ctx: typer.Context,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="Mã đơn vị, ví dụ dinh-lap")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Thư mục ghi kết quả (mặc định ./out/<đơn vị>)")] = None,
    appendix: Annotated[list[str] | None, typer.Option("--appendix", "-a", help="Chỉ xuất phụ lục này (I, II hoặc mã catalog); lặp lại được")] = None,
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp đã có")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Xuất thêm PDF (cần LibreOffice)")] = False,
    numbered_columns: Annotated[bool, typer.Option("--numbered-columns", help="Thêm dòng số cột (1) (2) … dưới tiêu đề bảng")] = False,
    data: DataOpt = None,
    units_dir: UnitsDirOpt = None,
    debug: Annotated[bool, typer.Option("--debug", help="Hiện traceback khi có lỗi")] = False,
) -> None:
    _state.update(debug=debug, data=data, units_dirs=units_dir or [])
    if ctx.invoked_subcommand is not None:
        return
    if unit is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)
    from .generate import Options, check_slug, generate

    check_slug(unit)
    ws = _workspace()
    _raise_problems(ws.problems)
    options = Options(out or Path("out") / unit, force, pdf, numbered_columns)
    for path in generate(ws, unit, options, appendix):
        typer.echo(str(path))


@app.command()
@user_errors
def validate(paths: Annotated[list[Path] | None, typer.Argument(help="Tệp cần kiểm tra (mặc định: tất cả)")] = None) -> None:
    """Kiểm tra mọi catalog, loại đơn vị và hồ sơ đơn vị; báo tất cả lỗi."""
    from .check import validate as run_checks

    ws = _workspace()
    for path in paths or []:
        if not path.exists():
            raise UserError("không có tệp này", where=__import__("generator.errors", fromlist=["Where"]).Where(path))
        if path.resolve().parent not in {p.resolve().parent for p in ws.unit_files.values()} \
                and path.suffix in (".yaml", ".yml") and ws.catalog_dir.resolve() not in path.resolve().parents:
            ws.unit_files[path.stem] = path
    problems = run_checks(ws)
    if paths:
        wanted = {p.resolve() for p in paths}
        problems = [p for p in problems if p.where.path and Path(p.where.path).resolve() in wanted]
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        raise typer.Exit(2)
    typer.echo(f"Hợp lệ: {len(ws.catalogs)} catalog, {len(ws.kinds)} loại đơn vị, "
               f"{len(ws.units)} đơn vị.")


def main() -> None:
    """Console-script entry point."""
    if "--debug" in sys.argv:
        _state["debug"] = True
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    app()


if __name__ == "__main__":
    main()
