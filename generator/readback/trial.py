"""What `plangen validate` would still say about an imported catalog, found while its YAML is
being written.

The trial needs the catalog with the line of each of its values (a problem is said as
file:line:col), and the lines are only known once the YAML is written; writing a long
catalog and trying it take about as long as each other. So the catalog is tried as a
provisional document whose every value stands on a line of its own (`provisional`), in a
second process while this one writes the YAML, and the problems found are then moved to
the lines the written file gives the same values (`relocate`).

The plan bodies are left out of the trial: what they say is said at the body's file or a
unit's profile, never at an appendix catalog, and their trial (who does what, for every
unit and kind) is what would cost most with a long table.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from generator.check.workspace import validate
from generator.core.errors import UserError, Where
from generator.core.frozen import FrozenDict
from generator.model.catalog import Catalog
from generator.model.validation import Loaded, index_tasks, validate_doc
from generator.model.workspace import Workspace
from generator.model.yamlfile import Loc, YamlDoc
from generator.readback.hints import same_file


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


def problems_at(ws: Workspace, loaded: Loaded[Catalog], target: Path) -> list[UserError]:
    """The problems `validate` finds at `target` in the workspace holding `loaded` (in place
    of any catalog of the same file), without the plan bodies."""
    catalogs = {k: v for k, v in ws.catalogs.items() if not same_file(v.path, target)}
    catalogs[loaded.model.id] = loaded
    earlier = [p for p in ws.problems if not (p.where.path and same_file(p.where.path, target))]
    trial = dataclasses.replace(
        ws, catalogs=FrozenDict(catalogs), bodies=(), problems=tuple(earlier)
    )
    return [
        p for p in validate(trial) if p.where.path is not None and same_file(p.where.path, target)
    ]


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
