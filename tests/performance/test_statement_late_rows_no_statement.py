"""A late row of a rep who has *no* statement in its month: the month is finished (every
statement of it is closed, none open) but the rep had none there (not yet active, no rows).
The row goes on the rep's first month after it that is not closed for them, exactly as if the
rep's own statement of the month had been paid; the rule partner settlements already follow
(performance.restatement.ClosedFor, shared). While the month is still open for the team (a
statement of it still open, or none computed yet), the row stays in its own month.

Figures by hand; a flat plan, 5 % of the base (collected, or signed where said)."""

import datetime as dt
from decimal import Decimal as D

import pytest

from performance.models import CommissionLine, CommissionStatement
from performance.services import commission_compute, statement_close
from tests.factories import UserFactory

from .factories import assert_set_based_and_idempotent, commission_lines, contract, payment
from .test_commission_statements import make_plan

pytestmark = pytest.mark.django_db

OCT, NOV, DEC = dt.date(2026, 10, 1), dt.date(2026, 11, 1), dt.date(2026, 12, 1)
FLAT_5 = [(0, 5)]


def _statement(user, month):
    return CommissionStatement.objects.get(rep=user, month=month)


def _lines(statement):
    return [
        (
            line.kind,
            line.payment_id or line.refund_id or line.contract_id,
            line.base,
            line.rate,
            line.amount,
        )
        for line in statement.lines.order_by("position")
    ]


def _newcomer(team, username="rep_new"):
    """A rep who was not active in October (no statement there), active from November."""
    return UserFactory(username=username, role="rep", team=team, is_active=False)


def _activate(user):
    user.is_active = True
    user.save()


def _close_month(month, finance):
    for statement in CommissionStatement.objects.filter(month=month).open():
        statement_close(statement=statement, actor=finance)


def test_a_late_payment_of_a_rep_with_no_statement_in_a_paid_month_lands_once_on_their_next(
    team, rep, finance
):
    make_plan(tiers=FLAT_5)
    payment(contract(rep, "10000", "2026-10-01"), "10000", "2026-10-05")
    newcomer = _newcomer(team)
    deal = contract(newcomer, "50000", "2026-09-20", number="HT-NEW")
    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
    _close_month(OCT, finance)
    assert _statement(rep, OCT).total == D("500.00")  # 10,000 × 5 %
    assert not CommissionStatement.objects.filter(rep=newcomer, month=OCT).exists()
    _activate(newcomer)

    # received 15 October, entered in November: October is paid for the team
    late = payment(deal, "20000", "2026-10-15")
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    november = _statement(newcomer, NOV)
    # 20,000 × 5 % = 1,000
    assert _lines(november) == [("payment", late.pk, D("20000.00"), D("5.0000"), D("1000.00"))]
    assert (november.base_amount, november.total) == (D("20000.00"), D("1000.00"))
    line = november.lines.get()
    assert line.occurred_on == dt.date(2026, 10, 15)
    assert "HT-NEW" in line.description and "2026-10-15" in line.description
    first = _lines(november)

    # the nightly job again (twice, and a day later with its catch-up): the same line, and
    # no October statement appears for the newcomer
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    commission_compute(day=dt.date(2026, 11, 21))
    assert _lines(_statement(newcomer, NOV)) == first
    assert not CommissionStatement.objects.filter(rep=newcomer, month=OCT).exists()
    assert not CommissionStatement.objects.filter(month=OCT, status="open").exists()

    # once November is paid, December does not count it again
    _close_month(NOV, finance)
    commission_compute(day=dt.date(2026, 12, 3), catch_up_months=0)
    assert CommissionLine.objects.filter(payment=late).count() == 1
    assert (_statement(newcomer, DEC).total, _lines(_statement(newcomer, DEC))) == (D("0.00"), [])


def test_a_late_payment_skips_every_finished_month_the_rep_has_no_statement_in(team, rep, finance):
    make_plan(tiers=FLAT_5)
    newcomer = _newcomer(team)
    deal = contract(newcomer, "50000", "2026-09-20")
    payment(contract(rep, "10000", "2026-10-01"), "10000", "2026-10-05")
    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
    _close_month(OCT, finance)
    commission_compute(day=dt.date(2026, 11, 30), catch_up_months=0)
    _close_month(NOV, finance)  # the newcomer is still inactive: no November statement either
    _activate(newcomer)

    late = payment(deal, "20000", "2026-10-15")  # entered in December
    commission_compute(day=dt.date(2026, 12, 10))
    # October and November are paid for the team and the newcomer has neither: December,
    # 20,000 × 5 % = 1,000
    assert _lines(_statement(newcomer, DEC)) == [
        ("payment", late.pk, D("20000.00"), D("5.0000"), D("1000.00"))
    ]
    assert not CommissionStatement.objects.filter(rep=newcomer, month__in=[OCT, NOV]).exists()
    assert CommissionLine.objects.filter(payment=late).count() == 1


def test_a_late_contract_of_a_signed_plan_for_a_rep_with_no_statement_lands_on_their_next(
    team, rep, finance
):
    make_plan(base="signed", tiers=FLAT_5)
    contract(rep, "10000", "2026-10-05")
    newcomer = _newcomer(team)
    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
    _close_month(OCT, finance)
    _activate(newcomer)

    late = contract(newcomer, "40000", "2026-10-20")  # signed 20 October, entered in November
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    # 40,000 × 5 % = 2,000
    assert _lines(_statement(newcomer, NOV)) == [
        ("contract", late.pk, D("40000.00"), D("5.0000"), D("2000.00"))
    ]


def test_recomputing_a_paid_month_gives_a_rep_without_a_statement_none(team, rep, finance):
    """A finished month stays finished: computing it again (its own day) does not open a new
    statement for a rep who had none, so a late row of theirs still goes to the next month."""
    make_plan(tiers=FLAT_5)
    payment(contract(rep, "10000", "2026-10-01"), "10000", "2026-10-05")
    newcomer = _newcomer(team)
    deal = contract(newcomer, "50000", "2026-09-20")
    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
    _close_month(OCT, finance)
    _activate(newcomer)

    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
    assert not CommissionStatement.objects.filter(rep=newcomer, month=OCT).exists()
    late = payment(deal, "20000", "2026-10-15")
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    assert _lines(_statement(newcomer, NOV)) == [
        ("payment", late.pk, D("20000.00"), D("5.0000"), D("1000.00"))
    ]


@pytest.mark.parametrize("october", ["open", "partly_paid", "never_computed"])
def test_a_late_payment_of_a_month_still_open_for_the_team_stays_in_its_month(
    team, rep, teammate, finance, october
):
    """The newcomer has no October statement only because the night has not (re)computed
    October since: October is not finished, so the row lands there, on a new October
    statement of theirs, and not on November."""
    make_plan(tiers=FLAT_5)
    payment(contract(rep, "10000", "2026-10-01"), "10000", "2026-10-05")
    newcomer = _newcomer(team)
    deal = contract(newcomer, "50000", "2026-09-20")
    if october != "never_computed":
        commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
        if october == "partly_paid":
            statement_close(statement=_statement(rep, OCT), actor=finance)  # teammate's open
    _activate(newcomer)

    late = payment(deal, "20000", "2026-10-15")
    commission_compute(day=dt.date(2026, 11, 20))
    commission_compute(day=dt.date(2026, 11, 20))
    # 20,000 × 5 % = 1,000 in October
    assert _lines(_statement(newcomer, OCT)) == [
        ("payment", late.pk, D("20000.00"), D("5.0000"), D("1000.00"))
    ]
    assert _lines(_statement(newcomer, NOV)) == []
    assert CommissionLine.objects.filter(payment=late).count() == 1


def test_the_nightly_job_with_late_rows_of_reps_without_statements_is_set_based(team, finance):
    make_plan(tiers=FLAT_5)

    def world(count):
        late = []
        for n in range(count):
            old = UserFactory(username=f"old_rep{n}", role="rep", team=team)
            payment(contract(old, "10000", "2026-10-01"), "10000", "2026-10-05")
            newcomer = _newcomer(team, username=f"new_rep{n}")
            late.append((newcomer, contract(newcomer, "50000", "2026-09-20")))
        commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
        _close_month(OCT, finance)
        for newcomer, deal in late:
            _activate(newcomer)
            payment(deal, "20000", "2026-10-15")
            payment(deal, "4000", "2026-10-28")
        return [newcomer for newcomer, _deal in late]

    def night():
        commission_compute(day=dt.date(2026, 11, 20))

    newcomers = assert_set_based_and_idempotent(
        world, night, lambda: commission_lines("payment", "amount")
    )
    for newcomer in newcomers:
        november = _statement(newcomer, NOV)
        # 20,000 + 4,000 = 24,000 × 5 % = 1,200
        assert (november.base_amount, november.total) == (D("24000.00"), D("1200.00"))
    assert not CommissionStatement.objects.filter(month=OCT, status="open").exists()
