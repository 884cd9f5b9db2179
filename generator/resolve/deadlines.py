"""Deadlines: the 15-day rule (a unit issues its plan within N days of its parent plan),
and tasks whose own deadline has passed before the unit's plan is even issued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from generator.core.dates import PlanDate, short
from generator.core.errors import UserError, Where
from generator.model.unit import ParentPlan, Unit
from generator.resolve.appendix import Appendix
from generator.resolve.duedate import DATE, parse_deadline
from generator.resolve.scope import Bound


@dataclass(frozen=True)
class Deadline:
    parent: ParentPlan
    due: dt.date
    plan: PlanDate  # the unit's plan date (its day may be unassigned)

    @property
    def late(self) -> bool:
        if self.plan.date is not None:
            return self.plan.date > self.due
        return (self.plan.year, self.plan.month) > (self.due.year, self.due.month)

    def brief(self) -> str:
        """'08/7/2026', or '08/7/2026 (QUÁ HẠN)' when the unit's plan is dated after it."""
        return short(self.due) + (" (QUÁ HẠN)" if self.late else "")

    def describe(self) -> str:
        p = self.parent
        text = (
            f"hạn ban hành {short(self.due)} ({p.deadline_days} ngày kể từ {p.title} "
            f"ngày {p.date.short()} của {p.issuer})"
        )
        if self.late:
            when = self.plan.short() if self.plan.day else self.plan.month_text()
            text += f"; CẢNH BÁO: kế hoạch {when} đã quá hạn"
        return text


def due_date(start: dt.date, days: int) -> dt.date:
    """`days` calendar days after `start` (23/6/2026 + 15 -> 08/7/2026)."""
    try:
        return start + dt.timedelta(days=days)
    except OverflowError:
        raise UserError(f"hạn ban hành vượt quá năm 9999 ({short(start)} + {days} ngày)") from None


def stale_deadlines(
    appendix: Appendix, unit: Unit, source: Path | None = None, lines: dict[str, int] | None = None
) -> list[UserError]:
    """A warning for each task whose deadline ends before the unit's plan date: a plan
    issued in July cannot give a task due "Trước quý III/2026"."""
    start = unit.plan.date.first
    out = []
    for row in appendix.tasks:
        text = row.cells.get("deadline", "")
        due = parse_deadline(text, appendix.year)
        if due.kind == DATE and due.end is not None and due.end < start:
            code = ".".join((*row.path, row.code))
            out.append(
                UserError(
                    f'cảnh báo: đơn vị "{appendix.unit}": nhiệm vụ "{row.ident}" (mục {code} '
                    f'{appendix.label}) có thời hạn "{" ".join(text.split())}" kết thúc '
                    f"{short(due.end)}, trước ngày kế hoạch {short(start)}; viết thời hạn "
                    "phù hợp trong variants của loại đơn vị hoặc tasks của hồ sơ đơn vị",
                    Where(source, (lines or {}).get(row.ident, 0)),
                )
            )
    return out


def deadline(unit: Unit, parent: ParentPlan | None) -> Deadline | None:
    """The 15-day rule for `unit` implementing `parent`, or None without a parent plan."""
    if parent is None:
        return None
    return Deadline(parent, due_date(parent.date.first, parent.deadline_days), unit.plan.date)


def bound_deadline(bound: Bound) -> Deadline | None:
    """The 15-day rule for a unit bound to its edition and year."""
    return deadline(bound.unit, bound.scope.parent)
