"""A unit's appendices: its edition's task catalogs resolved for it, in the order of their
numerals.

This is where the flow meets the data folder: the unit is bound to one edition and year
(resolve/scope.py), and that edition's catalogs alone are resolved (resolve/tables.py) into
plain `Appendix` values. A unit's own fault met while resolving (a missing plan symbol) is
placed at its profile.
"""

from __future__ import annotations

from generator.core.errors import UserError, ValidationFailed, Where
from generator.core.text import roman_value, unknown
from generator.model.catalog import Catalog
from generator.model.kinds import KindView
from generator.model.unit import Unit
from generator.model.validation import Loaded
from generator.model.workspace import Workspace
from generator.resolve.appendix import Appendix
from generator.resolve.scope import Bound, Scope, bind
from generator.resolve.tables import Resolver


def in_order(catalogs) -> list[Loaded[Catalog]]:
    """Catalogs in the order of their appendix numerals (Phụ lục I, II, …)."""
    return sorted(catalogs, key=lambda c: roman_value(c.model.appendix or ""))


def chosen(bound: Bound, only: list[str] | None = None) -> list[Loaded[Catalog]]:
    """The catalogs a unit's files are made from (its edition's); with `only`, those named
    by numeral or id."""
    catalogs = in_order(bound.scope.edition.catalogs.values())
    if not only:
        return catalogs
    known = {c.model.id for c in catalogs} | {c.model.appendix for c in catalogs}
    unknown = [o for o in only if o not in known]
    if unknown:
        raise UserError(
            f'không có phụ lục/catalog "{unknown[0]}" trong kế hoạch {bound.scope.edition.id}; '
            "có: " + ", ".join(f"{c.model.appendix or '-'} ({c.model.id})" for c in catalogs)
        )
    return [c for c in catalogs if c.model.id in only or c.model.appendix in only]


def resolve_one(
    cat: Loaded[Catalog], kind: KindView, unit: Unit, slug: str, scope: Scope | None = None
) -> Appendix:
    return Resolver(cat.model, kind, unit, slug, cat.digest, cat.path, scope).appendix()


def added_to_unknown(bound: Bound) -> list[UserError]:
    """The unit's own tasks (`add`) filed under a catalog none of its editions has."""
    have = set(bound.scope.edition.catalogs) | bound.other_catalogs
    return [
        unknown(
            f'add: không có catalog "{key}"', key, sorted(have), Where(field=f"add.{key}"), "có"
        )
        for key in bound.unit.add
        if key not in have
    ]


def bound_appendices(bound: Bound, only: list[str] | None = None) -> list[Appendix]:
    """The appendices of a unit bound to its edition and year."""
    problems = added_to_unknown(bound)
    out = []
    for cat in chosen(bound, only):
        try:
            out.append(resolve_one(cat, bound.kind, bound.unit, bound.slug, bound.scope))
        except ValidationFailed as exc:
            problems += exc.problems
    if problems:
        raise ValidationFailed(bound.loaded.place(problems))
    return out


def unit_appendices(
    ws: Workspace, slug: str, only: list[str] | None = None, year: int | None = None
) -> list[Appendix]:
    """The unit's appendices of `year` (default: its newest), in the order of their
    numerals (Phụ lục I, II, …)."""
    return bound_appendices(bind(ws, slug, year), only)
