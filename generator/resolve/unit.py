"""A unit's appendices: every task catalog resolved for it, in the order of their numerals.

This is where the flow meets the data folder: the workspace's catalogs, the unit's profile
and kind, resolved (resolve/tables.py) into plain `Appendix` values. A unit's own fault met
while resolving (a missing plan symbol) is placed at its profile.
"""

from __future__ import annotations

from generator.core.errors import UserError, ValidationFailed
from generator.core.text import roman_value
from generator.model.catalog import Catalog
from generator.model.kinds import KindView
from generator.model.unit import Unit
from generator.model.validation import Loaded
from generator.model.workspace import Workspace
from generator.resolve.appendix import Appendix
from generator.resolve.tables import Resolver


def in_order(catalogs) -> list[Loaded[Catalog]]:
    """Catalogs in the order of their appendix numerals (Phụ lục I, II, …)."""
    return sorted(catalogs, key=lambda c: roman_value(c.model.appendix or ""))


def chosen(ws: Workspace, only: list[str] | None = None) -> list[Loaded[Catalog]]:
    """The catalogs a unit's files are made from; with `only`, those named by numeral or id."""
    catalogs = in_order(ws.catalogs.values())
    if not only:
        return catalogs
    known = {c.model.id for c in catalogs} | {c.model.appendix for c in catalogs}
    unknown = [o for o in only if o not in known]
    if unknown:
        raise UserError(
            f'không có phụ lục/catalog "{unknown[0]}"; có: '
            + ", ".join(f"{c.model.appendix or '-'} ({c.model.id})" for c in catalogs)
        )
    return [c for c in catalogs if c.model.id in only or c.model.appendix in only]


def resolve_one(cat: Loaded[Catalog], kind: KindView, unit: Unit, slug: str) -> Appendix:
    return Resolver(cat.model, kind, unit, slug, cat.digest, cat.path).appendix()


def unit_appendices(ws: Workspace, slug: str, only: list[str] | None = None) -> list[Appendix]:
    """The unit's appendices, in the order of their numerals (Phụ lục I, II, …)."""
    unit = ws.unit(slug)
    kind = ws.kind_of(slug)
    try:
        return [resolve_one(c, kind, unit.model, slug) for c in chosen(ws, only)]
    except ValidationFailed as exc:
        raise exc.placed(unit.path) from None
