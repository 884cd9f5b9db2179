"""Cross-file checks: what no single file's schema can see.

Duplicate ids, roles used but not declared, roles some unit leaves without a body,
overrides and omissions naming nothing, variants for unknown kinds, and finally a trial
resolve of every unit against every catalog (empty cells, placeholder errors).
"""

from __future__ import annotations

from collections import defaultdict

from .errors import UserError, Where
from .load import Loaded, Workspace
from .models import Catalog, split_role_ref
from .resolve import resolve
from .text import did_you_mean


def validate(ws: Workspace, slugs: list[str] | None = None, trial: bool = True) -> list[UserError]:
    """Every problem of the catalogs and kinds, and of the units `slugs` (default: all).

    With `trial`, each unit is also resolved against each catalog, for what only resolving
    finds (a placeholder error, an empty lead); a caller about to resolve anyway passes False.
    """
    problems = list(ws.problems)
    slugs = sorted(ws.unit_files) if slugs is None else slugs
    for slug in slugs:
        try:
            ws.unit(slug)
        except UserError as exc:
            problems += getattr(exc, "problems", [exc])
    declared = set(ws.roles.model.roles) if ws.roles else set()
    kinds = set(ws.kinds)
    ids: dict[str, Where] = {}
    for cat in ws.catalogs.values():
        problems += _catalog(cat, declared, kinds, ids)
    for kind in ws.kinds.values():
        for role in kind.model.roles:
            if declared and role not in declared:
                problems.append(
                    UserError(
                        f'vai trò "{role}" chưa được khai báo trong roles.yaml'
                        + did_you_mean(role, declared),
                        kind.where("roles", role),
                    )
                )
    units = {slug: ws.units[slug] for slug in slugs if slug in ws.units}
    for unit in units.values():
        m = unit.model
        if m.kind not in kinds:
            problems.append(
                UserError(
                    f'loại đơn vị "{m.kind}" không tồn tại' + did_you_mean(m.kind, kinds),
                    unit.where("kind"),
                )
            )
        for role in m.roles:
            if declared and role not in declared:
                problems.append(
                    UserError(
                        f'vai trò "{role}" chưa được khai báo trong roles.yaml'
                        + did_you_mean(role, declared),
                        unit.where("roles", role),
                    )
                )
        for task_id in m.tasks:
            if task_id not in ids:
                problems.append(
                    UserError(
                        f'không có nhiệm vụ "{task_id}" để ghi đè' + did_you_mean(task_id, ids),
                        unit.where("tasks", task_id),
                    )
                )
        for i, item in enumerate(m.omit):
            if item not in ids:
                problems.append(
                    UserError(
                        f'không có nhiệm vụ hoặc mục "{item}" để bỏ' + did_you_mean(item, ids),
                        unit.where("omit", i),
                    )
                )
    if problems:
        return problems
    problems += _unfilled_roles(ws, units)
    if problems or not trial:
        return problems
    for slug, unit in units.items():
        kind = ws.kinds[unit.model.kind]
        for cat in ws.catalogs.values():
            try:
                resolve(cat.model, kind.model, unit.model, slug, source=cat.path)
            except UserError as exc:
                problems.append(exc)
    return problems


def _catalog(
    cat: Loaded[Catalog], declared: set[str], kinds: set[str], ids: dict[str, Where]
) -> list[UserError]:
    out: list[UserError] = []
    doc = cat.doc

    def kind_refs(names, loc, what):
        for i, name in enumerate(names):
            if name not in kinds:
                out.append(
                    UserError(
                        f'{what} cho loại đơn vị không tồn tại "{name}"'
                        + did_you_mean(name, kinds),
                        doc.where((*loc, i)),
                    )
                )

    def walk(sections, loc):
        for i, section in enumerate(sections):
            sloc = (*loc, i)
            _unique(section.id, doc.where((*sloc, "id")), ids, out)
            kind_refs(section.omit, (*sloc, "omit"), "omit")
            kind_refs(list(section.variants), (*sloc, "variants"), "variants")
            for j, task in enumerate(section.tasks):
                tloc = (*sloc, "tasks", j)
                _unique(task.id, doc.where((*tloc, "id")), ids, out)
                kind_refs(task.omit, (*tloc, "omit"), "omit")
                kind_refs(list(task.variants), (*tloc, "variants"), "variants")
                refs = [
                    ((*tloc, f), task_refs)
                    for f in ("lead", "support")
                    for task_refs in [getattr(task, f)]
                ]
                refs += [
                    ((*tloc, "variants", k, f), getattr(v, f))
                    for k, v in task.variants.items()
                    for f in ("lead", "support")
                    if getattr(v, f) is not None
                ]
                for floc, role_refs in refs:
                    for n, ref in enumerate(role_refs):
                        role, _ = split_role_ref(ref)
                        if declared and role not in declared:
                            out.append(
                                UserError(
                                    f'vai trò "{role}" chưa được khai báo trong roles.yaml'
                                    + did_you_mean(role, declared)
                                    + f' (nhiệm vụ "{task.id}")',
                                    doc.where((*floc, n)),
                                )
                            )
            walk(section.sections, (*sloc, "sections"))

    walk(cat.model.sections, ("sections",))
    return out


def _unique(ident: str, where: Where, ids: dict[str, Where], out: list[UserError]) -> None:
    if ident in ids:
        out.append(UserError(f'mã "{ident}" bị trùng (đã dùng ở {ids[ident]})', where))
    else:
        ids[ident] = where


def _kept_tasks(sections, kind: str, dropped: set[str]):
    for section in sections:
        if kind in section.omit or section.id in dropped:
            continue
        yield from (t for t in section.tasks if kind not in t.omit and t.id not in dropped)
        yield from _kept_tasks(section.sections, kind, dropped)


def _unfilled_roles(ws: Workspace, units: dict[str, Loaded]) -> list[UserError]:
    """Each role some unit leaves without bodies, once, naming the units."""
    missing: dict[str, set[str]] = defaultdict(set)
    first_use: dict[str, Where] = {}
    for slug, unit in units.items():
        kind = ws.kinds[unit.model.kind].model
        filled = set(kind.roles) | set(unit.model.roles)
        dropped = set(unit.model.omit)
        for cat in ws.catalogs.values():
            for task in _kept_tasks(cat.model.sections, kind.id, dropped):
                variant = task.variants.get(kind.id)
                for field in ("lead", "support"):
                    refs = getattr(variant, field, None) if variant else None
                    for ref in refs if refs is not None else getattr(task, field):
                        role, _ = split_role_ref(ref)
                        if role not in filled:
                            missing[role].add(slug)
                            first_use.setdefault(role, Where(cat.path, task._line))
    return [
        UserError(
            f'vai trò "{role}" chưa được gán cơ quan cho đơn vị: '
            + ", ".join(sorted(units))
            + " (thêm vào roles của loại đơn vị hoặc của hồ sơ đơn vị)",
            first_use[role],
        )
        for role, units in sorted(missing.items())
    ]
