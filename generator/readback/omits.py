"""Kinds the source's wording does not fit (docs/import.md, "Other kinds: omit, with a
TODO"): the new catalog is resolved for every other kind, and where a task would have no
lead, use a role the kind does not assign, or read in another level's words, that kind is
added to the task's (or section's) `omit` with a `# TODO` saying why. The importing unit's
kind and its bases are never omitted."""

from __future__ import annotations

import re

from generator.check.wording import sample_unit
from generator.core.errors import UserError
from generator.core.parallel import WorkerDied, forked_map
from generator.model.catalog import Catalog
from generator.model.fields import split_role_ref
from generator.model.kinds import KindView, foreign_words
from generator.model.workspace import Workspace
from generator.readback.draft import CatalogOut, SectionOut, TaskOut, add_omit
from generator.resolve.tables import Resolver, section_title, task_fields

PARALLEL_FROM = 1000  # tasks; below this, forking workers costs more than it saves


def _said(words: list[str]) -> str:
    return "còn chữ " + ", ".join(f"“{w}”" for w in words)


def _other_kinds(ws: Workspace, kind: KindView) -> list[KindView]:
    """Every kind a unit may be of, but the importing unit's and its bases; bases first
    (their omit covers more)."""
    views = []
    for kind_id, loaded in ws.kinds.items():
        if loaded.model.abstract or kind_id in kind.chain:
            continue
        try:
            views.append(ws.kind(kind_id))
        except UserError:
            continue
    return sorted(views, key=lambda v: (len(v.chain), v.id))


def omit_for_other_kinds(ws: Workspace, kind: KindView, catalog: CatalogOut) -> list[str]:
    """Add the omits to `catalog`; the report's lines, one per kind and reason."""
    model = Catalog.model_validate(catalog.data())
    by_id: dict[str, SectionOut | TaskOut] = {s.id: s for s in catalog.all_sections()}
    by_id |= {t.id: t for s in catalog.all_sections() for t in s.tasks}
    reasons: dict[tuple[str, str], list[str]] = {}
    words: dict[tuple, dict[str, list[str]]] = {}  # kinds that avoid the same words share

    def omit(item_id: str, view: KindView, why: str) -> None:
        item = by_id[item_id]
        if any(k in item.omit for k in view.chain):
            return  # a base kind is omitted already
        add_omit(item, view.id, why)
        reasons.setdefault((view.id, why), []).append(item_id)

    views = _other_kinds(ws, kind)

    def misfits(i: int) -> list[tuple[str, str]]:
        view = views[i]
        return list(_Misfits(model, view, words.setdefault((view.avoid, view.allow), {})).items())

    # a long table's kinds are tried on every core (each kind's misfits are its own: the
    # omits are then added in the kinds' order, bases first, as one after another would)
    many = sum(1 for _ in model.iter_tasks()) >= PARALLEL_FROM
    found = dict(forked_map(misfits, range(len(views)), None if many else 1))
    for i, view in enumerate(views):
        result = found[i] if not isinstance(found[i], WorkerDied) else misfits(i)
        for item_id, why in result:
            omit(item_id, view, why)
    return [f"{kind_id}: {len(ids)} mục/nhiệm vụ ({why}): {', '.join(ids)}"
            for (kind_id, why), ids in reasons.items()]  # fmt: skip


class _Misfits:
    """What a sample unit of `view` could not print as the catalog says: the cells of a
    task are its roles' bodies (with their notes) and its text fields, as the resolver
    fills them for that unit. Imported text holds no placeholder (a brace is written
    {{ '{' }}), so its words are those of the text as written; each text is looked at
    once per set of avoided words, each role once per kind."""

    def __init__(self, model: Catalog, view: KindView, seen: dict[str, list[str]]) -> None:
        self.model, self.view, self.seen = model, view, seen
        self.resolver = Resolver(model, view, sample_unit(view, model.year), "mau")
        self.roles: dict[str, tuple[bool, list[str]]] = {}  # role ref -> (bodies?, words)
        # a text holding none of the avoided words anywhere (most texts) has no foreign word
        avoid = "|".join(re.escape(w) for w in view.avoid)
        self.maybe = re.compile(avoid, re.IGNORECASE).search if avoid else None

    def foreign(self, text: str) -> list[str]:
        found = self.seen.get(text)
        if found is None:
            found = self.seen[text] = (
                foreign_words(text, self.view) if self.maybe and self.maybe(text) else []
            )
        return found

    def role(self, ref: str) -> tuple[bool, list[str]]:
        if ref not in self.roles:
            role, note = split_role_ref(ref)
            bodies = self.resolver.role_bodies(role)
            found = [w for b in bodies for w in self.foreign(f"{b} {note}" if note else b)]
            self.roles[ref] = (bool(bodies), found)
        return self.roles[ref]

    def items(self):
        """(section or task id, why), in catalog order."""
        chain = self.view.chain
        for section, _ in self.model.iter_sections():
            words = self.foreign(section_title(section, chain))
            if words:
                yield section.id, _said(words)
        for task in self.model.iter_tasks():
            fields = task_fields(task, chain)
            refs = [*fields["lead"], *fields["support"]]
            missing = sorted({r for r in map(_role, refs) if r not in self.view.roles})
            if missing:
                yield task.id, "loại này chưa gán cơ quan cho " + ", ".join(missing)
                continue
            if not any(self.role(r)[0] for r in fields["lead"]):
                yield task.id, "không có cơ quan chủ trì ở loại này"
                continue
            found = {w for r in refs for w in self.role(r)[1]}
            found |= {w for k in ("text", "deadline", "product") for w in self.foreign(fields[k])}
            if found:
                yield task.id, _said(sorted(found))


def _role(ref: str) -> str:
    return split_role_ref(ref)[0]
