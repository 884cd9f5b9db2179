"""The two Jinja sandboxes: catalog text, and office templates.

Everything a user supplies is untrusted, so no Jinja runs outside these environments:

- **Catalog text** (tasks, kind bodies, the plan body) is data with placeholders: only
  ``{{ … }}`` expressions over the documented names (`unit.name`, `unit.short`, `year`, …)
  and a few text filters; a ``{% … %}`` block, a call, arithmetic or any other name is refused
  before anything runs.
- **Templates** (a restyled appendix.docx) may also use ``{% if %}``, comparisons and
  arithmetic over the given values, but no loops, ``{% set %}``, macros, includes, calls or
  globals (`range`, `lipsum`, `cycler`, … are gone); ``+``, ``*`` and ``**`` cannot build
  huge values; the output is capped in size and the rendering in time.

Without loops, and with ``~`` chains kept flat, a rendering's work is bounded by the length
of its source. Both are `ImmutableSandboxedEnvironment`s with `StrictUndefined`: an unknown
name is an error, attributes starting with "_" (the way to `os.system`) are unreachable, and
a value that is a function (``{{ unit.name.upper }}``) is refused rather than printed.
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

TEXT_FILTERS = {"upper", "lower", "capitalize", "title", "trim", "default", "d", "e", "escape"}
TEMPLATE_FILTERS = TEXT_FILTERS | {"join", "length", "count", "first", "last", "string", "int"}

# Expression nodes any placeholder may use; templates add the statements below.
_EXPRESSIONS = (
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
)
_TEMPLATE_NODES = _EXPRESSIONS + (
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
            return operator.pow(left, right)
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
            source = check_source(source, self.kind)
        return super().from_string(source, globals, template_class)


def _no_functions(value: Any) -> Any:
    """What a placeholder prints must be a value: "{{ unit.name.upper }}" (a method) is an
    error, not "<built-in method …>" (which would also make output differ run to run)."""
    if callable(value) and not isinstance(value, Undefined):
        raise SecurityError("chỗ giữ chỗ là một hàm, không phải văn bản (bỏ phần .tên_hàm)")
    return value


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


@lru_cache(maxsize=2)
def environment(kind: str) -> _Bounded:
    """The sandbox for "text" (catalog text, no autoescape) or "xml" (templates)."""
    if kind == "text":
        return _Bounded(kind, TEXT_FILTERS, autoescape=False)
    return _Bounded(kind, TEMPLATE_FILTERS, autoescape=True, keep_trailing_newline=True)


def template_environment() -> _Bounded:
    """The sandbox office templates are rendered in (docxtpl is given this environment)."""
    return environment("xml")


def check_source(source: str, kind: str) -> nodes.Template:
    """Parse `source` and refuse every construct the sandbox of `kind` does not allow."""
    env = environment(kind)
    tree = env.parse(source)
    allowed = _EXPRESSIONS if kind == "text" else _TEMPLATE_NODES
    filters = TEXT_FILTERS if kind == "text" else TEMPLATE_FILTERS

    def walk(node: nodes.Node) -> None:
        if not isinstance(node, allowed):
            raise RefusedTemplate(_refusal(node, kind), getattr(node, "lineno", 0) or 0)
        if isinstance(node, nodes.Filter) and node.name not in filters:
            raise RefusedTemplate(
                f'bộ lọc "|{node.name}" không được phép (chỉ: {", ".join(sorted(filters))})',
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


def _refusal(node: nodes.Node, kind: str) -> str:
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
    if kind == "text":
        return (
            f"{what} không được phép trong nội dung catalog: chỉ dùng chỗ giữ chỗ "
            "{{ unit.name }}, {{ unit.short }}, {{ year }}, …"
        )
    return f"{what} không được phép trong mẫu"


@lru_cache(maxsize=4096)
def compiled(source: str, kind: str):
    return environment(kind).from_string(source)


def render(source: str, context: dict, kind: str = "text") -> str:
    """Render `source` in the sandbox of `kind`, bounded in output size and time."""
    return compiled(source, kind).render(context)


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
