"""A plan paid on signed amounts: a contract signed in a month whose statement is already paid
(closed) but entered, marked signed or re-dated there only after the close lands once on the
rep's first open statement, at the band where it lands there; a later change of it (amount,
cancelled) is carried once as a correction; a contract moved out of a paid month is not
counted again (performance.restatement, shared with partner settlements).

Figures by hand. Most tests use a flat plan, 5 % of the signed amount; the band test uses the
SPEC §5 tiers (below 80 % → 3 %, 80–100 % → 5 %, 100–120 % → 7 %, above → 9 %)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from performance.models import CommissionLine, CommissionStatement
from performance.services import commission_compute, statement_close
from tests.factories import UserFactory

from .factories import assert_set_based_and_idempotent, commission_lines, contract, targets
from .test_commission_statements import make_plan

pytestmark = pytest.mark.django_db

OCT, NOV, DEC = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)
JAN = dt.date(2027, 1, 1)
FLAT_5 = [(0, 5)]


def _statement(user, month):
    return CommissionStatement.objects.get(rep=user, month=month)


def _lines(statement):
    return [
        (line.kind, line.contract_id, line.base, line.rate, line.amount)
        for line in statement.lines.order_by("position")
    ]


def _close(user, month, finance):
    statement_close(statement=_statement(user, month), actor=finance)


def _paid_october(rep, finance):
    """October computed at its end and closed (paid)."""
    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
    _close(rep, OCT, finance)
    return _statement(rep, OCT)


def test_a_contract_of_a_paid_month_entered_late_lands_once_on_the_first_open_statement(
    rep, finance
):
    make_plan(base="signed", tiers=FLAT_5)
    contract(rep, "10000", "2026-10-05", number="HT-ON-TIME")
    october = _paid_october(rep, finance)
    assert october.total == D("500.00")  # 10,000 × 5 %
    before = (_lines(october), october.total, october.computed_at)

    # signed on 20 October, entered in November: October is already paid
    late = contract(rep, "40000", "2026-10-20", number="HT-LATE")
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    november = _statement(rep, NOV)
    # 40,000 × 5 % = 2,000
    assert _lines(november) == [("contract", late.pk, D("40000.00"), D("5.0000"), D("2000.00"))]
    assert (november.base_amount, november.total) == (D("40000.00"), D("2000.00"))
    line = november.lines.get()
    assert line.occurred_on == dt.date(2026, 10, 20)
    assert "HT-LATE" in line.description and "2026-10-20" in line.description
    first = _lines(november)

    # the nightly job again (twice, and a day later with its catch-up): the same line,
    # October untouched
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    commission_compute(day=dt.date(2026, 11, 21))
    assert _lines(_statement(rep, NOV)) == first
    october = _statement(rep, OCT)
    assert (_lines(october), october.total, october.computed_at) == before

    # once November is paid, December does not count it again
    _close(rep, NOV, finance)
    commission_compute(day=dt.date(2026, 12, 3), catch_up_months=0)
    assert CommissionLine.objects.filter(contract=late).count() == 1
    assert _statement(rep, DEC).total == D("0.00")
    assert not _statement(rep, DEC).lines.exists()


def test_a_contract_marked_signed_after_its_month_was_paid_lands_on_the_next_open_statement(
    rep, finance
):
    make_plan(base="signed", tiers=FLAT_5)
    deal = contract(rep, "40000", "2026-10-20", status="approved", number="HT-APPROVED")
    october = _paid_october(rep, finance)
    assert (october.total, list(october.lines.all())) == (D("0.00"), [])  # not signed yet

    # marked signed in November, with the day it was really signed: 20 October
    deal.status, deal.signed_on = "signed", dt.date(2026, 10, 20)
    deal.save()
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    november = _statement(rep, NOV)
    assert _lines(november) == [("contract", deal.pk, D("40000.00"), D("5.0000"), D("2000.00"))]
    assert _statement(rep, OCT).total == D("0.00")


def test_a_late_contract_changed_after_its_statement_was_paid_is_corrected_once_each_time(
    rep, finance
):
    make_plan(base="signed", tiers=FLAT_5)
    _paid_october(rep, finance)
    late = contract(rep, "40000", "2026-10-20", number="HT-CHANGED")
    commission_compute(day=dt.date(2026, 11, 30), catch_up_months=0)
    assert _statement(rep, NOV).total == D("2000.00")  # 40,000 × 5 %
    _close(rep, NOV, finance)

    late.total_amount = D("50000")  # raised after November was paid
    late.save()
    commission_compute(day=dt.date(2026, 12, 10), catch_up_months=0)
    commission_compute(day=dt.date(2026, 12, 10), catch_up_months=0)
    december = _statement(rep, DEC)
    # November stated 40,000 of it, it is 50,000 now: +10,000 × 5 % = +500
    assert _lines(december) == [("correction", late.pk, D("10000.00"), D("5.0000"), D("500.00"))]
    assert "HT-CHANGED" in december.lines.get().description
    _close(rep, DEC, finance)

    late.status = "draft"  # the signing is cancelled after December was paid
    late.save()
    commission_compute(day=dt.date(2027, 1, 10), catch_up_months=0)
    commission_compute(day=dt.date(2027, 1, 10), catch_up_months=0)
    january = _statement(rep, JAN)
    # stated 40,000 + 10,000 = 50,000, it counts 0 now: −50,000 × 5 % = −2,500
    assert _lines(january) == [("correction", late.pk, D("-50000.00"), D("5.0000"), D("-2500.00"))]
    assert (january.base_amount, january.total) == (D("-50000.00"), D("-2500.00"))
    # what the paid statements say of it adds up to 0: 2,000 + 500 − 2,500
    assert sum(line.amount for line in CommissionLine.objects.filter(contract=late)) == D("0.00")


def test_a_late_contract_cancelled_before_its_statement_is_paid_leaves_it(rep, finance):
    make_plan(base="signed", tiers=FLAT_5)
    _paid_october(rep, finance)
    late = contract(rep, "40000", "2026-10-20")
    commission_compute(day=dt.date(2026, 11, 10), catch_up_months=0)
    assert _statement(rep, NOV).total == D("2000.00")

    late.status = "draft"
    late.save()
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    november = _statement(rep, NOV)
    assert (november.total, list(november.lines.all())) == (D("0.00"), [])


def test_a_late_contract_earns_the_band_where_it_lands(team, rep, finance, director):
    make_plan(base="signed")
    contract(rep, "20000", "2026-10-05")
    assert _paid_october(rep, finance).total == D("600.00")  # 20,000 × 3 % (no target)

    targets("signed_amount", [("rep", team, rep, "2026-11", "100000")], created_by=director)
    late = contract(rep, "40000", "2026-10-20")  # entered in November
    own = contract(rep, "70000", "2026-11-05")
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    november = _statement(rep, NOV)
    # target 100,000, base 40,000 + 70,000 = 110,000, in date order: the late 40,000 fills
    # 0-40,000 at 3 % = 1,200; the November 70,000 fills 40,000-80,000 at 3 % = 1,200,
    # 80,000-100,000 at 5 % = 1,000 and 100,000-110,000 at 7 % = 700.
    # 80,000 × 3 % + 20,000 × 5 % + 10,000 × 7 % = 2,400 + 1,000 + 700 = 4,100
    assert _lines(november) == [
        ("contract", late.pk, D("40000.00"), D("3.0000"), D("1200.00")),
        ("contract", own.pk, D("40000.00"), D("3.0000"), D("1200.00")),
        ("contract", own.pk, D("20000.00"), D("5.0000"), D("1000.00")),
        ("contract", own.pk, D("10000.00"), D("7.0000"), D("700.00")),
    ]
    assert (november.base_amount, november.achievement, november.total) == (
        D("110000.00"),
        D("110.00"),
        D("4100.00"),
    )


def test_a_contract_moved_into_or_out_of_a_paid_month_is_counted_once(rep, finance):
    make_plan(base="signed", tiers=FLAT_5)
    moved_out = contract(rep, "40000", "2026-10-20", number="HT-OUT")
    moved_in = contract(rep, "30000", "2026-11-04", number="HT-IN")
    october = _paid_october(rep, finance)
    assert october.total == D("2000.00")  # HT-OUT: 40,000 × 5 %

    # after October was paid: HT-OUT re-dated into November (October paid it already),
    # HT-IN re-dated into October (its statement is paid: it goes on November's)
    moved_out.signed_on = dt.date(2026, 11, 3)
    moved_out.save()
    moved_in.signed_on = dt.date(2026, 10, 28)
    moved_in.save()
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    november = _statement(rep, NOV)
    # only HT-IN: 30,000 × 5 % = 1,500
    assert _lines(november) == [("contract", moved_in.pk, D("30000.00"), D("5.0000"), D("1500.00"))]
    assert november.lines.get().occurred_on == dt.date(2026, 10, 28)
    assert not CommissionLine.objects.filter(contract=moved_out, statement__month=NOV).exists()
    assert _statement(rep, OCT).total == D("2000.00")


def test_a_late_contract_goes_to_the_first_open_month_not_the_current_one(rep, finance):
    """October paid, November still open (computed at its end, not yet paid) on 3 December:
    the late October contract is November's (the history query names November as stale),
    not December's."""
    make_plan(base="signed", tiers=FLAT_5)
    _paid_october(rep, finance)
    commission_compute(day=dt.date(2026, 11, 30), catch_up_months=0)
    assert _statement(rep, NOV).total == D("0.00")

    late = contract(rep, "40000", "2026-10-20")  # entered on 3 December
    commission_compute(day=dt.date(2026, 12, 3), catch_up_months=0)
    assert _lines(_statement(rep, NOV)) == [
        ("contract", late.pk, D("40000.00"), D("5.0000"), D("2000.00"))
    ]
    assert not _statement(rep, DEC).lines.exists()


def test_the_nightly_job_with_late_contracts_is_idempotent_and_set_based(team, finance):
    make_plan(base="signed", tiers=FLAT_5)

    def world(count):
        reps = []
        for n in range(count):
            rep = UserFactory(username=f"late_rep{n}", role="rep", team=team)
            contract(rep, "10000", "2026-10-05")
            raised = contract(rep, "20000", "2026-10-06")
            cancelled = contract(rep, "30000", "2026-10-07")
            unsigned = contract(rep, "8000", "2026-10-25", status="approved")
            reps.append((rep, raised, cancelled, unsigned))
        commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
        for statement in CommissionStatement.objects.filter(month=OCT):
            statement_close(statement=statement, actor=finance)
        for rep, raised, cancelled, unsigned in reps:
            raised.total_amount = D("25000")
            raised.save()
            cancelled.status = "draft"
            cancelled.save()
            unsigned.status, unsigned.signed_on = "signed", dt.date(2026, 10, 25)
            unsigned.save()
            contract(rep, "40000", "2026-10-20")  # entered late
        return reps

    def night():
        commission_compute(day=dt.date(2026, 11, 20))

    reps = assert_set_based_and_idempotent(
        world, night, lambda: commission_lines("contract", "occurred_on", "base", "rate", "amount")
    )
    november = _statement(reps[0][0], NOV)
    # October stated 10,000 + 20,000 + 30,000 = 60,000 (3,000.00). November, 5 %, what adds
    # in date order, then what takes back: correction +5,000 (20,000 → 25,000) = 250, late
    # 40,000 (20 Oct) = 2,000, late 8,000 (signed 25 Oct) = 400, correction −30,000
    # (cancelled) = −1,500. Net 23,000 × 5 % = 1,150
    assert [(kind, base, amount) for kind, _contract, base, _rate, amount in _lines(november)] == [
        ("correction", D("5000.00"), D("250.00")),
        ("contract", D("40000.00"), D("2000.00")),
        ("contract", D("8000.00"), D("400.00")),
        ("correction", D("-30000.00"), D("-1500.00")),
    ]
    assert (november.base_amount, november.total) == (D("23000.00"), D("1150.00"))
    assert CommissionStatement.objects.filter(month=NOV).count() == 4
    assert CommissionLine.objects.filter(statement__month=NOV, kind="contract").count() == 8
    assert CommissionLine.objects.filter(statement__month=NOV, kind="correction").count() == 8
