"""Editing a YAML file in place: ruamel.yaml's round-trip loader, so comments, key order and
quoting survive; only the keys set here change.

Nothing here knows what a profile holds: its users (the web form's save, web/profiles.py;
`plangen import --apply`, readback/profile.py and readback/bodyout.py) say which key paths
change to which values, and the order a new key takes among its neighbours. A key already in
the file is set in place, never added a second time.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from typing import Any

from generator.core.errors import UserError

Path_ = tuple[str, ...]

# A plain scalar may not start with these (YAML indicators), and in a flow list
# ("[a, b]") may not hold these either: such a value is written quoted.
_INDICATORS = frozenset("?:-,[]{}#&*!|>'\"%@`")
_FLOW_UNSAFE = re.compile(r"[,\[\]{}#:]")


def round_trip_yaml():
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def get(data: Any, path: tuple) -> Any:
    """The value at `path`, or None (tolerant of any shape the file has)."""
    for part in path:
        if not isinstance(data, Mapping) or part not in data:
            return None
        data = data[part]
    return data


def plain(value: str):
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


def sequence(items: tuple[str, ...]):
    from ruamel.yaml.comments import CommentedSeq

    return CommentedSeq([plain(v) for v in items])


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


def _remove(node, parents: list, path: Path_, keep_null: bool) -> None:
    """Remove the key at `path`; with `keep_null`, a key whose removal would drop a comment
    is kept as "key:" (null) instead."""
    key = path[-1]
    if key not in node:
        return
    if keep_null and _comment_lost(parents, path):
        node[key] = None
        return
    del node[key]
    for i in range(len(parents) - 1, 0, -1):  # drop the mappings left empty
        if len(parents[i]) == 0:
            del parents[i - 1][path[i - 1]]


def _flow_like_siblings(node, key, value) -> None:
    """A new list is written as its old self was, else as the lists beside it are."""
    from ruamel.yaml.comments import CommentedSeq

    old = node.get(key)
    siblings = [v for v in node.values() if isinstance(v, CommentedSeq) and v is not old]
    flow = old.fa.flow_style() if isinstance(old, CommentedSeq) else None
    if flow is None:
        flow = all(s.fa.flow_style() for s in siblings) if siblings else True
    if flow:
        value.fa.set_flow_style()
    else:
        value.fa.set_block_style()


def set_path(data, path: Path_, value, orders: Mapping[Path_, list[str]], keep_null=True) -> None:
    """Set the key at `path` to `value` (None: remove it), creating the mappings on the way;
    a new key goes where `orders[parent path]` puts it among its neighbours."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    parents = [data]
    node = data
    for i, part in enumerate(path[:-1]):
        child = node.get(part) if isinstance(node, Mapping) else None
        if not isinstance(child, Mapping):
            if value is None:
                return  # nothing to remove
            child = CommentedMap()
            _insert(node, part, child, orders.get(path[:i], []))
        node = child
        parents.append(node)
    if value is None:
        _remove(node, parents, path, keep_null)
        return
    if isinstance(value, CommentedSeq):
        _flow_like_siblings(node, path[-1], value)
    _insert(node, path[-1], value, orders.get(path[:-1], []))


def load_map(yaml, text: str):
    """The file's top mapping, for editing (a UserError when it is not one)."""
    from ruamel.yaml.comments import CommentedMap

    data = yaml.load(text)
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise UserError("hồ sơ không phải một bảng khóa: giá trị; sửa tệp YAML trước")
    return data


def dump(yaml, data) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
