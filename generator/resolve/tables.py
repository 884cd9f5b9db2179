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
from generator.core.text import capitalize_first, letter, roman, unknown
from generator.model.catalog import Catalog, Section, Task
from generator.model.fields import ROLE_REF, split_role_ref
from generator.model.kinds import KindView
from generator.model.unit import OwnTask, Unit
from generator.resolve.appendix import Appendix, ColumnSpec, Row
from generator.resolve.assigned import named_tasks, sections_holding
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
        self.named = named_tasks(catalog, scope, kind, unit)
        self._after: dict[str, list[tuple[int, OwnTask]]] = {}  # task id -> own tasks after it
        self._at_end: dict[str, list[tuple[int, OwnTask]]] = {}  # section id -> own tasks
        self._place_own()
        anchors = set(self.named) | set(self._after)
        self._holding = sections_holding(catalog, anchors, set(self._at_end))

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

    def bodies(self, refs, task: Task | None) -> list[tuple[str, str | None]]:
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
                        self.where(task) if task else None,
                    )
                )
                continue
            if note and "{" in note:
                note = self.text(note, f'ghi chú của vai trò "{role}"', task)
            out += [(b, note) for b in self.role_bodies(role)]
        return out

    def text(self, source: str, owner: str, task: Task | None, where: Where | None = None) -> str:
        """Text with its placeholders filled; a problem is collected and the text kept as
        written. Text of the unit's own (`task` None) is placed at `where`, a field of the
        unit's profile."""
        if "{" not in source:
            return source
        try:
            return render_text(source, self.context, owner)
        except UserError as exc:
            self.problems.append(UserError(exc.message, self.where(task) if task else where))
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
        given = self.assigned_bodies(task) if self.origin(task) == "assigned" else {}
        for key in ("lead", "support"):
            if key in mine:  # the unit's own bodies, written out: no role to resolve
                names = [self.text(n, f"{owner} (hồ sơ đơn vị)", None) for n in mine[key]]
                cells[key], bare[key] = join_bodies(names, self.layout), names
                continue
            if key in given:  # the province named the unit: its own offices lead
                cells[key], bare[key] = join_bodies(given[key], self.layout), given[key]
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
        lead_roles_missing = (
            "lead" not in mine
            and not given
            and any(split_role_ref(r)[0] not in self.roles for r in fields["lead"])
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

    def origin(self, task: Task) -> str:
        """The task's origin: "assigned" when the unit keeps it only because the province
        names it, else "catalog"."""
        if task.id in self.named and not keeps(task, self.kind, set()):
            return "assigned"
        return "catalog"

    def keeps(self, item: Section | Task) -> bool:
        """Whether the unit's table has `item`: what its kind and profile keep, the tasks
        the province names it for, and the sections holding those or the unit's own tasks."""
        if item.id in self.omit:
            return False
        if keeps(item, self.kind, set()):
            return True
        return item.id in (self.named if isinstance(item, Task) else self._holding)

    # -- what the unit adds: the tasks the province names it for, and its own
    def assigned_bodies(self, task: Task) -> dict[str, list[str]]:
        """The lead and support bodies of a task the province names the unit for: the
        kind's `assigned` roles, and as partners the other bodies the province named."""
        rule = self.kind.assigned
        lead = [b for b, _ in self.bodies(list(rule.lead), task)]
        support = [b for b, _ in self.bodies(list(rule.support), task)]
        return {"lead": lead, "support": [*support, *self.named[task.id].partners]}

    def _place_own(self) -> None:
        """Index the unit's own tasks of this catalog by the task or section they follow."""
        tasks = {t.id for t in self.catalog.iter_tasks()}
        sections = {s.id for s, _ in self.catalog.iter_sections()}
        seen: set[str] = set()
        for i, own in enumerate(self.unit.add.get(self.catalog.id, ())):
            field = f"add.{self.catalog.id}.{i}"
            if own.id in tasks or own.id in sections or own.id in seen:
                message = f'nhiệm vụ riêng "{own.id}": mã này đã có (trong catalog hoặc ở trên)'
                self.problems.append(UserError(message, Where(field=f"{field}.id")))
            seen.add(own.id)
            key, ids, index, what = (
                ("after", tasks, self._after, "nhiệm vụ")
                if own.after
                else ("section", sections, self._at_end, "mục")
            )
            anchor = getattr(own, key)
            if anchor not in ids:
                message = (
                    f'nhiệm vụ riêng "{own.id}": không có {what} "{anchor}" trong {self.catalog.id}'
                )
                self.problems.append(unknown(message, anchor, ids, Where(field=f"{field}.{key}")))
                continue
            if anchor in self.omit:
                message = f'nhiệm vụ riêng "{own.id}" đặt ở "{anchor}" mà đơn vị đã bỏ (omit)'
                self.problems.append(UserError(message, Where(field=f"{field}.{key}")))
            index.setdefault(anchor, []).append((i, own))

    def placed(self, section: Section) -> list[Task | tuple[int, OwnTask]]:
        """The section's tasks with the unit's own spliced in: after their task, or last."""
        out: list = []
        for task in section.tasks:
            out.append(task)
            out += self._after.get(task.id, [])
        return out + self._at_end.get(section.id, [])

    def own_cells(self, i: int, own: OwnTask) -> tuple[dict[str, str], dict[str, tuple]]:
        """The cells of the unit's own task `own` (the i-th of its catalog), and its bodies."""
        field = f"add.{self.catalog.id}.{i}"
        owner = f'nhiệm vụ riêng "{own.id}"'
        cells: dict[str, str] = {}
        bare: dict[str, tuple] = {}
        for key in ("lead", "support"):
            names: list[str] = []
            plain: list[str] = []  # without the notes
            for n, item in enumerate(getattr(own, key)):
                where = Where(field=f"{field}.{key}.{n}")
                match = ROLE_REF.match(item)
                if match is None:  # a body's name, written out
                    names.append(self.text(item, owner, None, where))
                    plain.append(names[-1])
                elif match.group("role") not in self.roles:
                    role = match.group("role")
                    message = (
                        f'{owner}: không có vai trò "{role}" (ghi tên vai trò, hoặc tên cơ quan '
                        "viết hoa chữ đầu)"
                    )
                    self.problems.append(unknown(message, role, self.roles, where))
                else:
                    pairs = self.bodies([item], None)
                    names += [f"{b} {note}" if note else b for b, note in pairs]
                    plain += [b for b, _ in pairs]
            cells[key] = join_bodies(names, self.layout)
            bare[key] = unique(plain)
        for key in ("text", "deadline", "product", "note"):
            value = getattr(own, key)
            if value is not None:
                cells[key] = capitalize_first(
                    self.text(value, owner, None, Where(field=f"{field}.{key}"))
                )
        cells["task"] = cells.pop("text")
        return cells, bare

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
                tasks = [t for t in self.placed(section) if isinstance(t, tuple) or self.keeps(t)]
                first = counter[0] + 1 if continuous else 1
                for i, task in enumerate(tasks, first):
                    if isinstance(task, tuple):  # the unit's own
                        cells, bodies = self.own_cells(*task)
                        ident, origin = task[1].id, "own"
                    else:
                        cells, bodies = self.task_cells(task), self._task_bodies
                        ident, origin = task.id, self.origin(task)
                    row = Row(
                        str(i),
                        FrozenDict(cells),
                        (*path, code),
                        ident,
                        bodies=FrozenDict(bodies),
                        origin=origin,
                    )
                    out.append(row)
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
