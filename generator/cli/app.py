"""The `plangen` command line (typer). Thin: parse options, call the flow, print.

A `UserError` becomes its message on stderr and exit code 2, with no traceback;
`--debug` shows the traceback; anything else is reported as an internal error (exit 70).
The global options (--data, --units-dir, --debug) may stand before or after the command;
they travel on the typer context (`Settings`), never in module state.
"""

import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

try:  # typer >= 0.25 carries its own copy of click
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover - older typer on the real click
    from click import get_current_context

from generator.core.errors import UserError, ValidationFailed, Where

GLOBAL_VALUED = ("--data", "--units-dir")
GLOBAL_FLAGS = ("--debug",)


class GlobalOptionsFirst(TyperGroup):
    """Accept the global options after the command too (`plangen units --units-dir D`):
    they are moved in front of the command before click parses the line."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        front: list[str] = []
        rest: list[str] = []
        seen_command = False
        i = 0
        while i < len(args):
            arg = args[i]
            if arg == "--":
                rest += args[i:]
                break
            name = arg.split("=", 1)[0]
            if seen_command and name in GLOBAL_VALUED:
                if "=" in arg:
                    front.append(arg)
                else:
                    front += args[i : i + 2]
                    i += 1
            elif seen_command and arg in GLOBAL_FLAGS:
                front.append(arg)
            else:
                if not arg.startswith("-") and arg in self.commands and not seen_command:
                    seen_command = True
                rest.append(arg)
            i += 1
        return super().parse_args(ctx, front + rest)


app = typer.Typer(
    cls=GlobalOptionsFirst,
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="plangen: lập Kế hoạch và Phụ lục I (PAR INDEX), Phụ lục II (SIPAS) của đơn vị "
    "từ danh mục nhiệm vụ (catalog) và hồ sơ đơn vị.",
)


@dataclass
class Settings:
    """The global options of one invocation."""

    debug: bool = False
    data: Path | None = None
    units_dirs: list[Path] = field(default_factory=list)


def settings() -> Settings:
    ctx = get_current_context(silent=True)
    while ctx is not None and not isinstance(ctx.obj, Settings):
        ctx = ctx.parent
    return ctx.obj if ctx is not None else Settings()


def user_errors(fn):
    """One clean line for a user error (exit 2); a short report for a bug (exit 70)."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            if settings().debug:
                raise
            typer.echo(str(exc), err=True)
            raise typer.Exit(2) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt, BrokenPipeError):
            raise
        except OSError as exc:  # the environment, not plangen: a path, a disk, a permission
            if settings().debug:
                raise
            from generator.write.files import os_error

            typer.echo(str(os_error(exc)), err=True)
            raise typer.Exit(2) from None
        except Exception as exc:
            if settings().debug:
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
    from generator.model.workspace import open_workspace

    s = settings()
    ws = open_workspace(s.data, s.units_dirs)
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
    ws = _workspace()
    default_out = Path("out") if all_units else Path("out") / unit
    if tracker_paper not in ("auto", "A4", "A3"):
        raise UserError(f'--tracker-paper "{tracker_paper}" không hợp lệ: dùng auto, A4 hoặc A3')
    options = Options(out or default_out, force, pdf, numbered_columns, tracker, tracker_paper)
    if all_units:
        _render_all(ws, options, appendix)
        return
    from generator.flow.generate import generate
    from generator.resolve.deadlines import deadline

    warnings: list[UserError] = []
    for path in generate(ws, unit, options, appendix, warnings):
        typer.echo(str(path))
    for warning in warnings:
        _note(str(warning))
    due = deadline(ws.kind_of(unit), ws.unit(unit).model)
    if due:
        _note(f"{unit}: {due.describe()}")


def _render_all(ws, options, appendix) -> None:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from generator.cli.listing import print_table
    from generator.flow.batch import run_all

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
    for r in results:
        for warning in r.warnings:
            _note(warning)
    failed = [r.slug for r in results if r.error]
    if failed:
        _note(f"{len(failed)}/{len(results)} đơn vị lỗi: {', '.join(failed)}")
        raise typer.Exit(70 if any(r.internal for r in results) else 2)


@app.command()
@user_errors
def validate(
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Tệp cần kiểm tra (mặc định: mọi tệp)")
    ] = None,
) -> None:
    """Kiểm tra mọi catalog, loại đơn vị và hồ sơ đơn vị; báo tất cả lỗi, mỗi lỗi một dòng."""
    from generator.check.workspace import validate as run_checks
    from generator.model.workspace import open_workspace

    s = settings()
    ws = open_workspace(s.data, s.units_dirs)
    wanted = set()
    for path in paths or []:
        if not path.is_file():
            raise UserError("không có tệp này", Where(path))
        wanted.add(path.resolve())
        ws = ws.with_file(path)  # a file kept elsewhere: recognised by its content
    warnings: list[UserError] = []
    problems = run_checks(ws, warnings=warnings)
    if wanted:
        problems = [p for p in problems if p.where.path and p.where.path.resolve() in wanted]
    for problem in problems + warnings:
        typer.echo(str(problem), err=True)
    if problems:
        raise typer.Exit(2)
    typer.echo(
        f"Hợp lệ: {len(ws.catalogs)} catalog, {len(ws.kinds)} loại đơn vị, {len(ws.loaded_units())} đơn vị."
    )


@app.command()
@user_errors
def catalogs() -> None:
    """Liệt kê các catalog và số nhiệm vụ."""
    from generator.cli.listing import print_table
    from generator.core.text import roman_value

    ws = _workspace()
    rows = [
        [
            c.model.id,
            f"Phụ lục {c.model.appendix}" if c.model.appendix else "Phụ lục",
            c.model.index,
            str(c.model.year),
            str(sum(1 for _ in c.model.iter_sections())),
            str(sum(1 for _ in c.model.iter_tasks())),
        ]
        for c in sorted(ws.catalogs.values(), key=lambda c: roman_value(c.model.appendix or ""))
    ]
    print_table("Catalog", ["Mã", "Phụ lục", "Chỉ số", "Năm", "Mục", "Nhiệm vụ"], rows)


@app.command()
@user_errors
def units() -> None:
    """Liệt kê các đơn vị, loại, kế hoạch và hạn ban hành."""
    from generator.cli.listing import print_table
    from generator.resolve.deadlines import deadline
    from generator.resolve.identity import guide_line

    ws = _workspace()
    rows = []
    for slug in sorted(ws.unit_files):
        try:  # one broken profile is one line of the table, not the end of it
            unit, kind = ws.unit(slug).model, ws.kind_of(slug)
            due = deadline(kind, unit)
            plan = guide_line(kind, unit, slug).removeprefix("(Kèm theo ").removesuffix(")")
        except UserError as exc:
            rows.append([slug, "?", f"LỖI: {str(exc).splitlines()[0]}", "", ""])
            continue
        rows.append([slug, kind.id, unit.name, plan, due.brief() if due else ""])
    print_table("Đơn vị", ["Mã", "Loại", "Tên", "Kế hoạch", "Hạn ban hành"], rows)


@app.command()
@user_errors
def tasks(
    catalog: Annotated[str | None, typer.Option("--catalog", "-c", help="Mã catalog")] = None,
) -> None:
    """Liệt kê nhiệm vụ của các catalog (mã, mục, vai trò)."""
    from generator.cli.listing import print_table
    from generator.core.text import unknown

    ws = _workspace()
    chosen = list(ws.catalogs.values())
    if catalog:
        if catalog not in ws.catalogs:
            raise unknown(f'không có catalog "{catalog}"', catalog, ws.catalogs, None, "có")
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
    from generator.cli.listing import print_table

    ws = _workspace()
    kinds = [ws.kind(k) for k in sorted(ws.kinds) if not ws.kinds[k].model.abstract]

    def bodies(kind, role: str) -> str:
        if role not in kind.roles:
            return "(chưa gán)"
        return "; ".join(_shown(kind, b) for b in kind.roles[role]) or "—"

    rows = [
        [role, desc] + [bodies(k, role) for k in kinds]
        for role, desc in ws.roles.model.roles.items()
    ]
    print_table("Vai trò", ["Vai trò", "Mô tả", *(k.id for k in kinds)], rows)


def _shown(kind, text: str) -> str:
    """A kind's text as a unit of that kind gets it ({{ unit.short }} filled in)."""
    from generator.check.wording import sample_unit
    from generator.resolve.identity import render_text, unit_context

    return render_text(text, unit_context(kind, sample_unit(kind), "", 0), kind.id)


@app.command("kinds")
@user_errors
def kinds_command() -> None:
    """Liệt kê các loại đơn vị: loại gốc, cách tự gọi, ký hiệu, cơ quan ban hành."""
    from generator.cli.listing import print_table

    ws = _workspace()
    rows = []
    for kind_id in sorted(ws.kinds):
        k = ws.kind(kind_id)
        rows.append(
            [
                k.id + (" (gốc chung)" if k.abstract else ""),
                " -> ".join(k.chain),
                k.short or "(tên đơn vị)",
                k.plan_symbol or "(riêng từng đơn vị)",
                _shown(k, k.issuer) if k.issuer else "(tên đơn vị)",
                k.name,
            ]
        )
    print_table(
        "Loại đơn vị",
        ["Mã", "Kế thừa", "Tự gọi", "Ký hiệu", "Cơ quan ban hành", "Tên"],
        rows,
    )


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
) -> None:
    """Tạo hồ sơ tối thiểu cho một đơn vị mới (không ghi đè hồ sơ đã có)."""
    from generator.flow.scaffold import units_folder, write_unit

    s = settings()
    ws = _workspace()
    target, why = units_folder(ws, s.units_dirs)
    path = write_unit(ws, target, name, kind, plan_number, plan_date, plan_symbol, slug)
    typer.echo(str(Where(path)))
    options = ""
    if s.data:
        options += f" --data {s.data}"
    if s.units_dirs or why != "catalogs":
        options += f" --units-dir {target}"
    _note(
        f"Đã tạo hồ sơ trong {target} ({why}). Kiểm tra: plangen{options} validate; "
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


@app.command("import")
@user_errors
def import_command(
    appendix: Annotated[Path, typer.Argument(help="Tệp DOCX phụ lục đã ban hành")],
    unit: Annotated[
        str, typer.Option("--unit", "-u", help="Đơn vị ban hành phụ lục (để nhận ra cơ quan)")
    ],
    catalog_id: Annotated[str, typer.Option("--id", help="Mã catalog mới, ví dụ sipas-2027")],
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Tệp YAML ghi ra (mặc định catalogs/<mã>.yaml)"),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Ghi đè catalog đã có")] = False,
) -> None:
    """Đọc bảng nhiệm vụ của một phụ lục DOCX và ghi thành catalog YAML (cơ quan -> vai trò)."""
    from generator.readback.importer import import_appendix

    ws = _workspace()
    report = import_appendix(ws, appendix, unit, catalog_id, out, force)
    for line in report.lines():
        _note(line)
    typer.echo(str(Where(report.path)))


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


def main() -> None:
    """Console-script entry point; a closed pipe (`plangen units | head -1`) ends quietly."""
    try:
        app()
    except BrokenPipeError:
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":
    main()
