"""The dashboard facts: the open periods are replaced every night, a period whose facts run to
its end is frozen, one that stopped short of its end is completed; the measures only the
dashboards use, on small datasets worked out by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest

from performance.facts import dashboard_facts_compute
from performance.models import ChannelFact, FactPeriod, KpiFact, ProductLineFact

from .factories import contract, lead_with_history

pytestmark = pytest.mark.django_db


def fact(kind, start, measure, owner):
    row = KpiFact.objects.get(period__kind=kind, period__start=start, measure=measure, owner=owner)
    return row.numerator, row.denominator


def test_the_open_month_quarter_and_year_and_missing_history_are_computed(rep):
    contract(rep, "30000", "2026-10-05")
    contract(rep, "20000", "2026-11-03")
    dashboard_facts_compute(day=dt.date(2026, 11, 9), history_months=2)
    periods = set(FactPeriod.objects.values_list("kind", "start", "cut_off"))
    assert periods == {
        ("month", dt.date(2026, 11, 1), dt.date(2026, 11, 9)),  # open
        ("quarter", dt.date(2026, 10, 1), dt.date(2026, 11, 9)),  # open
        ("year", dt.date(2026, 1, 1), dt.date(2026, 11, 9)),  # open
        ("month", dt.date(2026, 10, 1), dt.date(2026, 10, 31)),  # history, to its end
        ("month", dt.date(2026, 9, 1), dt.date(2026, 9, 30)),
    }
    assert fact("month", dt.date(2026, 10, 1), "signed_amount", rep) == (D("30000"), None)
    assert fact("month", dt.date(2026, 11, 1), "signed_amount", rep) == (D("20000"), None)


def test_a_complete_period_is_frozen_and_the_open_ones_are_replaced(rep):
    contract(rep, "30000", "2026-10-05")
    dashboard_facts_compute(day=dt.date(2026, 11, 9), history_months=1)
    october = FactPeriod.objects.get(kind="month", start=dt.date(2026, 10, 1)).computed_at
    contract(rep, "7000", "2026-11-09")
    dashboard_facts_compute(day=dt.date(2026, 11, 9), history_months=1)
    # nothing dated in October changed: its facts stay as they were
    assert FactPeriod.objects.get(kind="month", start=dt.date(2026, 10, 1)).computed_at == october
    assert fact("month", dt.date(2026, 10, 1), "signed_amount", rep) == (D("30000"), None)
    assert fact("month", dt.date(2026, 11, 1), "signed_amount", rep) == (D("7000"), None)
    # a contract entered late, dated in the closed month, restates October (issue 11): the
    # months add up to the open year's 42,000 = 35,000 + 7,000
    contract(rep, "5000", "2026-10-20")
    dashboard_facts_compute(day=dt.date(2026, 11, 9), history_months=1)
    assert fact("month", dt.date(2026, 10, 1), "signed_amount", rep) == (D("35000"), None)
    year = ChannelFact.objects.get(period__kind="year", owner=rep)
    assert year.signed_amount == D("42000")


def test_a_closed_period_computed_short_of_its_end_is_completed(rep):
    contract(rep, "30000", "2026-10-05")
    dashboard_facts_compute(day=dt.date(2026, 10, 20), history_months=1)
    contract(rep, "4000", "2026-10-25")
    assert fact("month", dt.date(2026, 10, 1), "signed_amount", rep) == (D("30000"), None)
    dashboard_facts_compute(day=dt.date(2026, 11, 9), history_months=1)
    assert FactPeriod.objects.get(kind="month", start=dt.date(2026, 10, 1)).complete
    assert fact("month", dt.date(2026, 10, 1), "signed_amount", rep) == (D("34000"), None)


def test_strategic_renewal_and_key_customer_churn_count_customers_once(rep, teammate):
    from customers.models import Customer

    def ended(owner, amount, tier, ends_on, renewal_on=None):
        first = contract(owner, amount, "2026-01-10", ends_on=ends_on)
        Customer.objects.filter(pk=first.customer_id).update(tier=tier)
        if renewal_on:
            contract(owner, amount, renewal_on, is_renewal=True, customer=first.customer)
        return first

    # rep: strategic A renews; strategic B does not; core C does not; ordinary D never counts
    ended(rep, "10000", "strategic", "2026-10-15", renewal_on="2026-10-20")
    second = ended(rep, "10000", "strategic", "2026-10-18")
    contract(rep, "3000", "2026-02-01", ends_on="2026-11-01", customer=second.customer)
    ended(rep, "10000", "core", "2026-11-05")
    ended(rep, "10000", "ordinary", "2026-11-06")
    # teammate: core E renews
    ended(teammate, "10000", "core", "2026-10-30", renewal_on="2026-10-31")
    dashboard_facts_compute(day=dt.date(2026, 11, 9), history_months=0)
    quarter = dt.date(2026, 10, 1)
    # B has two contracts ending in the quarter: still one customer
    assert fact("quarter", quarter, "strategic_renewal", rep) == (D("1"), D("2"))
    assert fact("quarter", quarter, "key_churn", rep) == (D("2"), D("3"))
    assert fact("quarter", quarter, "key_churn", teammate) == (D("0"), D("1"))
    assert not KpiFact.objects.filter(measure="strategic_renewal", owner=teammate).exists()


def test_channel_and_product_line_facts_per_owner(rep, teammate):
    from customers.models import ContractLine, Product
    from salescrm.models import ProductLine

    lead_with_history(rep, [("new", "2026-11-02"), ("won", "2026-11-05")])
    lead_with_history(rep, [("new", "2026-11-03")])
    lead_with_history(teammate, [("new", "2026-11-04")], channel="referral")
    sold = contract(teammate, "9000", "2026-11-06", channel="referral")
    courses = ProductLine.objects.get(code="courses")
    product = Product.objects.create(name="课程", product_line=courses, list_price=D("9000"))
    ContractLine.objects.create(
        contract=sold, product=product, quantity=1, list_price=D("9000"), amount=D("9000")
    )
    dashboard_facts_compute(day=dt.date(2026, 11, 9), history_months=0)
    month = ChannelFact.objects.filter(period__kind="month")
    assert sorted(
        month.values_list("owner__username", "channel__code", "leads", "won", "signed_amount")
    ) == [
        ("rep_a1", "website", 2, 1, D("0.00")),
        # the teammate's referral lead, and the contract of a customer referred without a
        # campaign: one row (the contract's own lead was created in January 2025, before the month)
        ("rep_a2", "referral", 1, 0, D("9000.00")),
    ]
    assert list(
        ProductLineFact.objects.filter(period__kind="month").values_list(
            "owner__username", "product_line__code", "amount"
        )
    ) == [("rep_a2", "courses", D("9000.00"))]


def test_calls_and_visits_against_the_plans_of_weeks_starting_in_the_period(rep):
    from leads.models import Activity, ActivityPlan

    ActivityPlan.objects.create(rep=rep, week_start=dt.date(2026, 11, 2), calls=10, visits=4)
    ActivityPlan.objects.create(rep=rep, week_start=dt.date(2026, 10, 26), calls=50, visits=50)
    lead = lead_with_history(rep, [("new", "2026-11-01")])
    for kind, day in [("phone", 3), ("phone", 4), ("visit", 4), ("trial_lesson", 5), ("note", 5)]:
        Activity.objects.create(
            lead=lead,
            actor=rep,
            kind=kind,
            occurred_at=dt.datetime(2026, 11, day, 10, tzinfo=dt.UTC),
        )
    dashboard_facts_compute(day=dt.date(2026, 11, 9), history_months=0)
    november = dt.date(2026, 11, 1)
    # the October 26 week is not a November plan; a note is neither call nor visit
    assert fact("month", november, "calls", rep) == (D("2"), D("10"))
    assert fact("month", november, "visits", rep) == (D("2"), D("4"))
