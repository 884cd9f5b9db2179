"""Reminders that fit the reporting rhythm: what falls due in the next days, unit by unit,
from each unit's newest submission (or from tracker files given directly)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generator.core.dates import short
from generator.cycle import store
from generator.cycle.db import Database, database_url, existing_database
from generator.cycle.history import describe
from generator.cycle.intake import read_snapshot
from generator.cycle.snapshot import TaskRecord
from generator.render.tracker import DONE


@dataclass(frozen=True)
class Reminder:
    """One unit's tasks due within the window, and how many are already late."""

    unit: str
    source: str
    due: tuple[TaskRecord, ...]  # not done, due from today to today + days, soonest first
    late: tuple[TaskRecord, ...]  # not done and past due, or marked late
    today: dt.date
    days: int

    @property
    def until(self) -> dt.date:
        return self.today + dt.timedelta(days=self.days)

    @staticmethod
    def day(t: TaskRecord) -> str:
        """A task's due date as Nghị định 30 writes it ("05/9/2026")."""
        return short(t.due) if t.due else ""


def reminder(unit: str, source: str, tasks, today: dt.date, days: int) -> Reminder:
    until = today + dt.timedelta(days=days)
    open_tasks = [t for t in tasks if t.status != DONE]
    due = sorted(
        (t for t in open_tasks if t.due is not None and today <= t.due <= until),
        key=lambda t: (t.due, t.appendix, t.position),
    )
    late = [t for t in open_tasks if t.klass(today) == "late"]
    return Reminder(unit, source, tuple(due), tuple(late), today, days)


def from_database(
    db: Database, today: dt.date, days: int, units: list[str] | None = None, year: int | None = None
) -> list[Reminder]:
    """Each unit's reminder from its newest submission of `year` (default: today's year);
    `units` limits them (a unit without a submission is left out)."""
    year = year or today.year
    with db.reading() as conn:
        newest = store.newest_of_units(conn, year, today)
        if units is not None:
            newest = {u: s for u, s in newest.items() if u in units}
        tasks = store.tasks_of(conn, [s.id for s in newest.values()], months=False)
    return [
        reminder(unit, describe(sub), tasks[sub.id], today, days) for unit, sub in newest.items()
    ]


def unit_reminder(root: Path, slug: str, today: dt.date, days: int) -> Reminder | None:
    """The unit's reminder from the data folder's history (None: nothing submitted yet);
    for the web page, which never creates the database to say so."""
    db = existing_database(database_url(None, root))
    if db is None:
        return None
    found = from_database(db, today, days, [slug])
    return found[0] if found else None


def from_files(paths: list[Path], today: dt.date, days: int) -> list[Reminder]:
    out = []
    for path in paths:
        snap = read_snapshot(path, today)
        out.append(reminder(snap.unit or Path(path).stem, str(path), snap.tasks, today, days))
    return out


def lines(r: Reminder) -> list[str]:
    """The reminder as plain lines (the terminal; the web page has its own block)."""
    out = [f"{r.unit}: {r.source}"]
    if not r.due:
        out.append(f"  Không có nhiệm vụ nào đến hạn từ {short(r.today)} đến {short(r.until)}.")
    for t in r.due:
        left = (t.due - r.today).days
        when = "hôm nay" if left == 0 else f"còn {left} ngày"
        where = f"{t.appendix}, mục {t.section}, STT {t.stt}" if t.section else t.appendix
        text = t.text if len(t.text) <= 90 else t.text[:89] + "…"
        out.append(f"  - {short(t.due)} ({when}): {where}: {text}")
        out.append(f"    Chủ trì: {t.lead or '(không ghi)'}; trạng thái: {t.status}")
    if r.late:
        out.append(f"  Đã chậm tiến độ, chưa hoàn thành: {len(r.late)} nhiệm vụ.")
    return out
