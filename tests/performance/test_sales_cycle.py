"""The sales cycle runs from first contact (the lead's first activity, or its creation when it
has none) to won; a lead won on the day of its first contact is left out. Figures worked out by
hand in the comments."""

import datetime as dt
from decimal import Decimal as D

import pytest

from performance import kpis

from .factories import first_contact, lead_with_history

pytestmark = pytest.mark.django_db

START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
CYCLE = kpis.KPI_BY_CODE["sales_cycle_days"]


def cycle_of(user):
    value = CYCLE.value(CYCLE.compute(START, END).get(user.pk))
    return None if value is None else value.quantize(D("0.01"))


def test_the_cycle_starts_at_the_first_activity_or_the_creation(rep):
    # called on 11-04 10:00, moved to "contacted" only on 11-06, won 11-14 10:00: 10 days
    called = lead_with_history(
        rep, [("new", "2026-11-02"), ("contacted", "2026-11-06 10:00"), ("won", "2026-11-14 10:00")]
    )
    first_contact(called, "2026-11-04 10:00", kind="phone")
    first_contact(called, "2026-11-08 10:00", kind="visit")  # a later activity changes nothing
    # no activity logged: from its creation 11-01 10:00 to won 11-11 10:00: 10 days
    lead_with_history(
        rep, [("new", "2026-11-01"), ("contacted", "2026-11-05 10:00"), ("won", "2026-11-11 10:00")]
    )
    # (10 + 10) ÷ 2 = 10 days
    assert cycle_of(rep) == D("10.00")


def test_a_lead_won_on_the_day_of_first_contact_is_left_out(rep, teammate):
    # rep: one lead of 6 days (11-02 10:00 → 11-08 10:00) and one walk-in, created and won
    # on 11-10: the average stays 6 days instead of (6 + 0) ÷ 2 = 3
    lead_with_history(rep, [("new", "2026-11-02"), ("won", "2026-11-08 10:00")])
    lead_with_history(rep, [("new", "2026-11-10 09:00"), ("won", "2026-11-10 15:00")])
    # teammate: only a same-day win (first contact by phone at 09:30): no cycle, no value,
    # rather than 0 days scoring the cap
    walk_in = lead_with_history(
        teammate, [("new", "2026-11-12 09:00"), ("won", "2026-11-12 18:00")]
    )
    first_contact(walk_in, "2026-11-12 09:30", kind="phone")
    assert cycle_of(rep) == D("6.00")
    assert cycle_of(teammate) is None
