"""Actuals on a small fixed dataset (tests/targets/actuals.py), numbers worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from leads.models import Activity
from salescrm.timeutil import SHANGHAI
from targets import selectors
from tests.leads.factories import LeadFactory

from .actuals import build_history

D = Decimal
pytestmark = pytest.mark.django_db
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
APRIL = (dt.date(2026, 4, 1), dt.date(2026, 4, 30))


@pytest.fixture
def history(rep, teammate, outsider):
    build_history(rep, teammate, outsider)


def test_signed_amount_counts_signed_and_archived_contracts_by_signing_day(
    history, rep, teammate, outsider
):
    assert selectors.signed_amount(*MARCH) == {rep.pk: D("15000.50"), outsider.pk: D("3000.00")}
    assert selectors.signed_amount(dt.date(2026, 1, 1), dt.date(2026, 4, 30)) == {
        rep.pk: D("15000.50"),
        teammate.pk: D("10000.00"),
        outsider.pk: D("3000.00"),
    }


def test_collected_amount_is_receipts_minus_confirmed_refunds(history, rep, teammate):
    assert selectors.collected_amount(*MARCH) == {rep.pk: D("4000.00")}
    # 6,000.00 received - 1,500.00 refund confirmed in April; the requested refund is not counted
    assert selectors.collected_amount(*APRIL) == {rep.pk: D("4500.00"), teammate.pk: D("8000.00")}


def test_new_customers_count_the_month_of_their_first_signed_contract(
    history, rep, teammate, outsider
):
    assert selectors.new_customers(dt.date(2026, 1, 1), dt.date(2026, 3, 31)) == {
        rep.pk: 1,
        teammate.pk: 1,
        outsider.pk: 1,
    }
    assert selectors.new_customers(*APRIL) == {teammate.pk: 1}


def test_renewals_count_signed_renewal_contracts(history, rep):
    assert selectors.renewals(*MARCH) == {rep.pk: 1}
    assert selectors.renewals(*APRIL) == {}


def test_monthly_actuals_is_a_frame_per_rep_and_month(history, rep, teammate, outsider):
    frame = selectors.monthly_actuals("signed_amount", dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    assert list(frame.columns) == ["owner_id", "month", "value"]
    assert sorted(frame.itertuples(index=False, name=None)) == sorted(
        [
            (rep.pk, dt.date(2026, 3, 1), D("15000.50")),
            (teammate.pk, dt.date(2026, 2, 1), D("2000.00")),
            (teammate.pk, dt.date(2026, 4, 1), D("8000.00")),
            (outsider.pk, dt.date(2026, 3, 1), D("3000.00")),
        ]
    )
    collected = selectors.monthly_actuals(
        "collected_amount", dt.date(2026, 1, 1), dt.date(2026, 4, 1)
    )
    assert sorted(collected.itertuples(index=False, name=None)) == sorted(
        [
            (rep.pk, dt.date(2026, 3, 1), D("4000.00")),
            (rep.pk, dt.date(2026, 4, 1), D("4500.00")),
            (teammate.pk, dt.date(2026, 4, 1), D("8000.00")),
        ]
    )
    customers = selectors.monthly_actuals("new_customers", dt.date(2026, 1, 1), dt.date(2026, 4, 1))
    assert sorted(customers.itertuples(index=False, name=None)) == sorted(
        [
            (rep.pk, dt.date(2026, 3, 1), 1),
            (teammate.pk, dt.date(2026, 2, 1), 1),
            (teammate.pk, dt.date(2026, 4, 1), 1),
            (outsider.pk, dt.date(2026, 3, 1), 1),
        ]
    )
    assert selectors.monthly_actuals("renewals", dt.date(2025, 1, 1), dt.date(2025, 12, 1)).empty


def test_each_selector_is_one_query(history, django_assert_num_queries):
    for metric in (
        "signed_amount",
        "collected_amount",
        "new_customers",
        "renewals",
        "effective_visits",
    ):
        with django_assert_num_queries(1):
            selectors.actuals(metric, *MARCH)
        with django_assert_num_queries(1):
            selectors.monthly_actuals(metric, dt.date(2026, 1, 1), dt.date(2026, 12, 1))


def at(day, hour=10):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


def test_effective_visits_count_visit_kinds_per_rep_inside_the_shanghai_days(rep, teammate):
    lead = LeadFactory(owner=rep)
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
    assert selectors.effective_visits(*MARCH) == {rep.pk: 2, teammate.pk: 1}
    frame = selectors.monthly_actuals("effective_visits", dt.date(2026, 3, 1), dt.date(2026, 4, 1))
    assert sorted(frame.itertuples(index=False, name=None)) == sorted(
        [
            (rep.pk, dt.date(2026, 3, 1), 2),
            (rep.pk, dt.date(2026, 4, 1), 1),
            (teammate.pk, dt.date(2026, 3, 1), 1),
        ]
    )


def test_first_actual_on_tells_how_far_the_history_reaches(history):
    assert selectors.first_actual_on("signed_amount") == dt.date(2026, 2, 28)
    assert selectors.first_actual_on("renewals") == dt.date(2026, 2, 28)
    assert selectors.first_actual_on("collected_amount") == dt.date(2026, 3, 10)
    assert selectors.first_actual_on("effective_visits") is None
