"""What a kind's defaults alone give: a sample unit of every kind, tried against every
catalog; each task and section still worded for another level (the kind's `avoid` words)
is reported with its file and line and the fix."""

from __future__ import annotations

from generator.check.body import trial
from generator.core.errors import UserError, Where
from generator.model.catalog import Catalog
from generator.model.kinds import KindView, foreign_words
from generator.model.unit import Unit
from generator.model.validation import Loaded
from generator.model.workspace import Edition, Workspace
from generator.resolve.appendix import Appendix
from generator.resolve.scope import issuer_kind, scope_of
from generator.resolve.unit import in_order, resolve_one


def sample_unit(kind: KindView, year: int = 2026) -> Unit:
    """A unit of `kind` with nothing of its own: what the kind's defaults alone give (and a
    plan symbol where each unit of the kind writes its own, as a department does)."""
    short = kind.short or "Trung tâm"  # a kind whose units call themselves by their name
    date = f"{year}-07"
    plan = {"date": date} if kind.plan_symbol else {"date": date, "symbol": "KH"}
    return Unit.model_validate({"kind": kind.id, "name": f"{short} Mẫu", "plan": plan})


def kind_trial(
    ws: Workspace, kind: KindView, edition: Edition, report_gaps: bool = True, body: bool = True
) -> list[UserError]:
    """What a new unit of `kind` gets from the kind's defaults alone in `edition`, each
    catalog resolved once: tasks and sections in another level's words, and (with `body`)
    the plan body's trial; with `report_gaps`, also what keeps such a unit from rendering (a
    role without bodies, no plan symbol)."""
    out: list[UserError] = []
    unit = sample_unit(kind, edition.year)
    scope = scope_of(edition, None, issuer_kind(ws))
    resolved: list[Appendix] = []
    failed = False
    for cat in in_order(edition.catalogs.values()):
        try:
            appendix = resolve_one(cat, kind, unit, "mau", scope)
        except UserError as exc:
            failed = True
            if report_gaps:  # otherwise said by the trial resolve of a real unit
                for problem in exc.problems:
                    message = problem.message.replace('đơn vị "mau"', f'loại "{kind.id}"')
                    out.append(UserError(message + " (đơn vị mới chỉ có mặc định)", problem.where))
            continue
        resolved.append(appendix)
        out += _foreign(appendix, cat, kind)
    kind_file = ws.kinds[kind.id]
    own = kind_file.model.document
    where = kind_file.where("document") if own else kind_file.where()
    loaded = ws.body_for(edition, kind) if body else None
    if loaded is not None:
        docs = [] if failed else resolved
        out += trial(loaded, kind, unit, "mau", docs, True, where, own, scope)[0]
    return out


def _foreign(appendix: Appendix, cat: Loaded[Catalog], kind: KindView) -> list[UserError]:
    """Each row of `appendix` still worded for another level (the kind's `avoid` words)."""
    if not kind.avoid:
        return []
    out = []
    lines = task_lines(cat.model)
    chain = " hoặc ".join(f'"{k}"' for k in kind.chain)
    for row in appendix.rows:
        words = sorted({w for t in row.cells.values() for w in foreign_words(t, kind)})
        if not words:
            continue
        what = "mục" if row.is_section else "nhiệm vụ"
        out.append(
            UserError(
                f'loại "{kind.id}": {what} "{row.ident}" chưa có cách viết của cấp này '
                f"(còn {', '.join(f'“{w}”' for w in words)}): thêm variants cho {chain}, "
                "hoặc viết {{ unit.short }} thay cho từ chỉ cấp",
                Where(cat.path, lines.get(row.ident, 0)),
            )
        )
    return out


def added_foreign(
    appendix: Appendix, cat: Loaded[Catalog], kind: KindView, loaded: Loaded[Unit]
) -> list[UserError]:
    """The unit's own tasks and the tasks the province names it for (which its kind's trial
    does not see) still worded for another level; the unit's own name is its own."""
    unit = loaded.model
    own = tuple(n for n in (unit.name, unit.issuer) if n)
    index = {t.id: i for i, t in enumerate(unit.add.get(cat.model.id, ()))}
    lines = task_lines(cat.model)
    out = []
    for row in appendix.tasks:
        if row.origin == "catalog":
            continue
        words = sorted({w for t in row.cells.values() for w in foreign_words(t, kind, own)})
        if not words:
            continue
        found = ", ".join(f"“{w}”" for w in words)
        if row.origin == "own":
            where = loaded.where("add", cat.model.id, index[row.ident])
            fix = "viết lại cho đúng cấp của đơn vị"
        else:
            where = Where(cat.path, lines.get(row.ident, 0))
            fix = f'tỉnh giao cho đơn vị: thêm variants cho "{kind.id}"'
        out.append(
            UserError(
                f'đơn vị "{appendix.unit}": nhiệm vụ "{row.ident}" chưa có cách viết của cấp này '
                f"(còn {found}): {fix}",
                where,
            )
        )
    return out


def task_lines(catalog: Catalog) -> dict[str, int]:
    return {t.id: t._line for t in catalog.iter_tasks()}
