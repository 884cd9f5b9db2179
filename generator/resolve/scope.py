"""Which edition a unit's plan of a year belongs to, and the plan entry of that year.

A unit belongs to a province (its profile's `province`, or `edition` to pin one edition; a
data folder with editions of one province only needs neither) and has a plan entry per
year: `plan` for the year of its date, `plans` for others. Its plan of year Y is made from
its province's edition of year Y alone, never from another (docs/editions.md). Without a
year, the newest year the unit has a plan entry for and an edition of.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.core.errors import UserError
from generator.core.frozen import FrozenDict
from generator.model.folder import Edition, Workspace
from generator.model.kinds import KindView
from generator.model.unit import ParentPlan, Plan, Unit
from generator.model.validation import Loaded

ISSUER_KIND = "province"  # the kind of the body that issues an edition (its tables name units)


@dataclass(frozen=True)
class Scope:
    """What a plan is made within: the edition, the plan it implements (its parent), and
    the kind of the edition's issuer, whose tables name the units it gives tasks to."""

    edition: Edition
    parent: ParentPlan | None
    issuer_kind: KindView | None = None

    @property
    def year(self) -> int:
        return self.edition.year

    def names(self) -> dict:
        """The placeholders of the edition: {{ province.name }}, {{ edition.target }}, …"""
        identity = self.edition.identity.model
        texts = {"target": f"cải thiện kết quả các chỉ số của tỉnh năm {identity.year}"}
        texts.update(identity.texts)  # the province's own sentences, where it has them
        return {
            "province": FrozenDict(
                name=identity.province,
                level=identity.level,
                full=f"{identity.level} {identity.province}",
            ),
            "edition": FrozenDict({"id": self.edition.id, "issuer": identity.issuer, **texts}),
        }


@dataclass(frozen=True)
class Bound:
    """A unit as of one year: its profile with that year's plan, its kind, its scope."""

    slug: str
    loaded: Loaded[Unit]
    unit: Unit  # the profile, its `plan` the plan entry of `scope.year`
    kind: KindView
    scope: Scope
    other_catalogs: frozenset[str] = frozenset()  # of the unit's editions of other years


def province_plan(edition: Edition) -> ParentPlan:
    """The edition's plan as its units cite it (Kế hoạch số 252/KH-UBND …)."""
    identity = edition.identity.model
    number = identity.plan.number or " " * 6
    # made of the edition's validated fields: no second validation (nor its schema built)
    return ParentPlan.model_construct(
        title=f"Kế hoạch số {number}/{identity.plan.symbol}",
        issuer=identity.issuer,
        date=identity.plan.date,
        deadline_days=identity.deadline_days,
    )


def issuer_kind(ws: Workspace) -> KindView | None:
    """The kind of an edition's issuer (the province), when the data folder has it."""
    try:
        return ws.kind(ISSUER_KIND) if ISSUER_KIND in ws.kinds else None
    except UserError:  # a broken kind file: said by validate
        return None


def scope_of(edition: Edition, unit: Unit | None = None, issuer: KindView | None = None) -> Scope:
    """The scope of `unit`'s plan in `edition`: below the province, the province's plan is
    its parent (the 15-day rule); the province's own plan has none (unless it names one)."""
    own = unit.parent if unit is not None else None
    if unit is not None and issuer is not None and unit.kind == issuer.id:
        return Scope(edition, own, issuer)
    return Scope(edition, own or province_plan(edition), issuer)


def plan_years(unit: Unit) -> dict[int, Plan]:
    """The unit's plan entries by year (`plan` for the year of its date, then `plans`)."""
    years = {year: plan for year, plan in unit.plans.items()}
    years[unit.plan.date.year] = unit.plan
    return dict(sorted(years.items()))


def editions_of(ws: Workspace, loaded: Loaded[Unit]) -> list[Edition]:
    """The editions of the unit's province (or its pinned edition), oldest first."""
    return editions_for(ws, loaded.model, loaded.where)


def editions_for(ws: Workspace, unit: Unit, where=lambda *loc: None) -> list[Edition]:
    """As `editions_of`, for a profile not (yet) saved; `where(key)` places a problem."""
    if unit.edition is not None:
        return [ws.edition(unit.edition, where("edition"))]
    provinces = sorted({e.province_id for e in ws.editions.values()})
    province = unit.province
    if province is None:
        if len(provinces) > 1:
            raise UserError(
                "hồ sơ chưa ghi tỉnh của đơn vị (province): dữ liệu có kế hoạch của các tỉnh "
                + ", ".join(provinces),
                where(),
            )
        if not provinces:
            raise UserError(
                "dữ liệu chưa có edition nào (catalogs/editions/<tỉnh>-<năm>/): nhập kế hoạch "
                "của tỉnh bằng plangen import (docs/editions.md)",
                where(),
            )
        province = provinces[0]
    found = [e for e in ws.editions.values() if e.province_id == province]
    if not found:
        raise UserError(
            f'không có kế hoạch nào của tỉnh "{province}" (catalogs/editions/{province}-<năm>/); '
            f"có: {', '.join(provinces) or '(chưa có)'}",
            where("province"),
        )
    return sorted(found, key=lambda e: e.year)


def current_scope(ws: Workspace, unit: Unit) -> Scope | None:
    """The scope of the unit's current plan (the year of its `plan`), None without an
    edition of that year (a profile being edited: nothing is said of it here)."""
    try:
        editions = editions_for(ws, unit)
    except UserError:
        return None
    found = [e for e in editions if e.year == unit.plan.date.year]
    return scope_of(found[0], unit, issuer_kind(ws)) if found else None


def bind(ws: Workspace, slug: str, year: int | None = None) -> Bound:
    """The unit `slug` as of `year` (default: the newest year it has a plan entry and an
    edition for)."""
    loaded = ws.unit(slug)
    kind = ws.kind_of(slug)
    editions = {e.year: e for e in editions_of(ws, loaded)}
    plans = plan_years(loaded.model)
    if year is None:
        common = [y for y in plans if y in editions]
        if not common:
            raise UserError(
                "không có năm nào vừa có kế hoạch của đơn vị vừa có kế hoạch của tỉnh: đơn vị "
                f"có năm {', '.join(map(str, plans))}; tỉnh có năm "
                + ", ".join(map(str, editions)),
                loaded.where("plan"),
            )
        year = common[-1]
    if year not in editions:
        province = next(iter(editions.values())).province
        raise UserError(
            f"tỉnh {province} chưa có kế hoạch năm {year} (edition); có năm "
            + ", ".join(map(str, sorted(editions))),
            loaded.where("plan"),
        )
    if year not in plans:
        raise UserError(
            f"đơn vị chưa có kế hoạch năm {year}: thêm vào plans, ví dụ "
            f"plans: {{{year}: {{number: 12, date: {year}-07-01}}}}",
            loaded.where("plans") if loaded.model.plans else loaded.where("plan"),
        )
    unit = loaded.model
    if plans[year] is not unit.plan:
        unit = unit.model_copy(update={"plan": plans[year]})
    others = frozenset(c for y, e in editions.items() if y != year for c in e.catalogs)
    scope = scope_of(editions[year], unit, issuer_kind(ws))
    return Bound(slug, loaded, unit, kind, scope, others)
