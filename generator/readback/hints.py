"""What the workspace's existing catalogs say about the roles a new table means: each task's
roles for the importing unit's kind (the most similar task breaks a tie between roles with
the same bodies) and how often each role is used (the next tie-break)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from generator.core.errors import UserError
from generator.model.catalog import Catalog, Section
from generator.model.fields import split_role_ref
from generator.model.kinds import KindView
from generator.model.unit import Unit
from generator.model.validation import Loaded
from generator.model.workspace import Workspace
from generator.readback.source import fold
from generator.resolve.identity import render_text, unit_context
from generator.resolve.tables import keeps, task_fields

_WORD = re.compile(r"\w+")


def words_of(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(fold(text).lower()))


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


@dataclass
class Similar:
    catalog: str
    task: str
    words: frozenset[str]
    roles: dict[str, list[str]]  # "lead"/"support" -> roles


class Hints:
    """The existing catalogs' tasks (all but the file being written) for the unit's kind."""

    def __init__(self, ws: Workspace, kind: KindView, unit: Unit, slug: str, skip: Path) -> None:
        self.tasks: list[Similar] = []
        self.freq: Counter[str] = Counter()
        self._seen: dict[frozenset, Similar | None] = {}
        self._by_word: dict[str, list[int]] = {}  # word -> indexes of the tasks holding it
        omitted = set(unit.omit)
        for cat in sorted(ws.catalogs.values(), key=lambda c: c.model.id):
            if not same_file(cat.path, skip):
                self._catalog(cat, kind, unit, slug, omitted)
        for i, t in enumerate(self.tasks):
            for w in t.words:
                self._by_word.setdefault(w, []).append(i)

    def _catalog(self, cat: Loaded[Catalog], kind: KindView, unit: Unit, slug: str, omitted):
        context = unit_context(kind, unit, slug, cat.model.year)

        def walk(sections: tuple[Section, ...]) -> None:
            for section in sections:
                if not keeps(section, kind, omitted):
                    continue
                for task in section.tasks:
                    if not keeps(task, kind, omitted):
                        continue
                    fields = task_fields(task, kind.chain)
                    try:
                        text = render_text(fields["text"], context, task.id)
                    except UserError:
                        text = fields["text"]
                    roles = {
                        k: [split_role_ref(r)[0] for r in fields[k]] for k in ("lead", "support")
                    }
                    self.freq.update(roles["lead"] + roles["support"])
                    self.tasks.append(Similar(cat.model.id, task.id, words_of(text), roles))
                walk(section.sections)

        walk(cat.model.sections)

    def similar(self, text: str) -> Similar | None:
        """The existing task whose words are most like those of `text` (at least 70% in
        common, Jaccard), or None: a tie-break hint only, so cheap beats exact."""
        words = words_of(text)
        if words in self._seen:
            return self._seen[words]
        common: Counter[int] = Counter()
        for w in words:
            common.update(self._by_word.get(w, ()))
        best, score = None, 0.7
        for i in sorted(common):  # in catalog order, as a plain scan would meet them
            t = self.tasks[i]
            r = common[i] / (len(words) + len(t.words) - common[i])
            if r > score:
                best, score = t, r
        self._seen[words] = best
        return best
