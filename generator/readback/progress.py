"""What reading a filled tracker gives: per sheet, the tasks counted by section and by lead
body, the late tasks, the rows that could not be read, and warnings."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from generator.render.tracker import LATE


@dataclass(frozen=True)
class LateTask:
    sheet: str
    row: int  # the sheet row, as the clerk sees it now
    stt: str
    section: str  # "B.II THỦ TỤC HÀNH CHÍNH"
    task: str  # shortened to 80 characters
    lead: str
    ident: str = ""
    due: dt.date | None = None  # the due date, when the task has one
    status: str = LATE  # the status as read ("Đang thực hiện" for a task past its date)


@dataclass
class SheetStatus:
    name: str
    tasks: int = 0
    # (section code, section title) -> status -> count
    by_section: dict[tuple[str, str], Counter] = field(default_factory=dict)
    # lead body -> status -> count (a task with two leads counts for both)
    by_lead: dict[str, Counter] = field(default_factory=dict)
    late: list[LateTask] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # sheet rows that hold something but no task that can be read (merged away, or neither
    # a task text nor a task id): each is also said in a warning
    unreadable: list[int] = field(default_factory=list)

    @property
    def totals(self) -> Counter:
        out: Counter = Counter()
        for counts in self.by_section.values():
            out.update(counts)
        return out


@dataclass
class StatusReport:
    path: Path
    sheets: list[SheetStatus] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # about the file (sheets skipped)
    today: dt.date = field(default_factory=dt.date.today)  # the report date

    @property
    def late(self) -> bool:
        return any(s.late for s in self.sheets)

    @property
    def late_tasks(self) -> list[LateTask]:
        return [t for s in self.sheets for t in s.late]

    @property
    def tasks(self) -> int:
        return sum(s.tasks for s in self.sheets)

    @property
    def unreadable(self) -> int:
        return sum(len(s.unreadable) for s in self.sheets)

    @property
    def all_warnings(self) -> list[str]:
        return self.warnings + [f"{s.name}: {w}" for s in self.sheets for w in s.warnings]
