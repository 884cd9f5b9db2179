"""catalog + kind defaults + unit profile -> one `Appendix` (pure, no I/O).

Layers, lowest first: the catalog's task, the variants of the kinds along the unit's kind
chain (root first, the unit's own kind last), the unit's override; roles come from the
kind's defaults, then the unit's own. Sections and tasks a kind or unit omits are dropped,
empty sections too, and every code is computed from position. Problems are collected and
raised together (ValidationFailed), so one run reports them all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from generator.core.errors import UserError, ValidationFailed, Where
from generator.core.frozen import FrozenDict
from generator.core.text import capitalize_first, letter, roman
from generator.model.catalog import Catalog, Section, Task
from generator.model.fields import split_role_ref
from generator.model.kinds import KindView
from generator.model.unit import Unit
from generator.resolve.appendix import Appendix, ColumnSpec, Row
from generator.resolve.identity import (
    guide_line,
    issuing_body,
    plan_number,
    plan_symbol,
    render_text,
    unit_context,
)
from generator.resolve.scope import Scope

TASK_FIELDS = ("text", "lead", "support", "deadline", "product", "note")


def task_fields(task: Task, chain: tuple[str, ...]) -> dict:
    """The task's text, roles, deadline and product, with the variants of the kinds in
    `chain` laid over them, the root's first and the kind's own last (it wins)."""
    fields = {f: getattr(task, f) for f in TASK_FIELDS}
    for kind in reversed(chain):
        variant = task.variants.get(kind)
        if variant:
            fields.update({f: v for f in TASK_FIELDS if (v := getattr(variant, f)) is not None})
    return fields


def section_title(section: Section, chain: tuple[str, ...]) -> str:
    return next((section.variants[k].title for k in chain if k in section.variants), section.title)


def keeps(item: Section | Task, kind: KindView, omitted: set[str]) -> bool:
    """Whether a unit of `kind` that omits the ids `omitted` keeps this section or task."""
    if item.id in omitted or kind.is_a(item.omit):
        return False
    return not item.only or kind.is_a(item.only)


def unique(bodies: list[str]) -> tuple[str, ...]:
    """Order kept, duplicates dropped (case-insensitively)."""
    seen: set[str] = set()
    out = []
    for body in bodies:
        key = body.casefold()
        if key not in seen:
            seen.add(key)
            out.append(body)
    return tuple(out)


def join_bodies(bodies: list[str], layout: str = "inline") -> str:
    """Order kept, duplicates dropped (case-insensitively), first letter capitalised;
    joined with "; " (inline) or, with `layout` "lines", one "- " line per body."""
    out = unique(bodies)
    if layout == "lines" and len(out) > 1:
        return "\n".join(f"- {capitalize_first(b)}" for b in out)
    return capitalize_first("; ".join(out))


class Resolver:
    """Resolves one catalog for one unit; problems are collected, then raised together."""

    def __init__(
        self,
        catalog: Catalog,
        kind: KindView,
        unit: Unit,
        slug: str,
        catalog_hash: str = "",
        source: Path | None = None,
        scope: Scope | None = None,
    ) -> None:
        self.catalog, self.kind, self.unit, self.slug = catalog, kind, unit, slug
        self.source = source
        self.catalog_hash = catalog_hash
        self.scope = scope
        self.context = unit_context(kind, unit, slug, catalog.year, scope)
        self.roles = {**kind.roles, **unit.roles}
        self.layout = catalog.bodies or kind.bodies or "inline"
        self.omit = set(unit.omit)
        self.problems: list[UserError] = []
        self._bodies: dict[str, list[str]] = {}
        self._missing: set[str] = set()  # roles without bodies, reported once each

    # -- bodies
    def role_bodies(self, role: str) -> list[str]:
        """The role's bodies for this unit, their {{ unit.short }} filled in."""
        if role not in self._bodies:
            whose = "đơn vị" if role in self.unit.roles else f'loại "{self.kind.id}"'
            owner = f'vai trò "{role}" của {whose}'
            names = []
            own = role in self.unit.roles  # the unit's own: said at its field of the profile
            for i, body in enumerate(self.roles[role]):
                try:
                    names.append(render_text(body, self.context, owner))
                except UserError as exc:
                    where = Where(field=f"roles.{role}.{i}") if own else exc.where
                    self.problems.append(UserError(exc.message, where))
                    names.append(body)
            self._bodies[role] = names
        return self._bodies[role]

    def bodies(self, refs: list[str], task: Task) -> list[tuple[str, str | None]]:
        """(body, note) for every role of `refs`, in order."""
        out: list[tuple[str, str | None]] = []
        for ref in refs:
            role, note = split_role_ref(ref)
            if role not in self.roles:
                if role in self._missing:
                    continue
                self._missing.add(role)
                self.problems.append(
                    UserError(
                        f'đơn vị "{self.slug}": vai trò "{role}" (nhiệm vụ "{task.id}" và có thể '
                        f"các nhiệm vụ khác) chưa được gán cơ quan (thêm vào roles của loại "
                        f'"{self.kind.id}" hoặc của đơn vị)',
                        self.where(task),
                    )
                )
                continue
            if note and "{" in note:
                note = self.text(note, f'ghi chú của vai trò "{role}"', task)
            out += [(b, note) for b in self.role_bodies(role)]
        return out

    def text(self, source: str, owner: str, task: Task | None) -> str:
        """Text with its placeholders filled; a problem is collected and the text kept as
        written. Text of the unit's own (`task` None) is placed at the unit's profile by the
        caller."""
        if "{" not in source:
            return source
        try:
            return render_text(source, self.context, owner)
        except UserError as exc:
            self.problems.append(UserError(exc.message, self.where(task) if task else None))
            return source

    def where(self, task: Task) -> Where:
        return Where(self.source, task._line)

    # -- one task
    def task_cells(self, task: Task) -> dict[str, str]:
        fields = task_fields(task, self.kind.chain)
        owner = f'nhiệm vụ "{task.id}"'
        override = self.unit.tasks.get(task.id)
        mine = {k: v for k in TASK_FIELDS if override and (v := getattr(override, k)) is not None}
        cells: dict[str, str] = {}
        bare: dict[str, list[str]] = {}
        for key in ("lead", "support"):
            if key in mine:  # the unit's own bodies, written out: no role to resolve
                names = [self.text(n, f"{owner} (hồ sơ đơn vị)", None) for n in mine[key]]
                cells[key], bare[key] = join_bodies(names, self.layout), names
                continue
            pairs = self.bodies(fields[key], task)
            cells[key] = join_bodies([f"{b} {n}" if n else b for b, n in pairs], self.layout)
            bare[key] = [b for b, _ in pairs]
        for key in ("text", "deadline", "product", "note"):
            if key in mine:
                text = self.text(mine[key], f"{owner} (hồ sơ đơn vị)", None)
            elif fields[key] is None:  # a note the task has not
                continue
            else:
                text = self.text(fields[key], owner, task)
            cells[key] = capitalize_first(text)
        lead_roles_missing = "lead" not in mine and any(
            split_role_ref(r)[0] not in self.roles for r in fields["lead"]
        )
        if not cells["lead"] and not lead_roles_missing:  # else said once for the role
            self.problems.append(
                UserError(
                    f'đơn vị "{self.slug}": {owner} không có cơ quan chủ trì (các vai trò '
                    f'{", ".join(fields["lead"])} không có cơ quan ở loại "{self.kind.id}"; '
                    "gán cơ quan cho vai trò, thêm variants cho loại này hoặc bỏ nhiệm vụ "
                    "bằng omit)",
                    self.where(task),
                )
            )
        cells["task"] = cells.pop("text")
        self._task_bodies = {key: unique(names) for key, names in bare.items()}
        return cells

    def keeps(self, item: Section | Task) -> bool:
        return keeps(item, self.kind, self.omit)

    # -- the whole table
    def rows(self) -> list[Row]:
        depth = max(level for _, level in self.catalog.iter_sections())
        numbering: list[Callable[[int], str]] = (
            [letter, roman][-depth:] if depth <= 2 else ([letter, roman] + [str] * (depth - 2))
        )
        out: list[Row] = []
        counter = [0]  # tasks numbered so far, for continuous numbering
        continuous = self.catalog.numbering == "continuous"

        def walk(sections: list[Section], level: int, path: tuple[str, ...]) -> None:
            n = 0
            for section in sections:
                if not self.keeps(section):
                    continue
                code = numbering[level - 1](n + 1)
                title = section_title(section, self.kind.chain).upper()
                mark = len(out)
                out.append(
                    Row(code, FrozenDict(task=title), (*path, code), section.id, is_section=True)
                )
                tasks = [t for t in section.tasks if self.keeps(t)]
                first = counter[0] + 1 if continuous else 1
                for i, task in enumerate(tasks, first):
                    cells = self.task_cells(task)
                    bodies = FrozenDict(self._task_bodies)
                    out.append(
                        Row(str(i), FrozenDict(cells), (*path, code), task.id, bodies=bodies)
                    )
                if continuous:
                    counter[0] += len(tasks)
                walk(section.sections, level + 1, (*path, code))
                if len(out) == mark + 1:  # nothing under it: drop, and do not count it
                    out.pop()
                else:
                    n += 1

        walk(self.catalog.sections, 1, ())
        return out

    def appendix(self) -> Appendix:
        labels = self.kind.column_labels
        columns = tuple(
            ColumnSpec(c.key, labels.get(c.key, c.label), c.width) for c in self.catalog.columns
        )
        name = f"{self.unit.name} " if self.unit.show_name else ""
        tail = f"{name}năm {self.catalog.year}".upper()
        title = f"{self.catalog.title.upper()} {tail}"
        numeral = self.catalog.appendix or ""
        try:
            guide = guide_line(self.kind, self.unit, self.slug, self.scope)
            issuer = issuing_body(self.kind, self.unit, self.slug, self.scope)
        except UserError as exc:
            self.problems.append(exc)
            guide = issuer = ""
        plan = self.unit.plan
        rows = tuple(self.rows())
        if self.problems:
            raise ValidationFailed(self.problems)
        return Appendix(
            unit=self.slug,
            unit_name=self.unit.name,
            catalog=self.catalog.id,
            catalog_hash=self.catalog_hash,
            numeral=numeral,
            index=self.catalog.index,
            year=self.catalog.year,
            label=f"Phụ lục {numeral}" if numeral else "PHỤ LỤC",
            title=title,
            guide=guide,
            columns=columns,
            rows=rows,
            title_tail=tail,
            unit_short=self.context["unit"]["short"],
            issuer=issuer,
            plan_number=plan_number(self.unit),
            plan_symbol=plan_symbol(self.kind, self.unit) or "",
            plan_date=plan.date.short(),
        )
