"""Read a YAML file into plain, immutable data plus the line and column of every value.

PyYAML's C parser builds the node tree; this module turns nodes into mappings, tuples and
scalars itself so that it can remember where each value came from (a pydantic error's
``loc`` is then mapped back to ``file:line:col`` and a field path), normalise text to NFC,
refuse text XML cannot hold, and stop an alias bomb before it expands: nodes and characters
are counted as they are built, an alias counting again everything it stands for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from generator.core.errors import UserError, Where
from generator.core.files import MB, read_bounded
from generator.core.frozen import FrozenDict
from generator.core.text import illegal_char, nfc

try:
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _Loader = yaml.SafeLoader

MAX_NODES = 100_000  # far above any real catalog; an alias bomb expands past it at once
MAX_BYTES = 20 * MB
MAX_CHARS = 20_000_000  # characters of all text once every alias is expanded
MAX_DEPTH = 50  # nesting levels; a real catalog has under ten

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class YamlDoc:
    """A parsed file: its data (FrozenDicts, tuples, scalars) and where each value (by key
    path) starts."""

    path: Path
    data: Any
    places: FrozenDict
    digest: str = ""  # sha256 of the file's bytes (12 hex digits), to stamp outputs

    def where(self, loc: Loc = ()) -> Where:
        """The closest known place for `loc` (a missing key points at its parent); the
        field is `loc` itself, dotted ("plan.date", "roles.home_affairs.0")."""
        loc = tuple(loc)
        known = loc
        while known not in self.places and known:
            known = known[:-1]
        line, col = self.places.get(known, (0, 0))
        return Where(self.path, line, col, ".".join(str(p) for p in loc))


_YAML_MESSAGES = {
    "found character '\t' that cannot start any token": (
        "có ký tự Tab: YAML chỉ thụt lề bằng dấu cách"
    ),
    "mapping values are not allowed": "dấu ':' đặt sai chỗ (thiếu ngoặc kép hoặc thụt lề sai?)",
    "found unexpected end of stream": "hết tệp khi còn dấu ngoặc kép chưa đóng",
    "could not find expected ':'": "thiếu dấu ':' sau tên khóa",
    "did not find expected key": "thụt lề không khớp với các dòng trên",
    "did not find expected '-' indicator": "thụt lề của danh sách không khớp",
    "found undefined alias": "tham chiếu '*' tới neo '&' không tồn tại",
    "exceeded maximum nesting depth": f"dữ liệu lồng quá sâu (trên {MAX_DEPTH} cấp)",
    "did not find expected ',' or ']'": (
        "danh sách [ … ] chưa đóng hoặc một phần tử chứa ký tự đặc biệt "
        "(đặt phần tử có ':', '{', '[' hay ',' trong ngoặc kép)"
    ),
    "did not find expected ',' or '}'": (
        "bảng { … } chưa đóng hoặc một giá trị chứa ký tự đặc biệt (đặt trong ngoặc kép)"
    ),
    "did not find expected node content": "thiếu giá trị (hoặc ký tự đặc biệt cần ngoặc kép)",
    "found unknown escape character": "ký tự thoát '\\' không hợp lệ trong chuỗi ngoặc kép",
    "found unacceptable character": "tệp có ký tự không đọc được",
    "expected <document start>": "cấu trúc tệp không hợp lệ (thụt lề hoặc dấu ':' sai)",
    "found character '%' that cannot start any token": "ký tự '%' ở đầu giá trị cần ngoặc kép",
    "found character '@' that cannot start any token": "ký tự '@' ở đầu giá trị cần ngoặc kép",
    "found character '`' that cannot start any token": "ký tự '`' ở đầu giá trị cần ngoặc kép",
}


def _yaml_error(path: Path, text: str, exc: yaml.YAMLError) -> UserError:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    if mark and "cannot start any token" in problem:
        lines = text.splitlines()
        if mark.line < len(lines) and "\t" in lines[mark.line]:
            problem = "found character '\t' that cannot start any token"
    text = next((vn for en, vn in _YAML_MESSAGES.items() if problem.startswith(en)), problem)
    where = Where(path, mark.line + 1, mark.column + 1) if mark else Where(path)
    return UserError(f"YAML không hợp lệ: {text}", where)


def read(path: Path) -> bytes:
    """The bytes of an input file (a regular file, at most MAX_BYTES)."""
    return read_bounded(path, MAX_BYTES)


def load(path: Path, raw: bytes | None = None) -> YamlDoc:
    """Parse `path` (or its bytes `raw`, read already); raise `UserError` with
    file:line:col for anything wrong."""
    raw = read(path) if raw is None else raw
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(f"tệp không phải UTF-8 (byte {exc.start})", Where(path)) from None
    return parse_text(path, text, hashlib.sha256(raw).hexdigest()[:12])


def parse_text(path: Path, text: str, digest: str = "") -> YamlDoc:
    """Parse YAML `text` as if read from `path` (for messages)."""
    if _may_nest_deeply(text):
        _check_depth(path, text)  # libyaml's composer recurses: very deep input crashes it
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, text, exc) from None
    except RecursionError:
        raise UserError(f"dữ liệu lồng quá sâu (trên {MAX_DEPTH} cấp)", Where(path)) from None
    if node is None:
        return YamlDoc(path, None, FrozenDict(), digest)
    builder = _Builder(path)
    data = builder.build(node, ())
    return YamlDoc(path, data, FrozenDict(builder.places), digest)


def _may_nest_deeply(text: str) -> bool:
    """A cheap bound: flow brackets, or a line whose indentation and "- "/"? " marks could
    reach MAX_DEPTH levels (no real catalog comes near)."""
    if text.count("[") + text.count("{") > 2 * MAX_DEPTH:
        return True
    return any(
        len(line) - len(line.lstrip(" ")) + line.count("- ") + line.count("? ") >= MAX_DEPTH
        for line in text.splitlines()
    )


_YAML12 = {
    "tag:yaml.org,2002:int": re.compile(r"[-+]?[0-9]+"),
    "tag:yaml.org,2002:bool": re.compile(r"true|false|True|False|TRUE|FALSE"),
    "tag:yaml.org,2002:float": re.compile(
        r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)"
    ),
}


def _yaml11_only(node: yaml.ScalarNode) -> bool:
    """A plain scalar that only YAML 1.1 reads as a number or a boolean ("010" as 8, "0x1A",
    "1_000", "yes", "on") stays the text the user typed, as YAML 1.2 reads it."""
    pattern = _YAML12.get(node.tag)
    return pattern is not None and not node.style and not pattern.fullmatch(node.value)


def _check_depth(path: Path, text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, reading the event stream (no recursion)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    raise UserError(
                        f"dữ liệu lồng quá sâu (trên {MAX_DEPTH} cấp)",
                        Where(path, mark.line + 1, mark.column + 1),
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        raise _yaml_error(path, text, exc) from None


def _name_owner(exc: UserError, mapping: dict[Any, Any]) -> None:
    """Say which task or section an error belongs to (once, the innermost owner)."""
    owner = mapping.get("id")
    if isinstance(owner, str) and not getattr(exc, "owner", None):
        exc.owner = owner
        exc.message += f' (mục "{owner}")'


class _Builder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.places: dict[Loc, tuple[int, int]] = {}
        self.count = 0
        self.chars = 0
        self.constructor = _Loader("")  # only its scalar constructors are used
        self.open: set[int] = set()  # the collection nodes being built (to catch a cycle)

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        if isinstance(node, yaml.CollectionNode):
            if id(node) in self.open or len(loc) > MAX_DEPTH:
                problem = (
                    "neo/tham chiếu (&/*) trỏ vào chính nó"
                    if id(node) in self.open
                    else f"dữ liệu lồng quá sâu (trên {MAX_DEPTH} cấp)"
                )
                raise UserError(
                    problem,
                    Where(self.path, node.start_mark.line + 1, node.start_mark.column + 1),
                )
            self.open.add(id(node))
            try:
                return self._build(node, loc)
            finally:
                self.open.discard(id(node))
        return self._build(node, loc)

    def _build(self, node: yaml.Node, loc: Loc) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise UserError(
                "tệp quá nhiều phần tử sau khi mở rộng neo/tham chiếu (&/*): "
                "có thể là một 'alias bomb'",
                Where(self.path, node.start_mark.line + 1, node.start_mark.column + 1),
            )
        self.places.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}  # frozen once built
            for key_node, value_node in node.value:
                key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, str | int) or isinstance(key, bool):
                    raise UserError(
                        "khóa phải là một tên (chuỗi)",
                        Where(
                            self.path,
                            key_node.start_mark.line + 1,
                            key_node.start_mark.column + 1,
                        ),
                    )
                if key in out:
                    raise UserError(
                        f'khóa "{key}" bị lặp lại',
                        Where(
                            self.path,
                            key_node.start_mark.line + 1,
                            key_node.start_mark.column + 1,
                        ),
                    )
                self.places[(*loc, key)] = (
                    key_node.start_mark.line + 1,
                    key_node.start_mark.column + 1,
                )
                try:
                    out[key] = self.build(value_node, (*loc, key))
                except UserError as exc:
                    _name_owner(exc, out)
                    raise
            return FrozenDict(out)
        if isinstance(node, yaml.SequenceNode):
            return tuple(self.build(item, (*loc, i)) for i, item in enumerate(node.value))
        value = self.scalar(node)
        if isinstance(value, str):
            self.chars += len(value)
            if self.chars > MAX_CHARS:
                raise UserError(
                    "tệp quá nhiều chữ sau khi mở rộng neo/tham chiếu (&/*): có thể là một "
                    "'alias bomb'",
                    Where(self.path, node.start_mark.line + 1, node.start_mark.column + 1),
                )
        return value

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == "tag:yaml.org,2002:str" or _yaml11_only(node):
            value: Any = node.value
        elif node.tag == "tag:yaml.org,2002:int":  # decimal, as YAML 1.2 reads "010" (10, not 8)
            return int(node.value, 10)
        else:
            construct = self.constructor.yaml_constructors.get(node.tag)
            if construct is None:
                raise UserError(
                    f"thẻ YAML {node.tag} không được hỗ trợ",
                    Where(self.path, node.start_mark.line + 1, node.start_mark.column + 1),
                )
            try:
                value = construct(self.constructor, node)
            except ValueError:  # e.g. 2026-13-01: keep the text, the schema explains
                return nfc(node.value)
            if isinstance(value, dt.date):  # keep dates as the ISO text the user typed
                return value.isoformat()
        if isinstance(value, str):
            bad = illegal_char(value)
            if bad:
                raise UserError(
                    f"văn bản chứa ký tự điều khiển {bad} không được phép trong DOCX",
                    Where(self.path, node.start_mark.line + 1, node.start_mark.column + 1),
                )
            value = nfc(value)
        return value
