"""The province's roll-up for Sở Nội vụ: which units issued their plan, when, and whether
within the parent plan's days (the 15-day rule); each unit's tasks done, late and at risk
from its newest submission; for each task of the province plan, the units where it is late;
the progress of every area over all units.

Every figure is counted from the unit profiles (plan numbers and dates) and the submitted
trackers, at the reference date of the period (its cut-off, or the report date when the
period is not over). A unit that has not submitted is counted as such, never as zero tasks.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from generator.core.errors import UserError
from generator.cycle import store
from generator.cycle.db import Database
from generator.cycle.periods import Period
from generator.cycle.snapshot import TaskRecord
from generator.model.workspace import Workspace
from generator.resolve.deadlines import deadline
from generator.resolve.scope import Bound, bind
from generator.resolve.unit import bound_appendices

PROVINCE = "province"  # the kind of the unit that issues the edition's plan


@dataclass(frozen=True)
class UnitRow:
    """One unit: its plan's issue against the deadline, and its progress."""

    slug: str
    name: str
    kind: str  # the kind's Vietnamese name
    plan_number: str  # "" while the văn thư has not given one
    plan_date: str  # "06/7/2026", or "    /7/2026" for a draft
    plan_day: dt.date | None  # None for a draft dated by month only
    due: dt.date | None  # parent plan date + deadline_days
    submission: store.Submission | None
    tasks: tuple[TaskRecord, ...]
    counts: Counter  # class -> tasks, at the reference date

    @property
    def issued(self) -> bool:
        return bool(self.plan_number) and self.plan_day is not None

    @property
    def on_time(self) -> bool | None:
        """Issued within the days (None: not issued, or no parent plan)."""
        if not self.issued or self.due is None:
            return None
        return self.plan_day <= self.due

    @property
    def total(self) -> int:
        return len(self.tasks)

    @cached_property
    def by_key(self) -> dict[tuple[str, str], TaskRecord]:
        return {t.key: t for t in self.tasks}

    def klass(self, key: tuple[str, str], ref: dt.date) -> str | None:
        """The task's class at `ref`; None when the unit's tracker does not have it."""
        found = self.by_key.get(key)
        return found.klass(ref) if found is not None else None


@dataclass(frozen=True)
class TaskColumn:
    """A task of the province plan (or found in a unit's tracker only)."""

    appendix: str
    task: str
    section: str
    stt: str
    text: str

    @property
    def key(self) -> tuple[str, str]:
        return (self.appendix, self.task)

    @property
    def code(self) -> str:
        numeral = self.appendix.rsplit(" ", 1)[-1]
        return ".".join(p for p in (numeral, self.section, self.stt) if p)


@dataclass(frozen=True)
class Rollup:
    edition: str  # "lang-son-2026"
    year: int
    parent_title: str  # "Kế hoạch số 252/KH-UBND ngày 23/6/2026 của UBND tỉnh Lạng Sơn"
    deadline_days: int
    due: dt.date | None
    period: Period | None
    ref: dt.date
    province: str | None  # the slug of the province's own unit, when the data has one
    units: tuple[UnitRow, ...]
    tasks: tuple[TaskColumn, ...]
    late_units: dict  # task key -> [slug, …] where it is late
    areas: tuple[tuple[str, str, str, Counter], ...]  # (appendix, code, title, classes)
    problems: tuple[str, ...]  # units that could not be bound, stray submissions

    @property
    def submitted(self) -> list[UnitRow]:
        return [u for u in self.units if u.submission is not None]

    def totals(self) -> Counter:
        out: Counter = Counter()
        for u in self.units:
            out.update(u.counts)
        return out


def _members(
    ws: Workspace, year: int | None, province: str | None = None
) -> tuple[list[Bound], Bound | None, list[str]]:
    """The units bound to one province's edition of `year` (default: the newest year any
    unit has; the province with the most units, or `province`), the province's own unit
    apart; and what else is worth saying (units that could not be bound, other provinces)."""
    bounds, problems = [], []
    for slug in sorted(ws.unit_files):
        try:
            bounds.append(bind(ws, slug, year))
        except UserError as exc:
            problems.append(f"{slug}: {exc.message}")
    if province is not None:
        bounds = [b for b in bounds if b.scope.edition.province_id == province]
    if year is None and bounds:
        year = max(b.scope.year for b in bounds)
        bounds = [b for b in bounds if b.scope.year == year]
    if not bounds:
        where = f" của tỉnh {province}" if province else ""
        raise UserError(
            f"không có đơn vị nào{where} có kế hoạch năm "
            + (str(year) if year else "nào")
            + (f" ({problems[0]})" if problems else "")
        )
    editions = Counter(b.scope.edition.id for b in bounds)
    edition = editions.most_common(1)[0][0]
    if len(editions) > 1:
        others = ", ".join(e for e in sorted(editions) if e != edition)
        problems.insert(
            0,
            f"dữ liệu có kế hoạch của nhiều tỉnh: đây là tổng hợp {edition}; tỉnh khác "
            f"({others}) chọn bằng --province (trên trang web: ?province=)",
        )
    bounds = [b for b in bounds if b.scope.edition.id == edition]
    chief = next((b for b in bounds if b.kind.is_a({PROVINCE})), None)
    return [b for b in bounds if not b.kind.is_a({PROVINCE})], chief, problems


def _columns(province: Bound | None, rows: list[UnitRow]) -> tuple[TaskColumn, ...]:
    """The province plan's tasks in order, then any other task a tracker holds."""
    out: dict[tuple[str, str], TaskColumn] = {}
    if province is not None:
        for a in bound_appendices(province):
            for r in a.tasks:
                out[(a.label, r.ident)] = TaskColumn(
                    a.label, r.ident, ".".join(r.path), r.code, r.title
                )
    for u in rows:
        for t in u.tasks:
            if t.key not in out:
                out[t.key] = TaskColumn(t.appendix, t.task, t.section, t.stt, t.text)
    return tuple(out.values())


def build_rollup(
    ws: Workspace,
    db: Database,
    period: Period | None,
    report_date: dt.date,
    year: int | None = None,
    province_id: str | None = None,
) -> Rollup:
    """The roll-up of one province's units at the period's reference date (no period: the
    report date)."""
    ref = report_date if period is None else min(period.end, report_date)
    year = year or (period.year if period else None)
    members, province, problems = _members(ws, year, province_id)
    scope = members[0].scope if members else province.scope
    year = scope.year
    with db.reading() as conn:
        newest = store.newest_of_units(conn, year, report_date)
        tasks = store.tasks_of(conn, [s.id for s in newest.values()], months=False)
    rows = []
    for b in members:
        sub = newest.get(b.slug)
        own = tuple(tasks[sub.id]) if sub is not None else ()
        due = deadline(b.unit, b.scope.parent)
        date = b.unit.plan.date
        rows.append(
            UnitRow(
                slug=b.slug,
                name=b.unit.name,
                kind=b.kind.name,
                plan_number=str(b.unit.plan.number or ""),
                plan_date=date.short(),
                plan_day=date.date,
                due=due.due if due else None,
                submission=sub,
                tasks=own,
                counts=Counter(t.klass(ref) for t in own),
            )
        )
    known = {b.slug for b in members} | ({province.slug} if province else set())
    problems += [
        f"{slug}: có tệp theo dõi đã nộp, không có hồ sơ đơn vị của kế hoạch {scope.edition.id}"
        for slug in newest
        if slug not in known
    ]
    columns = _columns(province, rows)
    late: dict[tuple[str, str], list[str]] = {c.key: [] for c in columns}
    areas: dict[tuple[str, str], tuple[str, Counter]] = {}
    for u in rows:
        for t in u.tasks:
            klass = t.klass(ref)
            if klass == "late":
                late[t.key].append(u.slug)
            title, counts = areas.setdefault((t.appendix, t.section), (t.section_title, Counter()))
            counts[klass] += 1
    parent = scope.parent
    first_due = deadline(members[0].unit, parent).due if members and parent else None
    return Rollup(
        edition=scope.edition.id,
        year=year,
        parent_title=(
            f"{parent.title} ngày {parent.date.short()} của {parent.issuer}" if parent else ""
        ),
        deadline_days=parent.deadline_days if parent else 0,
        due=first_due,
        period=period,
        ref=ref,
        province=province.slug if province else None,
        units=tuple(rows),
        tasks=columns,
        late_units=late,
        areas=tuple((a, code, title, c) for (a, code), (title, c) in _area_order(areas)),
        problems=tuple(problems),
    )


def _area_order(areas: dict) -> list:
    """(appendix, section) in the plans' order: appendices by numeral, then each one's
    section codes (Roman numerals by value where an appendix numbers its sections so)."""
    from generator.cycle.store import _appendix_order
    from generator.readback.sheet import code_order

    codes = {
        appendix: code_order({code for a, code in areas if a == appendix and code})
        for appendix in {a for a, _ in areas}
    }
    return sorted(
        areas.items(),
        key=lambda kv: (_appendix_order(kv[0][0]), codes[kv[0][0]].get(kv[0][1], ())),
    )


def late_by_unit(rollup: Rollup) -> list[tuple[str, int]]:
    """(unit name, late tasks) of every unit that submitted, most late first."""
    rows = [(u.name, u.counts["late"]) for u in rollup.submitted]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def rollup_file_names(rollup: Rollup) -> tuple[str, str]:
    """The consolidated workbook and the province's report."""
    tag = rollup.period.code.lower() if rollup.period else rollup.ref.isoformat()
    return f"tong-hop-{rollup.edition}-{tag}.xlsx", f"bao-cao-tong-hop-{rollup.edition}-{tag}.docx"
