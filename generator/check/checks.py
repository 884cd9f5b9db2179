"""Cross-file checks: what no single file's schema can see.

Duplicate ids, roles used but not declared, kinds whose base is unknown or circular,
overrides and omissions naming nothing, variants for unknown kinds; then a trial resolve of
every unit against every catalog (empty lead cells, unassigned roles, placeholder errors)
and, for every kind, the tasks still worded for another level (the kind's `avoid` words).
Every problem is reported in one run; a problem is not reported again as the consequence
of another (an override of a task is not "unknown" when its catalog failed to load).
"""

from __future__ import annotations

from generator.core.errors import UserError, ValidationFailed, Where
from generator.core.text import did_you_mean
from generator.model.kinds import KindView, foreign_words
from generator.model.load import Loaded, Workspace
from generator.model.models import Catalog, Unit, split_role_ref
from generator.resolve.deadlines import stale_deadlines
from generator.resolve.tables import Resolver


def validate(
    ws: Workspace,
    slugs: list[str] | None = None,
    trial: bool = True,
    warnings: list[UserError] | None = None,
) -> list[UserError]:
    """Every problem of the catalogs and kinds, and of the units `slugs` (default: all).

    With `trial`, each unit is also resolved against each catalog, and each kind checked for
    wording of another level; a caller about to resolve anyway passes False. What is only
    worth a warning (a task due before the unit's plan is issued) goes to `warnings`.
    """
    problems = list(ws.problems)
    slugs = sorted(ws.unit_files) if slugs is None else slugs
    for slug in slugs:
        try:
            ws.unit(slug)
        except UserError as exc:
            problems += getattr(exc, "problems", [exc])
    declared = set(ws.roles.model.roles) if ws.roles else None
    kinds: dict[str, KindView] = {}
    for kind_id, loaded in sorted(ws.kinds.items()):
        try:
            kinds[kind_id] = ws.kind(kind_id)
        except UserError as exc:
            problems.append(exc)
        for role in loaded.model.roles:
            problems += _role_declared(role, declared, loaded.where("roles", role))
    ids: dict[str, Where] = {}
    for cat in ws.catalogs.values():
        problems += _catalog(cat, declared, set(ws.kinds), ids)
    catalogs_whole = not any(
        p.where.path and p.where.path.parent == ws.catalog_dir for p in ws.problems
    )
    units: dict[str, tuple[Loaded[Unit], KindView]] = {}
    for slug in slugs:
        if slug not in ws.units:
            continue
        unit = ws.units[slug]
        kind, unit_problems = _unit(ws, unit, kinds, declared, ids if catalogs_whole else None)
        problems += unit_problems
        if kind is not None and not unit_problems:
            units[slug] = (unit, kind)
    if not trial or any(p.where.path and p.where.path.parent == ws.catalog_dir for p in problems):
        return problems  # a broken catalog would only produce follow-on noise
    for slug, (unit, kind) in units.items():
        for cat in ws.catalogs.values():
            found, appendix = _trial(cat, kind, unit.model, slug)
            problems += ValidationFailed(found).placed(unit.path).problems
            if appendix is not None and warnings is not None:
                warnings += stale_deadlines(appendix, unit.model, cat.path, task_lines(cat.model))
    from generator.resolve.plan import (
        validate_plan,  # the plan body's catalog, checked like the others
    )

    problems += validate_plan(ws, slugs)
    used = {kind.id for _, kind in units.values()}
    for kind in kinds.values():
        if not kind.abstract:
            problems += wording_problems(ws, kind, report_gaps=kind.id not in used)
    return once(problems)


def once(problems: list[UserError]) -> list[UserError]:
    """Each problem once (a unit's own fault is met by every catalog it is tried with)."""
    seen: set[str] = set()
    return [p for p in problems if not (str(p) in seen or seen.add(str(p)))]


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


def _trial(cat: Loaded[Catalog], kind: KindView, unit: Unit, slug: str):
    try:
        return [], Resolver(cat.model, kind, unit, slug, source=cat.path).appendix()
    except ValidationFailed as exc:
        return exc.problems, None
    except UserError as exc:
        return [exc], None


def sample_unit(kind: KindView) -> Unit:
    """A unit of `kind` with nothing of its own: what the kind's defaults alone give (and a
    plan symbol where each unit of the kind writes its own, as a department does)."""
    short = kind.short or "Sở"
    plan = {"date": "2026-07"} if kind.plan_symbol else {"date": "2026-07", "symbol": "KH"}
    return Unit.model_validate({"kind": kind.id, "name": f"{short} Mẫu", "plan": plan})


def wording_problems(ws: Workspace, kind: KindView, report_gaps: bool = True) -> list[UserError]:
    """Each task and section a unit of `kind` would get in another level's words; with
    `report_gaps`, also what keeps a new unit of the kind from rendering with the kind's
    defaults alone (a role without bodies, no plan symbol)."""
    out: list[UserError] = []
    unit = sample_unit(kind)
    for cat in ws.catalogs.values():
        try:
            appendix = Resolver(cat.model, kind, unit, "mau", source=cat.path).appendix()
        except UserError as exc:
            if report_gaps:  # otherwise said by the trial resolve of a real unit
                for problem in getattr(exc, "problems", [exc]):
                    message = problem.message.replace('đơn vị "mau"', f'loại "{kind.id}"')
                    out.append(UserError(message + " (đơn vị mới chỉ có mặc định)", problem.where))
            continue
        if not kind.avoid:
            continue
        lines = task_lines(cat.model)
        for row in appendix.rows:
            texts = row.cells.values()
            words = sorted({w for t in texts for w in foreign_words(t, kind)})
            if not words:
                continue
            what = "mục" if row.is_section else "nhiệm vụ"
            chain = " hoặc ".join(f'"{k}"' for k in kind.chain)
            out.append(
                UserError(
                    f'loại "{kind.id}": {what} "{row.ident}" chưa có cách viết của cấp này '
                    f"(còn {', '.join(f'“{w}”' for w in words)}): thêm variants cho {chain}, "
                    "hoặc viết {{ unit.short }} thay cho từ chỉ cấp",
                    Where(cat.path, lines.get(row.ident, 0)),
                )
            )
    return out


def task_lines(catalog: Catalog) -> dict[str, int]:
    return {t.id: t._line for t in catalog.iter_tasks()}


def _known(name: str, choices, message: str, where: Where, tail: str = "") -> list[UserError]:
    """No problem when `name` is among `choices`; else `message`, a did-you-mean and `tail`."""
    if name in choices:
        return []
    return [UserError(message + did_you_mean(name, choices) + tail, where)]


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
