"""The due date of a task, read from its free-text deadline ("Thời gian hoàn thành").

Catalogs write deadlines the way a plan does: "Thường xuyên", "Tháng 7/2026",
"Trước quý III/2026", "6 tháng đầu năm", "Từ tháng 7 đến tháng 9/2026", "30/9/2026"…
`parse_deadline` turns such a text into the last day the task may be done, so the tracker
can hold a real date and `plangen status` can tell a task that is past its due date.
The rules, with an example of every form, are in docs/tracker.md ("Hạn hoàn thành").

The parser never raises on a user's text: anything it does not understand, or a number out
of range (month 13, quarter V, year 99999, 31/2), gives kind "unknown" rather than a guess.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass

RECURRING, DATE, UNKNOWN = "recurring", "date", "unknown"

MIN_YEAR, MAX_YEAR = 1900, 2199  # a year outside this range is a typo, not a plan
MAX_TEXT = 2000  # a longer cell is not a deadline


@dataclass(frozen=True)
class DueDate:
    text: str  # the cell text as given
    kind: str  # RECURRING, DATE or UNKNOWN
    end: dt.date | None  # the last day the task may be done; None unless kind == DATE


class _Invalid(Exception):
    """A deadline form with a number out of range: the whole text is 'unknown'."""


# --------------------------------------------------------------------------- the grammar

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_NUM = r"(?<!\d)\d+(?!\d)"  # any number: its range is checked after the match
_Q = r"(?:[ivxl]+|\d{1,2})(?!\w)"  # a quarter in Roman or Arabic numerals
_M = r"\d{1,2}(?!\d)"  # a month (a longer number is a year: "tháng 7-2026")
_QUY = r"q(?:uý|úy|uí|úi)"  # "quý", and the older spellings "qúy", "quí", "qúi"
_SEP = r"\s*(?:,|;|&|-|\bvà\b|\bhoặc\b)\s*"  # between the items of a list


def _year_tail(name: str) -> str:
    """'/2026', '-2026' or ' năm 2026' after a month or a quarter."""
    return rf"(?:\s*/\s*|\s*-\s*|\s+năm\s+)(?P<{name}>{_NUM})"


_FORMS = re.compile(
    "|".join(
        [
            # 30/9/2026, 30-9-2026, 30.9.2026, 30/9 (a day of the plan's year)
            r"(?<!\d)(?P<day>\d{1,2})\s*(?P<dsep>[/.-])\s*(?P<dmonth>\d{1,2})(?!\d)"
            rf"(?:\s*(?P=dsep)\s*(?P<dyear>{_NUM}))?",
            # ngày 30 tháng 9 năm 2026
            rf"ngày\s+(?P<wday>{_NUM})\s+tháng\s+(?P<wmonth>{_NUM})"
            rf"(?:\s+năm\s+(?P<wyear>{_NUM}))?",
            # 6 tháng đầu năm 2026, 6 tháng cuối năm
            rf"(?P<span>{_NUM})\s+tháng\s+(?P<side>đầu|cuối)\s+năm(?:\s+(?P<syear>{_NUM}))?",
            # quý III/2026, quý 3 năm 2026, quý III, IV/2026, quý I và quý II
            rf"{_QUY}\s+(?P<quarters>{_Q}(?:{_SEP}(?:{_QUY}\s+)?{_Q})*)(?:{_year_tail('qyear')})?",
            # tháng 7/2026, tháng 7 năm 2026, tháng 7, 8/2026, tháng 7-9/2026
            rf"tháng\s+(?P<months>{_M}(?:{_SEP}(?:tháng\s+)?{_M})*)"
            rf"(?:{_year_tail('myear')})?",
            # 7/2026: a month of a year without the word "tháng"
            r"(?<!\d)(?P<bmonth>\d{1,2})\s*/\s*(?P<byear>\d{3,})(?!\d)",
            # cả năm, trong năm 2026, cuối năm
            rf"\b(?:cả|trong|hết|cuối|suốt)\s+năm(?:\s+(?P<year>{_NUM}))?",
            # năm 2026
            rf"\bnăm\s+(?P<year2>{_NUM})",
        ]
    )
)

# Words just before a form that change its meaning.
_BEFORE = re.compile(r"\btrước(?:\s+(?:ngày|thời\s+điểm|hết|khi\s+hết))?\s*$")
_START = re.compile(r"(?:\btừ|\bsau|\bbắt\s+đầu|\bkhởi\s+đầu)(?:\s+ngày)?\s*$")
_RECURRING = re.compile(
    r"thường\s+xuyên|liên\s+tục|định\s+kỳ|h[ằà]ng\s+(?:ngày|tuần|tháng|quý|quí|năm)"
)


def _year(text: str | None, default: int) -> int:
    if text is None:
        return default
    if len(text) == 2:  # 30/9/26
        return 2000 + int(text)
    value = int(text)
    if len(text) != 4 or not MIN_YEAR <= value <= MAX_YEAR:
        raise _Invalid(text)
    return value


def _month(text: str) -> int:
    value = int(text)
    if not 1 <= value <= 12:
        raise _Invalid(text)
    return value


def _quarter(text: str) -> int:
    value = _ROMAN.get(text) if not text.isdigit() else int(text)
    if value is None or not 1 <= value <= 4:
        raise _Invalid(text)
    return value


def _month_span(year: int, first: int, last: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, first, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


def _items(text: str, word: str) -> list[str]:
    """'iii, iv' -> ['iii', 'iv']; 'i và quý ii' -> ['i', 'ii']."""
    parts = re.split(_SEP, text)
    return [re.sub(rf"^{word}\s+", "", p).strip() for p in parts if p.strip()]


def _span(m: re.Match, year: int) -> tuple[dt.date, dt.date] | None:
    """The first and last day a matched form covers (the latest item of a list)."""
    g = m.groupdict()
    if g["day"] is not None:
        if g["dyear"] is None and g["dsep"] != "/":
            return None  # "7-9" or "1.5" alone: a range or a number, not a date
        return _day(g["day"], g["dmonth"], g["dyear"], year)
    if g["wday"] is not None:
        return _day(g["wday"], g["wmonth"], g["wyear"], year)
    if g["span"] is not None:
        n, y = int(g["span"]), _year(g["syear"], year)
        if not 1 <= n <= 12:
            raise _Invalid(g["span"])
        if g["side"] == "đầu":
            return _month_span(y, 1, n)
        return _month_span(y, 13 - n, 12)
    if g["quarters"] is not None:
        q = max(_quarter(x) for x in _items(g["quarters"], _QUY))
        return _month_span(_year(g["qyear"], year), 3 * q - 2, 3 * q)
    if g["months"] is not None:
        last = max(_month(x) for x in _items(g["months"], "tháng"))
        return _month_span(_year(g["myear"], year), last, last)
    if g["bmonth"] is not None:
        last = _month(g["bmonth"])
        return _month_span(_year(g["byear"], year), last, last)
    y = _year(g["year"] if g["year"] is not None else g["year2"], year)
    return dt.date(y, 1, 1), dt.date(y, 12, 31)


def _day(day: str, month: str, year_text: str | None, year: int) -> tuple[dt.date, dt.date]:
    try:
        date = dt.date(_year(year_text, year), _month(month), int(day))
    except ValueError:  # 31/2
        raise _Invalid(f"{day}/{month}") from None
    return date, date


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).casefold()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)  # en/em dashes, minus
    return " ".join(text.split())


def _ends(line: str, year: int) -> list[dt.date]:
    """The last day of every form on one line ("trước X": the day before X starts)."""
    ends: list[dt.date] = []
    last = 0
    for m in _FORMS.finditer(line):
        before = line[last : m.start()]
        last = m.end()
        span = _span(m, year)
        if span is None or _START.search(before):
            continue  # "từ tháng 7 …": when the work starts, not when it ends
        start, end = span
        ends.append(start - dt.timedelta(days=1) if _BEFORE.search(before) else end)
    return ends


def parse_deadline(text: str, year: int) -> DueDate:
    """The due date of a deadline text; `year` is the plan's year, for texts without one.

    "Thường xuyên" -> recurring; "Quý III/2026" -> 30/9/2026; "Trước quý III/2026" ->
    30/6/2026; a text with several dates (lines, "- " bullets, a range) -> the latest.
    """
    given = text if isinstance(text, str) else ""
    if not given.strip() or len(given) > MAX_TEXT or not isinstance(year, int):
        return DueDate(given, UNKNOWN, None)
    return _parse(given, year)


@functools.lru_cache(maxsize=4096)  # a catalog's deadlines repeat in every unit
def _parse(given: str, year: int) -> DueDate:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return DueDate(given, UNKNOWN, None)
    lines = [_clean(line) for line in given.splitlines()]
    ends: list[dt.date] = []
    try:
        for line in lines:  # a list of lines or "- " bullets: each read on its own
            ends += _ends(line, year)
    except (_Invalid, ValueError, OverflowError):
        return DueDate(given, UNKNOWN, None)
    if ends:
        return DueDate(given, DATE, max(ends))
    if any(_RECURRING.search(line) for line in lines):
        return DueDate(given, RECURRING, None)
    return DueDate(given, UNKNOWN, None)
