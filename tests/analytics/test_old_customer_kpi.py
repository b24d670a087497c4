"""The seed-003 KPI 老客户新签金额占比 (old customers' share of new signed amount): any signed
contract of a customer who had signed one before, renewals and new purchases alike — not only
the referral channel. Figures of the test_money scenario, worked out by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest

from performance import kpis
from tests.analytics.test_money import year  # noqa: F401  (the fixture)
from tests.performance.factories import contract

pytestmark = pytest.mark.django_db

KPI = kpis.KPI_BY_CODE["old_customer_share"]


def ratios(first, last):
    return kpis.compute_all(first, last, ["old_customer_share"])["old_customer_share"]


def test_february_and_march(year, rep, teammate):  # noqa: F811
    feb = ratios(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    # rep_a1: 5000 of 5000 from the January customer; rep_a2: 0 of 25000
    assert feb[rep.pk] == kpis.Ratio(D("5000.00"), D("5000.00"))
    assert feb[teammate.pk].numerator == 0
    assert feb[teammate.pk].denominator == D("25000.00")
    assert KPI.value(feb[rep.pk]) == D(100)
    march = ratios(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    # the second of two contracts signed the same day by one customer: 4000 of 7000
    assert march[teammate.pk] == kpis.Ratio(D("4000.00"), D("7000.00"))
    assert KPI.value(march[teammate.pk]).quantize(D("0.01")) == D("57.14")


def test_a_renewal_from_any_channel_counts_and_a_first_contract_never(rep):
    first = contract(rep, "8000", "2026-05-02", channel="website")
    contract(rep, "2000", "2026-05-20", customer=first.customer, is_renewal=True)
    may = ratios(dt.date(2026, 5, 1), dt.date(2026, 5, 31))
    assert may[rep.pk] == kpis.Ratio(D("2000.00"), D("10000.00"))


def test_it_is_a_kpi_a_scheme_may_weight():
    assert ("old_customer_share", KPI.label) in kpis.KPI_CHOICES
    assert KPI.unit == "%"
