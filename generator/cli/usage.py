"""The command line's own mistakes (a misspelt option, a missing value) said in Vietnamese.

Typer's parser reports them in English ("No such option: --unitt (Possible options: …)").
`usage_message` reads the exception's fields (the option, the parameter, the close matches)
and says the same in one Vietnamese line, with the help command to run; a value refused by
a parameter's type keeps only what the reader needs (the value and the choices).
"""

from __future__ import annotations

import re

try:  # typer >= 0.25 carries its own copy of click
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover - older typer on the real click
    from click import exceptions as click_errors

_NOT_ONE_OF = re.compile(r"^'(?P<value>.*)' is not one of (?P<choices>.*?)\.?$", re.S)
_NOT_VALID = re.compile(r"^'(?P<value>.*)' is not a valid (?P<type>\w+)", re.S)
_NOT_IN_RANGE = re.compile(r"^(?P<value>\S+) is not in the range (?P<range>.*?)\.?$", re.S)
_TYPES = {"integer": "số nguyên", "float": "số", "boolean": "true hoặc false", "uuid": "UUID"}
_EXTRA = re.compile(r"^Got unexpected extra argument(?:\(s\)|s)? \((?P<args>.*)\)$", re.S)
_NO_COMMAND = re.compile(r"^No such command '(?P<name>.*)'\.$", re.S)


def _quoted(items) -> str:
    return ", ".join(f'"{i}"' for i in items)


def _hint(exc) -> str:
    """The option or argument the error is about: "--year", "tên đơn vị"."""
    param = getattr(exc, "param", None)
    hint = getattr(exc, "param_hint", None)
    if hint is None and param is not None:
        hint = param.get_error_hint()
    if isinstance(hint, list | tuple):
        hint = " / ".join(hint)
    return (hint or "").replace("'", "")


def _help_command(exc) -> str:
    ctx = getattr(exc, "ctx", None)
    path = ctx.command_path if ctx is not None else "plangen"
    return f"xem: {path} -h"


def usage_message(exc: Exception) -> str:
    """One Vietnamese line for a usage error of the command line."""
    try:
        return f"{_what(exc)}; {_help_command(exc)}"
    except Exception:  # a field this version of the parser does not have
        return "dòng lệnh không hợp lệ; xem: plangen -h"


def _what(exc: Exception) -> str:
    if isinstance(exc, click_errors.NoSuchOption):
        text = f'không có tùy chọn "{exc.option_name}"'
        close = getattr(exc, "possibilities", None)
        if close:
            text += f" (có phải ý bạn là {_quoted(close)}?)"
    elif isinstance(exc, click_errors.BadOptionUsage):
        if "requires" in exc.message:
            text = f'tùy chọn "{exc.option_name}" cần một giá trị'
        elif "does not take a value" in exc.message:
            text = f'tùy chọn "{exc.option_name}" không nhận giá trị'
        else:
            text = f'tùy chọn "{exc.option_name}" dùng sai'
    elif isinstance(exc, click_errors.MissingParameter):
        what = "đối số" if getattr(exc, "param_type", None) == "argument" else "tùy chọn"
        if exc.param is not None and exc.param.param_type_name == "argument":
            what = "đối số"
        text = f"thiếu {what} {_hint(exc)}".rstrip()
    elif isinstance(exc, click_errors.BadParameter):
        text = f"giá trị không hợp lệ cho {_hint(exc) or 'tham số'}"
        message = exc.message or ""
        if m := _NOT_ONE_OF.match(message):
            choices = [c.strip(" '") for c in m["choices"].split(",")]
            text += f': "{m["value"]}" (chọn một trong: {_quoted(choices)})'
        elif m := _NOT_VALID.match(message):
            text += f': "{m["value"]}" không phải {_TYPES.get(m["type"], m["type"])}'
        elif m := _NOT_IN_RANGE.match(message):
            text += f": {m['value']} nằm ngoài khoảng {m['range']}"
    else:
        message = getattr(exc, "message", "") or str(exc)
        if m := _EXTRA.match(message):
            text = f"thừa đối số: {m['args']}"
        elif m := _NO_COMMAND.match(message):
            text = f'không có lệnh "{m["name"]}"'
        elif message.startswith("Missing command"):
            text = "thiếu tên lệnh"
        else:
            text = "dòng lệnh không hợp lệ"
    return text
