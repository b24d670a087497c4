"""A new plan's month weights come from last year's actual monthly share, else even."""

import datetime as dt
from decimal import Decimal

import pytest

from targets import services
from targets.models import MonthWeight, Target
from tests.customers.factories import CustomerFactory

from .actuals import build_history, contract, pay

D = Decimal
JAN_2027 = dt.date(2027, 1, 5)  # planning 2027 once 2026 has ended
pytestmark = pytest.mark.django_db


def weights(plan):
    return list(
        MonthWeight.objects.filter(plan=plan).order_by("month").values_list("weight", flat=True)
    )


def a_year_of_history(rep, teammate, outsider):
    """The fixed 2026 history, plus a contract signed and paid in December 2025, so that
    the history covers all of 2026."""
    build_history(rep, teammate, outsider)
    earlier = contract(
        outsider, CustomerFactory(owner=outsider), "1000.00", signed_on=dt.date(2025, 12, 15)
    )
    pay(earlier, "1000.00", dt.date(2025, 12, 20))


def test_weights_are_proposed_from_last_years_signed_history(director, rep, teammate, outsider):
    a_year_of_history(rep, teammate, outsider)
    plan = services.plan_create(
        actor=director,
        year=2027,
        metric="signed_amount",
        annual_value=D("1200000.00"),
        today=JAN_2027,
    )
    # 2026 signed: Feb 2,000.00, Mar 18,000.50, Apr 8,000.00 of 28,000.50; in hundredths of a
    # percent: 714.27, 6428.64, 2857.09 -> floors 714, 6428, 2857 leave one to March
    assert weights(plan) == [D("0"), D("7.14"), D("64.29"), D("28.57")] + [D("0")] * 8
    assert plan.seasonality_source == "actual monthly share of 2026"
    plan = services.plan_publish(plan=plan, actor=director)
    months = list(
        Target.objects.filter(plan=plan, level="company")
        .order_by("month")
        .values_list("value", flat=True)
    )
    # Q1 = 1,200,000.00 x 71.43 % = 857,160.00 -> Feb 7.14 : Mar 64.29 of it; Q2 = 342,840.00
    assert months[:4] == [D("0.00"), D("85680.00"), D("771480.00"), D("342840.00")]
    assert sum(months) == D("1200000.00")


def test_without_history_the_weights_are_even(director, rep):
    plan = services.plan_create(
        actor=director,
        year=2027,
        metric="collected_amount",
        annual_value=D("120000.00"),
        today=JAN_2027,
    )
    assert weights(plan) == [D("1")] * 12
    assert plan.seasonality_source == "even (no history)"


def test_history_shorter_than_last_year_gives_even_weights(director, rep, teammate, outsider):
    build_history(rep, teammate, outsider)  # begins in February 2026
    plan = services.plan_create(
        actor=director, year=2027, metric="signed_amount", annual_value=D("12.00"), today=JAN_2027
    )
    assert weights(plan) == [D("1")] * 12


def test_collected_history_uses_receipts_net_of_refunds(director, rep, teammate, outsider):
    a_year_of_history(rep, teammate, outsider)
    plan = services.plan_create(
        actor=director, year=2027, metric="collected_amount", annual_value=D("1"), today=JAN_2027
    )
    # Mar 4,000.00; Apr 6,000.00 + 8,000.00 - 1,500.00 = 12,500.00; of 16,500.00:
    # 2424.24.. and 7575.75.. hundredths -> 2424 and 7575, the last one to April (.757 > .242)
    assert weights(plan)[2:4] == [D("24.24"), D("75.76")]


def test_planning_next_year_while_this_one_runs_uses_the_last_twelve_complete_months(
    director, rep, teammate, outsider
):
    build_history(rep, teammate, outsider)
    may_2025 = contract(
        outsider, CustomerFactory(owner=outsider), "1000.00", signed_on=dt.date(2025, 5, 20)
    )
    assert may_2025.signed_on == dt.date(2025, 5, 20)
    # on 10 May 2026 the window is May 2025 - April 2026: May 1,000.00, Feb 2,000.00,
    # Mar 18,000.50, Apr 8,000.00 of 29,000.50; hundredths of a percent 344.82, 689.64,
    # 6206.96, 2758.57 -> floors leave 3, to .96 (Mar), .82 (May) and .64 (Feb)
    plan = services.plan_create(
        actor=director,
        year=2027,
        metric="signed_amount",
        annual_value=D("1"),
        today=dt.date(2026, 5, 10),
    )
    assert weights(plan)[1:5] == [D("6.90"), D("62.07"), D("27.58"), D("3.45")]
    assert sum(weights(plan)) == D("100")
    assert plan.seasonality_source == "actual monthly share of 2025-05 to 2026-04"
