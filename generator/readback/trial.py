"""What `plangen validate` would still say about the files of an import, found while the
catalogs' YAML is being written: the workspace as it will be (the edition with its new
catalogs, body and identity, the province's profile as --apply leaves it), validated.

The trial needs the catalog with the line of each of its values (a problem is said as
file:line:col), and the lines are only known once the YAML is written; writing a long
catalog and trying it take about as long as each other. So the catalog is tried as a
provisional document whose every value stands on a line of its own (`provisional`), in a
second process while this one writes the YAML, and the problems found are then moved to
the lines the written file gives the same values (`relocate`).

Importing one appendix, the plan bodies are left out of the trial: what they say is said at
the body's file or a unit's profile, never at an appendix catalog, and their trial (who does
what, for every unit and kind) is what would cost most with a long table. Importing a whole
edition, they are tried: what the shared body of the units below the province still lacks
in the new edition is part of what the import reports.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from generator.check.workspace import validate
from generator.core.errors import UserError, Where
from generator.core.frozen import FrozenDict
from generator.model.catalog import Catalog
from generator.model.legal import Legal
from generator.model.unit import Unit
from generator.model.validation import Loaded, index_tasks, validate_doc
from generator.model.workspace import Edition, Workspace
from generator.model.yamlfile import Loc, YamlDoc
from generator.resolve.scope import editions_of


def frozen(value: Any) -> Any:
    """Plain data as the YAML loader gives it: FrozenDicts and tuples."""
    if isinstance(value, dict):
        return FrozenDict({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(frozen(v) for v in value)
    return value


def provisional(target: Path, data: dict) -> tuple[Loaded[Catalog], dict[int, Loc]]:
    """The catalog `data` as if read from `target`, each value on a line of its own; and
    which value each line stands for."""
    places: dict[Loc, tuple[int, int]] = {}

    def walk(value: Any, loc: Loc) -> None:
        places.setdefault(loc, (len(places) + 1, 1))
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, (*loc, key))
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                walk(item, (*loc, i))

    walk(data, ())
    doc = YamlDoc(target, frozen(data), FrozenDict(places))
    loaded = Loaded(validate_doc(doc, Catalog), doc)
    index_tasks(loaded)
    return loaded, {line: loc for loc, (line, _) in places.items()}


def trial_workspace(
    ws: Workspace,
    edition: Edition,
    whole: bool,
    profile: tuple[str, Loaded[Unit]] | None = None,
) -> Workspace:
    """The workspace as it will be once the import is written: `edition` (the target, with
    its new files) in place of the one of the same id. Without `whole` (one appendix) the
    plan bodies are left out: what they say is said at their own files, and their trial is
    what would cost most with a long table."""
    province = edition.province_id  # the other provinces' editions and units are not tried
    editions = {k: e for k, e in ws.editions.items() if e.province_id == province}
    if not whole and profile is None:  # no profile of other years to try: this edition alone
        editions = {}
    editions[edition.id] = edition
    if not whole:
        editions = {k: dataclasses.replace(e, bodies=()) for k, e in editions.items()}
    written = {p.resolve() for p in edition_files(edition)}
    if profile is not None:
        written.add(profile[1].path.resolve())
    earlier = [p for p in ws.problems if not (p.where.path and p.where.path.resolve() in written)]
    trial = dataclasses.replace(
        ws,
        editions=FrozenDict(editions),
        bodies=ws.bodies if whole else (),
        problems=tuple(earlier),
        # what the legal data finds is said at a unit's profile or as a warning, never at a
        # catalog: without a profile to try, its search over every cell is left out
        legal=ws.legal if whole or profile is not None else Legal(),
    )
    if profile is not None:
        trial = trial.with_unit(*profile)
    return trial


def edition_files(edition: Edition) -> list[Path]:
    return [edition.identity.path, *(c.path for c in edition.catalogs.values()),
            *(b.path for b in edition.bodies)]  # fmt: skip


def problems_at(trial: Workspace, paths: set[Path], province: str) -> list[UserError]:
    """What `validate` finds at `paths` in the trial workspace, trying the units of
    `province` (the others' plans are made of other editions)."""
    wanted = {p.resolve() for p in paths}
    slugs = [s for s in sorted(trial.unit_files) if _of(trial, s, province)]
    found = validate(trial, slugs)
    return [p for p in found if p.where.path and p.where.path.resolve() in wanted]


def _of(ws: Workspace, slug: str, province: str) -> bool:
    """Whether unit `slug` belongs to `province` (a profile that does not load: not tried,
    its problems are said at itself)."""
    try:
        return any(e.province_id == province for e in editions_of(ws, ws.unit(slug)))
    except UserError:
        return False


def relocate(problems: list[UserError], lines: dict[int, Loc], places: dict) -> list[str]:
    """The problems found on the provisional document, said at the written file's lines
    (`places`: the written file's value -> line and column)."""
    out = []
    for p in problems:
        loc = lines.get(p.where.line) if p.where.line else None
        if loc is not None and loc in places:
            line, col = places[loc]
            where = Where(p.where.path, line, col if p.where.col else 0, p.where.field)
            p = UserError(p.message, where)
        out.append(str(p))
    return out
