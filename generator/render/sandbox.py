"""The Jinja sandbox office templates are rendered in.

A template (a restyled appendix.docx) is untrusted: it may use placeholders, ``{% if %}``,
comparisons and arithmetic over the given values, but no loops, ``{% set %}``, macros,
includes, calls or globals (`range`, `lipsum`, `cycler`, … are gone); ``+``, ``*`` and ``**``
cannot build huge values; the output is capped in size and the rendering in time. It is an
`ImmutableSandboxedEnvironment` with `StrictUndefined`: an unknown name is an error,
attributes starting with "_" (the way to `os.system`) are unreachable, and a value that is a
function (``{{ unit.name.upper }}``) is refused rather than printed. Catalog and profile
text never comes here: it holds only plain placeholders (resolve/placeholders.py).
"""

from __future__ import annotations

import operator
import time
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, Undefined, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_OUTPUT = 2_000_000  # characters one rendering may produce (a whole document body)
MAX_SECONDS = 5.0  # wall time one rendering may take
MAX_NUMBER = 10**15  # no arithmetic result beyond this (a "10**5000" is refused)
MAX_BUILT = 100_000  # characters a "+" or "*" may build

TEMPLATE_FILTERS = {
    *("upper", "lower", "capitalize", "title", "trim", "default", "d", "e", "escape"),
    *("join", "length", "count", "first", "last", "string", "int"),
}

# The nodes a template may hold: expressions, and the statements below.
_TEMPLATE_NODES = (
    nodes.Template,
    nodes.Output,
    nodes.TemplateData,
    nodes.Name,
    nodes.Getattr,
    nodes.Getitem,
    nodes.Const,
    nodes.Filter,
    nodes.Concat,
    nodes.Keyword,
    nodes.If,
    nodes.CondExpr,
    nodes.Compare,
    nodes.Operand,
    nodes.And,
    nodes.Or,
    nodes.Not,
    nodes.Test,
    nodes.Tuple,
    nodes.List,
    nodes.Add,
    nodes.Sub,
    nodes.Mul,
    nodes.Div,
    nodes.FloorDiv,
    nodes.Mod,
    nodes.Pow,
    nodes.Neg,
    nodes.Pos,
    nodes.MarkSafe,
    nodes.MarkSafeIfAutoescape,
)


class RefusedTemplate(TemplateError):
    """A construct the sandbox does not run (said in Vietnamese, with its line)."""

    def __init__(self, message: str, lineno: int = 0) -> None:
        super().__init__(message)
        self.lineno = lineno


class _Bounded(ImmutableSandboxedEnvironment):
    """A sandbox whose `*` and `**` cannot build huge values, and with no globals."""

    intercepted_binops = frozenset(["*", "**", "+"])

    def __init__(self, kind: str, filters: set[str], **kw: Any) -> None:
        super().__init__(undefined=StrictUndefined, **kw)
        self.kind = kind
        self.concat = _bounded_concat  # joins a rendering's output: capped in size and time
        self.finalize = _no_functions
        self.globals.clear()  # range, lipsum, dict, cycler, joiner, namespace
        self.filters = {k: v for k, v in self.filters.items() if k in filters}
        if "string" in self.filters:
            self.filters["string"] = _plain_string
        self.tests = {
            k: v
            for k, v in self.tests.items()
            if k
            in {"defined", "undefined", "none", "number", "string", "eq", "ne", "in", "odd", "even"}
        }

    def call_binop(self, context, operator_name: str, left: Any, right: Any) -> Any:
        number = (int, float)
        if operator_name == "**":
            if not (isinstance(left, number) and isinstance(right, number)):
                raise SecurityError("phép lũy thừa chỉ dùng cho số")
            if abs(left) > 1000 or abs(right) > 16:
                raise SecurityError("phép lũy thừa quá lớn")
            result = operator.pow(left, right)
            if isinstance(result, number) and abs(result) > MAX_NUMBER:
                raise SecurityError("số quá lớn")
            return result
        if operator_name in ("*", "+"):
            sizes = [len(v) for v in (left, right) if isinstance(v, str | list | tuple)]
            if operator_name == "*" and sizes:
                times = right if isinstance(left, str | list | tuple) else left
                if not isinstance(times, int) or isinstance(times, bool):
                    raise SecurityError("chỉ nhân chuỗi với một số nguyên")
                if sizes[0] * max(times, 0) > MAX_BUILT:
                    raise SecurityError("chuỗi lặp lại quá dài")
            if operator_name == "+" and sum(sizes) > MAX_BUILT:
                raise SecurityError("chuỗi ghép quá dài")
            result = super().call_binop(context, operator_name, left, right)
            if isinstance(result, number) and abs(result) > MAX_NUMBER:
                raise SecurityError("số quá lớn")
            return result
        return super().call_binop(context, operator_name, left, right)

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002
        """Every template is checked (check_source) before it is compiled."""
        if isinstance(source, str):
            source = check_source(source)
        return super().from_string(source, globals, template_class)


def _no_functions(value: Any) -> Any:
    """What a placeholder prints must be a plain value: "{{ unit.name.upper }}" (a method)
    or "{{ unit }}" (a group of values) is an error, not "<built-in method …>" or "{'name':
    …}" printed into a document."""
    if value is None:  # a field left empty: nothing, not "None"
        return ""
    if isinstance(value, Undefined):
        return value
    if callable(value):
        raise SecurityError("chỗ giữ chỗ là một hàm, không phải văn bản (bỏ phần .tên_hàm)")
    if not isinstance(value, str | int | float):
        raise SecurityError(
            "chỗ giữ chỗ là một nhóm giá trị, không phải văn bản (ghi một trường, ví dụ unit.name)"
        )
    return value


def _plain_string(value: Any) -> str:
    """The "|string" filter for plain values only (never an object's repr)."""
    return str(_no_functions(value))


def _bounded_concat(chunks) -> str:
    start = time.monotonic()
    out: list[str] = []
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_OUTPUT:
            raise RefusedTemplate(f"kết quả quá dài (trên {MAX_OUTPUT:,} ký tự)")
        if time.monotonic() - start > MAX_SECONDS:
            raise RefusedTemplate(f"chạy quá {MAX_SECONDS:g} giây")
        out.append(chunk)
    return "".join(out)


@lru_cache(maxsize=1)
def template_environment() -> _Bounded:
    """The sandbox office templates are rendered in (docxtpl is given this environment)."""
    return _Bounded("xml", TEMPLATE_FILTERS, autoescape=True, keep_trailing_newline=True)


def check_source(source: str, kind: str = "xml") -> nodes.Template:
    """Parse `source` and refuse every construct the sandbox does not allow."""
    tree = template_environment().parse(source)

    def walk(node: nodes.Node) -> None:
        if not isinstance(node, _TEMPLATE_NODES):
            raise RefusedTemplate(_refusal(node), getattr(node, "lineno", 0) or 0)
        if isinstance(node, nodes.Filter) and node.name not in TEMPLATE_FILTERS:
            raise RefusedTemplate(
                f'bộ lọc "|{node.name}" không được phép (chỉ: '
                f"{', '.join(sorted(TEMPLATE_FILTERS))})",
                node.lineno,
            )
        if isinstance(node, nodes.Name) and node.ctx != "load":
            raise RefusedTemplate("không được gán biến", node.lineno)
        if isinstance(node, nodes.Concat) and any(
            isinstance(child, nodes.Concat) or child.find(nodes.Concat)
            for child in node.iter_child_nodes()
        ):
            raise RefusedTemplate("chuỗi ghép ~ lồng nhau không được phép", node.lineno)
        for child in node.iter_child_nodes():
            walk(child)

    walk(tree)
    return tree


def _refusal(node: nodes.Node) -> str:
    what = {
        nodes.Call: "lời gọi hàm",
        nodes.For: "vòng lặp {% for %}",
        nodes.If: "điều kiện {% if %}",
        nodes.Assign: "{% set %}",
        nodes.AssignBlock: "{% set %}",
        nodes.Macro: "{% macro %}",
        nodes.Include: "{% include %}",
        nodes.Import: "{% import %}",
        nodes.FromImport: "{% from … import %}",
        nodes.Extends: "{% extends %}",
        nodes.Block: "{% block %}",
        nodes.CallBlock: "{% call %}",
        nodes.FilterBlock: "{% filter %}",
        nodes.With: "{% with %}",
    }.get(type(node))
    if what is None:
        if isinstance(node, nodes.BinExpr | nodes.UnaryExpr):
            what = "phép tính (+, -, *, /, **)"
        elif isinstance(node, nodes.Compare | nodes.Test | nodes.CondExpr):
            what = "phép so sánh, điều kiện"
        elif isinstance(node, nodes.Tuple | nodes.List | nodes.Dict):
            what = "danh sách, bộ giá trị"
        else:
            what = f"cú pháp {type(node).__name__}"
    return f"{what} không được phép trong mẫu"


def jinja_message(exc: Exception) -> str:
    """Jinja's English message said in Vietnamese (an unknown name, a hidden attribute, a
    syntax error with its line)."""
    import re

    from jinja2 import TemplateSyntaxError

    text = getattr(exc, "message", None) or str(exc)
    if isinstance(exc, TemplateSyntaxError):
        return f"cú pháp {{{{ … }}}} hoặc {{% … %}} sai ở dòng {exc.lineno}"
    m = re.match(r"'(.+?)' is undefined", text)
    if m:
        return f'tên "{m.group(1)}" không có (dùng được: unit.name, unit.short, year, …)'
    m = re.match(r"access to attribute '(.+?)' of", text)
    if m:
        return f'không được truy cập thuộc tính ẩn "{m.group(1)}"'
    m = re.match(r"'(.+?)' has no attribute '(.+?)'", text)
    if m:
        return f'không có thuộc tính "{m.group(2)}"'
    return text
