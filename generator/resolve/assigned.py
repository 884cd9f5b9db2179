"""The tasks the province's own tables give a unit by name.

The province's Phụ lục names the bodies that lead and support each task (Sở Y tế leads the
social-security policy task). A unit so named, by its name or by a role it says it plays
(`plays: [health]`), keeps that task in its own plan even where its kind leaves the task
out: the sở's part of the province's plan. In the unit's table the task is led by the
unit's own offices (its kind's `assigned` roles) and the other bodies the province named
with it become its partners.

Pure: the catalog read with the issuer kind's roles (the province kind of the data folder);
nothing is looked up elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.core.text import nfc
from generator.model.catalog import Catalog, Section
from generator.model.fields import split_role_ref
from generator.model.kinds import KindView
from generator.model.unit import Unit
from generator.resolve.placeholders import PlaceholderError, fill
from generator.resolve.scope import Scope


@dataclass(frozen=True)
class Named:
    """How the province's table names the unit for one task."""

    as_lead: bool  # among the leads (else among the supporting bodies only)
    partners: tuple[str, ...]  # the province's other lead bodies of the task


def _key(name: str) -> str:
    return " ".join(nfc(name).casefold().split())


def _issuer_context(scope: Scope, kind: KindView) -> dict:
    names = scope.names()
    province = names["province"]
    unit = {"name": province["full"], "short": kind.short or "", "slug": ""}
    return {"unit": unit, "kind": kind.id, "year": scope.year, **names}


Bodies = tuple[tuple[str, str, str], ...]  # (name, folded name, role) of each body


def province_table(catalog: Catalog, scope: Scope, issuer: KindView) -> tuple:
    """(task id, lead bodies, support bodies) of each task of the province's own table,
    worked out once per catalog, edition and issuer kind (the same for all its units)."""
    key = (id(catalog), scope.edition.id, scope.year, id(issuer))
    cached = _TABLES.get(key)
    if cached is not None and cached[0] is catalog and cached[1] is issuer:
        return cached[2]
    context = _issuer_context(scope, issuer)

    def bodies(refs) -> Bodies:
        out = []
        for ref in refs:
            role, _ = split_role_ref(ref)
            for body in issuer.roles.get(role, ()):
                try:
                    name = fill(body, context) if "{" in body else body
                except PlaceholderError:  # the issuer kind's own fault, said by validate
                    name = body
                out.append((name, _key(name), role))
        return tuple(out)

    table = tuple(
        (task.id, bodies(_field(task, "lead", issuer)), bodies(_field(task, "support", issuer)))
        for task in catalog.iter_tasks()
        if not issuer.is_a(task.omit) and (not task.only or issuer.is_a(task.only))
    )
    if len(_TABLES) >= 64:
        _TABLES.clear()
    _TABLES[key] = (catalog, issuer, table)
    return table


_TABLES: dict = {}  # province_table's memo; entries hold their catalog, so an id is never reused


def named_tasks(catalog: Catalog, scope: Scope | None, kind: KindView, unit: Unit) -> dict:
    """Task id -> `Named`, for each task of `catalog` whose lead or supporting bodies in the
    province's table include `unit` (of `kind`); empty for the province itself."""
    issuer = scope.issuer_kind if scope is not None else None
    if issuer is None or kind.is_a(issuer.chain):
        return {}
    own, plays = _key(unit.name), set(unit.plays)
    found: dict[str, Named] = {}
    for ident, leads, supports in province_table(catalog, scope, issuer):
        hits = [folded == own or role in plays for _, folded, role in leads]
        if any(hits) or any(folded == own or role in plays for _, folded, role in supports):
            partners = tuple(name for (name, _, _), hit in zip(leads, hits, strict=True) if not hit)
            found[ident] = Named(any(hits), partners)
    return found


def _field(task, name: str, kind: KindView) -> tuple[str, ...]:
    """The task's `name` roles as `kind` reads them: its nearest variant that sets them."""
    variants = (task.variants.get(k) for k in kind.chain)
    return next(
        (getattr(v, name) for v in variants if v and getattr(v, name) is not None),
        getattr(task, name),
    )


def sections_holding(catalog: Catalog, ids: set[str], sections: set[str] = frozenset()) -> set[str]:
    """The ids of the sections with one of the tasks `ids` (or one of the sections
    `sections`) at any depth below them, those sections included."""
    out: set[str] = set()

    def walk(section: Section) -> bool:
        holds = section.id in sections or any(t.id in ids for t in section.tasks)
        for sub in section.sections:
            holds = walk(sub) or holds
        if holds:
            out.add(section.id)
        return holds

    for section in catalog.sections:
        walk(section)
    return out
