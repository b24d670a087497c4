"""Rows dated into a period whose facts are frozen (a refund entered late, a payment's date
corrected) restate that period's facts, visibly; the months always add up to the quarters and
the year. Figures worked out by hand in the comments, then a property over random months."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from customers.models import Payment, Refund
from performance.facts import dashboard_facts_compute
from performance.models import FactPeriod, FactRestatement, KpiFact

from .factories import contract, payment

pytestmark = pytest.mark.django_db

SEPTEMBER, Q3, YEAR = dt.date(2026, 9, 1), dt.date(2026, 7, 1), dt.date(2026, 1, 1)


def fact(kind, start, measure, owner):
    row = KpiFact.objects.filter(
        period__kind=kind, period__start=start, measure=measure, owner=owner
    ).first()
    return None if row is None else (row.numerator, row.denominator)


def nightly(day):
    return dashboard_facts_compute(day=dt.date.fromisoformat(day), history_months=3)


def test_a_refund_entered_late_for_a_frozen_month_restates_it_visibly(rep, finance):
    sale = contract(rep, "20000", "2026-08-20")
    payment(sale, "10000", "2026-09-10")
    nightly("2026-10-05")  # September and the third quarter are now frozen
    august = FactPeriod.objects.get(kind="month", start=dt.date(2026, 8, 1)).computed_at
    late = Refund(
        contract=sale,
        amount=D("1000"),
        reason="课程取消",
        status="confirmed",
        requested_by=rep,
        decided_by=finance,
        confirmed_on=dt.date(2026, 9, 25),
    )
    late._history_user = finance
    late.save()
    counts = nightly("2026-10-06")
    assert counts["restated"] == 2  # September and the third quarter
    # collected 10,000 − 1,000 = 9,000; refunds 1,000 of 10,000 received, in the month, the
    # quarter and the year alike
    for kind, start in [("month", SEPTEMBER), ("quarter", Q3)]:
        assert fact(kind, start, "collected_amount", rep) == (D("9000"), None)
        assert fact(kind, start, "refund_rate", rep) == (D("1000"), D("10000"))
    assert fact("year", YEAR, "refund_rate", rep) == (D("1000"), D("10000"))
    # August holds none of it: untouched
    assert FactPeriod.objects.get(kind="month", start=dt.date(2026, 8, 1)).computed_at == august
    restatement = FactRestatement.objects.get(kind="month", start=SEPTEMBER)
    assert [(s["row"], s["dates"], s["by"], s["change"]) for s in restatement.sources] == [
        (f"refund {late.pk}", ["2026-09-25"], finance.username, "created")
    ]
    assert restatement.changes == [
        {
            "measure": "collected_amount",
            "owner": rep.pk,
            "before": ["10000", None],
            "after": ["9000", None],
        },
        {
            "measure": "refund_rate",
            "owner": rep.pk,
            "before": ["0", "10000"],
            "after": ["1000", "10000"],
        },
    ]


def test_a_payment_moved_out_of_a_frozen_month_restates_the_month_it_left(rep, finance):
    sale = contract(rep, "20000", "2026-08-20")
    payment(sale, "10000", "2026-09-10")
    moved = payment(sale, "5000", "2026-09-20")
    nightly("2026-10-05")
    assert fact("month", SEPTEMBER, "collected_amount", rep) == (D("15000"), None)
    moved.received_on = dt.date(2026, 10, 2)  # the bank's date was 2 October
    moved._history_user = finance
    moved.save()
    nightly("2026-10-06")
    # September 10,000; October 5,000; the year 15,000 = 10,000 + 5,000
    assert fact("month", SEPTEMBER, "collected_amount", rep) == (D("10000"), None)
    assert fact("month", dt.date(2026, 10, 1), "collected_amount", rep) == (D("5000"), None)
    assert fact("year", YEAR, "refund_rate", rep) == (D("0"), D("15000"))
    sources = FactRestatement.objects.get(kind="month", start=SEPTEMBER).sources
    assert [(s["row"], s["dates"], s["by"], s["change"]) for s in sources] == [
        (f"payment {moved.pk}", ["2026-09-20"], finance.username, "changed")
    ]


def test_a_correction_that_changes_no_figure_leaves_no_restatement(rep, finance):
    sale = contract(rep, "20000", "2026-08-20")
    paid = payment(sale, "10000", "2026-09-10")
    nightly("2026-10-05")
    paid.reference = "工行回单 0925"
    paid.save()
    assert nightly("2026-10-06")["restated"] == 0
    assert not FactRestatement.objects.exists()


# --- the property: months add up to quarters and years --------------------------------

NIGHTS = [dt.date(2026, month, 20) for month in range(1, 7)]  # 20 January … 20 June


@st.composite
def late_rows(draw):
    """Payments and confirmed refunds, each entered on one night and dated on or before it,
    often in a month whose facts are already frozen."""
    rows = []
    for _ in range(draw(st.integers(1, 8))):
        night = draw(st.integers(0, len(NIGHTS) - 1))
        month = draw(st.integers(1, NIGHTS[night].month))
        last_day = 20 if month == NIGHTS[night].month else 28
        rows.append(
            (
                night,
                draw(st.sampled_from(["payment", "refund"])),
                draw(st.integers(1, 5_000_000)),  # cents
                dt.date(2026, month, draw(st.integers(1, last_day))),
            )
        )
    return rows


def _enter(sale, kind, cents, day):
    amount = D(cents) / 100
    if kind == "payment":
        Payment.objects.create(
            contract=sale,
            instalment=sale.instalments.first(),
            amount=amount,
            received_on=day,
            method="bank_transfer",
            recorded_by=sale.owner,
        )
    else:
        Refund.objects.create(
            contract=sale,
            amount=amount,
            reason="退费",
            status="confirmed",
            requested_by=sale.owner,
            confirmed_on=day,
        )


# additive measures: each a sum over the rows dated in the period
ADDITIVE = {
    "month": ["collected_amount", "refund_rate"],
    "quarter": ["collected_amount", "refund_rate"],
    "year": ["refund_rate"],
}


def _sums(kind, start, end):
    totals = {}
    for measure, numerator, denominator in KpiFact.objects.filter(
        period__kind=kind, period__start__gte=start, period__start__lte=end
    ).values_list("measure", "numerator", "denominator"):
        n, d = totals.get(measure, (D(0), D(0)))
        totals[measure] = (n + numerator, d + (denominator or 0))
    return totals


@settings(
    deadline=None,
    max_examples=10,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=late_rows())
def test_months_add_up_to_quarters_and_years_whatever_is_entered_late(rep, rows):
    with transaction.atomic():
        sale = contract(rep, "50000", "2025-12-01")
        sale.instalments.create(sequence=1, due_on=dt.date(2025, 12, 1), amount=D("50000"))
        for index, night in enumerate(NIGHTS):
            for _night, kind, cents, day in [r for r in rows if r[0] == index]:
                _enter(sale, kind, cents, day)
            dashboard_facts_compute(day=night, history_months=12)
        last = NIGHTS[-1]
        months = _sums("month", YEAR, last)
        quarters = _sums("quarter", YEAR, last)
        years = _sums("year", YEAR, last)
        for measure in ADDITIVE["quarter"]:
            assert months.get(measure) == quarters.get(measure), measure
        for measure in ADDITIVE["year"]:
            assert months.get(measure) == years.get(measure), measure
        transaction.set_rollback(True)
