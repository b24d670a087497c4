"""The renewal rate is a cohort rate: of the signed contracts whose course ends in the period,
the share whose customer signed, by the cut-off, a contract starting within the renewal window
(30 days by default) of that end. Small datasets worked out by hand in the comments."""

import datetime as dt
from decimal import Decimal as D

import pytest

from customers.models import Customer
from performance import kpis
from performance.facts import dashboard_facts_compute
from performance.models import KpiFact

from .factories import contract

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1), dt.date(2026, 10, 31)
SEPTEMBER = dt.date(2026, 9, 1), dt.date(2026, 9, 30)


def ratio(start, cut_off, owner):
    return kpis.KPI_BY_CODE["renewal_rate"].compute(start, cut_off).get(owner.pk)


def customer_with_course(owner, ends_on):
    """A customer whose first course (signed in March) ends on `ends_on`."""
    return contract(owner, "10000", "2026-03-01", ends_on=ends_on).customer


def follow_up(owner, customer, *, signed_on, starts_on):
    return contract(
        owner, "8000", signed_on, starts_on=starts_on, customer=customer, is_renewal=True
    )


@pytest.fixture
def renewals_signed_in_october(rep):
    # courses ending in October: A (10-15), D (10-25), E (10-30)
    follow_up(
        rep, customer_with_course(rep, "2026-10-15"), signed_on="2026-10-05", starts_on="2026-10-20"
    )
    # D comes back 77 days after the end: a returning customer, not a renewal
    follow_up(
        rep, customer_with_course(rep, "2026-10-25"), signed_on="2026-10-28", starts_on="2027-01-10"
    )
    # E signs after October: counted only from a cut-off after 11-05
    follow_up(
        rep, customer_with_course(rep, "2026-10-30"), signed_on="2026-11-05", starts_on="2026-11-10"
    )
    # courses ending in September whose renewals were signed in October: B and C
    follow_up(
        rep, customer_with_course(rep, "2026-09-20"), signed_on="2026-10-03", starts_on="2026-10-01"
    )
    follow_up(
        rep, customer_with_course(rep, "2026-09-25"), signed_on="2026-10-08", starts_on="2026-10-10"
    )


def test_renewal_rate_counts_the_cohort_whose_course_ends_in_the_period(
    renewals_signed_in_october, rep
):
    # October: of A, D, E only A continued by 10-31: 1 ÷ 3 (the old count, four renewals
    # signed in October over three courses ending in it, gave 133 %)
    assert ratio(*OCTOBER, rep) == kpis.Ratio(D(1), D(3))
    assert kpis.KPI_BY_CODE["renewal_rate"].value(ratio(*OCTOBER, rep)).quantize(D("0.01")) == D(
        "33.33"
    )
    # September: B and C continued, but only in October: not by September's end
    assert ratio(*SEPTEMBER, rep) == kpis.Ratio(D(0), D(2))
    # September and October seen on 10-31: B, C and A continued of B, C, A, D, E: 3 ÷ 5
    assert ratio(dt.date(2026, 9, 1), dt.date(2026, 10, 31), rep) == kpis.Ratio(D(3), D(5))


def test_a_renewal_counts_from_the_cut_off_on_which_it_is_signed(renewals_signed_in_october, rep):
    # October and November up to 11-30: E's contract signed 11-05 now counts: A and E of 3
    assert ratio(OCTOBER[0], dt.date(2026, 11, 30), rep) == kpis.Ratio(D(2), D(3))


def test_the_renewal_denominator_counts_only_signed_contracts(rep):
    # one signed course ending 10-15, continued from 10-20
    follow_up(
        rep, customer_with_course(rep, "2026-10-15"), signed_on="2026-10-10", starts_on="2026-10-20"
    )
    # courses ending in October on contracts never signed: draft, under review, approved
    for status in ("draft", "pending", "approved"):
        contract(rep, "5000", "2026-03-01", ends_on="2026-10-20", status=status)
    # a signed course ending 10-25 whose only follow-up is still a draft: not continued
    lapsed = customer_with_course(rep, "2026-10-25")
    contract(rep, "5000", "2026-10-20", starts_on="2026-10-26", customer=lapsed, status="draft")
    # 1 continued of the 2 signed courses ending in October
    assert ratio(*OCTOBER, rep) == kpis.Ratio(D(1), D(2))


def test_strategic_renewal_uses_the_renewal_rate_rule(rep):
    # two strategic customers whose courses end in October; both sign again in November, one
    # starting 11-10 (within 30 days of 10-31), one starting 12-15 (45 days after 10-31)
    for starts_on in ("2026-11-10", "2026-12-15"):
        customer = customer_with_course(rep, "2026-10-31")
        Customer.objects.filter(pk=customer.pk).update(tier="strategic")
        follow_up(rep, customer, signed_on="2026-11-03", starts_on=starts_on)
    dashboard_facts_compute(day=dt.date(2026, 11, 20), history_months=0)
    row = KpiFact.objects.get(
        period__kind="quarter", period__start=dt.date(2026, 10, 1), measure="strategic_renewal"
    )
    assert (row.numerator, row.denominator) == (D(1), D(2))
    rate = KpiFact.objects.get(
        period__kind="quarter", period__start=dt.date(2026, 10, 1), measure="renewal_rate"
    )
    assert (rate.numerator, rate.denominator) == (D(1), D(2))
