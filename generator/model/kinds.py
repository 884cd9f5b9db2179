"""Kinds of unit form chains (ward -> commune): one merged view per kind.

A kind file names its `base`; every field it leaves out comes from the base, roles and
column labels are merged key by key (the kind's own entry wins), and the catalogs' wording
is laid over the catalog's common text field by field along the chain, the root's variant
first and the kind's own last, so the kind's own wins (resolve.tables.task_fields).
`KindView.chain` is the kind itself first, its root last.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.core.errors import UserError, Where
from generator.core.frozen import FrozenDict
from generator.core.text import unknown
from generator.model.document import Document, merged
from generator.model.unit import Assigned, Kind
from generator.model.validation import Loaded


@dataclass(frozen=True)
class KindView:
    id: str
    chain: tuple[str, ...]  # (ward, commune): the kind first, its root last
    name: str
    abstract: bool
    short: str | None
    issuer: str | None
    plan_symbol: str | None  # None: each unit writes its own (a department's KH-SYT)
    column_labels: FrozenDict
    bodies: str | None
    roles: FrozenDict  # role -> tuple of bodies
    aliases: FrozenDict  # role -> other names of its bodies in issued documents (for import)
    avoid: tuple[str, ...]
    allow: tuple[str, ...]
    document: Document  # merged along the chain, the kind's own fields winning
    assigned: Assigned  # who does the tasks the province names a unit of this kind for
    # `avoid` and `allow` compiled once: foreign_words runs over every cell of every unit
    _avoid: tuple[tuple[str, re.Pattern], ...] = field(default=(), repr=False, compare=False)
    _allow: re.Pattern | None = field(default=None, repr=False, compare=False)

    def refuse_if_abstract(self, where: Where | None = None) -> None:
        """An abstract kind (agency) is only for other kinds to inherit from."""
        if self.abstract:
            raise UserError(
                f'loại đơn vị "{self.id}" chỉ để các loại khác kế thừa, không dùng cho đơn vị '
                "(xem: plangen kinds)",
                where,
            )

    def is_a(self, names) -> bool:
        """Whether this kind or a kind it inherits from is among `names`."""
        return any(k in names for k in self.chain)


def chain_of(kinds: dict[str, Loaded[Kind]], kind_id: str) -> list[Loaded[Kind]]:
    """The kind and its bases, the kind first; unknown bases and cycles are user errors."""
    out: list[Loaded[Kind]] = []
    seen: set[str] = set()
    current: str | None = kind_id
    while current is not None:
        if current in seen:
            path = " -> ".join([*(k.model.id for k in out), current])
            raise UserError(f"loại đơn vị kế thừa vòng tròn: {path}", out[-1].where("base"))
        if current not in kinds:
            where = out[-1].where("base") if out else None
            raise unknown(f'loại đơn vị "{current}" không tồn tại', current, kinds, where, "có")
        seen.add(current)
        loaded = kinds[current]
        out.append(loaded)
        current = loaded.model.base
    return out


def kind_view(kinds: dict[str, Loaded[Kind]], kind_id: str) -> KindView:
    return merge([k.model for k in chain_of(kinds, kind_id)])


def _word(word: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)", re.IGNORECASE)


def merge(chain: list[Kind]) -> KindView:
    """The view of `chain` (a kind, then its base, then the base's base, …)."""
    root_first = list(reversed(chain))

    def first(name: str):
        return next((v for k in chain if (v := getattr(k, name)) is not None), None)

    roles: dict[str, tuple[str, ...]] = {}
    aliases: dict[str, tuple[str, ...]] = {}
    labels: dict[str, str] = {}
    avoid: list[str] = []
    allow: list[str] = []
    for kind in root_first:
        roles.update(kind.roles)
        aliases.update(kind.aliases)
        labels.update(kind.column_labels)
        avoid += [w for w in kind.avoid if w not in avoid]
        allow += [w for w in kind.allow if w not in allow]
    own = chain[0]
    by_length = sorted(allow, key=len, reverse=True)
    return KindView(
        id=own.id,
        chain=tuple(k.id for k in chain),
        name=own.name,
        abstract=own.abstract,
        short=first("short"),
        issuer=first("issuer"),
        plan_symbol=first("plan_symbol"),
        column_labels=FrozenDict(labels),
        bodies=first("bodies"),
        roles=FrozenDict(roles),
        aliases=FrozenDict(aliases),
        avoid=tuple(avoid),
        allow=tuple(allow),
        document=merged(*(k.document for k in root_first)),
        assigned=first("assigned") or Assigned(),
        _avoid=tuple((w, _word(w)) for w in avoid),
        _allow=re.compile("|".join(map(re.escape, by_length)), re.IGNORECASE) if allow else None,
    )


def foreign_words(text: str, kind: KindView, own: tuple[str, ...] = ()) -> list[str]:
    """The kind's `avoid` words found in `text` (whole words, any case), once the `allow`
    phrases and the unit's `own` names are taken out: for a ward, "xã" in "Công an xã" but
    not in "xã hội"; "Ban Quản lý" not in a Ban Quản lý dự án's own name."""
    if not kind._avoid:
        return []
    if kind._allow is not None:
        text = kind._allow.sub(" ", text)
    for name in own:
        text = re.sub(re.escape(name), " ", text, flags=re.IGNORECASE)
    return [word for word, pattern in kind._avoid if pattern.search(text)]
