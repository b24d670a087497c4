"""Partner settlements and tiers, with figures worked by hand.

Plan (marginal, collected): 0 → 5 %, ¥50,000 → 8 %, ¥100,000 → 10 % of the partner's
*quarterly* collected amount. Q3 2026:

- July: payment 30,000 → 30,000 × 5 % = 1,500.00.
- August: payment 40,000 takes the quarter from 30,000 to 70,000: 20,000 × 5 % = 1,000.00
  and 20,000 × 8 % = 1,600.00; a refund of 5,000 confirmed on 20 August claws back from
  the top: −5,000 × 8 % = −400.00. Total 2,200.00 = C(65,000) − C(30,000)
  = (2,500 + 1,200) − 1,500.
- September: payment 35,000 brings the quarter to exactly 100,000: still 8 % (a band starts
  *above* its floor under the marginal rule), 2,800.00; a further 1,000 is at 10 %: 100.00.
  Total 2,900.00.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from channels.models import PartnerSettlement, PartnerTier, PartnerTierChange
from channels.services import (
    ChannelError,
    partner_tiers_compute,
    settlement_close,
    settlements_compute,
)
from channels.tasks import partner_settlements, partner_tiers

from .factories import credited_contract, make_partner, make_plan, pay, refund

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def quarter(rep, manager):
    partner = make_partner(manager, plan=make_plan())
    contract = credited_contract(partner, rep, amount="200000.00", signed_on=dt.date(2026, 7, 1))
    pay(contract, "30000.00", dt.date(2026, 7, 10))
    pay(contract, "40000.00", dt.date(2026, 8, 5))
    refund(contract, "5000.00", dt.date(2026, 8, 20), rep)
    pay(contract, "35000.00", dt.date(2026, 9, 3))
    pay(contract, "1000.00", dt.date(2026, 9, 4))
    return partner, contract


def _lines(settlement):
    return [
        (line.kind, line.base, line.rate, line.amount)
        for line in settlement.lines.order_by("occurred_on", "id")
    ]


def test_marginal_quarter_with_a_clawback_and_a_tier_boundary(quarter):
    partner, contract = quarter
    for month in (7, 8, 9):
        settlements_compute(month=dt.date(2026, month, 1))
    july, august, september = (
        PartnerSettlement.objects.get(partner=partner, month=dt.date(2026, m, 1)) for m in (7, 8, 9)
    )
    assert july.total == D("1500.00")
    assert _lines(july) == [("payment", D("30000.00"), D("0.050000"), D("1500.00"))]
    assert august.total == D("2200.00")
    assert august.quarter_base == D("65000.00")
    assert _lines(august) == [
        ("payment", D("20000.00"), D("0.050000"), D("1000.00")),
        ("payment", D("20000.00"), D("0.080000"), D("1600.00")),
        ("refund", D("-5000.00"), D("0.080000"), D("-400.00")),
    ]
    assert september.total == D("2900.00")
    assert _lines(september) == [
        ("payment", D("35000.00"), D("0.080000"), D("2800.00")),
        ("payment", D("1000.00"), D("0.100000"), D("100.00")),
    ]
    # every line names its contract, and its payment or refund
    for line in august.lines.all():
        assert line.contract_id == contract.pk
        assert (line.payment_id is not None) != (line.refund_id is not None)


def test_retroactive_reaching_a_band_re_rates_the_earlier_months(rep, manager):
    partner = make_partner(manager, plan=make_plan(method="retroactive"))
    contract = credited_contract(partner, rep, amount="200000.00", signed_on=dt.date(2026, 7, 1))
    pay(contract, "30000.00", dt.date(2026, 7, 10))
    pay(contract, "40000.00", dt.date(2026, 8, 5))
    refund(contract, "5000.00", dt.date(2026, 8, 20), rep)
    settlements_compute(month=dt.date(2026, 7, 1))
    settlements_compute(month=dt.date(2026, 8, 1))
    august = PartnerSettlement.objects.get(partner=partner, month=dt.date(2026, 8, 1))
    # quarter 65,000 reaches 8 %: 65,000 × 8 % = 5,200 − July's 1,500 = 3,700
    assert august.total == D("3700.00")
    assert _lines(august) == [
        ("payment", D("40000.00"), D("0.080000"), D("3200.00")),
        ("refund", D("-5000.00"), D("0.080000"), D("-400.00")),
        ("uplift", D("30000.00"), D("0.030000"), D("900.00")),  # July's 30,000 from 5 % to 8 %
    ]


def test_signed_base_counts_contracts_signed_in_the_month(rep, manager):
    partner = make_partner(manager, plan=make_plan(base="signed"))
    credited_contract(partner, rep, amount="60000.00", signed_on=dt.date(2026, 7, 2))
    settlements_compute(month=dt.date(2026, 7, 1))
    july = PartnerSettlement.objects.get(partner=partner)
    # 50,000 × 5 % + 10,000 × 8 %
    assert july.total == D("3300.00")
    assert [line.kind for line in july.lines.all()] == ["signed", "signed"]


def test_a_closed_settlement_never_changes_and_the_job_is_idempotent(quarter, finance, rep):
    partner, contract = quarter
    settlements_compute(month=dt.date(2026, 8, 1))
    august = PartnerSettlement.objects.get(partner=partner)
    settlement_close(actor=finance, settlement=august)
    pay(contract, "1000.00", dt.date(2026, 8, 30))  # late receipt after the close
    settlements_compute(month=dt.date(2026, 8, 1))
    august.refresh_from_db()
    assert august.status == "closed"
    assert august.total == D("2200.00")
    with pytest.raises(ChannelError):
        settlement_close(actor=finance, settlement=august)


def test_only_finance_closes(quarter, rep, manager, director):
    partner, _contract = quarter
    settlements_compute(month=dt.date(2026, 7, 1))
    settlement = PartnerSettlement.objects.get(partner=partner)
    for someone in (rep, manager, director):
        with pytest.raises(PermissionDenied):
            settlement_close(actor=someone, settlement=settlement)
    settlement.refresh_from_db()
    assert settlement.status == "open"


def test_nightly_settlement_job_twice_gives_the_same_rows(quarter, clock):
    partner, _contract = quarter
    clock.set(dt.date(2026, 9, 10))
    first = partner_settlements(dt.date(2026, 9, 10))
    rows = list(
        PartnerSettlement.objects.order_by("month").values_list("month", "total", "base_amount")
    )
    second = partner_settlements(dt.date(2026, 9, 10))
    assert first["settlements"] == 3  # the first run catches up: July, August, September
    assert second["settlements"] == 2  # then the open month and the one before
    assert rows == list(
        PartnerSettlement.objects.order_by("month").values_list("month", "total", "base_amount")
    )
    assert rows == [
        (dt.date(2026, 7, 1), D("1500.00"), D("30000.00")),
        (dt.date(2026, 8, 1), D("2200.00"), D("35000.00")),
        (dt.date(2026, 9, 1), D("2900.00"), D("36000.00")),
    ]


# --- tiers -------------------------------------------------------------------------------------


def test_tier_boundary_is_inclusive_and_the_reason_is_recorded(rep, manager):
    # default thresholds (migration): gold from 300,000, silver from 100,000, bronze from 0
    exactly = make_partner(manager, name="刚好银牌")
    below = make_partner(manager, name="差一分")
    credited_contract(exactly, rep, amount="100000.00", signed_on=dt.date(2026, 6, 30))
    credited_contract(below, rep, amount="99999.99", signed_on=dt.date(2026, 4, 1))
    credited_contract(below, rep, amount="5000.00", signed_on=dt.date(2026, 7, 1))  # next Q
    partner_tiers_compute(quarter=dt.date(2026, 4, 1))
    exactly.refresh_from_db()
    below.refresh_from_db()
    assert exactly.tier.code == "silver"
    assert below.tier.code == "bronze"
    change = PartnerTierChange.objects.get(partner=exactly)
    assert change.signed_amount == D("100000.00")
    assert "100,000.00" in change.reason


def test_tier_job_is_idempotent_and_keeps_the_tier_before(rep, manager, clock):
    partner = make_partner(manager, tier=PartnerTier.objects.get(code="bronze"))
    credited_contract(partner, rep, amount="300000.00", signed_on=dt.date(2026, 5, 5))
    clock.set(dt.date(2026, 7, 2))
    partner_tiers(dt.date(2026, 7, 2))
    rows = list(PartnerTierChange.objects.values_list("partner", "quarter", "from_tier", "to_tier"))
    partner_tiers(dt.date(2026, 7, 2))
    assert rows == list(
        PartnerTierChange.objects.values_list("partner", "quarter", "from_tier", "to_tier")
    )
    change = PartnerTierChange.objects.get(quarter=dt.date(2026, 4, 1))
    assert (change.from_tier.code, change.to_tier.code) == ("bronze", "gold")


def _queries(func):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured.captured_queries)


def test_the_nightly_jobs_are_set_based(rep, manager):
    """The same number of queries for one partner as for five: no query per partner."""
    plan = make_plan()

    def world(count, offset):
        for n in range(count):
            partner = make_partner(manager, name=f"代理{offset + n}", plan=plan)
            contract = credited_contract(
                partner, rep, amount="20000.00", signed_on=dt.date(2026, 8, 3)
            )
            pay(contract, "20000.00", dt.date(2026, 8, 5))
            refund(contract, "100.00", dt.date(2026, 8, 6), rep)

    world(1, 0)
    settlements_compute(month=dt.date(2026, 8, 1))  # both measured runs replace open rows
    one = _queries(lambda: settlements_compute(month=dt.date(2026, 8, 1)))
    tiers_one = _queries(lambda: partner_tiers_compute(quarter=dt.date(2026, 7, 1)))
    world(4, 1)
    assert _queries(lambda: settlements_compute(month=dt.date(2026, 8, 1))) == one
    assert _queries(lambda: partner_tiers_compute(quarter=dt.date(2026, 7, 1))) == tiers_one
    assert PartnerSettlement.objects.filter(month=dt.date(2026, 8, 1)).count() == 5
