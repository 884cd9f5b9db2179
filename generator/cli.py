"""The `plangen` command line (typer). Thin: parse options, call the flow, print.

A `UserError` becomes its message on stderr and exit code 2, with no traceback;
`--debug` shows the traceback; anything else is reported as an internal error.
"""

import functools
from pathlib import Path
from typing import Annotated

import typer

from .errors import UserError, ValidationFailed, Where

app = typer.Typer(
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="plangen: lập Phụ lục I (PAR INDEX) và Phụ lục II (SIPAS) của kế hoạch đơn vị "
    "từ danh mục nhiệm vụ (catalog) và hồ sơ đơn vị.",
)

_state: dict = {"debug": False, "data": None, "units_dirs": []}


def user_errors(fn):
    """One clean line for a user error (exit 2); a short report for a bug (exit 70)."""

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
            typer.echo(
                f"lỗi nội bộ của plangen ({type(exc).__name__}: {exc}). Đây là lỗi của "
                "chương trình, không phải của dữ liệu: hãy chạy lại lệnh với --debug và "
                "gửi toàn bộ kết quả cho nhóm phát triển plangen.",
                err=True,
            )
            raise typer.Exit(70) from None

    return wrapper


def _workspace():
    from .load import open_workspace

    ws = open_workspace(_state["data"], _state["units_dirs"])
    if ws.problems:
        raise ValidationFailed(ws.problems)
    return ws


def _note(text: str) -> None:
    typer.echo(text, err=True)


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
    force: Annotated[bool, typer.Option("--force", help="Ghi đè tệp đã có")] = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Xuất thêm PDF (cần LibreOffice)")] = False,
    tracker: Annotated[
        bool, typer.Option("--tracker/--no-tracker", help="Ghi kèm tệp Excel theo dõi tiến độ")
    ] = True,
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
    _state.update(debug=debug, data=data, units_dirs=units_dir or [])
    if ctx.invoked_subcommand is not None:
        return
    if unit is None and not all_units:
        typer.echo(ctx.get_help())
        return
    from .generate import Options, check_slug

    if unit is not None and all_units:
        raise UserError("dùng --unit cho một đơn vị hoặc --all cho mọi đơn vị, không dùng cả hai")
    if unit is not None:
        check_slug(unit)
    ws = _workspace()
    default_out = Path("out") if all_units else Path("out") / unit
    options = Options(out or default_out, force, pdf, numbered_columns, tracker)
    if all_units:
        _render_all(ws, options, appendix)
        return
    from .deadline import deadline
    from .generate import generate

    for path in generate(ws, unit, options, appendix):
        typer.echo(str(path))
    due = deadline(ws.kind_of(unit).model, ws.unit(unit).model)
    if due:
        _note(f"{unit}: {due.describe()}")


def _render_all(ws, options, appendix) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from .batch import run_all
    from .listing import print_table

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
        results = run_all(ws, slugs, options, appendix, on_done=lambda r: bar.advance(job))
    rows = []
    for r in results:
        if r.error:
            rows.append([r.slug, "LỖI", r.error.replace("\n", " | ")])
            continue
        rows.append([r.slug, f"{len(r.paths)} tệp", r.deadline])
    print_table(f"Kết quả: {options.out_dir}", ["Đơn vị", "Kết quả", "Ghi chú"], rows)
    failed = [r.slug for r in results if r.error]
    if failed:
        _note(f"{len(failed)}/{len(results)} đơn vị lỗi: {', '.join(failed)}")
        raise typer.Exit(2)


@app.command()
@user_errors
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Tệp cần kiểm tra (mặc định: mọi tệp)")
    ] = None,
) -> None:
    """Kiểm tra mọi catalog, loại đơn vị và hồ sơ đơn vị; báo tất cả lỗi, mỗi lỗi một dòng."""
    from .check import validate as run_checks
    from .load import open_workspace

    ws = open_workspace(_state["data"], _state["units_dirs"])
    wanted = set()
    for path in paths or []:
        if not path.is_file():
            raise UserError("không có tệp này", Where(path))
        wanted.add(path.resolve())
        if ws.catalog_dir.resolve() not in path.resolve().parents:
            ws.unit_files[path.stem] = path  # a profile kept elsewhere: check it as a unit
    problems = run_checks(ws)
    if wanted:
        problems = [p for p in problems if p.where.path and p.where.path.resolve() in wanted]
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        raise typer.Exit(2)
    typer.echo(
        f"Hợp lệ: {len(ws.catalogs)} catalog, {len(ws.kinds)} loại đơn vị, {len(ws.units)} đơn vị."
    )


@app.command()
@user_errors
def catalogs() -> None:
    """Liệt kê các catalog và số nhiệm vụ."""
    from .listing import print_table

    ws = _workspace()
    rows = [
        [
            c.model.id,
            f"Phụ lục {c.model.appendix}",
            c.model.index,
            str(c.model.year),
            str(sum(1 for _ in c.model.iter_sections())),
            str(sum(1 for _ in c.model.iter_tasks())),
        ]
        for c in sorted(ws.catalogs.values(), key=lambda c: c.model.appendix)
    ]
    print_table("Catalog", ["Mã", "Phụ lục", "Chỉ số", "Năm", "Mục", "Nhiệm vụ"], rows)


@app.command()
@user_errors
def units() -> None:
    """Liệt kê các đơn vị, loại, kế hoạch và hạn ban hành."""
    from .deadline import deadline
    from .listing import print_table
    from .resolve import guide_line

    ws = _workspace()
    rows = []
    for slug in sorted(ws.unit_files):
        try:
            unit, kind = ws.unit(slug).model, ws.kind_of(slug).model
        except UserError as exc:
            rows.append([slug, "?", f"LỖI: {str(exc).splitlines()[0]}", "", ""])
            continue
        due = deadline(kind, unit)
        plan = guide_line(kind, unit).removeprefix("(Kèm theo ").removesuffix(")")
        rows.append([slug, kind.id, unit.name, plan, due.brief() if due else ""])
    print_table("Đơn vị", ["Mã", "Loại", "Tên", "Kế hoạch", "Hạn ban hành"], rows)


@app.command()
@user_errors
def tasks(
    catalog: Annotated[str | None, typer.Option("--catalog", "-c", help="Mã catalog")] = None,
) -> None:
    """Liệt kê nhiệm vụ của các catalog (mã, mục, vai trò)."""
    from .listing import print_table
    from .text import did_you_mean

    ws = _workspace()
    chosen = list(ws.catalogs.values())
    if catalog:
        if catalog not in ws.catalogs:
            raise UserError(
                f'không có catalog "{catalog}"'
                + did_you_mean(catalog, ws.catalogs)
                + "; có: "
                + ", ".join(sorted(ws.catalogs))
            )
        chosen = [ws.catalogs[catalog]]
    for cat in chosen:
        rows = []
        for section, _ in cat.model.iter_sections():
            for task in section.tasks:
                rows.append(
                    [
                        task.id,
                        section.id,
                        ", ".join(task.lead),
                        ", ".join(task.support),
                        ", ".join(sorted(task.variants)),
                        ", ".join(task.omit),
                    ]
                )
        print_table(
            f"{cat.model.id} ({len(rows)} nhiệm vụ)",
            ["Mã", "Mục", "Chủ trì", "Phối hợp", "Biến thể", "Bỏ ở"],
            rows,
        )


@app.command()
@user_errors
def roles() -> None:
    """Liệt kê các vai trò và cơ quan của từng loại đơn vị."""
    from .listing import print_table

    ws = _workspace()
    kinds = sorted(ws.kinds)
    rows = [
        [role, desc]
        + ["; ".join(ws.kinds[k].model.roles.get(role, ["(chưa gán)"])) or "—" for k in kinds]
        for role, desc in ws.roles.model.roles.items()
    ]
    print_table("Vai trò", ["Vai trò", "Mô tả", *kinds], rows)


@app.command("new-unit")
@user_errors
def new_unit(
    name: Annotated[str, typer.Argument(help='Tên đơn vị, ví dụ "Xã Lộc Bình"')],
    kind: Annotated[
        str, typer.Option("--kind", "-k", help="Loại đơn vị: province, commune, board, …")
    ],
    plan_number: Annotated[
        str | None, typer.Option("--plan-number", help="Số kế hoạch (bỏ trống để văn thư điền)")
    ] = None,
    plan_date: Annotated[
        str | None, typer.Option("--plan-date", help="YYYY-MM-DD, hoặc YYYY-MM khi chưa có ngày")
    ] = None,
    slug: Annotated[str | None, typer.Option("--slug", help="Mã đơn vị (mặc định: từ tên)")] = None,
    units_dir: Annotated[
        Path | None,
        typer.Option("--units-dir", help="Thư mục ghi hồ sơ (mặc định: catalogs/units)"),
    ] = None,
) -> None:
    """Tạo hồ sơ tối thiểu cho một đơn vị mới (không ghi đè hồ sơ đã có)."""
    from .scaffold import write_unit

    if units_dir:
        _state["units_dirs"] = [units_dir, *_state["units_dirs"]]
    ws = _workspace()
    target = _state["units_dirs"][0] if _state["units_dirs"] else ws.catalog_dir / "units"
    path = write_unit(ws, target, name, kind, plan_number, plan_date, slug)
    typer.echo(str(Where(path)))
    hint = f" --units-dir {target}" if _state["units_dirs"] else ""
    _note(
        f"Đã tạo hồ sơ. Kiểm tra: plangen{hint} validate; lập phụ lục: "
        f"plangen{hint} --unit {path.stem}"
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
    from .load import data_root
    from .schema import write_schemas

    for path in write_schemas(out or data_root(_state["data"]) / "schemas"):
        typer.echo(str(path))


@app.command()
@user_errors
def status(tracker: Annotated[Path, typer.Argument(help="Tệp Excel theo dõi đã cập nhật")]) -> None:
    """Tổng hợp tệp theo dõi: số nhiệm vụ theo trạng thái, nhiệm vụ chậm (mã thoát 1 nếu có)."""
    from .status import format_report, read_status

    report = read_status(tracker)
    typer.echo(format_report(report))
    if report.late:
        raise typer.Exit(1)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
