"""Kinds of unit form chains (ward -> commune): one merged view per kind.

A kind file names its `base`; every field it leaves out comes from the base, roles and
column labels are merged key by key (the kind's own entry wins), and the catalogs' wording
is laid over the catalog's common text field by field along the chain, the root's variant
first and the kind's own last, so the kind's own wins (resolve.task_fields).
`KindView.chain` is the kind itself first, its root last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.core.errors import UserError
from generator.core.text import did_you_mean
from generator.model.issuing import Document, merged
from generator.model.models import Kind, ParentPlan

if TYPE_CHECKING:
    from generator.model.load import Loaded


@dataclass(frozen=True)
class KindView:
    id: str
    chain: tuple[str, ...]  # (ward, commune): the kind first, its root last
    name: str
    abstract: bool
    short: str | None
    issuer: str | None
    plan_symbol: str | None  # None: each unit writes its own (a department's KH-SYT)
    column_labels: dict[str, str]
    bodies: str | None
    roles: dict[str, list[str]]
    avoid: tuple[str, ...]
    allow: tuple[str, ...]
    parent: ParentPlan | None
    document: Document  # merged along the chain, the kind's own fields winning

    def refuse_if_abstract(self, where=None) -> None:
        """An abstract kind (agency) is only for other kinds to inherit from."""
        if self.abstract:
            raise UserError(
                f'loại đơn vị "{self.id}" chỉ để các loại khác kế thừa, không dùng cho đơn vị '
                "(xem: plangen kinds)",
                where,
            )

    def is_a(self, names: list[str] | set[str]) -> bool:
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
            raise UserError(
                f'loại đơn vị "{current}" không tồn tại'
                + did_you_mean(current, kinds)
                + "; có: "
                + ", ".join(sorted(kinds)),
                where,
            )
        seen.add(current)
        loaded = kinds[current]
        out.append(loaded)
        current = loaded.model.base
    return out


def kind_view(kinds: dict[str, Loaded[Kind]], kind_id: str) -> KindView:
    return merge([k.model for k in chain_of(kinds, kind_id)])


def merge(chain: list[Kind]) -> KindView:
    """The view of `chain` (a kind, then its base, then the base's base, …)."""
    root_first = list(reversed(chain))

    def first(field: str):
        return next((v for k in chain if (v := getattr(k, field)) is not None), None)

    roles: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    avoid: list[str] = []
    allow: list[str] = []
    for kind in root_first:
        roles.update(kind.roles)
        labels.update(kind.column_labels)
        avoid += [w for w in kind.avoid if w not in avoid]
        allow += [w for w in kind.allow if w not in allow]
    own = chain[0]
    return KindView(
        id=own.id,
        chain=tuple(k.id for k in chain),
        name=own.name,
        abstract=own.abstract,
        short=first("short"),
        issuer=first("issuer"),
        plan_symbol=first("plan_symbol"),
        column_labels=labels,
        bodies=first("bodies"),
        roles=roles,
        avoid=tuple(avoid),
        allow=tuple(allow),
        parent=first("parent"),
        document=merged(*(k.document for k in root_first)),
    )


def foreign_words(text: str, kind: KindView) -> list[str]:
    """The kind's `avoid` words found in `text` (whole words, any case), once the `allow`
    phrases are taken out: for a ward, "xã" in "Công an xã" but not in "xã hội"."""
    import re

    if not kind.avoid:
        return []
    for phrase in kind.allow:
        text = re.sub(re.escape(phrase), " ", text, flags=re.IGNORECASE)
    return [
        word
        for word in kind.avoid
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, flags=re.IGNORECASE)
    ]
