"""Actuals on a small fixed dataset, with the numbers worked out by hand."""

import datetime as dt

import pytest

from leads.models import Activity
from salescrm.timeutil import SHANGHAI
from targets import selectors
from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


def at(day, hour=10):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def lead(rep, team):
    return LeadFactory(owner=rep)


def test_effective_visits_count_visit_kinds_per_rep_inside_the_shanghai_days(lead, rep, teammate):
    kinds = [
        (rep, "visit", at(dt.date(2026, 3, 1), 0)),  # 00:00 Shanghai on the first day: in
        (rep, "trial_lesson", at(dt.date(2026, 3, 15))),
        (rep, "phone", at(dt.date(2026, 3, 15))),  # not a visit
        (rep, "campus_tour", at(dt.date(2026, 4, 1), 0)),  # the day after the range: out
        (teammate, "online_meeting", at(dt.date(2026, 3, 31), 23)),  # last evening: in
        (None, "visit", at(dt.date(2026, 3, 10))),  # nobody's: not counted
    ]
    Activity.objects.bulk_create(
        Activity(lead=lead, actor=a, kind=k, occurred_at=t) for a, k, t in kinds
    )
    assert selectors.effective_visits(dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == {
        rep.pk: 2,
        teammate.pk: 1,
    }
