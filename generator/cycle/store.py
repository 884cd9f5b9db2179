"""The progress history in the database: a submission written, the newest ones found, their
tasks read back as `TaskRecord`s. Queries only; what may be written is decided in
cycle/submit.py."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import and_, select

from generator.cycle.schema import month_notes, submissions, task_status
from generator.cycle.snapshot import Snapshot, TaskRecord

CHUNK = 500  # ids per IN (...) when reading many submissions' tasks


@dataclass(frozen=True)
class Submission:
    """One stored submission, without its tasks."""

    id: int
    unit: str
    year: int
    edition: str
    submitted_at: dt.datetime  # UTC
    submitted_by: str
    source: str
    file_name: str
    file_sha256: str
    file_bytes: int
    file_saved_at: dt.datetime | None
    as_of: dt.date
    forced: bool
    tasks: int
    warnings: str

    @property
    def local_time(self) -> dt.datetime:
        """When it was sent, in this computer's time zone."""
        return self.submitted_at.replace(tzinfo=dt.UTC).astimezone()

    @property
    def order(self) -> tuple[dt.date, int]:
        return (self.as_of, self.id)


def _submission(row) -> Submission:
    m = row._mapping
    return Submission(
        **{k: m[k] for k in Submission.__dataclass_fields__ if k not in ("forced", "as_of")},
        forced=bool(m["forced"]),
        as_of=_date(m["as_of"]),
    )


def _date(value) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):  # pragma: no cover - SQLite hands back dates as dates
        return dt.date.fromisoformat(value[:10])
    return value


def save(
    conn,
    unit: str,
    year: int,
    edition: str,
    snap: Snapshot,
    *,
    who: str,
    source: str,
    as_of: dt.date,
    forced: bool = False,
    now: dt.datetime | None = None,
) -> int:
    """Write the submission and its tasks; its id."""
    now = now or dt.datetime.now(dt.UTC)
    if now.tzinfo is not None:
        now = now.astimezone(dt.UTC).replace(tzinfo=None)
    result = conn.execute(
        submissions.insert().values(
            unit=unit,
            year=year,
            edition=edition,
            submitted_at=now.replace(microsecond=0),
            submitted_by=who[:200],
            source=source,
            file_name=snap.file_name[:255],
            file_sha256=snap.sha256,
            file_bytes=snap.size,
            file_saved_at=snap.saved_at,
            as_of=as_of,
            forced=forced,
            tasks=len(snap.tasks),
            warnings="\n".join(snap.warnings),
        )
    )
    sid = result.inserted_primary_key[0]
    rows = [
        {
            "submission_id": sid,
            "appendix": t.appendix[:100],
            "task": t.task[:200],
            "position": t.position,
            "section": t.section[:50],
            "section_title": t.section_title,
            "stt": t.stt[:20],
            "text": t.text,
            "lead": t.lead,
            "deadline": t.deadline,
            "due": t.due,
            "status": t.status[:40],
            "done_on": t.done_on,
            "note": t.note,
        }
        for t in snap.tasks
    ]
    if rows:
        conn.execute(task_status.insert(), rows)
    notes = [
        {
            "submission_id": sid,
            "appendix": t.appendix[:100],
            "task": t.task[:200],
            "month": month,
            "text": text,
        }
        for t in snap.tasks
        for month, text in t.months
    ]
    if notes:
        conn.execute(month_notes.insert(), notes)
    return sid


def history(conn, unit: str, year: int | None = None) -> list[Submission]:
    """The unit's submissions, oldest first (by the day they stand at, then by id)."""
    query = select(submissions).where(submissions.c.unit == unit)
    if year is not None:
        query = query.where(submissions.c.year == year)
    rows = conn.execute(query.order_by(submissions.c.as_of, submissions.c.id))
    return [_submission(r) for r in rows]


def newest(conn, unit: str, year: int | None = None, by: dt.date | None = None):
    """The unit's newest submission standing at `by` or earlier (None: any), or None."""
    found = [s for s in history(conn, unit, year) if by is None or s.as_of <= by]
    return found[-1] if found else None


def newest_of_units(conn, year: int, by: dt.date | None = None) -> dict[str, Submission]:
    """Every unit's newest submission of `year` standing at `by` or earlier."""
    ids = select(submissions.c.id, submissions.c.unit, submissions.c.as_of).where(
        submissions.c.year == year
    )
    if by is not None:
        ids = ids.where(submissions.c.as_of <= by)
    best: dict[str, tuple] = {}
    for sid, unit, as_of in conn.execute(ids):
        key = (_date(as_of), sid)
        if unit not in best or key > best[unit]:
            best[unit] = key
    if not best:
        return {}
    chosen = [key[1] for key in best.values()]
    out = {}
    for part in _chunks(chosen):
        for row in conn.execute(select(submissions).where(submissions.c.id.in_(part))):
            s = _submission(row)
            out[s.unit] = s
    return dict(sorted(out.items()))


def find_hash(conn, unit: str, sha256: str) -> list[Submission]:
    rows = conn.execute(
        select(submissions)
        .where(and_(submissions.c.unit == unit, submissions.c.file_sha256 == sha256))
        .order_by(submissions.c.id)
    )
    return [_submission(r) for r in rows]


def tasks_of(conn, ids: list[int], months: bool = True) -> dict[int, list[TaskRecord]]:
    """The tasks of each submission in `ids`, in the plan's order (appendix, position)."""
    out: dict[int, list[TaskRecord]] = {i: [] for i in ids}
    notes: dict[tuple, list[tuple[str, str]]] = defaultdict(list)
    for part in _chunks(ids):
        if months:
            query = (
                select(month_notes)
                .where(month_notes.c.submission_id.in_(part))
                .order_by(month_notes.c.submission_id, month_notes.c.month)
            )
            for r in conn.execute(query):
                m = r._mapping
                notes[(m["submission_id"], m["appendix"], m["task"])].append(
                    (m["month"], m["text"])
                )
        query = (
            select(task_status)
            .where(task_status.c.submission_id.in_(part))
            .order_by(task_status.c.submission_id, task_status.c.appendix, task_status.c.position)
        )
        for r in conn.execute(query):
            m = r._mapping
            key = (m["submission_id"], m["appendix"], m["task"])
            out[m["submission_id"]].append(
                TaskRecord(
                    appendix=m["appendix"],
                    task=m["task"],
                    position=m["position"],
                    section=m["section"],
                    section_title=m["section_title"],
                    stt=m["stt"],
                    text=m["text"],
                    lead=m["lead"],
                    deadline=m["deadline"],
                    due=_date(m["due"]),
                    status=m["status"],
                    done_on=_date(m["done_on"]),
                    note=m["note"],
                    months=tuple(notes.get(key, ())),
                )
            )
    for tasks in out.values():
        tasks.sort(key=lambda t: (_appendix_order(t.appendix), t.position))
    return out


def first_done(conn, unit: str, year: int) -> dict[tuple[str, str], dt.date]:
    """(appendix, task) -> the day of the first submission that said it was done."""
    query = (
        select(task_status.c.appendix, task_status.c.task, submissions.c.as_of)
        .join(submissions, submissions.c.id == task_status.c.submission_id)
        .where(
            and_(
                submissions.c.unit == unit,
                submissions.c.year == year,
                task_status.c.status == "Hoàn thành",
            )
        )
    )
    out: dict[tuple[str, str], dt.date] = {}
    for appendix, task, as_of in conn.execute(query):
        day = _date(as_of)
        if (appendix, task) not in out or day < out[(appendix, task)]:
            out[(appendix, task)] = day
    return out


def submission_snapshot(sub: Submission, tasks: list[TaskRecord]) -> Snapshot:
    return Snapshot(
        tasks=tuple(tasks),
        warnings=tuple(w for w in sub.warnings.split("\n") if w),
        file_name=sub.file_name,
        sha256=sub.file_sha256,
        size=sub.file_bytes,
        saved_at=sub.file_saved_at,
    )


def _appendix_order(label: str) -> tuple:
    """ "Phụ lục I" < "Phụ lục II" < "Phụ lục X": by the numeral's value."""
    from generator.core.text import roman_value

    numeral = label.rsplit(" ", 1)[-1].upper()
    try:
        return (0, roman_value(numeral), label)
    except (KeyError, ValueError):
        return (1, 0, label)


def _chunks(ids: list[int]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


__all__ = [
    "Submission",
    "find_hash",
    "first_done",
    "history",
    "newest",
    "newest_of_units",
    "save",
    "submission_snapshot",
    "tasks_of",
]
