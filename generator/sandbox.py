"""The two Jinja sandboxes: catalog text, and office templates.

Everything a user supplies is untrusted, so no Jinja runs outside these environments:

- **Catalog text** (tasks, kind bodies, the plan body) is data with placeholders: only
  ``{{ … }}`` expressions over the documented names (`unit.name`, `unit.short`, `year`, …)
  and a few text filters; a ``{% … %}`` block, a call, arithmetic or any other name is refused
  before anything runs.
- **Templates** (a restyled appendix.docx) may also use ``{% if %}`` and ``{% for %}`` over
  the given values (at most two loops deep), but no ``{% set %}``, macros, includes, calls or
  globals (`range`, `lipsum`, `cycler`, … are gone); ``*`` and ``**`` are bounded; the output
  is capped in size and the rendering in time.

Both are `ImmutableSandboxedEnvironment`s with `StrictUndefined`: an unknown name is an
error, and attributes starting with "_" (the way to `os.system`) are unreachable.
"""

from __future__ import annotations

import operator
import time
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateError, nodes
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_OUTPUT = 2_000_000  # characters one rendering may produce (a whole document body)
MAX_SECONDS = 5.0  # wall time one rendering may take
MAX_LOOP_DEPTH = 2
MAX_NUMBER = 10**15  # no arithmetic result beyond this (a "10**5000" is refused)

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
    nodes.For,
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

    intercepted_binops = frozenset(["*", "**"])

    def __init__(self, kind: str, filters: set[str], **kw: Any) -> None:
        super().__init__(undefined=StrictUndefined, **kw)
        self.kind = kind
        self.concat = _bounded_concat  # joins a rendering's output: capped in size and time
        self.globals.clear()  # range, lipsum, dict, cycler, joiner, namespace
        self.filters = {k: v for k, v in self.filters.items() if k in filters}
        self.tests = {
            k: v
            for k, v in self.tests.items()
            if k
            in {"defined", "undefined", "none", "number", "string", "eq", "ne", "in", "odd", "even"}
        }

    def call_binop(self, context, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if abs(left) > 1000 or abs(right) > 16:
                raise SecurityError("phép lũy thừa quá lớn")
            return operator.pow(left, right)
        if operator_name == "*":
            if isinstance(left, str | list | tuple) or isinstance(right, str | list | tuple):
                size = len(left) if isinstance(left, str | list | tuple) else len(right)
                times = right if isinstance(left, str | list | tuple) else left
                if isinstance(times, int) and size * max(times, 0) > 10_000:
                    raise SecurityError("chuỗi lặp lại quá dài")
            result = operator.mul(left, right)
            if isinstance(result, int | float) and abs(result) > MAX_NUMBER:
                raise SecurityError("số quá lớn")
            return result
        return super().call_binop(context, operator_name, left, right)

    def from_string(self, source, globals=None, template_class=None):  # noqa: A002
        """Every template is checked (check_source) before it is compiled."""
        if isinstance(source, str):
            source = check_source(source, self.kind)
        return super().from_string(source, globals, template_class)


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

    def walk(node: nodes.Node, loops: int) -> None:
        if not isinstance(node, allowed):
            raise RefusedTemplate(_refusal(node, kind), getattr(node, "lineno", 0) or 0)
        if isinstance(node, nodes.Filter) and node.name not in filters:
            raise RefusedTemplate(
                f'bộ lọc "|{node.name}" không được phép (chỉ: {", ".join(sorted(filters))})',
                node.lineno,
            )
        if isinstance(node, nodes.Name) and node.ctx != "load":
            raise RefusedTemplate("không được gán biến", node.lineno)
        if isinstance(node, nodes.For):
            if loops + 1 > MAX_LOOP_DEPTH:
                raise RefusedTemplate(
                    f"vòng lặp lồng quá {MAX_LOOP_DEPTH} cấp không được phép", node.lineno
                )
            if node.recursive:
                raise RefusedTemplate("vòng lặp đệ quy không được phép", node.lineno)
            for name in node.target.find_all(nodes.Name):  # the loop variable is set
                if name.ctx != "store":
                    raise RefusedTemplate("biến vòng lặp không hợp lệ", node.lineno)
            for child in node.iter_child_nodes():
                if child is node.target:
                    continue
                walk(child, loops + 1 if child is not node.iter else loops)
            return
        for child in node.iter_child_nodes():
            walk(child, loops)

    walk(tree, 0)
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
    }.get(type(node), f"cú pháp {type(node).__name__}")
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
