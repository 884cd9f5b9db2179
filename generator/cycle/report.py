"""The facts of a unit's periodic report, counted from its tracker and nothing else: each
task's class at the reference date, by area (a section of the appendices), how the done
tasks were done against their due dates, what falls due in the next period.

The reference date is the period's cut-off (the 14th of its last month, Nghị định 09/2019
Điều 12), or the report date when the period has not ended yet. A figure the tracker does
not give is not made up: the text (cycle/reporttext.py) leaves a dotted line for the clerk.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from generator.core.dates import short
from generator.core.errors import UserError
from generator.cycle.history import Figures
from generator.cycle.periods import Period
from generator.cycle.snapshot import CLASSES, TaskRecord, classify
from generator.model.workspace import Workspace
from generator.render.tracker import DONE
from generator.resolve.appendix import Appendix
from generator.resolve.body import plan_of
from generator.resolve.identity import render_text, text_context
from generator.resolve.plan import Plan
from generator.resolve.scope import Bound, bind
from generator.resolve.unit import bound_appendices

DEFAULT_REPORT_TO = "Sở Nội vụ"


@dataclass(frozen=True)
class Area:
    """One section of one appendix: its tasks and their classes."""

    appendix: str
    code: str
    title: str
    tasks: tuple[TaskRecord, ...]
    counts: Counter

    @property
    def heading(self) -> str:
        return f"{self.appendix}, mục {self.code}" if self.code else self.appendix


@dataclass(frozen=True)
class Timing:
    """How the done tasks were done against their due dates."""

    on_time: int = 0  # done on or before the due date (a date written, or reported done by then)
    after: int = 0  # a date written after the due date
    no_due: int = 0  # no due date ("Thường xuyên")
    unknown: int = 0  # done, but when is not known from the tracker


@dataclass(frozen=True)
class UnitReport:
    slug: str
    bound: Bound
    plan: Plan  # the unit's plan (its header, signer, recipients are the report's too)
    appendices: tuple[Appendix, ...]
    period: Period
    ref: dt.date  # the day the figures are counted at
    figures: Figures
    classes: dict  # class -> [TaskRecord]
    areas: tuple[Area, ...]
    timing: Timing
    done_in_period: int | None  # None: no submission before the period to compare with
    next_due: tuple[TaskRecord, ...]  # not done, due in the next period's window
    report_to: str

    @property
    def total(self) -> int:
        return len(self.figures.tasks)

    def count(self, klass: str) -> int:
        return len(self.classes[klass])


def reference_date(period: Period, report_date: dt.date) -> dt.date:
    """The period's cut-off, or the report date when the period is not over yet."""
    if report_date < period.start:
        raise UserError(
            f"kỳ báo cáo {period.label} bắt đầu từ ngày {short(period.start)}, sau ngày báo "
            f"cáo {short(report_date)}: chưa có gì để báo cáo (--date để chọn ngày báo cáo)"
        )
    return min(period.end, report_date)


def areas_of(tasks, ref: dt.date) -> tuple[Area, ...]:
    """The tasks by (appendix, section), in the plan's order."""
    groups: dict[tuple[str, str], list[TaskRecord]] = {}
    titles: dict[tuple[str, str], str] = {}
    for t in tasks:
        key = (t.appendix, t.section)
        groups.setdefault(key, []).append(t)
        titles[key] = titles.get(key) or t.section_title
    return tuple(
        Area(a, code, titles[(a, code)], tuple(ts), Counter(t.klass(ref) for t in ts))
        for (a, code), ts in groups.items()
    )


def timing_of(done: list[TaskRecord], first_done: dict) -> Timing:
    counts = Counter()
    for t in done:
        if t.due is None:
            counts["no_due"] += 1
        elif t.done_on is not None:
            counts["on_time" if t.done_on <= t.due else "after"] += 1
        elif (reported := first_done.get(t.key)) is not None and reported <= t.due:
            counts["on_time"] += 1  # a submission said it was done by then
        else:
            counts["unknown"] += 1
    return Timing(**counts)


def _report_to(bound: Bound) -> str:
    ctx = text_context(bound.kind, bound.unit, bound.slug, bound.scope.year, bound.scope)
    to = (ctx.get("report") or {}).get("to")
    if not to:
        return DEFAULT_REPORT_TO
    return render_text(to, ctx, f'đơn vị "{bound.slug}": document.report_to')


def unit_report(
    ws: Workspace, slug: str, period: Period, figures: Figures, report_date: dt.date
) -> UnitReport:
    """The report's facts: every figure counted from `figures` at the reference date."""
    ref = reference_date(period, report_date)
    bound = bind(ws, slug, period_year(figures, period))
    appendices = tuple(bound_appendices(bound))
    plan = plan_of(ws, bound, list(appendices))
    tasks = figures.tasks
    classes = classify(tasks, ref)
    done_in_period = None
    if figures.before is not None:
        was_done = {t.key for t in figures.before if t.status == DONE}
        done_in_period = sum(1 for t in classes["done"] if t.key not in was_done)
    following = period.following()
    next_due = tuple(
        t for t in tasks if t.status != DONE and t.due is not None and following.contains(t.due)
    )
    return UnitReport(
        slug=slug,
        bound=bound,
        plan=plan,
        appendices=appendices,
        period=period,
        ref=ref,
        figures=figures,
        classes=classes,
        areas=areas_of(tasks, ref),
        timing=timing_of(classes["done"], figures.first_done),
        done_in_period=done_in_period,
        next_due=next_due,
        report_to=_report_to(bound),
    )


def period_year(figures: Figures, period: Period) -> int:
    """The plan year the figures belong to: the submission's, else the period's."""
    if figures.submission is not None:
        return figures.submission.year
    return period.year


def report_file_name(slug: str, period: Period) -> str:
    return f"{slug}-bao-cao-{period.code.lower()}.docx"


__all__ = ["CLASSES", "Area", "Timing", "UnitReport", "report_file_name", "unit_report"]
