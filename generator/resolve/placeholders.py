"""Placeholders in catalog and profile text: a small fixed grammar, substituted directly.

Catalog text (tasks, kind bodies, the plan body) and what a clerk types in a profile are
data, not code: the only thing they may hold besides text is a placeholder

    {{ unit.name }}    {{ unit.short }}    {{ year }}    {{ unit.name | upper }}

that is, a dotted name of the context (`unit.name`, `parent.title`, `role.home_affairs`, …)
followed by any of the filters of `FILTERS`; ``{{ '{' }}`` stands for a brace written as is
(so a text can hold "{{" itself). Nothing is compiled and nothing runs: a text is
split once into literal pieces and placeholders (`parse`, cached; the pieces are immutable),
every name is looked up in the context dict, and a value that is not text (a group such as
``{{ unit }}``, a method such as ``{{ unit.name.upper }}``) is refused rather than printed.
The work of a substitution is linear in the length of the text, whatever it holds; Jinja
is never imported for it. A ``{% … %}`` block, an operator, a call, a literal, a hidden
name (starting with "_"): each is refused with one Vietnamese line saying what it was.
Office templates (a restyled .docx) are another matter: render/sandbox.py.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass

FILTERS = {
    "upper": str.upper,
    "lower": str.lower,
    "capitalize": str.capitalize,
    "title": str.title,
    "trim": str.strip,
}
USABLE = "unit.name, unit.short, year, …"
# A text that must show "{{" as typed writes its brace as {{ '{' }} (import does so).
LITERAL_BRACE = ("'{'", '"{"')
MAX_PLACEHOLDERS = 1000  # in one text; a real one has a handful

_OPEN = re.compile(r"\{\{|\{%|\{#")
_EXPR = re.compile(
    r"\s*(?P<path>[A-Za-z_][A-Za-z0-9_]*(?:\s*\.\s*[A-Za-z_][A-Za-z0-9_]*)*)"
    r"(?P<filters>(?:\s*\|\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*"
)
_BLOCKS = {
    "for": "vòng lặp {% for %}",
    "if": "điều kiện {% if %}",
    "set": "{% set %}",
    "macro": "{% macro %}",
    "include": "{% include %}",
    "import": "{% import %}",
    "from": "{% from … import %}",
    "extends": "{% extends %}",
    "block": "{% block %}",
    "call": "{% call %}",
    "filter": "{% filter %}",
    "with": "{% with %}",
    "raw": "{% raw %}",
}


class PlaceholderError(Exception):
    """What is wrong with a text's placeholders, in Vietnamese, as the reader needs it:
    `refused` (a construct the grammar does not have) or not (a name that is unknown)."""

    def __init__(self, message: str, refused: bool) -> None:
        super().__init__(message)
        self.message = message
        self.refused = refused


@dataclass(frozen=True)
class Placeholder:
    path: tuple[str, ...]
    filters: tuple[str, ...]
    source: str  # as written, for messages


def _refused(what: str) -> PlaceholderError:
    return PlaceholderError(
        f"{what} không được phép trong nội dung catalog: chỉ dùng chỗ giữ chỗ "
        "{{ unit.name }}, {{ unit.short }}, {{ year }}, …",
        refused=True,
    )


def _what(expression: str) -> str:
    """What a placeholder holds that the grammar has not (for the message)."""
    body = expression.strip()
    if re.search(r"[A-Za-z_]\w*\s*\(", body):
        return "lời gọi hàm"
    if "~" in body:
        return "chuỗi ghép ~"
    if re.search(r"\*\*|[-+*/%]", body):
        return "phép tính (+, -, *, /, **)"
    if re.search(r"==|!=|<|>|\bif\b|\band\b|\bor\b|\bnot\b", body):
        return "phép so sánh, điều kiện"
    if "[" in body or "]" in body:
        return "chỉ số, danh sách [ … ]"
    if re.search(r"['\"]", body):
        return "chuỗi trong ngoặc kép"
    if re.match(r"^\d", body):
        return "con số"
    if not body:
        return "chỗ giữ chỗ trống {{ }}"
    return f"cú pháp “{body[:40]}”"


@functools.lru_cache(maxsize=8192)
def parse(text: str) -> tuple[str | Placeholder, ...]:
    """`text` as literal pieces and placeholders; PlaceholderError for anything else."""
    out: list[str | Placeholder] = []
    pos = 0
    for m in _OPEN.finditer(text):
        if m.start() < pos:
            continue  # inside a placeholder already read
        if m.group() != "{{":
            word = re.match(r"\s*[-+]?\s*(\w+)", text[m.end() :])
            kind = "ghi chú {# … #}" if m.group() == "{#" else "khối {% … %}"
            if word and m.group() == "{%":
                kind = _BLOCKS.get(word.group(1), kind)
            raise _refused(kind)
        end = text.find("}}", m.end())
        if end < 0:
            raise PlaceholderError('chỗ giữ chỗ "{{" chưa có "}}" đóng lại', refused=False)
        inner = text[m.end() : end]
        out.append(text[pos : m.start()])
        out.append("{" if inner.strip() in LITERAL_BRACE else _placeholder(inner))
        pos = end + 2
        if len(out) > 2 * MAX_PLACEHOLDERS:
            raise _refused(f"hơn {MAX_PLACEHOLDERS} chỗ giữ chỗ trong một đoạn")
    out.append(text[pos:])
    return tuple(piece for piece in out if piece != "")


def _placeholder(inner: str) -> Placeholder:
    m = _EXPR.fullmatch(inner)
    if not m:
        for name in re.findall(r"\|\s*([A-Za-z_]\w*)", inner):
            if name not in FILTERS:
                raise _filter(name)
        raise _refused(_what(inner))
    path = tuple(p.strip() for p in m["path"].split("."))
    hidden = next((p for p in path if p.startswith("_")), None)
    if hidden:
        raise PlaceholderError(
            f'chỗ giữ chỗ không được phép (không được truy cập thuộc tính ẩn "{hidden}")',
            refused=True,
        )
    filters = tuple(f.strip() for f in m["filters"].split("|")[1:])
    for name in filters:
        if name not in FILTERS:
            raise _filter(name)
    return Placeholder(path, filters, "{{" + inner + "}}")


def _filter(name: str) -> PlaceholderError:
    return PlaceholderError(
        f'bộ lọc "|{name}" không được phép (chỉ: {", ".join(sorted(FILTERS))})', refused=True
    )


def names(text: str) -> list[tuple[str, ...]]:
    """The dotted names `text` uses (PlaceholderError for anything but placeholders)."""
    return [p.path for p in parse(text) if isinstance(p, Placeholder)]


def _lookup(placeholder: Placeholder, context: Mapping) -> str:
    value: object = context
    for depth, name in enumerate(placeholder.path):
        if isinstance(value, Mapping) and name in value:
            value = value[name]
            continue
        if depth == 0:
            raise PlaceholderError(
                f'lỗi trong chỗ giữ chỗ {{{{ … }}}}: tên "{name}" không có (dùng được: {USABLE})',
                refused=False,
            )
        if isinstance(value, str) and hasattr(str, name):
            raise PlaceholderError(
                f"chỗ giữ chỗ là một hàm, không phải văn bản (bỏ phần .{name}"
                + (f"; để đổi chữ dùng |{name})" if name in FILTERS else ")"),
                refused=True,
            )
        raise PlaceholderError(
            f"lỗi trong chỗ giữ chỗ {{{{ … }}}}: "
            f'"{".".join(placeholder.path[:depth])}" không có thuộc tính "{name}"',
            refused=False,
        )
    if isinstance(value, Mapping):
        keys = ", ".join(f"{'.'.join(placeholder.path)}.{k}" for k in list(value)[:4])
        raise PlaceholderError(
            f"chỗ giữ chỗ {placeholder.source} là một nhóm giá trị, không phải văn bản "
            f"(dùng: {keys})",
            refused=True,
        )
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise PlaceholderError(f"chỗ giữ chỗ {placeholder.source} không phải văn bản", refused=True)
    text = str(value)
    for name in placeholder.filters:
        text = FILTERS[name](text)
    return text


def fill(text: str, context: Mapping) -> str:
    """`text` with its placeholders filled from `context` (PlaceholderError otherwise)."""
    if "{" not in text:
        return text
    return "".join(
        piece if isinstance(piece, str) else _lookup(piece, context) for piece in parse(text)
    )
