"""Cross-file checks: what no single file's schema can see.

Duplicate ids, roles used but not declared, kinds whose base is unknown or circular,
overrides and omissions naming nothing, variants for unknown kinds; then a trial resolve of
every unit against every catalog (empty lead cells, unassigned roles, placeholder errors)
and, for every kind, the tasks still worded for another level (the kind's `avoid` words).
Every problem is reported in one run; a problem is not reported again as the consequence
of another (an override of a task is not "unknown" when its catalog failed to load).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.check.body import body_problems
from generator.check.body import trial as body_trial
from generator.check.legal import abolished_bodies, other_provinces
from generator.check.signature import signature_warnings
from generator.check.wording import added_foreign, kind_trial, task_lines
from generator.core.errors import UserError, Where, once
from generator.core.parallel import WorkerDied, forked_map, workers_for
from generator.core.text import unknown
from generator.model.catalog import Catalog
from generator.model.fields import split_role_ref
from generator.model.kinds import KindView
from generator.model.unit import Unit
from generator.model.validation import Loaded
from generator.model.workspace import Workspace
from generator.resolve.appendix import Appendix
from generator.resolve.deadlines import stale_deadlines
from generator.resolve.plan import Plan
from generator.resolve.scope import Bound, bind, editions_of, plan_years
from generator.resolve.unit import added_to_unknown, in_order, resolve_one

PARALLEL_FROM = 64  # units; below this, forking workers costs more than it saves


def validate(
    ws: Workspace,
    slugs: list[str] | None = None,
    trial: bool = True,
    warnings: list[UserError] | None = None,
) -> list[UserError]:
    """Every problem of the catalogs and kinds, and of the units `slugs` (default: all).

    With `trial`, each unit's plan of every year it has is also resolved in its edition
    (once: the same tables serve the plan body's trial), and each kind checked for wording
    of another level in every edition; a caller about to resolve anyway passes False. Many
    units are loaded, checked and tried on every core. What is only worth a warning (a task
    due before the unit's plan is issued, a body abolished in 2025) goes to `warnings`.
    """
    problems = list(ws.problems)
    slugs = sorted(ws.unit_files) if slugs is None else slugs
    declared = set(ws.roles.model.roles) if ws.roles else None
    kinds: dict[str, KindView] = {}
    for kind_id, loaded in sorted(ws.kinds.items()):
        try:
            kinds[kind_id] = ws.kind(kind_id)
        except UserError as exc:
            problems.append(exc)
        for role in loaded.model.roles:
            problems += _role_declared(role, declared, loaded.where("roles", role))
    ids: dict[str, dict[str, Where]] = {}
    for edition in ws.editions.values():
        ids[edition.id] = {}
        for cat in edition.catalogs.values():
            problems += _catalog(cat, declared, set(ws.kinds), ids[edition.id])
    for stray in ws.strays:  # a catalog kept elsewhere: its own references
        if isinstance(stray.model, Catalog):
            problems += _catalog(stray, declared, set(ws.kinds), {})
    if warnings is not None:
        warnings += shared_warnings(ws)
    shared = Shared(ws, kinds, declared, ids if not catalogs_broken(ws, ws.problems) else None)
    trial = trial and not catalogs_broken(ws, problems)  # else only follow-on noise
    bodies_sound = trial and not (found := body_problems(ws))
    if trial:
        problems += found
    workers = workers_for(len(slugs)) if len(slugs) >= PARALLEL_FROM else 1
    results = dict(forked_map(lambda s: shared.unit(s, trial, bodies_sound), slugs, workers))
    used: set[str] = set()
    for slug in slugs:
        result = results[slug]
        if isinstance(result, WorkerDied):
            message = "tiến trình kiểm tra dừng đột ngột"
            problems.append(UserError(message, Where(ws.unit_files.get(slug))))
            continue
        problems += result.problems
        if warnings is not None:
            warnings += result.warnings
        if result.kind is not None:
            used.add(result.kind)
    if not trial:
        return problems
    for edition in ws.editions.values():
        for kind in kinds.values():
            if not kind.abstract:
                gaps = kind.id not in used
                problems += kind_trial(ws, kind, edition, report_gaps=gaps, body=bodies_sound)
    return once(problems)


def shared_warnings(ws: Workspace) -> list[UserError]:
    """Bodies abolished in 2025 that a kind, a catalog or a plan body still names."""
    files = [*ws.kinds.values(), *ws.bodies, *ws.strays]
    for edition in ws.editions.values():
        files += [*edition.catalogs.values(), *edition.bodies]
    return [w for loaded in files for w in abolished_bodies(ws.legal, loaded)]


def catalogs_broken(ws: Workspace, problems) -> bool:
    """A problem in an appendix catalog (in an edition, or left outside one)."""
    return any(
        p.where.path
        and (p.where.path.parent == ws.catalog_dir or p.where.path.parent.parent == ws.editions_dir)
        for p in problems
    )


@dataclass(frozen=True)
class UnitResult:
    problems: list[UserError]
    warnings: list[UserError]
    kind: str | None = None  # the unit's kind, when its profile is sound


@dataclass(frozen=True)
class Shared:
    """What every unit's check reads (in a worker, as forked)."""

    ws: Workspace
    kinds: dict[str, KindView]
    declared: set[str] | None
    ids: dict[str, dict[str, Where]] | None  # per edition, task and section ids

    def unit(self, slug: str, trial: bool, body: bool) -> UnitResult:
        """One unit: its profile loaded and checked, and with `trial` each year of its plan
        resolved in its edition."""
        try:
            loaded = self.ws.unit(slug)
            editions = editions_of(self.ws, loaded)
        except UserError as exc:
            return UnitResult(exc.problems, [])
        ids = None
        if self.ids is not None:
            ids = {k: v for e in editions for k, v in self.ids.get(e.id, {}).items()}
        kind, problems = _unit(self.ws, loaded, self.kinds, self.declared, ids)
        problems += _years(loaded, editions)
        warnings = abolished_bodies(self.ws.legal, loaded)
        if kind is None or problems:
            return UnitResult(problems, warnings)
        if not trial:
            return UnitResult([], warnings, kind.id)
        for year in plan_years(loaded.model):
            if any(e.year == year for e in editions):
                found, more = unit_trial(self.ws, bind(self.ws, slug, year), body)
                problems += found
                warnings += more
        return UnitResult(problems, warnings, kind.id)


def _years(loaded: Loaded[Unit], editions: list) -> list[UserError]:
    """A plan year of the unit for which its province has no plan (edition)."""
    have = {e.year: e for e in editions}
    out = []
    for year in plan_years(loaded.model):
        if year not in have:
            province = editions[0].province if editions else "?"
            where = (
                loaded.where("plan")
                if loaded.model.plan.date.year == year
                else loaded.where("plans", year)
            )
            message = (
                f"kế hoạch năm {year} của đơn vị không có kế hoạch tỉnh {province} cùng năm "
                f"(edition); có năm {', '.join(map(str, sorted(have)))}: nhập kế hoạch của tỉnh "
                "năm đó bằng plangen import"
            )
            out.append(UserError(message, where))
    return out


def unit_trial(
    ws: Workspace, bound: Bound, body: bool = True
) -> tuple[list[UserError], list[UserError]]:
    """(problems, warnings) of one unit's plan of one year: its edition's catalogs resolved
    once, the tables then serving the plan body's trial (with `body`), the deadline
    warnings, and no other province named."""
    problems: list[UserError] = []
    warnings: list[UserError] = []
    resolved: list[Appendix] = []
    failed = False
    unit, loaded = bound.unit, bound.loaded
    problems += loaded.place(added_to_unknown(bound))
    for cat in in_order(bound.scope.edition.catalogs.values()):
        try:
            appendix = resolve_one(cat, bound.kind, unit, bound.slug, bound.scope)
        except UserError as exc:
            problems += loaded.place(exc.problems)
            failed = True
            continue
        resolved.append(appendix)
        problems += added_foreign(appendix, cat, bound.kind, loaded)
        warnings += stale_deadlines(appendix, unit, cat.path, task_lines(cat.model))
    texts = [
        (f"{a.label}, mục {r.code}", t) for a in resolved for r in a.rows for t in r.cells.values()
    ]
    texts += [(a.label, f"{a.title} {a.guide}") for a in resolved]
    loaded_body = ws.body_for(bound.scope.edition, bound.kind) if body else None
    if loaded_body is not None and not failed:
        where = loaded.where("document") if unit.document else loaded.where()
        args = (loaded_body, bound.kind, unit, bound.slug, resolved)
        found, plan = body_trial(*args, where=where, scope=bound.scope)
        problems += found
        if plan is not None:
            texts += [("thân kế hoạch", line) for line in _plan_lines(plan)]
            warnings += signature_warnings(plan, loaded)
    who = f'đơn vị "{bound.slug}"'
    province = bound.scope.edition.province
    problems += other_provinces(ws.legal, province, texts, who, loaded.where())
    return problems, warnings


def _plan_lines(plan: Plan) -> list[str]:
    lines = [plan.title, plan.number, plan.place_date, *plan.recipients, *plan.issuer_lines]
    return [line for line in [*lines, *(p.full for p in plan.paragraphs)] if line]


def _unit(ws, unit: Loaded[Unit], kinds, declared, ids) -> tuple[KindView | None, list]:
    m = unit.model
    out: list[UserError] = []
    kind = kinds.get(m.kind)
    if m.kind not in ws.kinds:
        usable = [k for k, v in ws.kinds.items() if not v.model.abstract]
        out += _known(m.kind, usable, f'loại đơn vị "{m.kind}" không tồn tại', unit.where("kind"))
    elif kind is not None:
        try:
            kind.refuse_if_abstract(unit.where("kind"))
        except UserError as exc:
            out.append(exc)
    for role in m.roles:
        out += _role_declared(role, declared, unit.where("roles", role))
    if ids is not None:
        for task_id in m.tasks:
            message = f'không có nhiệm vụ "{task_id}" để ghi đè'
            out += _known(task_id, ids, message, unit.where("tasks", task_id))
        for i, item in enumerate(m.omit):
            message = f'không có nhiệm vụ hoặc mục "{item}" để bỏ'
            out += _known(item, ids, message, unit.where("omit", i))
    return kind, out


def _known(name: str, choices, message: str, where: Where, tail: str = "") -> list[UserError]:
    """No problem when `name` is among `choices`; else `message`, a did-you-mean and `tail`."""
    if name in choices:
        return []
    return [unknown(message, name, choices, where, tail=tail)]


def _role_declared(role: str, declared: set[str] | None, where: Where, tail: str = ""):
    if declared is None:  # roles.yaml itself is broken: that is reported already
        return []
    message = f'vai trò "{role}" chưa được khai báo trong roles.yaml'
    return _known(role, declared, message, where, tail)


def _catalog(
    cat: Loaded[Catalog], declared: set[str] | None, kinds: set[str], ids: dict[str, Where]
) -> list[UserError]:
    out: list[UserError] = []
    doc = cat.doc

    def kind_refs(names, loc, what):
        for i, name in enumerate(names):
            message = f'{what} cho loại đơn vị không tồn tại "{name}"'
            out.extend(_known(name, kinds, message, doc.where((*loc, i))))

    def item_refs(item, loc):
        _unique(item.id, doc.where((*loc, "id")), ids, out)
        kind_refs(item.omit, (*loc, "omit"), "omit")
        kind_refs(item.only, (*loc, "only"), "only")
        kind_refs(list(item.variants), (*loc, "variants"), "variants")

    def walk(sections, loc):
        for i, section in enumerate(sections):
            sloc = (*loc, i)
            item_refs(section, sloc)
            for j, task in enumerate(section.tasks):
                tloc = (*sloc, "tasks", j)
                item_refs(task, tloc)
                refs = [((*tloc, f), getattr(task, f)) for f in ("lead", "support")]
                refs += [
                    ((*tloc, "variants", k, f), getattr(v, f))
                    for k, v in task.variants.items()
                    for f in ("lead", "support")
                    if getattr(v, f) is not None
                ]
                for floc, role_refs in refs:
                    for n, ref in enumerate(role_refs):
                        role, _ = split_role_ref(ref)
                        where = doc.where((*floc, n))
                        tail = f' (nhiệm vụ "{task.id}")'
                        out.extend(_role_declared(role, declared, where, tail))
            walk(section.sections, (*sloc, "sections"))

    walk(cat.model.sections, ("sections",))
    return out


def _unique(ident: str, where: Where, ids: dict[str, Where], out: list[UserError]) -> None:
    if ident in ids:
        out.append(UserError(f'mã "{ident}" bị trùng (đã dùng ở {ids[ident]})', where))
    else:
        ids[ident] = where
