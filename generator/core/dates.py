"""Dates as Nghị định 30 writes them, from one type parsed once at load.

A plan's date may be a full day ("2026-07-06") or, in a draft, only the month ("2026-07"):
the văn thư fills in the day at issue, so the documents leave blanks for it. `PlanDate` holds
both; every date plangen prints goes through the formatters here: the day always two digits,
months 1 and 2 with a leading zero and 3-12 without (``06/7/2026``, ``05/01/2026``, long form
``ngày 06 tháng 7 năm 2026``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

BLANK_DAY = " " * 4  # the room left for a day the văn thư writes in by hand
MIN_YEAR, MAX_YEAR = 1900, 2200

_ISO = re.compile(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?")


def day2(day: int) -> str:
    return f"{day:02d}"


def month_vn(month: int) -> str:
    """Months 1 and 2 take a leading zero, 3-12 do not (Nghị định 30)."""
    return f"{month:02d}" if month in (1, 2) else str(month)


def short(date: dt.date) -> str:
    """'08/7/2026'."""
    return f"{day2(date.day)}/{month_vn(date.month)}/{date.year}"


def long(date: dt.date) -> str:
    """'ngày 08 tháng 7 năm 2026'."""
    return f"ngày {day2(date.day)} tháng {month_vn(date.month)} năm {date.year}"


@dataclass(frozen=True, order=True)
class PlanDate:
    """A day, or a month whose day is not assigned yet (`day` None)."""

    year: int
    month: int
    day: int | None = None

    @classmethod
    def parse(cls, value: object) -> PlanDate:
        """'2026-07-06' or '2026-07' (a date object too); ValueError in Vietnamese."""
        if isinstance(value, PlanDate):
            return value
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day)
        m = _ISO.fullmatch(str(value).strip())
        if not m:
            raise ValueError(
                f'ngày "{value}" phải có dạng YYYY-MM-DD, hoặc YYYY-MM khi chưa có ngày'
            )
        year, month, day = int(m[1]), int(m[2]), int(m[3]) if m[3] else None
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f'ngày "{value}": năm {year} nằm ngoài khoảng {MIN_YEAR}-{MAX_YEAR}')
        try:
            dt.date(year, month, day or 1)
        except ValueError:
            raise ValueError(f'ngày "{value}" không tồn tại') from None
        return cls(year, month, day)

    @property
    def date(self) -> dt.date | None:
        """The day, or None while it is not assigned."""
        return dt.date(self.year, self.month, self.day) if self.day else None

    @property
    def first(self) -> dt.date:
        """The day, or the first of the month while the day is not assigned."""
        return dt.date(self.year, self.month, self.day or 1)

    def iso(self) -> str:
        """'2026-07-06', '2026-07': as the user writes it in YAML."""
        text = f"{self.year:04d}-{self.month:02d}"
        return text + (f"-{self.day:02d}" if self.day else "")

    def short(self) -> str:
        """'06/7/2026', or '    /7/2026' for the văn thư to fill in."""
        return f"{day2(self.day) if self.day else BLANK_DAY}/{month_vn(self.month)}/{self.year}"

    def long(self) -> str:
        """'ngày 06 tháng 7 năm 2026', or 'ngày      tháng 7 năm 2026'."""
        day = day2(self.day) if self.day else BLANK_DAY
        return f"ngày {day} tháng {month_vn(self.month)} năm {self.year}"

    def month_text(self) -> str:
        """'tháng 7/2026'."""
        return f"tháng {month_vn(self.month)}/{self.year}"

    def __str__(self) -> str:
        return self.iso()
