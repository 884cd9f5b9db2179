"""A unit profile as a form: read its fields, apply a clerk's edits, check, save.

The profile YAML stays the source of truth and the clerk's file keeps its shape: an edit
loads the file with ruamel.yaml's round-trip loader, changes only the keys whose form value
changed, and dumps it again, so comments, key order and quoting survive. The candidate text
is checked in memory by the same loader, model and cross-file checks as `plangen validate`
(`yamlfile.parse_text`, `load.validate_doc`, `check.validate`) and by resolving the unit's
appendices (`generate.appendices`), and each problem is shown next to the form field its
file line belongs to.

Saving is optimistic: the form carries the hash of the file it was filled from; when the
file changed meanwhile (another clerk, the CLI), nothing is written and the clerk is shown
both versions, field by field and as a diff. The previous version of every saved file is
kept in ``.history/`` beside it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import io
import json
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.check.workspace import validate
from generator.core.errors import UserError, ValidationFailed
from generator.core.text import illegal_char, nfc
from generator.model.unit import Unit
from generator.model.validation import Loaded, validate_doc
from generator.model.workspace import Workspace
from generator.model.yamlfile import parse_text
from generator.resolve.appendix import Appendix
from generator.resolve.unit import unit_appendices as appendices
from generator.write.files import write_atomic

# --------------------------------------------------------------------------- the fields

# Form field -> where its value lives in the profile.
SCALARS: dict[str, tuple[str, ...]] = {
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
FLAGS: dict[str, tuple[str, ...]] = {"long_date": ("plan", "long_date")}
REQUIRED = {"name", "plan_date"}  # kept as an empty value, so the error points at the field
ROLE_PREFIX = "role:"
ROLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,63}\Z")  # use fullmatch

# What one submitted form may hold (checked before any YAML is written or preview made):
# enough for any real profile, and a bound on the page and preview a form can cause.
MAX_TEXT = 500  # characters in a field, in one body of a role, in one omitted id
MAX_BODIES = 50  # bodies in one role
MAX_ROLE_TEXT = 10_000  # characters of all the bodies of one role
MAX_OMIT = 500  # tasks and sections left out
MAX_EXTRA_ROLES = 20  # role fields beyond the declared roles (misspelt ones, shown with errors)

LABELS = {
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

# Where a key the profile does not have yet goes among its neighbours.
ORDER = {
    (): [
        "kind",
        "name",
        "short",
        "show_name",
        "issuer",
        "plan",
        "parent",
        "document",
        "roles",
        "tasks",
        "omit",
    ],
    ("plan",): ["number", "symbol", "date", "long_date"],
    ("document",): [
        "authority",
        "issuer_lines",
        "place",
        "signer",
        "recipients",
        "report_to",
        "report_every",
    ],
    ("document", "signer"): ["on_behalf", "deputy", "title", "name"],
}

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
    if name.startswith(ROLE_PREFIX):
        role = name[len(ROLE_PREFIX) :]
        desc = (role_names or {}).get(role)
        return f"Vai trò {role}" + (f" ({desc})" if desc else "")
    return LABELS.get(name, name)


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
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return nfc(str(value))


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def values_of(data: Any) -> Values:
    """The form's values as the profile has them (tolerant of any shape the file has)."""
    out: Values = {name: _text(_get(data, p)) for name, p in SCALARS.items()}
    out.update({name: _get(data, p) is True for name, p in FLAGS.items()})
    roles = _get(data, ("roles",))
    if isinstance(roles, Mapping):
        for role, bodies in roles.items():
            out[role_field(str(role))] = _as_list(bodies)
    out["omit"] = _as_list(_get(data, ("omit",)))
    return out


def _as_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(_text(v) for v in value)
    return (_text(value),)


def form_values(form: Mapping, fields: list[str]) -> Values:
    """The values a submitted form holds for `fields` (those the page showed)."""
    out: Values = {}
    for name in fields:
        if name in SCALARS:
            out[name] = _clean(str(form.get(name) or ""))
        elif name in FLAGS:
            out[name] = bool(form.get(name))
        elif name == "omit":
            getlist = getattr(form, "getlist", None)
            items = getlist("omit") if getlist else form.get("omit") or []
            seen: list[str] = []
            for item in items:
                item = _clean(str(item))
                if item and item not in seen:
                    seen.append(item)
            out[name] = tuple(seen)
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


# --------------------------------------------------------------------------- editing YAML


def round_trip_yaml():
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


# A plain scalar may not start with these (YAML indicators), and in a flow list
# ("[a, b]") may not hold these either: such a value is written quoted.
_INDICATORS = frozenset("?:-,[]{}#&*!|>'\"%@`")
_FLOW_UNSAFE = re.compile(r"[,\[\]{}#:]")


def _plain(value: str):
    """A string that plangen's loader (YAML 1.1) reads back as the same string: quoted when
    it would otherwise be read as a number, a date, true/false, null, or when it starts with
    a YAML indicator or holds a flow-list character (ruamel.yaml writes some of those bare,
    e.g. "? b" or ":d" in a flow list, which no loader reads back)."""
    import yaml as pyyaml
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    if value[:1] in _INDICATORS or _FLOW_UNSAFE.search(value) or value != value.strip():
        return SingleQuotedScalarString(value)
    tag = pyyaml.resolver.Resolver().resolve(pyyaml.ScalarNode, value, (True, False))
    return value if tag == "tag:yaml.org,2002:str" else SingleQuotedScalarString(value)


def _yaml_value(name: str, value: Value):
    """The YAML value for a form value; None when the key is to be removed."""
    from ruamel.yaml.comments import CommentedSeq

    if name in FLAGS:
        return True if value else None
    if isinstance(value, tuple):
        if not value:
            return None
        return CommentedSeq([_plain(v) for v in value])
    text = str(value)
    if not text:
        return "" if name in REQUIRED else None
    if name == "plan_number" and text.isdigit() and (text == "0" or not text.startswith("0")):
        return int(text)
    if name == "plan_date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    return _plain(text)


def _insert(mapping, key: str, value, order: list[str]) -> None:
    if key in mapping:
        mapping[key] = value
        return
    if key in order:
        rank = order.index(key)
        for pos, existing in enumerate(mapping):
            if existing in order and order.index(existing) > rank:
                mapping.insert(pos, key, value)
                return
    mapping[key] = value


def _has_comment(mapping, key) -> bool:
    comments = getattr(mapping, "ca", None)
    return comments is not None and any(comments.items.get(key) or ())


def _comment_lost(parents: list, path: tuple) -> bool:
    """Whether removing the key at `path` would drop a comment: its own, or that of a
    mapping above it left empty (and so removed too)."""
    if _has_comment(parents[-1], path[-1]):
        return True
    i = len(parents) - 1
    while i >= 1 and len(parents[i]) == 1:  # the mapping would be left empty
        if _has_comment(parents[i - 1], path[i - 1]):
            return True
        i -= 1
    return False


def _set(
    data, path: tuple[str, ...], value, role_order: list[str], inherited: frozenset = frozenset()
) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    parents = [data]
    node = data
    for i, part in enumerate(path[:-1]):
        child = node.get(part) if isinstance(node, Mapping) else None
        if not isinstance(child, Mapping):
            if value is None:
                return  # nothing to remove
            child = CommentedMap()
            _insert(node, part, child, ORDER.get(path[:i], []))
        node = child
        parents.append(node)
    key = path[-1]
    if value is None:
        if key not in node:
            return
        # A blank value keeps the comment written beside the key as "key:" (null), unless
        # the kind has a value there: in `document` an explicit null clears the kind's
        # value (issuing.merged), and a blank field means "the kind's default".
        if (
            path[0] not in ("roles", "omit")
            and path not in inherited
            and _comment_lost(parents, path)
        ):
            node[key] = None
            return
        del node[key]
        for i in range(len(parents) - 1, 0, -1):  # drop the mappings left empty
            if len(parents[i]) == 0:
                del parents[i - 1][path[i - 1]]
        return
    if isinstance(value, CommentedSeq):
        old = node.get(key)
        siblings = [v for v in node.values() if isinstance(v, CommentedSeq) and v is not old]
        flow = old.fa.flow_style() if isinstance(old, CommentedSeq) else None
        if flow is None:
            flow = all(s.fa.flow_style() for s in siblings) if siblings else True
        if flow:
            value.fa.set_flow_style()
        else:
            value.fa.set_block_style()
    order = role_order if path[:-1] == ("roles",) else ORDER.get(path[:-1], [])
    _insert(node, key, value, order)


def apply(
    text: str,
    changes: Values,
    role_order: list[str] | None = None,
    inherited: frozenset = frozenset(),
) -> str:
    """The profile text with `changes` made, everything else as it was. `inherited` holds the
    paths (("document", "signer", "deputy"), …) where the unit's kind gives a value."""
    from ruamel.yaml.comments import CommentedMap

    if not changes:
        return text
    yaml = round_trip_yaml()
    data = yaml.load(text)
    if data is None:
        data = CommentedMap()
    if not isinstance(data, CommentedMap):
        raise UserError("hồ sơ không phải một bảng khóa: giá trị; sửa tệp YAML trước")
    for name, value in changes.items():
        path = path_of(name)
        new = _yaml_value(name, value)
        if name == "omit" and isinstance(value, tuple):
            # keep the file's order for the ids it had; new ones follow in form order
            old = [str(x) for x in (_get(data, ("omit",)) or [])]
            ordered = [x for x in old if x in value] + [x for x in value if x not in old]
            new = _yaml_value(name, tuple(ordered))
        _set(data, path, new, role_order or [], inherited)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def load_values(text: str) -> Values:
    """The form values of a profile's text; a UserError when it is not readable YAML."""
    from ruamel.yaml.error import YAMLError

    try:
        data = round_trip_yaml().load(text)
    except YAMLError:
        parse_text(Path("hồ sơ"), text)  # the loader's own Vietnamese message, with the line
        raise UserError("YAML không hợp lệ") from None
    return values_of(data)


def kind_of_text(text: str) -> str | None:
    """The `kind` a profile's text names, or None."""
    try:
        value = _get(round_trip_yaml().load(text), ("kind",))
    except Exception:  # noqa: BLE001 - unreadable: the check reports it
        return None
    return value if isinstance(value, str) else None


# --------------------------------------------------------------------------- checking


@dataclass
class Check:
    """The problems of a candidate profile, by form field, and its appendices when valid."""

    fields: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)  # the unit's, with no field of their own
    shared: list[str] = field(default_factory=list)  # of the catalogs and kinds (not blocking)
    appendices: list[Appendix] = field(default_factory=list)
    unit: Unit | None = None
    workspace: Workspace | None = None  # with the candidate in place of the saved profile

    @property
    def ok(self) -> bool:
        return not self.fields and not self.general

    @classmethod
    def of(cls, messages: dict[str | None, str]) -> Check:
        """A check holding these messages (field name -> message; None: no field)."""
        check = cls()
        for name, message in messages.items():
            check.add(name, message)
        return check

    def add(self, name: str | None, message: str) -> None:
        if name is None:
            if message not in self.general:
                self.general.append(message)
        elif message not in self.fields.setdefault(name, []):
            self.fields[name].append(message)

    def count(self) -> int:
        return len(self.general) + sum(len(v) for v in self.fields.values())


def positions(text: str) -> dict[tuple[int, int], tuple]:
    """(line, column), 1-based, of every key and list item -> its path in the file."""
    try:
        data = round_trip_yaml().load(text)
    except Exception:  # noqa: BLE001 - a broken file simply has no positions
        return {}
    out: dict[tuple[int, int], tuple] = {}

    def put(pos: tuple[int, int], loc: tuple) -> None:
        if len(loc) > len(out.get(pos, ())):
            out[pos] = loc

    def walk(node: Any, loc: tuple) -> None:
        lc = getattr(node, "lc", None)
        if isinstance(node, Mapping):
            for key in node:
                try:
                    line, col = lc.key(key)
                    put((line + 1, col + 1), (*loc, key))
                except (AttributeError, KeyError, TypeError):
                    pass
                walk(node[key], (*loc, key))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                try:
                    line, col = lc.item(i)
                    put((line + 1, col + 1), (*loc, i))
                except (AttributeError, KeyError, TypeError):
                    pass
                walk(item, (*loc, i))

    walk(data, ())
    return out


def field_of(loc: tuple) -> str | None:
    if not loc:
        return None
    head = loc[0]
    if head == "name":
        return "name"
    if head == "plan":
        sub = loc[1] if len(loc) > 1 else "date"
        return {
            "number": "plan_number",
            "symbol": "plan_symbol",
            "date": "plan_date",
            "long_date": "long_date",
        }.get(sub)
    if head == "roles" and len(loc) > 1:
        return role_field(str(loc[1]))
    if head == "omit":
        return "omit"
    if head == "document" and len(loc) > 1:
        if loc[1] == "place":
            return "place"
        if loc[1] == "signer" and len(loc) > 2 and f"signer_{loc[2]}" in SCALARS:
            return f"signer_{loc[2]}"
    return None


def _locate(where_line: int, where_col: int, places: dict) -> tuple:
    if (where_line, where_col) in places:
        return places[(where_line, where_col)]
    same_line = sorted((c, loc) for (ln, c), loc in places.items() if ln == where_line)
    before = [loc for c, loc in same_line if c <= where_col]
    if before:
        return before[-1]
    return same_line[0][1] if same_line else ()


_ROLE_IN_MESSAGE = re.compile(r'vai trò "([a-z][a-z0-9_]*)"')


def _field_by_message(message: str, fields: list[str]) -> str | None:
    if "plan.symbol" in message:
        return "plan_symbol"
    m = _ROLE_IN_MESSAGE.search(message)
    if m and role_field(m.group(1)) in fields:
        return role_field(m.group(1))
    return None


def _same_file(a: Path | None, b: Path) -> bool:
    if a is None:
        return False
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b


def check_profile(ws: Workspace, slug: str, text: str, fields: list[str]) -> Check:
    """Check `text` as the profile of `slug`, in memory, with plangen validate's rules."""
    path = ws.unit_files[slug]
    result = Check()
    places = positions(text)

    def place(problem: UserError) -> None:
        name = None
        if _same_file(problem.where.path, path) and problem.where.line:
            name = field_of(_locate(problem.where.line, problem.where.col, places))
            if name is not None and name not in fields:
                name = None
        if name is None:
            name = _field_by_message(problem.message, fields)
        message = problem.message
        if name is None and _same_file(problem.where.path, path) and problem.where.line:
            message += f" (dòng {problem.where.line} của tệp hồ sơ)"
        result.add(name, message)

    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    try:
        doc = parse_text(path, text, digest)
        model = validate_doc(doc, Unit)
    except ValidationFailed as exc:
        for problem in exc.problems:
            place(problem)
        return result
    except UserError as exc:
        place(exc)
        return result
    candidate = ws.with_unit(slug, Loaded(model, doc))
    result.unit = model
    result.workspace = candidate
    for problem in validate(candidate, [slug], trial=False):
        if _same_file(problem.where.path, path):
            place(problem)
        elif str(problem) not in result.shared:
            result.shared.append(str(problem))
    if not result.ok:
        return result
    try:
        result.appendices = appendices(candidate, slug)
    except ValidationFailed as exc:
        for problem in exc.problems:
            place(problem)
    except UserError as exc:
        place(exc)
    if result.general or result.fields:  # say every catalog's problems, not the first one's
        result.appendices = []
        for cat_id in list(candidate.catalogs):
            try:
                appendices(candidate, slug, [cat_id])
            except ValidationFailed as exc:
                for problem in exc.problems:
                    place(problem)
            except UserError as exc:
                place(exc)
    return result


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


def form_problems(values: Values, unchanged: Values | None = None) -> dict[str, str]:
    """Every field the form may not send as it is: too large, or a character a DOCX cannot
    hold; checked before any YAML is written or any preview made."""
    return {**bad_characters(values), **too_large(values, unchanged)}


def bad_characters(values: Values) -> dict[str, str]:
    """Fields holding a character a DOCX cannot (said before any YAML is written)."""
    out = {}
    for name, value in values.items():
        for text in value if isinstance(value, tuple) else [value]:
            if isinstance(text, str) and (bad := illegal_char(text)):
                out[name] = f"văn bản chứa ký tự điều khiển {bad} không được phép trong DOCX"
    return out


# --------------------------------------------------------------------------- saving


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Conflict:
    rows: list[dict]  # field label, value when opened, value saved meanwhile, the clerk's
    diff: str  # the saved file -> what the clerk's save would write


def show(value: Value | None) -> str:
    if isinstance(value, tuple):
        return "\n".join(value) if value else "(trống)"
    if isinstance(value, bool):
        return "có" if value else "không"
    return value or "(trống)"


def conflict(
    orig: Values, disk: Values, mine: Values, disk_text: str, my_text: str, role_names
) -> Conflict:
    rows = []
    for name in dict.fromkeys([*mine, *disk]):
        o, d, m = orig.get(name), disk.get(name), mine.get(name)
        theirs = not same(name, o, d)
        ours = not same(name, o, m)
        if not theirs and not ours:
            continue
        rows.append(
            {
                "field": name,
                "label": label(name, role_names),
                "orig": show(o),
                "disk": show(d),
                "mine": show(m),
                "theirs": theirs,
                "ours": ours,
                "clash": theirs and ours and not same(name, d, m),
            }
        )
    diff = "".join(
        difflib.unified_diff(
            disk_text.splitlines(keepends=True),
            my_text.splitlines(keepends=True),
            "bản đang lưu trên máy chủ",
            "bản của bạn nếu lưu",
        )
    )
    return Conflict(rows, diff)


_save_lock = threading.Lock()
HISTORY = ".history"
KEEP = 50  # previous versions kept per unit


def history_dir(path: Path) -> Path:
    return path.parent / HISTORY


def save(path: Path, base: str, text: str) -> bool:
    """Write `text` over the profile if it still has hash `base`; False when it changed.

    The previous version goes to ``.history/<unit>.<time>.yaml`` first.
    """
    with _save_lock:
        old = path.read_bytes()
        if digest(old) != base:
            return False
        new = text.encode("utf-8")
        if new == old:
            return True
        folder = history_dir(path)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        write_atomic(folder / f"{path.stem}.{stamp}.yaml", old)
        write_atomic(path, new, force=True)
        kept = sorted(folder.glob(f"{path.stem}.*.yaml"))
        for extra in kept[:-KEEP]:
            try:
                extra.unlink()
            except OSError:
                pass
        return True


def inherited_paths(ws, slug: str) -> frozenset:
    """The `document` paths where the unit's kind gives a value (a blank field there must
    remove the key, not write a null that would clear the kind's value)."""
    try:
        document = ws.kind_of(slug).document.model_dump(exclude_none=True)
    except UserError:
        return frozenset()
    paths = set()
    for key, value in document.items():
        if isinstance(value, dict):
            paths |= {("document", key, sub) for sub in value}
        paths.add(("document", key))
    return frozenset(paths)
