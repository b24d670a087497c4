"""A payment or refund already on a paid (closed) rep statement that changes later: the
difference goes, once, as a *correction* line on the rep's first open statement after it, at
the rate of the band where it lands (a negative difference takes back from the top band, as a
refund does); a row moved out of a paid month is not counted again where it lands. Every
figure is worked by hand from the SPEC §5 tiers (below 80 % → 3 %, 80–100 % → 5 %,
100–120 % → 7 %, above → 9 %); without a target everything earns the first tier's 3 %."""

import datetime as dt
from decimal import Decimal as D

import pytest

from performance.models import CommissionLine, CommissionStatement
from performance.services import commission_compute, statement_close
from tests.factories import UserFactory

from .factories import (
    assert_set_based_and_idempotent,
    commission_lines,
    contract,
    payment,
    refund,
    targets,
)
from .test_commission_statements import make_plan

pytestmark = pytest.mark.django_db

OCT, NOV, DEC = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)


def _statement(user, month):
    return CommissionStatement.objects.get(rep=user, month=month)


def _lines(statement):
    return [
        (line.kind, line.payment_id or line.refund_id, line.base, line.rate, line.amount)
        for line in statement.lines.order_by("position")
    ]


def _paid_october(rep, finance):
    """October computed at its end and closed (paid)."""
    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
    october = _statement(rep, OCT)
    statement_close(statement=october, actor=finance)
    return october


def test_an_edited_payment_of_a_paid_month_is_one_correction_on_the_next_open_statement(
    team, rep, finance, director
):
    make_plan()
    deal = contract(rep, "200000", "2026-10-01", number="HT-EDIT")
    edited = payment(deal, "50000", "2026-10-10")
    october = _paid_october(rep, finance)
    assert october.total == D("1500.00")  # 50,000 × 3 %
    before = (_lines(october), october.total, october.computed_at)

    targets("collected_amount", [("rep", team, rep, "2026-11", "100000")], created_by=director)
    november_payment = payment(deal, "95000", "2026-11-05")
    edited.amount = D("40000")  # found to be 40,000 after October was paid: −10,000
    edited.save()
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    november = _statement(rep, NOV)
    # target 100,000: the 95,000 fills 80,000 × 3 % = 2,400 and 15,000 × 5 % = 750;
    # the −10,000 correction takes back from the top band: −10,000 × 5 % = −500.
    # Net base 85,000: 80,000 × 3 % + 5,000 × 5 % = 2,400 + 250 = 2,650 = 2,400 + 750 − 500
    assert _lines(november) == [
        ("payment", november_payment.pk, D("80000.00"), D("3.0000"), D("2400.00")),
        ("payment", november_payment.pk, D("15000.00"), D("5.0000"), D("750.00")),
        ("correction", edited.pk, D("-10000.00"), D("5.0000"), D("-500.00")),
    ]
    assert (november.base_amount, november.total) == (D("85000.00"), D("2650.00"))
    correction = november.lines.get(kind="correction")
    assert correction.contract_id == deal.pk and correction.refund_id is None
    assert "HT-EDIT" in correction.description
    first = _lines(november)

    # the nightly job again (twice, and a day later): the same lines, October untouched
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    commission_compute(day=dt.date(2026, 11, 21))
    assert _lines(_statement(rep, NOV)) == first
    october = _statement(rep, OCT)
    assert (_lines(october), october.total, october.computed_at) == before

    # once November is paid the correction is stated: December gets nothing more
    statement_close(statement=_statement(rep, NOV), actor=finance)
    commission_compute(day=dt.date(2026, 12, 3), catch_up_months=0)
    assert CommissionLine.objects.filter(payment=edited).count() == 2  # October's, November's
    assert _statement(rep, DEC).total == D("0.00")
    assert not _statement(rep, DEC).lines.exists()


def test_a_refund_withdrawn_after_its_month_was_paid_gives_the_commission_back(rep, finance):
    make_plan()
    deal = contract(rep, "80000", "2026-10-01", number="HT-REF")
    payment(deal, "50000", "2026-10-10")
    withdrawn = refund(deal, "10000", "2026-10-20")
    october = _paid_october(rep, finance)
    # 50,000 − 10,000 = 40,000 × 3 %
    assert october.total == D("1200.00")

    withdrawn.status = "rejected"  # the refund is cancelled after October was paid
    withdrawn.save()
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    november = _statement(rep, NOV)
    # October stated −10,000 of it, it now counts 0: +10,000 × 3 % (no November target)
    assert _lines(november) == [
        ("correction", withdrawn.pk, D("10000.00"), D("3.0000"), D("300.00")),
    ]
    line = november.lines.get()
    assert (line.refund_id, line.payment_id) == (withdrawn.pk, None)
    assert (november.base_amount, november.total) == (D("10000.00"), D("300.00"))
    assert _statement(rep, OCT).total == D("1200.00")


def test_a_payment_moved_out_of_a_paid_month_is_not_counted_twice(rep, finance):
    make_plan()
    deal = contract(rep, "200000", "2026-10-01")
    moved = payment(deal, "50000", "2026-10-10")
    moved_and_edited = payment(deal, "20000", "2026-10-12")
    october = _paid_october(rep, finance)
    assert october.total == D("2100.00")  # 70,000 × 3 %

    moved.received_on = dt.date(2026, 11, 5)  # re-dated into November after October was paid
    moved.save()
    moved_and_edited.received_on = dt.date(2026, 11, 6)
    moved_and_edited.amount = D("25000")
    moved_and_edited.save()
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    november = _statement(rep, NOV)
    # the moved 50,000 is October's (paid): nothing in November; the other counts only for
    # its difference 25,000 − 20,000 = 5,000 × 3 % = 150
    assert _lines(november) == [
        ("correction", moved_and_edited.pk, D("5000.00"), D("3.0000"), D("150.00")),
    ]
    assert (november.base_amount, november.total) == (D("5000.00"), D("150.00"))
    assert not CommissionLine.objects.filter(payment=moved, statement__month=NOV).exists()


def test_an_edit_that_changes_no_amount_gives_no_correction(rep, finance):
    make_plan()
    deal = contract(rep, "80000", "2026-10-01")
    redated = payment(deal, "50000", "2026-10-10")
    reasoned = refund(deal, "10000", "2026-10-20")
    october = _paid_october(rep, finance)
    assert october.total == D("1200.00")  # 40,000 × 3 %

    redated.received_on = dt.date(2026, 10, 12)  # still October, same amount
    redated.save()
    reasoned.reason = "学员转班"  # still confirmed, same amount
    reasoned.save()
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    november = _statement(rep, NOV)
    assert (november.total, list(november.lines.all())) == (D("0.00"), [])
    assert not CommissionLine.objects.filter(kind="correction").exists()


def test_the_nightly_job_with_corrections_is_idempotent_and_set_based(team, finance):
    make_plan()

    def world(count):
        rows = []
        for n in range(count):
            rep = UserFactory(username=f"corr_rep{n}", role="rep", team=team)
            deal = contract(rep, "100000", "2026-10-01")
            rows.append(
                (
                    rep,
                    deal,
                    payment(deal, "50000", "2026-10-10"),
                    refund(deal, "5000", "2026-10-20"),
                )
            )
        commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
        for statement in CommissionStatement.objects.filter(month=OCT):
            statement_close(statement=statement, actor=finance)
        for _rep, deal, edited, withdrawn in rows:
            edited.amount = D("60000")
            edited.save()
            withdrawn.status = "rejected"
            withdrawn.save()
            payment(deal, "20000", "2026-10-25")  # late: October is paid
            payment(deal, "1000", "2026-10-26")
        return rows

    def night():
        commission_compute(day=dt.date(2026, 11, 20))

    reps = assert_set_based_and_idempotent(
        world, night, lambda: commission_lines("payment", "refund", "base", "rate", "amount")
    )
    november = _statement(reps[0][0], NOV)
    # October stated 50,000 − 5,000 = 45,000 (1,350.00). In November, at 3 % (no target):
    # late payments 20,000 + 1,000, correction +10,000 (payment 50,000 → 60,000),
    # correction +5,000 (refund withdrawn): 36,000 × 3 % = 1,080
    assert (november.base_amount, november.total) == (D("36000.00"), D("1080.00"))
    assert november.lines.filter(kind="correction").count() == 2
    assert CommissionStatement.objects.filter(month=NOV).count() == 4
    assert CommissionLine.objects.filter(kind="correction").count() == 8


def test_a_signed_plan_contract_edited_after_close_is_corrected_by_its_own_amount_only(
    rep, finance
):
    """A refund's line names its contract too: a contract's stated value is its own lines'
    (else saving it after the close would carry its refund back as a correction)."""
    make_plan(base="signed")
    kept = contract(rep, "90000", "2026-10-01", number="HT-KEEP")
    refund(kept, "10000", "2026-10-20")
    raised = contract(rep, "20000", "2026-10-02", number="HT-RAISE")
    october = _paid_october(rep, finance)
    # signed 90,000 + 20,000 − refunded 10,000 = 100,000 × 3 % (no target)
    assert october.total == D("3000.00")

    kept.save()  # edited, same amount
    raised.total_amount = D("25000")  # the contract's amount corrected after October was paid
    raised.save()
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    november = _statement(rep, NOV)
    # only HT-RAISE's difference: 25,000 − 20,000 = 5,000 × 3 % = 150
    assert [
        (line.kind, line.contract_id, line.payment_id, line.refund_id, line.base, line.amount)
        for line in november.lines.all()
    ] == [("correction", raised.pk, None, None, D("5000.00"), D("150.00"))]
    assert november.total == D("150.00")
