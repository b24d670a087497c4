"""The nightly attendance job: set-based, idempotent, and closed months never change."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rhythm.models import Allowance, AttendanceDay, MonthlyAttendance
from rhythm.services import attendance_record
from rhythm.services.attendance import attendance_nightly
from salescrm.errors import BusinessRuleError
from tests.factories import TeamFactory, UserFactory

from .factories import OCTOBER_WORKING_DAYS, attend, october_2026_calendar

pytestmark = pytest.mark.django_db
D = Decimal


def _people(count, team):
    people = []
    for index in range(count):
        person = UserFactory(username=f"p{team.pk}_{index}", role="rep", team=team)
        Allowance.objects.create(person=person, base_amount=D("500.00"))
        attend(person, OCTOBER_WORKING_DAYS[: index % 18])
        people.append(person)
    return people


def _snapshot(month=dt.date(2026, 10, 1)):
    return sorted(
        MonthlyAttendance.objects.filter(month=month).values_list(
            "person__username",
            "counted_to",
            "working_days",
            "attended_days",
            "leave_days",
            "rate",
            "base_allowance",
            "deduction_percent",
            "deduction",
            "closed",
        )
    )


def _queries(business_date):
    with CaptureQueriesContext(connection) as captured:
        attendance_nightly(business_date)
    return len(captured)


def test_the_number_of_queries_does_not_grow_with_the_number_of_people():
    october_2026_calendar()
    _people(3, TeamFactory(name="A"))
    attendance_nightly(dt.date(2026, 10, 20))  # the first run also closes September
    few = _queries(dt.date(2026, 10, 20))
    _people(40, TeamFactory(name="B"))
    many = _queries(dt.date(2026, 10, 20))
    assert few == many
    assert MonthlyAttendance.objects.filter(month=dt.date(2026, 10, 1)).count() == 43


def test_running_the_job_twice_leaves_the_same_rows():
    october_2026_calendar()
    _people(5, TeamFactory(name="A"))
    attendance_nightly(dt.date(2026, 10, 20))
    first = _snapshot()
    attendance_nightly(dt.date(2026, 10, 20))
    assert _snapshot() == first
    assert len(first) == 5
    # p_4 attended 8, 9, 10, 12 of the 10 working days up to the 20th (8–10, 12–16, 19, 20)
    row = [r for r in first if r[0].endswith("_4")][0]
    assert row[2:6] == (10, 4, 0, D("40.00"))
    assert row[7:9] == (D("100.00"), D("500.00"))


def test_the_month_closes_after_the_correction_days_and_never_changes_again():
    october_2026_calendar()
    team = TeamFactory(name="A")
    manager = UserFactory(username="boss", role="manager", team=team)
    team.manager = manager
    team.save()
    rep = UserFactory(username="r", role="rep", team=team)
    Allowance.objects.create(person=rep, base_amount=D("1000.00"))
    attend(rep, OCTOBER_WORKING_DAYS[:14])

    attendance_nightly(dt.date(2026, 11, 2))  # within the 3 days: recomputed, still open
    row = MonthlyAttendance.objects.get(person=rep, month=dt.date(2026, 10, 1))
    assert (row.attended_days, row.deduction, row.closed) == (14, D("200.00"), False)

    # a correction while open changes the month
    attendance_record(
        actor=manager, person=rep, day=OCTOBER_WORKING_DAYS[14], kind="present", reason="忘记打卡"
    )
    attendance_nightly(dt.date(2026, 11, 3))  # 31 Oct + 3 days: computed and closed
    row = MonthlyAttendance.objects.get(person=rep, month=dt.date(2026, 10, 1))
    assert (row.attended_days, row.deduction, row.closed) == (15, D("0.00"), True)
    closed = _snapshot()

    # afterwards: corrections are refused, and even a row slipped in does not change it
    with pytest.raises(BusinessRuleError):
        attendance_record(
            actor=manager, person=rep, day=OCTOBER_WORKING_DAYS[15], kind="present", reason="补"
        )
    AttendanceDay.objects.create(person=rep, day=OCTOBER_WORKING_DAYS[16])
    attendance_nightly(dt.date(2026, 11, 4))
    attendance_nightly(dt.date(2026, 11, 20))
    assert _snapshot() == closed


def test_the_day_before_closing_is_still_open():
    october_2026_calendar()
    rep = UserFactory(username="r", role="rep")
    attendance_nightly(dt.date(2026, 11, 2))  # 31 Oct + 2 days
    assert not MonthlyAttendance.objects.get(person=rep, month=dt.date(2026, 10, 1)).closed
    attendance_nightly(dt.date(2026, 11, 3))
    assert MonthlyAttendance.objects.get(person=rep, month=dt.date(2026, 10, 1)).closed


def test_the_registered_job_runs_through_the_nightly_runner():
    from salescrm.nightly import get_job, run_job

    UserFactory(username="r", role="rep")
    result = run_job(get_job("rhythm.attendance"), dt.date(2026, 10, 20))
    assert result.ok, result.summary
    assert result.summary["month"] == 1
