"""The `plangen` command line (typer): the app, its global options and how errors are said.

A `UserError` becomes its message on stderr and exit code 2, with no traceback;
`--debug` shows the traceback; anything else is reported as an internal error (exit 70).
The global options (--data, --units-dir, --debug) may stand before or after the command;
they travel on the typer context (`Settings`), never in module state.
"""

import functools
import gc
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

import typer
import typer.main
from typer.core import TyperGroup
from typer.models import CommandInfo

try:  # typer >= 0.25 carries its own copy of click
    from typer._click import core as click_core
    from typer._click import exceptions as click_errors
    from typer._click import formatting
    from typer._click.globals import get_current_context
except ImportError:  # pragma: no cover - older typer on the real click
    from click import core as click_core
    from click import exceptions as click_errors
    from click import formatting, get_current_context

from generator.core.errors import UserError, ValidationFailed

GLOBAL_VALUED = ("--data", "--units-dir")
GLOBAL_FLAGS = ("--debug",)


class Commands(MutableMapping):
    """A group's commands by name, each made into a click command when it is first used:
    a command line builds the one it runs, not all twenty (help builds them all)."""

    def __init__(self, infos: dict[str, CommandInfo]) -> None:
        self.infos = infos
        self.built: dict = {}

    def __getitem__(self, name: str):
        if name not in self.built:
            self.built[name] = typer.main.get_command_from_info(
                self.infos[name], pretty_exceptions_short=True, rich_markup_mode=None
            )
        return self.built[name]

    def __contains__(self, name: object) -> bool:
        return name in self.infos or name in self.built

    def __iter__(self) -> Iterator[str]:
        return iter({**dict.fromkeys(self.infos), **dict.fromkeys(self.built)})

    def __len__(self) -> int:
        return len(set(self.infos) | set(self.built))

    def __setitem__(self, name: str, command) -> None:
        self.built[name] = command

    def __delitem__(self, name: str) -> None:
        self.infos.pop(name, None)
        self.built.pop(name, None)


class GlobalOptionsFirst(TyperGroup):
    """Accept the global options after the command too (`plangen units --units-dir D`):
    they are moved in front of the command before click parses the line. Its commands
    are `Commands`, registered by `LazyTyper`."""

    infos: dict[str, CommandInfo] = {}  # set by LazyTyper for its own group class

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
                elif i + 1 == len(args) or args[i + 1].startswith("-"):
                    raise click_errors.BadOptionUsage(name, f"Option {name!r} requires", ctx)
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

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        commands = Commands(dict(self.infos))
        commands.update(self.commands)
        self.commands = commands
        self.options_metavar = OPTIONS_METAVAR
        self.subcommand_metavar = "LỆNH [ĐỐI-SỐ]..."

    def get_help_option(self, ctx):
        return _in_vietnamese(super().get_help_option(ctx))

    def get_command(self, ctx, cmd_name):
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            command.options_metavar = OPTIONS_METAVAR
            _in_vietnamese(command.get_help_option(ctx))
        return command

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        """Typer's main, with the command line's own mistakes said in Vietnamese (exit 2),
        Ctrl-C as exit 130, and output that cannot be written an error (exit 2)."""
        import sys

        from generator.cli.usage import usage_message

        code = _output_ready()
        if code is None:
            try:  # named "plangen" however it was started (python -m generator.cli too)
                result = super().main(args, prog_name or "plangen", complete_var, False, **extra)
                code = result if isinstance(result, int) else 0
            except click_errors.UsageError as exc:
                typer.echo(usage_message(exc), err=True)
                code = 2
            except click_errors.ClickException as exc:  # a file option that cannot open
                name = getattr(exc, "ui_filename", "")
                typer.echo(f"không mở được tệp {name}".rstrip(), err=True)
                code = 2
            except typer.Abort:
                typer.echo("Đã dừng.", err=True)
                code = 130
        if not standalone_mode:
            return code
        sys.exit(code)


HELP_TEXT = "Hiện hướng dẫn này rồi thoát"
# The words typer writes into a help page itself (its gettext ids).
_HELP_WORDS = {
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "Arguments": "Đối số",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tùy lúc chạy)",
    "Aborted!": "Đã dừng.",
}


def _in_vietnamese(option):
    if option is not None:
        option.help = HELP_TEXT
    return option


OPTIONS_METAVAR = "[TÙY-CHỌN]"


def _translate_typer() -> None:
    """typer's own help words in Vietnamese: those typer.core looks up through gettext, and
    the "Usage:" its help formatter writes."""
    import typer.core

    typer.core._ = lambda text: _HELP_WORDS.get(text, text)

    class VietnameseHelp(formatting.HelpFormatter):
        def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
            super().write_usage(prog, args, "Cách dùng: " if prefix is None else prefix)

    click_core.Context.formatter_class = VietnameseHelp


_translate_typer()


def _output_ready() -> int | None:
    """None when stdout and stderr can take Vietnamese text; else the exit code, the reason
    said where it can be (a closed stdout, an encoding that has no Vietnamese letters)."""
    import sys

    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            if sys.stderr is not None:
                print("không ghi được kết quả: đầu ra chuẩn (stdout) đã đóng", file=sys.stderr)
            return 2
        encoding = getattr(stream, "encoding", None) or "utf-8"
        try:
            "Đơn vị".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            try:  # plangen speaks Vietnamese: its output is UTF-8 whatever the locale says
                stream.reconfigure(encoding="utf-8")
            except (AttributeError, ValueError, OSError):
                return 2
    return None


class LazyTyper(typer.Typer):
    """typer's app, its commands kept as typer describes them (`CommandInfo`) and made
    into click commands by its group only when used (`Commands`)."""

    def __init__(self, **kwargs) -> None:
        self.infos: dict[str, CommandInfo] = {}
        group = type("PlangenGroup", (GlobalOptionsFirst,), {"infos": self.infos})
        super().__init__(cls=group, **kwargs)

    def command(self, name: str | None = None, **kwargs):
        register = super().command(name, **kwargs)

        def keep(fn):
            register(fn)
            info = self.registered_commands.pop()
            self.infos[info.name or typer.main.get_command_name(fn.__name__)] = info
            return fn

        return keep


app = LazyTyper(
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


def workspace():
    """The data folder of this command (each command opens it once, after its imports)."""
    from generator.model.workspace import open_workspace

    s = settings()
    ws = open_workspace(s.data, s.units_dirs)
    if ws.problems:
        raise ValidationFailed(ws.problems)
    _settle()
    return ws


@functools.cache
def _settle() -> None:
    """Once a process: the code and data loaded so far live as long as the command, so the
    collector need not walk them again (gc.freeze). Once only: a process that runs many
    commands (the tests' runner) would otherwise keep each one's garbage for good."""
    gc.freeze()


def note(text: str) -> None:
    typer.echo(text, err=True)
