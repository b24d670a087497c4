"""The seed-004 allowance rule and the attendance rate, with figures worked by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from rhythm.models import Allowance, AttendanceDay, CalendarDay, MonthlyAttendance, RhythmSettings
from rhythm.services.attendance import (
    compute_month,
    deduction_percent,
    month_figures,
    working_days,
)
from tests.factories import UserFactory

from .factories import OCTOBER_WORKING_DAYS, attend, october_2026_calendar

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def rules():
    return RhythmSettings.load()


# --- the rule at its boundaries: exact fractions, both sides --------------------------------


@pytest.mark.parametrize(
    "attended, working, expected",
    [
        (10, 10, "0"),
        (8, 10, "0"),  # exactly 80 %: nothing deducted
        (16, 20, "0"),  # exactly 80 %
        (79, 99, "20"),  # 79.797… % — would round to 79.80 yet is below 80
        (15, 19, "20"),  # 78.95 %
        (7, 10, "20"),
        (5, 10, "20"),  # exactly 50 %: still the partial deduction
        (9, 18, "20"),  # exactly 50 %
        (49, 99, "100"),  # 49.49 % — below 50
        (4, 10, "100"),
        (0, 10, "100"),
        (0, 0, "0"),  # no working day: nothing to deduct
    ],
)
def test_deduction_percent_at_the_boundaries(rules, attended, working, expected):
    assert deduction_percent(attended, working, rules) == D(expected)


def test_a_rate_that_rounds_up_to_80_is_still_below_it(rules):
    # 199 of 249 days = 79.9196…%: shown as 79.92 %, deducted 20 %
    figures = month_figures(199, 249, 0, D("1000.00"), rules)
    assert figures.rate == D("79.92")
    assert figures.deduction_percent == D("20")
    assert figures.deduction == D("200.00")


def test_admin_set_thresholds_and_percentages_are_used(rules):
    rules.full_rate, rules.partial_rate = D("90"), D("60")
    rules.partial_deduction, rules.low_deduction = D("30"), D("75")
    assert deduction_percent(9, 10, rules) == D("0")  # 90 %
    assert deduction_percent(8, 10, rules) == D("30")  # 80 % now partial
    assert deduction_percent(6, 10, rules) == D("30")  # 60 %
    assert deduction_percent(5, 10, rules) == D("75")  # 50 % now below the partial rate
    figures = month_figures(5, 10, 0, D("1234.56"), rules)
    assert figures.deduction == D("925.92")  # 1234.56 × 75 % = 925.92


def test_the_deduction_is_rounded_half_up_to_the_cent(rules):
    # 20 % of 333.33 = 66.666 -> 66.67
    assert month_figures(7, 10, 0, D("333.33"), rules).deduction == D("66.67")


# --- the working calendar: holidays and 调休 ----------------------------------------------


def test_october_2026_has_18_working_days():
    october_2026_calendar()
    assert working_days(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == OCTOBER_WORKING_DAYS


def test_a_weekend_workday_counts_and_a_weekday_holiday_does_not():
    october_2026_calendar()
    assert dt.date(2026, 9, 20) in working_days(dt.date(2026, 9, 14), dt.date(2026, 9, 20))
    assert dt.date(2026, 10, 2) not in working_days(dt.date(2026, 10, 1), dt.date(2026, 10, 2))
    # an ordinary week: Monday to Friday
    assert len(working_days(dt.date(2026, 11, 2), dt.date(2026, 11, 8))) == 5


# --- the month, end to end ------------------------------------------------------------------


@pytest.fixture
def october(rules):
    october_2026_calendar()
    supervisor = UserFactory(username="sup", role="manager")
    Allowance.objects.create(person=supervisor, base_amount=D("1000.00"))
    return supervisor


def _row(person, month=dt.date(2026, 10, 1)):
    return MonthlyAttendance.objects.get(person=person, month=month)


def test_october_with_14_of_18_days_deducts_20_percent(october):
    attend(october, OCTOBER_WORKING_DAYS[:14])
    # a check-in on a holiday and one on an ordinary Sunday count for nothing
    attend(october, [dt.date(2026, 10, 5), dt.date(2026, 10, 11)])
    compute_month(dt.date(2026, 10, 1), dt.date(2026, 10, 31), close=False)
    row = _row(october)
    assert (row.working_days, row.attended_days) == (18, 14)
    assert row.rate == D("77.78")
    assert row.deduction_percent == D("20")
    assert row.deduction == D("200.00")
    assert row.allowance_paid == D("800.00")


def test_october_with_15_of_18_days_deducts_nothing(october):
    attend(october, OCTOBER_WORKING_DAYS[:15])
    compute_month(dt.date(2026, 10, 1), dt.date(2026, 10, 31), close=False)
    row = _row(october)
    assert (row.attended_days, row.rate, row.deduction) == (15, D("83.33"), D("0.00"))


def test_business_trips_count_leave_does_not(october):
    attend(october, OCTOBER_WORKING_DAYS[:8])
    attend(october, OCTOBER_WORKING_DAYS[8:9], AttendanceDay.Kind.TRIP)  # 9 attended
    attend(october, OCTOBER_WORKING_DAYS[9:12], AttendanceDay.Kind.LEAVE)
    compute_month(dt.date(2026, 10, 1), dt.date(2026, 10, 31), close=False)
    row = _row(october)
    # 9 of 18 = exactly 50 %: the partial deduction
    assert (row.attended_days, row.leave_days, row.rate) == (9, 3, D("50.00"))
    assert row.deduction == D("200.00")


def test_8_of_18_is_below_half_and_deducts_everything(october):
    attend(october, OCTOBER_WORKING_DAYS[:8])
    compute_month(dt.date(2026, 10, 1), dt.date(2026, 10, 31), close=False)
    row = _row(october)
    assert (row.rate, row.deduction_percent, row.deduction) == (D("44.44"), D("100"), D("1000.00"))


def test_a_joiner_counts_from_the_hire_date(october):
    joiner = UserFactory(username="new", role="rep", hire_date=dt.date(2026, 10, 19))
    attend(joiner, [dt.date(2026, 10, 19), dt.date(2026, 10, 20)])
    compute_month(dt.date(2026, 10, 1), dt.date(2026, 10, 31), close=False)
    row = _row(joiner)
    # 19–23, 26–30: 10 working days
    assert (row.working_days, row.attended_days, row.rate) == (10, 2, D("20.00"))
    assert row.base_allowance is None and row.deduction == D("0.00")


def test_the_running_month_counts_up_to_the_business_date(october):
    attend(october, OCTOBER_WORKING_DAYS[:4])  # 8, 9, 10, 12
    compute_month(dt.date(2026, 10, 1), dt.date(2026, 10, 13), close=False)
    row = _row(october)
    # up to the 13th: 8, 9, 10, 12, 13 are working days
    assert (row.counted_to, row.working_days, row.attended_days) == (dt.date(2026, 10, 13), 5, 4)
    assert row.rate == D("80.00") and row.deduction == D("0.00")


def test_inactive_and_back_office_people_get_no_figures(october):
    UserFactory(username="gone", role="rep", is_active=False)
    UserFactory(username="fin", role="finance")
    compute_month(dt.date(2026, 10, 1), dt.date(2026, 10, 31), close=False)
    assert not MonthlyAttendance.objects.filter(person__username__in=["gone", "fin"]).exists()


def test_a_calendar_day_is_unique(october):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarDay.objects.create(day=dt.date(2026, 10, 1), kind=CalendarDay.Kind.WORKDAY)
