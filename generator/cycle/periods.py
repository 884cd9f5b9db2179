"""Reporting periods and their cut-off windows, by Nghị định 09/2019/NĐ-CP, Điều 12.

The decree counts a periodic report's figures from the 15th of the month before the period
to the 14th of its last month: a month from the 15th of the month before to the 14th of the
month; a quarter from the 15th of the month before the quarter to the 14th of its last
month; six months from 15/12 of the year before to 14/6 (the first half) or from 15/6 to
14/12 (the second); a year from 15/12 of the year before to 14/12. The decree has no nine
months: plangen counts it the same way, 15/12 of the year before to 14/9, and says so in
docs/cycle.md.

A period is written `2026` (the year), `2026-Q3` (a quarter), `2026-H1` or `2026-H2`
(six months), `2026-9M` (nine months), `2026-03` (a month).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from generator.core.dates import month_vn, short
from generator.core.errors import UserError
from generator.core.text import roman

CUTOFF_DAY = 14  # the last day counted; the window opens on the 15th
FORMS = (
    "2026 (năm), 2026-Q1 … 2026-Q4 (quý), 2026-H1, 2026-H2 (6 tháng), 2026-9M (9 tháng), "
    "2026-03 (tháng)"
)

_FORM = re.compile(r"(\d{4})(?:-(?:(Q[1-4])|(H[12])|(9M)|(\d{1,2})))?\Z", re.IGNORECASE)


@dataclass(frozen=True, order=True)
class Period:
    """One reporting period: `kind` is "year", "nine", "half", "quarter" or "month"."""

    year: int
    kind: str
    number: int = 0  # the quarter, the half, the month; 0 for a year or nine months

    @property
    def code(self) -> str:
        return {
            "year": f"{self.year}",
            "nine": f"{self.year}-9M",
            "half": f"{self.year}-H{self.number}",
            "quarter": f"{self.year}-Q{self.number}",
            "month": f"{self.year}-{self.number:02d}",
        }[self.kind]

    @property
    def label(self) -> str:
        """As a report's trích yếu says it: "quý III năm 2026", "6 tháng đầu năm 2026"."""
        return {
            "year": f"năm {self.year}",
            "nine": f"9 tháng đầu năm {self.year}",
            "half": f"6 tháng {'đầu' if self.number == 1 else 'cuối'} năm {self.year}",
            "quarter": f"quý {roman(self.number)} năm {self.year}",
            "month": f"tháng {month_vn(self.number)} năm {self.year}",
        }[self.kind]

    @property
    def last_month(self) -> int:
        return {"year": 12, "nine": 9, "half": 6 * self.number, "quarter": 3 * self.number}.get(
            self.kind, self.number
        )

    @property
    def first_month(self) -> int:
        """The first calendar month of the period (January for a year, nine months, H1)."""
        return {"year": 1, "nine": 1, "half": 6 * self.number - 5}.get(
            self.kind, 3 * self.number - 2 if self.kind == "quarter" else self.number
        )

    @property
    def start(self) -> dt.date:
        """The first day counted: the 15th of the month before the period."""
        year, month = self.year, self.first_month - 1
        if month == 0:
            year, month = year - 1, 12
        return dt.date(year, month, CUTOFF_DAY + 1)

    @property
    def end(self) -> dt.date:
        """The cut-off: the 14th of the period's last month."""
        return dt.date(self.year, self.last_month, CUTOFF_DAY)

    def window(self) -> str:
        return f"từ ngày {short(self.start)} đến ngày {short(self.end)}"

    def following(self) -> Period:
        """The period after this one, for "Phương hướng": the next month, quarter, half or
        year; after nine months, the fourth quarter."""
        if self.kind == "year":
            return Period(self.year + 1, "year")
        if self.kind == "nine":
            return Period(self.year, "quarter", 4)
        top = {"half": 2, "quarter": 4, "month": 12}[self.kind]
        if self.number == top:
            return Period(self.year + 1, self.kind, 1)
        return Period(self.year, self.kind, self.number + 1)

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


def parse_period(text: str) -> Period:
    """`2026-Q3` and the other forms of FORMS; anything else is a UserError."""
    value = " ".join(str(text).split())
    m = _FORM.fullmatch(value)
    if m is None:
        raise UserError(f'kỳ báo cáo "{value[:40]}" không hợp lệ; viết một trong: {FORMS}')
    year = int(m.group(1))
    if not 2000 <= year <= 2100:
        raise UserError(f"kỳ báo cáo: năm {year} không hợp lệ (2000-2100)")
    quarter, half, nine, month = m.group(2), m.group(3), m.group(4), m.group(5)
    if quarter:
        return Period(year, "quarter", int(quarter[1]))
    if half:
        return Period(year, "half", int(half[1]))
    if nine:
        return Period(year, "nine")
    if month:
        number = int(month)
        if not 1 <= number <= 12:
            raise UserError(f'kỳ báo cáo "{value}": tháng {number} không có; viết 01 đến 12')
        return Period(year, "month", number)
    return Period(year, "year")


def current_period(today: dt.date) -> Period:
    """The quarter whose window holds `today` (the one being worked towards)."""
    for q in range(1, 5):
        p = Period(today.year, "quarter", q)
        if p.contains(today):
            return p
    return Period(today.year + 1, "quarter", 1)  # 15/12 onwards counts for next year's Q1
