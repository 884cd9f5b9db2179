"""A unit profile as a form: its fields, the values a profile or a submitted form holds, the
bounds of what a form may send, and the edit of the profile's YAML a form makes.

The profile YAML stays the source of truth and the clerk's file keeps its shape: `apply`
loads the file with ruamel.yaml's round-trip loader (`yamledit`), changes only the keys
whose form value changed, and dumps it again, so comments, key order and quoting survive.
Checking the result is `checking`'s; saving it, `saving`'s.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from generator.core.dates import PlanDate
from generator.core.errors import UserError
from generator.core.text import illegal_char, nfc
from generator.model.yamlfile import parse_text
from generator.write import yamledit

# --------------------------------------------------------------------------- the fields

# Form field -> where its value lives in the profile.
SCALARS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "name": ("name",),
        "plan_number": ("plan", "number"),
        "plan_symbol": ("plan", "symbol"),
        "plan_date": ("plan", "date"),
        "place": ("document", "place"),
        "signer_on_behalf": ("document", "signer", "on_behalf"),
        "signer_deputy": ("document", "signer", "deputy"),
        "signer_title": ("document", "signer", "title"),
        "signer_name": ("document", "signer", "name"),
    }
)
FLAGS: Mapping[str, tuple[str, ...]] = MappingProxyType({"long_date": ("plan", "long_date")})
REQUIRED = frozenset({"name", "plan_date"})  # kept as an empty value: the error has its field
ROLE_PREFIX = "role:"
ROLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")  # use fullmatch

# What one submitted form may hold (checked before any YAML is written or preview made):
# enough for any real profile, and a bound on the page and preview a form can cause.
MAX_TEXT = 500  # characters in a field, in one body of a role, in one omitted id
MAX_BODIES = 50  # bodies in one role
MAX_ROLE_TEXT = 10_000  # characters of all the bodies of one role
MAX_OMIT = 500  # tasks and sections left out
MAX_EXTRA_ROLES = 20  # role fields beyond the declared roles (misspelt ones, shown with errors)

LABELS: Mapping[str, str] = MappingProxyType(
    {
        "name": "Tên đơn vị",
        "plan_number": "Số kế hoạch",
        "plan_symbol": "Ký hiệu",
        "plan_date": "Ngày ban hành",
        "long_date": "Ghi ngày đầy đủ",
        "place": "Địa danh",
        "signer_on_behalf": "Thẩm quyền ký (TM.)",
        "signer_deputy": "Ký thay (KT.)",
        "signer_title": "Chức vụ người ký",
        "signer_name": "Họ tên người ký",
        "omit": "Nhiệm vụ, mục bỏ đi",
    }
)

# Where a key the profile does not have yet goes among its neighbours.
ORDER: Mapping[tuple[str, ...], tuple[str, ...]] = MappingProxyType(
    {
        (): ("kind", "name", "short", "show_name", "issuer", "plan", "parent", "document")
        + ("roles", "tasks", "omit"),
        ("plan",): ("number", "symbol", "date", "long_date"),
        ("document",): ("authority", "issuer_lines", "place", "signer", "recipients")
        + ("report_to", "report_every"),
        ("document", "signer"): ("on_behalf", "deputy", "title", "name"),
    }
)

Value = str | bool | tuple[str, ...]
Values = dict[str, Value]


def role_field(role: str) -> str:
    return ROLE_PREFIX + role


def path_of(name: str) -> tuple[str, ...]:
    if name in SCALARS:
        return SCALARS[name]
    if name in FLAGS:
        return FLAGS[name]
    if name == "omit":
        return ("omit",)
    if name.startswith(ROLE_PREFIX):
        return ("roles", name[len(ROLE_PREFIX) :])
    raise KeyError(name)


def label(name: str, role_names: Mapping[str, str] | None = None) -> str:
    """The field's name for a clerk: a role by what it means, its code name after it."""
    if name.startswith(ROLE_PREFIX):
        role = name[len(ROLE_PREFIX) :]
        desc = (role_names or {}).get(role)
        return f"{desc} ({role})" if desc else f"Vai trò {role}"
    return LABELS.get(name, name)


# --------------------------------------------------------------------------- values


def _clean(text: str) -> str:
    return " ".join(nfc(text).split())


def _lines(text: str) -> tuple[str, ...]:
    out = []
    for line in nfc(text).splitlines():
        line = " ".join(line.split())
        if line.startswith("- "):  # a pasted list
            line = line[2:].strip()
        if line:
            out.append(line)
    return tuple(out)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return PlanDate.parse(value).iso()
    if isinstance(value, bool):
        return "true" if value else "false"
    return nfc(str(value))


def _as_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(_text(v) for v in value)
    return (_text(value),)


def values_of(data: Any) -> Values:
    """The form's values as the profile has them (tolerant of any shape the file has)."""
    get = yamledit.get
    out: Values = {name: _text(get(data, p)) for name, p in SCALARS.items()}
    out.update({name: get(data, p) is True for name, p in FLAGS.items()})
    roles = get(data, ("roles",))
    if isinstance(roles, Mapping):
        for role, bodies in roles.items():
            out[role_field(str(role))] = _as_list(bodies)
    out["omit"] = _as_list(get(data, ("omit",)))
    return out


def form_values(form: Mapping, fields: list[str]) -> Values:
    """The values a submitted form holds for `fields` (those the page showed)."""
    out: Values = {}
    for name in fields:
        if name in SCALARS:
            out[name] = _clean(str(form.get(name) or ""))
            if name == "plan_date":
                out[name] = date_text(str(out[name]))
        elif name in FLAGS:
            out[name] = bool(form.get(name))
        elif name == "omit":
            getlist = getattr(form, "getlist", None)
            items = getlist("omit") if getlist else form.get("omit") or []
            out[name] = tuple(dict.fromkeys(i for i in (_clean(str(x)) for x in items) if i))
        elif name.startswith(ROLE_PREFIX):
            out[name] = _lines(str(form.get(name) or ""))
    return out


def same(name: str, a: Value | None, b: Value | None) -> bool:
    if name == "omit":
        return set(a or ()) == set(b or ())
    if isinstance(a, tuple) or isinstance(b, tuple):
        return tuple(a or ()) == tuple(b or ())
    if name in FLAGS:
        return bool(a) == bool(b)
    return (a or "") == (b or "")


def changed(new: Values, orig: Values) -> Values:
    """The fields whose submitted value differs from the value the form was filled with."""
    return {name: v for name, v in new.items() if not same(name, v, orig.get(name))}


def fields_for(values: Values, declared: list[str]) -> list[str]:
    """The form's fields: the scalars, the flags, a field per declared role and per role the
    profile sets (a misspelt one too, so its error has a place), and the omissions."""
    roles = list(declared) + [
        n[len(ROLE_PREFIX) :]
        for n in values
        if n.startswith(ROLE_PREFIX)
        and n[len(ROLE_PREFIX) :] not in declared
        and ROLE_NAME.fullmatch(n[len(ROLE_PREFIX) :])
    ]
    roles = list(dict.fromkeys(roles))[: len(set(declared)) + MAX_EXTRA_ROLES]
    return [*SCALARS, *FLAGS, *(role_field(r) for r in roles), "omit"]


def encode_values(values: Values) -> str:
    return json.dumps(
        {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()},
        ensure_ascii=False,
        sort_keys=True,
    )


def decode_values(text: str | None) -> Values | None:
    try:
        raw = json.loads(text or "")
    except ValueError:
        return None
    if not isinstance(raw, dict):
        return None
    out: Values = {}
    for k, v in raw.items():
        if isinstance(v, list) and all(isinstance(x, str) for x in v):
            out[str(k)] = tuple(v)
        elif isinstance(v, str | bool):
            out[str(k)] = v
    return out


# --------------------------------------------------------------------------- dates

# As a clerk types a date: day/month/year ("07/7/2026", "7.7.2026") or month/year for a draft
# whose day the văn thư fills in ("7/2026"); the YAML's own form ("2026-07-07") too.
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_MONTH_YEAR = re.compile(r"(\d{1,2})[/.-](\d{4})")
_ISO_SHAPE = re.compile(r"\d{4}-\d{1,2}(-\d{1,2})?")
DATE_FORMS = (
    "ngày/tháng/năm (06/7/2026) hoặc năm-tháng-ngày (2026-07-06); khi chưa có ngày: "
    "tháng/năm (7/2026) hoặc 2026-07"
)
DATE_HELP = "Ví dụ 06/7/2026 hoặc 2026-07-06; chưa có ngày: 7/2026."


def _typed_date(text: str) -> tuple[int, int, int | None] | None:
    if m := _DAY_MONTH_YEAR.fullmatch(text):
        return int(m[3]), int(m[2]), int(m[1])
    if m := _MONTH_YEAR.fullmatch(text):
        return int(m[2]), int(m[1]), None
    return None


def date_text(text: str) -> str:
    """A typed plan date as the YAML writes it ('07/7/2026' -> '2026-07-07', '7/2026' ->
    '2026-07'); anything that is no such date stays as typed, for the check to say why."""
    parts = _typed_date(text)
    if parts is None:
        return text
    try:
        return PlanDate.parse(PlanDate(*parts).iso()).iso()
    except ValueError:
        return text


def date_problem(text: str) -> str | None:
    """Why a typed plan date is none of the forms the form takes (a date in the YAML's own
    form is left to the model's check, which says it as `plangen validate` does)."""
    if not text or _ISO_SHAPE.fullmatch(text):
        return None
    parts = _typed_date(text)
    if parts is None:
        return f'ngày "{text}" phải có dạng {DATE_FORMS}'
    iso = PlanDate(*parts).iso()
    try:
        PlanDate.parse(iso)
    except ValueError as exc:  # said of what was typed, not of its ISO form
        return str(exc).replace(iso, text)
    return None


# --------------------------------------------------------------------------- editing YAML


def _yaml_value(name: str, value: Value):
    """The YAML value for a form value; None when the key is to be removed."""
    if name in FLAGS:
        return True if value else None
    if isinstance(value, tuple):
        return yamledit.sequence(value) if value else None
    text = str(value)
    if not text:
        return "" if name in REQUIRED else None
    if name == "plan_number" and text.isdigit() and (text == "0" or not text.startswith("0")):
        return int(text)
    if name == "plan_date" and _ISO_SHAPE.fullmatch(text):
        try:
            date = PlanDate.parse(text)
        except ValueError:
            return yamledit.plain(text)
        return date.date if date.day else yamledit.plain(date.iso())
    return yamledit.plain(text)


def apply(
    text: str,
    changes: Values,
    role_order: list[str] | None = None,
    inherited: frozenset = frozenset(),
) -> str:
    """The profile text with `changes` made, everything else as it was. `inherited` holds the
    paths (("document", "signer", "deputy"), …) where the unit's kind gives a value: a
    blank field there removes the key (the kind's value), never writes a null."""
    if not changes:
        return text
    yaml = yamledit.round_trip_yaml()
    data = yamledit.load_map(yaml, text)
    orders = {**ORDER, ("roles",): tuple(role_order or ())}
    for name, value in changes.items():
        path = path_of(name)
        if name == "omit" and isinstance(value, tuple):
            # keep the file's order for the ids it had; new ones follow in form order
            old = [str(x) for x in (yamledit.get(data, ("omit",)) or [])]
            value = tuple([x for x in old if x in value] + [x for x in value if x not in old])
        # A blank value keeps the comment written beside the key as "key:" (null), unless
        # the kind has a value there (an explicit null would clear the kind's value).
        keep_null = path[0] not in ("roles", "omit") and path not in inherited
        yamledit.set_path(data, path, _yaml_value(name, value), orders, keep_null)
    return yamledit.dump(yaml, data)


def load_values(text: str) -> Values:
    """The form values of a profile's text; a UserError when it is not readable YAML."""
    from pathlib import Path

    from ruamel.yaml.error import YAMLError

    try:
        data = yamledit.round_trip_yaml().load(text)
    except YAMLError:
        parse_text(Path("hồ sơ"), text)  # the loader's own Vietnamese message, with the line
        raise UserError("YAML không hợp lệ") from None
    return values_of(data)


def kind_of_text(text: str) -> str | None:
    """The `kind` a profile's text names, or None."""
    try:
        value = yamledit.get(yamledit.round_trip_yaml().load(text), ("kind",))
    except Exception:  # noqa: BLE001 - unreadable: the check reports it
        return None
    return value if isinstance(value, str) else None


# --------------------------------------------------------------------------- bounds


def too_large(values: Values, unchanged: Values | None = None) -> dict[str, str]:
    """Fields over the form's bounds (MAX_TEXT, MAX_BODIES, MAX_ROLE_TEXT, MAX_OMIT), said
    in Vietnamese by field. A field still as the saved profile has it is not held to them:
    the bounds are on what a form sends, not on files written by hand."""
    out: dict[str, str] = {}
    unchanged = unchanged or {}
    for name, value in values.items():
        if name in unchanged and same(name, value, unchanged[name]):
            continue
        items = value if isinstance(value, tuple) else [value]
        if name == "omit" and len(items) > MAX_OMIT:
            out[name] = f"bỏ đi quá nhiều mục ({len(items)}; tối đa {MAX_OMIT})"
            continue
        if name.startswith(ROLE_PREFIX):
            if len(items) > MAX_BODIES:
                out[name] = (
                    f"quá nhiều cơ quan trong một vai trò ({len(items)}; tối đa {MAX_BODIES}, "
                    "mỗi dòng một cơ quan)"
                )
                continue
            total = sum(len(t) for t in items if isinstance(t, str))
            if total > MAX_ROLE_TEXT:
                out[name] = f"quá dài ({total} ký tự; tối đa {MAX_ROLE_TEXT} cho một vai trò)"
                continue
        longest = max((len(t) for t in items if isinstance(t, str)), default=0)
        if longest > MAX_TEXT:
            what = "một dòng" if isinstance(value, tuple) else "nội dung"
            out[name] = f"{what} quá dài ({longest} ký tự; tối đa {MAX_TEXT})"
    return out


def bad_characters(values: Values) -> dict[str, str]:
    """Fields holding a character a DOCX cannot (said before any YAML is written)."""
    out = {}
    for name, value in values.items():
        for text in value if isinstance(value, tuple) else [value]:
            if isinstance(text, str) and (bad := illegal_char(text)):
                out[name] = f"văn bản chứa ký tự điều khiển {bad} không được phép trong DOCX"
    return out


def form_problems(values: Values, unchanged: Values | None = None) -> dict[str, str]:
    """Every field the form may not send as it is: too large, a character a DOCX cannot
    hold, a date in no form the page takes; checked before any YAML is written or any
    preview made."""
    out = {**bad_characters(values), **too_large(values, unchanged)}
    date = values.get("plan_date")
    if isinstance(date, str) and "plan_date" not in out and (why := date_problem(date)):
        out["plan_date"] = why
    return out
