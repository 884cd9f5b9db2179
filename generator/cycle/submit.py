"""A filled tracker sent in (`plangen submit`, the web page's upload): read, checked against
the unit and its newest submission, then stored, all in one transaction.

Newer progress is never overwritten silently. Compared with the unit's newest submission,
a tracker is refused when it goes backwards: a task done there is not done here, a note or
a month cell written there is empty here, a task there is missing here; when the day its
figures stand at is before the newest one's; when the workbook was saved before the newest
one was; or when it is, byte for byte, an earlier submission's file. The refusal carries
every difference (`OlderTracker.changes`), and `force=True` stores it anyway, marked as
forced: as the newest when it stands at the newest day or later, otherwise as history of
its own day, which leaves the newest figures as they were. The very file of the newest
submission sent again stores nothing (`Outcome.same`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generator.core.dates import short
from generator.core.errors import UserError, Where
from generator.core.text import check_slug
from generator.cycle import store
from generator.cycle.db import Database
from generator.cycle.intake import read_snapshot
from generator.cycle.snapshot import Snapshot, TaskRecord
from generator.model.workspace import Workspace
from generator.render.tracker import DONE, IN_PROGRESS, LATE, NOT_STARTED, month_label
from generator.resolve.scope import bind
from generator.resolve.unit import bound_appendices

# How far a status says a task has gone: a status of a lower rank undoes progress.
_RANK = {NOT_STARTED: 0, IN_PROGRESS: 1, LATE: 1, DONE: 2}


@dataclass(frozen=True)
class Change:
    """One difference between the newest stored tracker and the one sent."""

    appendix: str
    task: str
    stt: str
    text: str
    what: str  # "Trạng thái", "Ghi chú", "Tháng 7/2026", "Nhiệm vụ"
    old: str
    new: str
    backwards: bool  # progress that the tracker sent would undo

    def line(self) -> str:
        mark = "LÙI " if self.backwards else ""
        where = f"{self.appendix}, STT {self.stt or '?'}"
        short_text = self.text if len(self.text) <= 60 else self.text[:59] + "…"
        return (
            f"  {mark}{where} ({short_text}): {self.what}: "
            f'"{self.old or "(trống)"}" -> "{self.new or "(trống)"}"'
        )


@dataclass(frozen=True)
class Outcome:
    stored: store.Submission | None  # None: the same file as the newest, nothing stored
    previous: store.Submission | None  # the newest before this one
    changes: tuple[Change, ...]
    snapshot: Snapshot
    newest: bool  # the stored submission is now the unit's newest

    @property
    def same(self) -> bool:
        return self.stored is None


class OlderTracker(UserError):
    """The tracker sent would undo newer progress: refused, with every difference."""

    def __init__(self, message: str, where: Where, previous, changes: tuple[Change, ...]):
        super().__init__(message, where)
        self.previous = previous
        self.changes = changes


def compare(old: list[TaskRecord], new: list[TaskRecord]) -> tuple[Change, ...]:
    """Every difference of status, note and month cells, task by task (plan order)."""
    out: list[Change] = []
    fresh = {t.key: t for t in new}
    for was in old:
        now = fresh.pop(was.key, None)
        if now is None:
            out.append(_change(was, "Nhiệm vụ", "có", "", True))
            continue
        if was.status != now.status:
            out.append(_change(was, "Trạng thái", was.status, now.status, was.status == DONE))
        if was.note != now.note:
            out.append(_change(was, "Ghi chú", was.note, now.note, bool(was.note) and not now.note))
        before, after = dict(was.months), dict(now.months)
        for month in sorted(set(before) | set(after)):
            a, b = before.get(month, ""), after.get(month, "")
            if a != b:
                year, m = month.split("-")
                out.append(_change(was, month_label(int(m), int(year)), a, b, bool(a) and not b))
    for now in fresh.values():
        out.append(_change(now, "Nhiệm vụ", "", "có", False))
    return tuple(out)


def _change(t: TaskRecord, what: str, old: str, new: str, backwards: bool) -> Change:
    return Change(t.appendix, t.task, t.stt, t.text, what, old, new, backwards)


def check_unit(ws: Workspace, slug: str, snap: Snapshot, path: Path, year: int | None):
    """The unit bound to the tracker's year; a tracker made for another unit is refused, and
    tasks that are not the unit's are warned about."""
    if snap.unit and snap.unit != slug:
        raise UserError(
            f'tệp theo dõi này được lập cho đơn vị "{snap.unit}", không phải "{slug}"; chọn '
            "đúng đơn vị hoặc đúng tệp",
            Where(path),
        )
    bound = bind(ws, slug, year)
    planned = {t.ident for a in bound_appendices(bound) for t in a.tasks}
    foreign = [t for t in snap.tasks if not t.task.startswith("#") and t.task not in planned]
    warnings = list(snap.warnings)
    if foreign:
        warnings.append(
            f"{len(foreign)} nhiệm vụ không có trong kế hoạch năm {bound.scope.year} của đơn "
            f"vị (mã {', '.join(t.task for t in foreign[:5])}{'…' if len(foreign) > 5 else ''})"
        )
    return bound, tuple(warnings)


def submit(
    db: Database,
    ws: Workspace,
    slug: str,
    path: Path,
    *,
    who: str,
    source: str,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
    force: bool = False,
    file_name: str | None = None,
) -> Outcome:
    """Read the tracker at `path` for unit `slug` and store it (see the module's rules)."""
    slug = check_slug(slug)
    today = today or dt.date.today()
    as_of = as_of or today
    snap = read_snapshot(path, as_of)
    bound, warnings = check_unit(ws, slug, snap, path, snap.year)
    snap = Snapshot(
        snap.tasks, warnings, file_name or snap.file_name, snap.sha256, snap.size,
        snap.saved_at, snap.unit, snap.year,
    )  # fmt: skip
    year, where = bound.scope.year, Where(path)
    with db.writing(slug) as conn:
        latest = store.newest(conn, slug, year)
        if latest is not None and latest.file_sha256 == snap.sha256 and not force:
            return Outcome(None, latest, (), snap, True)
        changes: tuple[Change, ...] = ()
        if latest is not None:
            old = store.tasks_of(conn, [latest.id])[latest.id]
            changes = compare(old, list(snap.tasks))
            reasons = _reasons(conn, slug, snap, as_of, latest, changes)
            if reasons and not force:
                raise OlderTracker(_refusal(latest, reasons), where, latest, changes)
        sid = store.save(
            conn, slug, year, bound.scope.edition.id, snap,
            who=who, source=source, as_of=as_of, forced=force and latest is not None,
        )  # fmt: skip
        stored = next(s for s in store.history(conn, slug, year) if s.id == sid)
        newest = latest is None or stored.order >= latest.order
    return Outcome(stored, latest, changes, snap, newest)


def _reasons(conn, slug, snap: Snapshot, as_of, latest, changes) -> list[str]:
    reasons = []
    earlier = [s for s in store.find_hash(conn, slug, snap.sha256) if s.id != latest.id]
    if earlier:
        s = earlier[-1]
        day = short(s.local_time.date())
        reasons.append(f"tệp này chính là tệp đã nộp ngày {day} (lần #{s.id})")
    if as_of < latest.as_of:
        reasons.append(
            f"số liệu ngày {short(as_of)}, trước ngày {short(latest.as_of)} của lần mới nhất"
        )
    if snap.saved_at and latest.file_saved_at and snap.saved_at < latest.file_saved_at:
        reasons.append("tệp được lưu trước tệp của lần nộp mới nhất")
    back = [c for c in changes if c.backwards]
    if back:
        reasons.append(f"{len(back)} thay đổi làm lùi tiến độ (đánh dấu LÙI ở trên)")
    return reasons


def _refusal(latest: store.Submission, reasons: list[str]) -> str:
    when = latest.local_time.strftime("%H:%M ") + short(latest.local_time.date())
    return (
        f"tệp theo dõi này cũ hơn lần nộp mới nhất (#{latest.id}, {when}, "
        f"{latest.submitted_by}): {'; '.join(reasons)}. Chưa ghi gì; nếu tệp này mới đúng, "
        'nộp lại với --force (trên trang web: đánh dấu "Ghi nhận dù cũ hơn")'
    )
