"""Deadline texts -> due dates (the rules: docs/tracker.md, "Hạn hoàn thành")."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from generator.resolve.duedate import DATE, RECURRING, UNKNOWN, DueDate, parse_deadline

YEAR = 2026


@pytest.mark.parametrize(
    "text, end",
    [
        # a month: its last day
        ("Tháng 7/2026", date(2026, 7, 31)),
        ("tháng 7 năm 2026", date(2026, 7, 31)),
        ("Trong tháng 7/2026", date(2026, 7, 31)),
        ("Tháng 02/2028", date(2028, 2, 29)),
        ("tháng 7", date(2026, 7, 31)),  # no year: the plan's
        ("7/2026", date(2026, 7, 31)),
        ("Tháng 7-2026", date(2026, 7, 31)),
        # a quarter, in Roman or Arabic numerals: its last day
        ("Quý III/2026", date(2026, 9, 30)),
        ("Quý 3/2026", date(2026, 9, 30)),
        ("quý III năm 2026", date(2026, 9, 30)),
        ("QUÝ  III / 2026", date(2026, 9, 30)),
        ("Quí IV", date(2026, 12, 31)),  # the older spelling, no year
        ("Quý III-2026", date(2026, 9, 30)),
        # "trước X": the day before X starts
        ("Trước quý III/2026", date(2026, 6, 30)),
        ("Trước tháng 9/2026", date(2026, 8, 31)),
        ("Trước ngày 15/7/2026", date(2026, 7, 14)),
        ("Trước 15/7/2026", date(2026, 7, 14)),
        ("Trước 30/6", date(2026, 6, 29)),
        ("Trước quý I/2027", date(2026, 12, 31)),
        ("Trước năm 2027", date(2026, 12, 31)),
        # halves of the year
        ("6 tháng đầu năm 2026", date(2026, 6, 30)),
        ("6 tháng đầu năm", date(2026, 6, 30)),
        ("6 tháng cuối năm", date(2026, 12, 31)),
        ("9 tháng đầu năm 2026", date(2026, 9, 30)),
        # the whole year
        ("Năm 2026", date(2026, 12, 31)),
        ("Trong năm 2026", date(2026, 12, 31)),
        ("Cả năm", date(2026, 12, 31)),
        ("Cuối năm", date(2026, 12, 31)),
        # a day
        ("30/9/2026", date(2026, 9, 30)),
        ("ngày 30/9/2026", date(2026, 9, 30)),
        ("30-9-2026", date(2026, 9, 30)),
        ("30.9.2026", date(2026, 9, 30)),
        ("30/9/26", date(2026, 9, 30)),
        ("ngày 30 tháng 9 năm 2026", date(2026, 9, 30)),
        # ranges and lists: the latest
        ("Từ tháng 7 đến tháng 9/2026", date(2026, 9, 30)),
        ("Tháng 7–9/2026", date(2026, 9, 30)),  # an en dash
        ("tháng 7, 8/2026", date(2026, 8, 31)),
        ("Quý III, IV/2026", date(2026, 12, 31)),
        ("Quý I và quý II/2027", date(2027, 6, 30)),
        ("Tháng 12/2026 - tháng 01/2027", date(2027, 1, 31)),
        # several lines or bullets: the latest date found
        ("- Tháng 7/2026\n- Quý IV/2026", date(2026, 12, 31)),
        ("Tháng 7\n- 30/9/2026", date(2026, 9, 30)),
        ("Thường xuyên; báo cáo trước 15/12", date(2026, 12, 14)),
        # around the date, words that do not change it
        ("Tháng 7/2026 (theo hướng dẫn của tỉnh)", date(2026, 7, 31)),
    ],
)
def test_a_date_form_gives_its_last_day(text, end):
    assert parse_deadline(text, YEAR) == DueDate(text, DATE, end)


def test_decomposed_text_reads_the_same():
    text = unicodedata.normalize("NFD", "Trước quý III/2026")
    assert parse_deadline(text, YEAR).end == date(2026, 6, 30)


@pytest.mark.parametrize(
    "text",
    ["Thường xuyên", "thường xuyên", "Hằng năm", "Hàng tháng", "Hằng quý", "Định kỳ", "Liên tục"],
)
def test_recurring(text):
    assert parse_deadline(text, YEAR) == DueDate(text, RECURRING, None)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Theo chỉ đạo của cấp trên",
        "Từ tháng 7/2026",  # a start, no end
        "Sau quý II/2026",
        "1.5 tỷ đồng",
        "7-9",
    ],
)
def test_unknown(text):
    assert parse_deadline(text, YEAR) == DueDate(text, UNKNOWN, None)


@pytest.mark.parametrize(
    "text",
    [
        "tháng 13/2026",
        "Tháng 0/2026",
        "Tháng 7/99999",
        "Tháng 7/9999999999999999999999",
        "tháng 7/026",
        "quý V/2026",
        "Quý 5/2026",
        "31/2/2026",
        "32/1/2026",
        "ngày 99 tháng 99 năm 99999",
        "13 tháng đầu năm",
        "tháng 123/2026",
        "Tháng 7/2026\n- tháng 13/2026",  # one absurd item makes the whole text unknown
        "1" * 5000,
        "tháng 1, " * 300,
    ],
)
def test_absurd_numbers_are_unknown_not_errors(text):
    assert parse_deadline(text, YEAR) == DueDate(text, UNKNOWN, None)


@pytest.mark.parametrize("year", [0, -1, 99999, None, "2026"])
def test_absurd_plan_year_is_unknown(year):
    assert parse_deadline("Tháng 7", year).kind == UNKNOWN


def test_not_a_string_is_unknown():
    assert parse_deadline(None, YEAR) == DueDate("", UNKNOWN, None)  # type: ignore[arg-type]


def test_the_explicit_year_wins_over_the_plans():
    assert parse_deadline("Quý II/2027", 2026).end == date(2027, 6, 30)
    assert parse_deadline("Quý II", 2027).end == date(2027, 6, 30)


def test_random_text_never_raises():
    import random

    rng = random.Random(7)
    alphabet = "0123456789/.-, ;\nquýtháng năm trước từ đến ngày iv và"
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        due = parse_deadline(text, YEAR)
        assert due.kind in (DATE, RECURRING, UNKNOWN)
        assert (due.end is not None) == (due.kind == DATE)
