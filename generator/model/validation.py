"""Validate parsed YAML with the input models; every pydantic error becomes a one-line
`UserError` in Vietnamese with file:line:col and the field it is about.

`load_file` reads, validates and returns a `Loaded` (the model and its source). All problems
of one file are reported at once (`ValidationFailed`); a misspelt key gets a did-you-mean
from the keys the model allows at that place.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from generator.core.errors import UserError, ValidationFailed, Where
from generator.core.text import did_you_mean
from generator.model import yamlfile
from generator.model.catalog import Catalog

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Loaded(Generic[M]):
    """A validated file: its model and the parsed YAML it came from (lines, digest)."""

    model: M
    doc: yamlfile.YamlDoc

    @property
    def path(self) -> Path:
        return self.doc.path

    def where(self, *loc: str | int) -> Where:
        return self.doc.where(loc)

    def place(self, problems: list[UserError]) -> list[UserError]:
        """`problems` that name no file placed in this one, at the line of their field
        ("add.sipas-2026.0.after"): a unit's own fault met while resolving it."""
        out = []
        for p in problems:
            if p.where.path is None:
                loc = [int(x) if x.isdigit() else x for x in p.field.split(".") if x]
                p = UserError(p.message, self.where(*loc))
            out.append(p)
        return out

    @property
    def digest(self) -> str:
        return self.doc.digest


_TYPE_NAMES = {
    "string_type": "một chuỗi văn bản",
    "int_type": "một số nguyên",
    "int_parsing": "một số nguyên",
    "int_from_float": "một số nguyên",
    "float_type": "một số",
    "float_parsing": "một số",
    "bool_type": "true hoặc false",
    "bool_parsing": "true hoặc false",
    "list_type": "một danh sách (các dòng '- …')",
    "tuple_type": "một danh sách (các dòng '- …')",
    "dict_type": "một bảng khóa: giá trị",
    "model_type": "một bảng khóa: giá trị",
}


def _unwrap(annotation: Any) -> list[Any]:
    """The classes an annotation may hold (through Optional, list, dict, Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [c for a in typing.get_args(annotation) for c in _unwrap(a)]
    if origin in (list, dict):
        return [("container", a) for a in typing.get_args(annotation)[-1:]]
    if origin is tuple:
        return [("container", a) for a in typing.get_args(annotation)[:1]]
    return [annotation]


def allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The field names allowed in the mapping at `loc` below `model` (for did-you-mean)."""
    current: list[Any] = [model]
    for part in loc:
        nxt: list[Any] = []
        for item in current:
            if isinstance(item, tuple):  # inside a list or dict: this part is index/key
                nxt += _unwrap(item[1])
            elif (
                isinstance(item, type) and issubclass(item, BaseModel) and part in item.model_fields
            ):
                nxt += _unwrap(item.model_fields[part].annotation)
        current = nxt
    return [
        k
        for c in current
        if isinstance(c, type) and issubclass(c, BaseModel)
        for k in c.model_fields
    ]


def _message(err: dict, model: type[BaseModel]) -> str:
    kind, loc = err["type"], err["loc"]
    last = loc[-1] if loc else ""
    if kind == "missing":
        return f'thiếu khóa bắt buộc "{last}"'
    if kind == "extra_forbidden":
        return f'khóa "{last}" không hợp lệ' + did_you_mean(
            str(last), allowed_keys(model, loc[:-1])
        )
    if kind in _TYPE_NAMES:
        return f'"{last}" phải là {_TYPE_NAMES[kind]}'
    if kind == "literal_error":
        expected = str(err["ctx"]["expected"]).replace("'", '"').replace(" or ", " hoặc ")
        return f'"{last}" phải là một trong: {expected}'
    if kind == "finite_number":
        return f'"{last}" phải là một số hữu hạn'
    if kind == "string_pattern_mismatch":
        return (
            f'"{err["input"]}" không hợp lệ: chỉ dùng chữ thường không dấu, số và "-" '
            f'(hoặc "_" với tên vai trò)'
        )
    if kind == "too_short":
        return f'"{last}" cần ít nhất {err["ctx"]["min_length"]} phần tử'
    bounds = {
        "greater_than": "lớn hơn",
        "greater_than_equal": "từ",
        "less_than": "nhỏ hơn",
        "less_than_equal": "không quá",
    }
    if kind in bounds:
        limit = next(iter((err.get("ctx") or {}).values()), "")
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)
        return f'"{last}" ngoài khoảng cho phép (phải {bounds[kind]} {limit})'
    if kind == "value_error":
        return f'"{last}": {err["ctx"]["error"]}' if last else str(err["ctx"]["error"])
    return f'"{last}": {err["msg"]}'


def validate_doc(doc: yamlfile.YamlDoc, model: type[M]) -> M:
    """Validate parsed data; all problems of the file at once, as a ValidationFailed."""
    if not isinstance(doc.data, dict):
        raise UserError(
            "tệp phải là một bảng khóa: giá trị (đang trống hoặc sai dạng)", doc.where()
        )
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        problems: dict[tuple, UserError] = {}
        wanted: dict[tuple, list[str]] = {}  # a value matching none of a union's types
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not _union_member(p))
            err = {**err, "loc": loc}
            if err["type"] in _TYPE_NAMES and loc in wanted:
                wanted[loc].append(_TYPE_NAMES[err["type"]])
                name = " hoặc ".join(dict.fromkeys(wanted[loc]))
                message = f'"{loc[-1] if loc else ""}" phải là {name}'
            else:
                if err["type"] in _TYPE_NAMES:
                    wanted[loc] = [_TYPE_NAMES[err["type"]]]
                message = _message(err, model)
                if loc in problems:  # another member's complaint about the same value
                    continue
            owner = _owner(doc.data, loc)
            if owner:
                message += f' (mục "{owner}")'
            problems[loc] = UserError(message, doc.where(loc))
        raise ValidationFailed(list(problems.values())) from None


def _union_member(part: Any) -> bool:
    """pydantic names a union's member in an error's location ("str", "int",
    "function-after[…]"): not a key of the user's file."""
    return isinstance(part, str) and (
        part in ("str", "int", "float", "bool", "none", "list", "tuple", "dict")
        or "[" in part
        or part.startswith("function-")
    )


def _owner(data: Any, loc: tuple) -> str | None:
    """The id of the innermost task or section that `loc` lies in."""
    owner = None
    for part in loc:
        if isinstance(data, dict) and isinstance(data.get("id"), str):
            owner = data["id"]
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            break
    return owner


def load_file(path: Path, model: type[M], raw: bytes | None = None) -> Loaded[M]:
    """Read (or take the bytes `raw` of), parse and validate one input file."""
    doc = yamlfile.load(path, raw)
    loaded = Loaded(validate_doc(doc, model), doc)
    if isinstance(loaded.model, Catalog):
        index_tasks(loaded)
    return loaded


def index_tasks(loaded: Loaded[Catalog]) -> None:
    """Remember the line of every task so later errors can point at it."""

    def walk(sections, loc):
        for i, section in enumerate(sections):
            for j, task in enumerate(section.tasks):
                task._line = loaded.doc.where((*loc, i, "tasks", j)).line
            walk(section.sections, (*loc, i, "sections"))

    walk(loaded.model.sections, ("sections",))
