"""One month arithmetic (salescrm.timeutil) for every app: month shifts across years, and the
start and end of a month, quarter or year."""

import datetime as dt

import pytest

from salescrm.timeutil import add_months, period_end, period_start, quarter_label

D = dt.date


@pytest.mark.parametrize(
    "day,count,expected",
    [
        (D(2026, 1, 31), 1, D(2026, 2, 1)),
        (D(2026, 12, 15), 1, D(2027, 1, 1)),
        (D(2026, 1, 1), -1, D(2025, 12, 1)),
        (D(2026, 3, 31), -14, D(2025, 1, 1)),
        (D(2024, 2, 29), 12, D(2025, 2, 1)),
        (D(2026, 5, 20), 0, D(2026, 5, 1)),
    ],
)
def test_adding_months_lands_on_the_first_of_the_month(day, count, expected):
    assert add_months(day, count) == expected


@pytest.mark.parametrize(
    "kind,day,start,end",
    [
        ("month", D(2024, 2, 10), D(2024, 2, 1), D(2024, 2, 29)),
        ("month", D(2026, 12, 31), D(2026, 12, 1), D(2026, 12, 31)),
        ("quarter", D(2026, 2, 14), D(2026, 1, 1), D(2026, 3, 31)),
        ("quarter", D(2026, 11, 30), D(2026, 10, 1), D(2026, 12, 31)),
        ("year", D(2026, 7, 4), D(2026, 1, 1), D(2026, 12, 31)),
    ],
)
def test_a_period_starts_and_ends_on_its_calendar_bounds(kind, day, start, end):
    assert period_start(kind, day) == start
    assert period_end(kind, day) == end


def test_a_quarter_is_labelled_year_and_number():
    assert quarter_label(D(2026, 8, 1)) == "2026 Q3"
