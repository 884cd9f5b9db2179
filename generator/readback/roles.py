"""Bodies named in a task's lead and support cells turned into roles (docs/import.md,
"Which role, when a body plays several"): the role whose body list is exactly that body,
then the role with the fewest bodies; among equals, the role the most similar task of an
existing catalog uses, then the role the existing catalogs use most, then the order of
roles.yaml. A role with several bodies all named in the cell is written once. A name the
unit does not know is kept for that unit (a profile override in the report and a # TODO);
the catalog keeps the roles that were recognised, or the generic role meanwhile."""

from __future__ import annotations

from collections import Counter

from generator.model.fields import split_role_ref
from generator.model.kinds import KindView
from generator.model.unit import Unit
from generator.model.workspace import Workspace
from generator.readback.bodies import Bodies, Mention, filler, split_bodies
from generator.readback.draft import TaskOut
from generator.readback.hints import Hints, Similar
from generator.readback.report import ImportReport
from generator.readback.source import Row
from generator.readback.yamlout import flow_line
from generator.resolve.identity import render_text, unit_context

PLACEHOLDER_ROLE = "related"


def unit_bodies(ws: Workspace, kind: KindView, unit: Unit, slug: str, year: int):
    """(role -> the unit's bodies, placeholders filled in; the declared roles in order;
    role -> the other names of its bodies in issued documents, from the kind's aliases)."""
    declared = list(ws.roles.model.roles) if ws.roles else list(kind.roles)
    context = unit_context(kind, unit, slug, year)
    rendered, aliases = {}, {}
    for role, names in {**kind.roles, **unit.roles}.items():
        if role in declared:
            owner = f'vai trò "{role}" của đơn vị "{slug}"'
            rendered[role] = [render_text(b, context, owner) for b in names]
    for role, names in kind.aliases.items():
        if role in declared and role not in unit.roles:  # the unit's own names are its own
            owner = f'tên khác của vai trò "{role}" (loại "{kind.id}")'
            aliases[role] = [render_text(b, context, owner) for b in names]
    return rendered, declared, aliases


class CellRoles:
    """Turns cells into role lists for one import, counting what it did in the report."""

    def __init__(self, bodies: Bodies, hints: Hints, report: ImportReport, slug: str,
                 declared: list[str]) -> None:  # fmt: skip
        self.bodies, self.hints, self.report, self.slug = bodies, hints, report, slug
        self.placeholder = PLACEHOLDER_ROLE if PLACEHOLDER_ROLE in declared else declared[0]
        self.bullet_cells = 0
        self.inline_cells = 0
        self._similar: dict[str, Similar | None] = {}
        multi = [role for role, keys in bodies.roles.items() if len(keys) > 1]
        multi.sort(key=lambda role: (-len(bodies.roles[role]), bodies.order[role]))
        self._multi = [(role, set(bodies.roles[role])) for role in multi]

    def task(self, t: TaskOut, row: Row) -> None:
        """The lead and support roles of `t` from its row's cells."""
        for key in ("lead", "support"):
            if key not in row.cells:
                continue
            raw = row.cells[key]
            refs = [] if filler(raw) else self.cell(t, key, raw, row)
            if key == "lead" and not refs:
                shown = " ".join(raw.split())
                said = f'chỉ ghi "{shown}"' if shown else "trống"
                t.lead = [self.placeholder]
                t.notes["lead"] = [
                    f"TODO: ô chủ trì trong bảng gốc {said}; tạm ghi {self.placeholder}"
                ]
                self.report.odd.append(
                    f"{row.where}: ô chủ trì {said}: catalog tạm ghi vai trò "
                    f'{self.placeholder} (nhiệm vụ "{t.id}")'
                )
                continue
            setattr(t, key, refs)

    def cell(self, t: TaskOut, key: str, raw: str, row: Row) -> list[str]:
        r = self.report
        mentions, remarks = split_bodies(raw, self.bodies)
        for remark in remarks:
            r.check.append(f'{row.where}: {remark} (nhiệm vụ "{t.id}")')
        if len(mentions) > 1:
            if row.bullets.get(key):
                self.bullet_cells += 1
            else:
                self.inline_cells += 1
        assigned = self.assign(mentions, key, t)
        refs: list[str] = []
        literal: list[str] = []
        based: list[str] = []
        keys = {x.key for x in mentions}
        for i, m in enumerate(mentions):
            r.mentions += 1
            if m.key is None:
                r.literal += 1
                near = self.bodies.nearest(m.text)
                if m.base is not None:  # the known name it opens with comes first
                    shown = self.bodies.display[m.base]
                    near = [shown] + [n for n in near if n != shown][:2]
                    role = self.choose(m.base, key, t)
                    if role not in refs:
                        refs.append(role)
                    based.append(f'"{m.text}" -> {role} (như "{shown}")')
                entry = r.unknown.setdefault(m.text, [0, near])
                entry[0] += 1
                literal.append(m.text)
                continue
            r.as_roles += 1
            ref = self.known(m, assigned[i], keys, t, row)
            if ref not in refs:
                refs.append(ref)
        if literal:
            refs = self.literal(t, key, mentions, literal, based, refs)
        elif self.differs(mentions, refs):
            self.report.exact.setdefault(t.id, {})[key] = [m.text for m in mentions]
            self.report.exact_keys.setdefault(t.id, {})[key] = {m.key for m in mentions}
        return refs

    def differs(self, mentions: list[Mention], refs: list[str]) -> bool:
        """Whether the roles `refs` print other names for the importing unit than the cell
        holds (another name of a body, a role with more bodies): the unit then keeps the
        cell as written (a profile override), the other units get the roles."""
        if not any(m.key in self.bodies.aliases for m in mentions):
            return False
        printed = {k for r in refs for k in self.bodies.roles.get(split_role_ref(r)[0], [])}
        return printed != {m.key for m in mentions}

    def assign(self, mentions: list[Mention], column: str, t: TaskOut) -> dict[int, str]:
        """The role of each known mention (by index): a role with several bodies, all of
        them in the cell (and no notes), once; else the body's own role (`choose`)."""
        assigned: dict[int, str] = {}
        known = [(i, m) for i, m in enumerate(mentions) if m.key is not None]
        present = {m.key for _, m in known if m.note is None}
        for role, keys in self._multi:
            if keys <= present:
                for i, m in known:
                    if m.key in keys and i not in assigned and m.note is None:
                        assigned[i] = role
                present -= keys
        for i, m in known:
            if i not in assigned:
                assigned[i] = self.choose(m.key, column, t)
        return assigned

    def known(self, m: Mention, role: str, keys: set, t: TaskOut, row: Row) -> str:
        """The role reference of a known body (its note after it), reported."""
        r = self.report
        shown = self.bodies.display[m.key]
        r.mapped.setdefault(shown, Counter())[role] += 1
        r.uses.setdefault(role, Counter())[m.key] += 1
        if m.note is not None and not m.note.startswith("("):
            r.check.append(
                f'{row.where}: "{m.text}" -> {role} kèm ghi chú "{m.note}": mọi đơn vị sẽ in '
                f'ghi chú này sau cơ quan của mình (nhiệm vụ "{t.id}"); sửa nếu ghi chú chỉ '
                f"đúng với {self.slug}"
            )
        bodies = self.bodies.roles[role]
        if len(bodies) > 1 and not set(bodies) <= keys:
            extra = [self.bodies.display[k] for k in bodies if k != m.key]
            r.check.append(
                f'{row.where}: "{shown}" -> {role}, vai trò này còn có '
                + ", ".join(f'"{e}"' for e in extra)
                + f' nên khi in sẽ thêm các cơ quan đó (nhiệm vụ "{t.id}")'
            )
        return role if m.note is None else f"{role} {m.note}"

    def literal(self, t: TaskOut, key: str, mentions: list[Mention], literal: list[str],
                based: list[str], refs: list[str]) -> list[str]:  # fmt: skip
        """Names the unit does not know: kept for the unit (report and # TODO)."""
        names = ", ".join(f'"{x}"' for x in literal)
        if not refs:
            refs = [self.placeholder]
            kept = f"tạm ghi {self.placeholder}"
        elif based:
            kept = "các đơn vị khác in theo vai trò: " + "; ".join(based)
        else:
            kept = "chỉ ghi các vai trò đã nhận ra"
        cell = [m.text for m in mentions]
        snippet = flow_line("tasks", {t.id: {key: cell}})
        t.notes.setdefault(key, []).append(
            f"TODO: {names} chưa có vai trò ({kept}). Để {self.slug} in đúng nguyên văn, hồ "
            f"sơ đơn vị ghi: {snippet}"
        )
        self.report.overrides.setdefault(t.id, {})[key] = cell
        return refs

    def similar(self, t: TaskOut) -> Similar | None:
        """The existing catalog's task most like `t` (looked up once, only on a tie)."""
        if t.id not in self._similar:
            self._similar[t.id] = self.hints.similar(t.text)
        return self._similar[t.id]

    def choose(self, body: str, column: str, t: TaskOut) -> str:
        roles = self.bodies.by_key[body]
        size = min(len(self.bodies.roles[r]) for r in roles)
        tied = [r for r in roles if len(self.bodies.roles[r]) == size]
        if len(tied) == 1:
            return tied[0]
        reason = ""
        pick = None
        similar = self.similar(t)
        if similar is not None:
            same = [r for r in tied if r in similar.roles[column]]
            same = same or [
                r for r in tied if r in similar.roles["lead"] + similar.roles["support"]
            ]
            if same:
                pick = same[0]
                reason = f"như nhiệm vụ giống nhất của catalog {similar.catalog}"
        if pick is None:
            counts = [self.hints.freq[r] for r in tied]
            top = max(counts)
            if top and counts.count(top) == 1:
                pick = tied[counts.index(top)]
                reason = "vai trò các catalog hiện có dùng nhiều nhất"
            else:
                pick = tied[0]
                reason = "theo thứ tự trong roles.yaml"
        shown = self.bodies.display[body]
        entry = self.report.choices.setdefault(shown, [Counter(), tied, Counter()])
        entry[0][pick] += 1
        entry[2][reason] += 1
        return pick
