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
from .resolve import keeps, resolve, task_fields
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
    declared = set(ws.roles.model.roles) if ws.roles else None
    kinds = set(ws.kinds)
    ids: dict[str, Where] = {}
    for cat in ws.catalogs.values():
        problems += _catalog(cat, declared, kinds, ids)
    for kind in ws.kinds.values():
        for role in kind.model.roles:
            problems += _role_declared(role, declared, kind.where("roles", role))
    units = {slug: ws.units[slug] for slug in slugs if slug in ws.units}
    for unit in units.values():
        m = unit.model
        problems += _known(
            m.kind, kinds, f'loại đơn vị "{m.kind}" không tồn tại', unit.where("kind")
        )
        for role in m.roles:
            problems += _role_declared(role, declared, unit.where("roles", role))
        for task_id in m.tasks:
            problems += _known(
                task_id,
                ids,
                f'không có nhiệm vụ "{task_id}" để ghi đè',
                unit.where("tasks", task_id),
            )
        for i, item in enumerate(m.omit):
            problems += _known(
                item, ids, f'không có nhiệm vụ hoặc mục "{item}" để bỏ', unit.where("omit", i)
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


def _kept_tasks(sections, kind: str, omitted: set[str]):
    for section in sections:
        if keeps(section, kind, omitted):
            yield from (t for t in section.tasks if keeps(t, kind, omitted))
            yield from _kept_tasks(section.sections, kind, omitted)


def _unfilled_roles(ws: Workspace, units: dict[str, Loaded]) -> list[UserError]:
    """Each role some unit leaves without bodies, once, naming the units."""
    missing: dict[str, set[str]] = defaultdict(set)
    first_use: dict[str, Where] = {}
    for slug, unit in units.items():
        kind = ws.kinds[unit.model.kind].model
        filled = set(kind.roles) | set(unit.model.roles)
        omitted = set(unit.model.omit)
        for cat in ws.catalogs.values():
            for task in _kept_tasks(cat.model.sections, kind.id, omitted):
                fields = task_fields(task, kind.id)
                for ref in fields["lead"] + fields["support"]:
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
