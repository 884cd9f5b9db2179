"""What one filled tracker says, task by task: the values the history keeps and the reports
are counted from. Built from a file (cycle/intake.py) or from the database (cycle/store.py).

Each task is classified at a reference date (`classify`), one class each, so that counts
always add up to the number of tasks:

    done         "Hoàn thành"
    late         "Chậm tiến độ", or past its due date and not done (the tracker's late rule)
    at_risk      not done, not late, due within RISK_DAYS of the reference date
    in_progress  "Đang thực hiện", not late, not at risk
    not_started  "Chưa triển khai", not late, not at risk
    unknown      a status that could not be read ("Không rõ")
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from generator.render.tracker import DONE, IN_PROGRESS, LATE, NOT_STARTED

RISK_DAYS = 30
CLASSES = ("done", "late", "at_risk", "in_progress", "not_started", "unknown")
CLASS_LABELS = {
    "done": "Hoàn thành",
    "late": "Chậm tiến độ",
    "at_risk": "Sắp đến hạn, chưa xong",
    "in_progress": "Đang thực hiện",
    "not_started": "Chưa triển khai",
    "unknown": "Không rõ trạng thái",
}


@dataclass(frozen=True)
class TaskRecord:
    """One task of a filled tracker."""

    appendix: str  # the sheet: "Phụ lục I"
    task: str  # the task id ("Mã nhiệm vụ"); "#<row>" when the clerk deleted it
    position: int  # order within the appendix, as the plan lists it
    section: str  # "B.II"
    section_title: str
    stt: str
    text: str
    lead: str
    deadline: str  # the plan's "Thời gian hoàn thành"
    due: dt.date | None
    status: str  # one of the tracker's statuses, or "Không rõ"
    done_on: dt.date | None  # a date the clerk wrote for a done task
    note: str
    months: tuple[tuple[str, str], ...] = ()  # ("2026-07", what the clerk wrote)

    @property
    def key(self) -> tuple[str, str]:
        return (self.appendix, self.task)

    @property
    def area(self) -> tuple[str, str, str]:
        """(appendix, section code, section title): the area a report counts by."""
        return (self.appendix, self.section, self.section_title)

    def klass(self, ref: dt.date) -> str:
        status = self.status
        if status == DONE:
            return "done"
        if status == LATE or (self.due is not None and self.due < ref):
            return "late"
        if self.due is not None and self.due <= ref + dt.timedelta(days=RISK_DAYS):
            return "at_risk"
        if status == IN_PROGRESS:
            return "in_progress"
        if status == NOT_STARTED:
            return "not_started"
        return "unknown"

    def written(self) -> str:
        """What the clerk wrote of the task: the note, else the last month cell."""
        if self.note:
            return self.note
        return self.months[-1][1] if self.months else ""


@dataclass(frozen=True)
class Snapshot:
    """A tracker as read: its tasks in the plan's order, and the file it came from."""

    tasks: tuple[TaskRecord, ...]
    warnings: tuple[str, ...] = ()
    file_name: str = ""
    sha256: str = ""
    size: int = 0
    saved_at: dt.datetime | None = None  # the workbook's own "modified" time (UTC)
    unit: str = ""  # the unit the workbook says it was made for (its properties), if any
    year: int | None = None  # the year of its month columns ("Tháng 7/2026")

    def counts(self, ref: dt.date) -> Counter:
        return Counter(t.klass(ref) for t in self.tasks)

    def by_key(self) -> dict[tuple[str, str], TaskRecord]:
        return {t.key: t for t in self.tasks}


def classify(tasks, ref: dt.date) -> dict[str, list[TaskRecord]]:
    """The tasks by class (every class present, in CLASSES order)."""
    out: dict[str, list[TaskRecord]] = {c: [] for c in CLASSES}
    for t in tasks:
        out[t.klass(ref)].append(t)
    return out
