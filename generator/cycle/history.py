"""What a report or the roll-up is counted from: a unit's figures, from the newest submission
in the database standing at the report date or earlier, or from a tracker file given
directly (`plangen report --tracker FILE`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.dates import short
from generator.core.errors import UserError
from generator.cycle import store
from generator.cycle.db import Database
from generator.cycle.intake import read_snapshot
from generator.cycle.periods import Period
from generator.cycle.snapshot import TaskRecord


@dataclass(frozen=True)
class Figures:
    """One unit's tasks as its tracker last said, and where that came from."""

    unit: str
    tasks: tuple[TaskRecord, ...]
    source: str  # "tệp theo dõi nộp lúc 09:12 ngày 16/9/2026 (lần nộp #12, Nguyễn Văn A)"
    as_of: dt.date  # the day the figures stand at
    submission: store.Submission | None = None
    # (appendix, task) -> the day of the first submission that said it was done
    first_done: dict = field(default_factory=dict)
    # the tasks as the newest submission before the period said (None: no such submission)
    before: tuple[TaskRecord, ...] | None = None


def describe(sub: store.Submission) -> str:
    when = sub.local_time
    forced = ", ghi đè có chủ ý" if sub.forced else ""
    return (
        f"tệp theo dõi {sub.file_name} nộp lúc {when:%H:%M} ngày {short(when.date())} "
        f"(lần nộp #{sub.id}, {sub.submitted_by}{forced}; số liệu ngày {short(sub.as_of)})"
    )


def unit_figures(
    db: Database, slug: str, year: int, by: dt.date, period: Period | None = None
) -> Figures:
    """The unit's newest submission of `year` standing at `by` or earlier."""
    with db.reading() as conn:
        sub = store.newest(conn, slug, year, by)
        if sub is None:
            later = store.newest(conn, slug, year)
            hint = (
                f" (lần nộp đầu tiên có số liệu ngày {short(later.as_of)}, sau ngày {short(by)})"
                if later is not None
                else ""
            )
            raise UserError(
                f'đơn vị "{slug}" chưa nộp tệp theo dõi năm {year} nào vào {db.shown}{hint}: '
                f"nộp bằng plangen submit TỆP.xlsx --unit {slug}, hoặc chỉ định --tracker TỆP.xlsx"
            )
        ids = [sub.id]
        earlier = None
        if period is not None:
            earlier = store.newest(conn, slug, year, period.start - dt.timedelta(days=1))
            ids += [earlier.id] if earlier is not None else []
        tasks = store.tasks_of(conn, ids)
        first = store.first_done(conn, slug, year)
    return Figures(
        unit=slug,
        tasks=tuple(tasks[sub.id]),
        source=describe(sub),
        as_of=sub.as_of,
        submission=sub,
        first_done=first,
        before=tuple(tasks[earlier.id]) if earlier is not None else None,
    )


def file_figures(path: Path, slug: str, today: dt.date) -> Figures:
    """A tracker file read directly (nothing stored)."""
    snap = read_snapshot(path, today)
    if snap.unit and snap.unit != slug:
        raise UserError(
            f'tệp theo dõi {Path(path).name} được lập cho đơn vị "{snap.unit}", không phải "{slug}"'
        )
    return Figures(
        unit=slug,
        tasks=snap.tasks,
        source=f"tệp theo dõi {Path(path).name} (số liệu ngày {short(today)})",
        as_of=today,
    )
