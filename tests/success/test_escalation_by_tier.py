"""The tier's first-response time drives the nightly complaint escalation
(customers.complaint_escalation), worked by hand at its boundary.

The night of Sunday 21 June 2026 runs at Monday 22 June 00:00 (Shanghai). A tier's rule: a
complaint is late once it has waited *more than* the tier's hours without a first response
(exactly 24 h is still in time). A tier without a service level keeps the old rule: late at
24 h or more."""

import datetime as dt

import pytest

from customers import tasks
from customers.models import Complaint, Tier
from rhythm.models import CalendarDay
from salescrm.models import Notification
from salescrm.timeutil import start_of_day
from success.models import ServiceLevel
from success.selectors import late_first_responses, response_cutoff
from tests.customers.factories import CustomerFactory

from .factories import at, complaint

pytestmark = pytest.mark.django_db
SUNDAY = dt.date(2026, 6, 21)
NOW = start_of_day(dt.date(2026, 6, 22))  # Monday 00:00


def escalated():
    return sorted(
        Complaint.objects.filter(escalated_at__isnull=False).values_list("subject", flat=True)
    )


def opened(customer, user, subject, when):
    row = complaint(customer, user, opened=when)
    Complaint.objects.filter(pk=row.pk).update(subject=subject)
    return row


def test_in_clock_hours_exactly_the_tiers_time_is_not_yet_late(rep, service_user, director):
    ServiceLevel.objects.filter(tier="core").update(response_hours=36)
    strategic = CustomerFactory(owner=rep, tier=Tier.STRATEGIC)
    core = CustomerFactory(owner=rep, tier=Tier.CORE)
    opened(strategic, service_user, "strategic 24 h", "2026-06-21 00:00")
    opened(strategic, service_user, "strategic 24 h 1 min", "2026-06-20 23:59")
    opened(core, service_user, "core 36 h", "2026-06-20 12:00")
    opened(core, service_user, "core 36 h 1 min", "2026-06-20 11:59")
    # 25 h without a response: late by the old 24-hour rule, not by core's 36 h
    opened(core, service_user, "core 25 h", "2026-06-20 23:00")

    summary = tasks.complaint_escalation(SUNDAY)
    assert escalated() == ["core 36 h 1 min", "strategic 24 h 1 min"]
    assert summary == {"escalated": 2, "notified": 2}
    assert Notification.objects.filter(recipient=director, kind="complaint").count() == 2
    # idempotent: the next run (or a rerun of the night) escalates nothing again
    assert tasks.complaint_escalation(SUNDAY) == {"escalated": 0, "notified": 0}
    assert escalated() == ["core 36 h 1 min", "strategic 24 h 1 min"]


def test_a_tier_without_a_service_level_keeps_the_24_hour_rule(rep, service_user):
    ServiceLevel.objects.filter(tier="ordinary").delete()
    ordinary = CustomerFactory(owner=rep, tier=Tier.ORDINARY)
    opened(ordinary, service_user, "24 h", "2026-06-21 00:00")  # old rule: 24 h is late
    opened(ordinary, service_user, "23 h 59 min", "2026-06-21 00:01")
    tasks.complaint_escalation(SUNDAY)
    assert escalated() == ["24 h"]


def test_the_ordinary_tier_s_48_hours_replace_the_24_hour_rule(rep, service_user):
    ordinary = CustomerFactory(owner=rep, tier=Tier.ORDINARY)  # default level: 48 h
    opened(ordinary, service_user, "30 h", "2026-06-20 18:00")
    tasks.complaint_escalation(SUNDAY)
    assert escalated() == []


def test_the_tier_override_decides(rep, service_user):
    customer = CustomerFactory(owner=rep, tier=Tier.ORDINARY, tier_override=Tier.STRATEGIC)
    opened(customer, service_user, "strategic by override, 25 h", "2026-06-20 23:00")
    tasks.complaint_escalation(SUNDAY)
    assert escalated() == ["strategic by override, 25 h"]


@pytest.fixture
def working_hours():
    ServiceLevel.objects.filter(tier="strategic").update(response_in_working_hours=True)


def test_in_working_hours_the_weekend_does_not_count(working_hours, rep, service_user):
    # Monday 00:00 minus 24 working hours: Friday 19 June 00:00
    customer = CustomerFactory(owner=rep, tier=Tier.STRATEGIC)
    opened(customer, service_user, "Friday 00:00", "2026-06-19 00:00")  # 24 h exactly
    opened(customer, service_user, "Thursday 23:59", "2026-06-18 23:59")  # 24 h 1 min
    opened(customer, service_user, "Saturday 10:00", "2026-06-20 10:00")  # 0 h
    # answered, unresolved: 48 working hours back is Thursday 00:00 (72 clock hours before
    # Monday would have escalated Friday's under the 48-hour clock rule)
    for subject, when in (
        ("answered Thu 00:00", "2026-06-18 00:00"),
        ("answered Wed 23:59", "2026-06-17 23:59"),
    ):
        row = opened(customer, service_user, subject, when)
        Complaint.objects.filter(pk=row.pk).update(first_response_at=at(when[:10], "12:00"))
    tasks.complaint_escalation(SUNDAY)
    assert escalated() == ["Thursday 23:59", "answered Wed 23:59"]
    assert response_cutoff(NOW, 24, working=True) == at("2026-06-19", "00:00")
    assert response_cutoff(NOW, 24, working=False) == at("2026-06-21", "00:00")


def test_in_working_hours_a_holiday_does_not_count_and_an_adjusted_day_does(
    working_hours, rep, service_user
):
    # Friday 19 June a holiday: 24 working hours before Monday 00:00 is Thursday 00:00
    CalendarDay.objects.create(day=dt.date(2026, 6, 19), kind=CalendarDay.Kind.HOLIDAY)
    assert response_cutoff(NOW, 24, working=True) == at("2026-06-18", "00:00")
    customer = CustomerFactory(owner=rep, tier=Tier.STRATEGIC)
    opened(customer, service_user, "Thursday 00:00", "2026-06-18 00:00")
    opened(customer, service_user, "Wednesday 23:59", "2026-06-17 23:59")
    tasks.complaint_escalation(SUNDAY)
    assert escalated() == ["Wednesday 23:59"]
    # Saturday 20 June worked instead (调休): 24 working hours back is Saturday 00:00, and
    # the holiday before it waits nothing, so a complaint opened from Friday 00:00 on is in time
    CalendarDay.objects.create(day=dt.date(2026, 6, 20), kind=CalendarDay.Kind.WORKDAY)
    assert response_cutoff(NOW, 24, working=True) == at("2026-06-19", "00:00")
    # 30 working hours: Saturday's 24 and 6 of Thursday (Friday off): Thursday 18:00
    assert response_cutoff(NOW, 30, working=True) == at("2026-06-18", "18:00")


def test_the_success_page_lists_the_same_late_complaints(working_hours, rep, service_user):
    customer = CustomerFactory(owner=rep, tier=Tier.STRATEGIC)
    opened(customer, service_user, "Friday 00:00", "2026-06-19 00:00")
    late = opened(customer, service_user, "Thursday 23:59", "2026-06-18 23:59")
    assert list(late_first_responses(Complaint.objects.all(), NOW)) == [late]


def test_the_escalation_costs_the_same_queries_for_one_and_many(
    working_hours, rep, service_user, django_assert_max_num_queries
):
    customer = CustomerFactory(owner=rep, tier=Tier.STRATEGIC)
    opened(customer, service_user, "one", "2026-06-10 10:00")
    with django_assert_max_num_queries(7) as one:
        tasks.complaint_escalation(SUNDAY)
    for index in range(5):
        opened(customer, service_user, f"more {index}", "2026-06-10 10:00")
    with django_assert_max_num_queries(len(one.captured_queries)):
        tasks.complaint_escalation(SUNDAY)
