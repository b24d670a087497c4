"""Monthly commission statements (services.commission_compute) on a small fixed dataset:
every figure below is computed by hand from the SPEC §5 tier table
(below 80 % → 3 %, 80–100 % → 5 %, 100–120 % → 7 %, above → 9 %)."""

import datetime as dt
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from performance.models import CommissionLine, CommissionPlan, CommissionStatement, CommissionTier
from performance.services import StatementError, commission_compute, statement_close

from .factories import contract, payment, refund, targets
from .test_commission_calculator import tier_formula

pytestmark = pytest.mark.django_db

NOV = dt.date(2026, 11, 1)
OCT = dt.date(2026, 10, 1)


def make_plan(
    effective_from=dt.date(2026, 1, 1),
    *,
    method="marginal",
    base="collected",
    bonus="1.00",
    tiers=None,
):
    plan = CommissionPlan.objects.create(
        name=f"plan {effective_from}",
        effective_from=effective_from,
        method=method,
        base=base,
        team_bonus_threshold=D("100"),
        team_bonus_rate=D(bonus),
    )
    for floor, rate in tiers or [(0, 3), (80, 5), (100, 7), (120, 9)]:
        CommissionTier.objects.create(plan=plan, threshold=floor, rate=rate)
    return plan


@pytest.fixture
def november_targets(team, rep, teammate, director):
    targets(
        "collected_amount",
        [
            ("rep", team, rep, "2026-11", "100000"),
            ("rep", team, teammate, "2026-11", "50000"),
            ("team", team, None, "2026-11", "150000"),
        ],
        created_by=director,
    )


@pytest.fixture
def november_payments(rep, teammate):
    big = contract(rep, "200000", "2026-10-20", number="HT-BIG")
    small = contract(teammate, "60000", "2026-10-21", number="HT-SMALL")
    return {
        "p1": payment(big, "70000", "2026-11-03"),
        "p2": payment(big, "40000", "2026-11-15"),
        "p3": payment(small, "30000", "2026-11-10"),
        "big": big,
        "small": small,
    }


def _statement(user, month=NOV):
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


def test_marginal_statement_splits_a_payment_over_the_bands_it_crosses(
    rep, teammate, november_targets, november_payments
):
    make_plan()
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    mine = _statement(rep)
    p1, p2 = november_payments["p1"].pk, november_payments["p2"].pk
    # 110,000 collected of a 100,000 target: 80,000 × 3 % + 20,000 × 5 % + 10,000 × 7 %
    assert (mine.base_amount, mine.target_amount, mine.achievement) == (
        D("110000.00"),
        D("100000.00"),
        D("110.00"),
    )
    assert _lines(mine) == [
        ("payment", p1, D("70000.00"), D("3.0000"), D("2100.00")),
        ("payment", p2, D("10000.00"), D("3.0000"), D("300.00")),
        ("payment", p2, D("20000.00"), D("5.0000"), D("1000.00")),
        ("payment", p2, D("10000.00"), D("7.0000"), D("700.00")),
    ]
    assert (mine.commission, mine.team_bonus, mine.total) == (D("4100.00"), D("0.00"), D("4100.00"))
    line = mine.lines.first()
    assert line.contract_id == november_payments["big"].pk and "HT-BIG" in line.description
    # teammate: 30,000 of 50,000 = 60 %: 30,000 × 3 %; the team made 140,000 of 150,000: no bonus
    theirs = _statement(teammate)
    assert (theirs.commission, theirs.team_bonus, theirs.total) == (
        D("900.00"),
        D("0.00"),
        D("900.00"),
    )


def test_retroactive_statement_pays_the_reached_rate_on_everything(
    rep, november_targets, november_payments
):
    make_plan(method="retroactive")
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    mine = _statement(rep)
    p1, p2 = november_payments["p1"].pk, november_payments["p2"].pk
    assert _lines(mine) == [
        ("payment", p1, D("70000.00"), D("7.0000"), D("4900.00")),
        ("payment", p2, D("40000.00"), D("7.0000"), D("2800.00")),
    ]
    assert mine.total == D("7700.00")


def test_team_bonus_when_the_team_reaches_its_target(
    rep, teammate, november_targets, november_payments
):
    make_plan()
    payment(november_payments["small"], "15000", "2026-11-18")
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    # team: 110,000 + 45,000 = 155,000 of 150,000: 1 % of each rep's own base
    mine, theirs = _statement(rep), _statement(teammate)
    assert (mine.commission, mine.team_bonus, mine.total) == (
        D("4100.00"),
        D("1100.00"),
        D("5200.00"),
    )
    # 45,000 of 50,000 = 90 %: 40,000 × 3 % + 5,000 × 5 % = 1,450; bonus 450
    assert (theirs.commission, theirs.team_bonus, theirs.total) == (
        D("1450.00"),
        D("450.00"),
        D("1900.00"),
    )
    bonus_line = theirs.lines.get(kind="team_bonus")
    assert (bonus_line.base, bonus_line.rate, bonus_line.amount) == (
        D("45000.00"),
        D("1.0000"),
        D("450.00"),
    )


def test_signed_amount_base_uses_contracts_signed_in_the_month(
    rep, team, director, november_payments
):
    make_plan(base="signed")
    targets("signed_amount", [("rep", team, rep, "2026-11", "100000")], created_by=director)
    signed = contract(rep, "90000", "2026-11-05", number="HT-NOV")
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    mine = _statement(rep)
    # payments do not count; 90,000 signed of 100,000: 80,000 × 3 % + 10,000 × 5 %
    assert _lines(mine) == [
        ("contract", signed.pk, D("80000.00"), D("3.0000"), D("2400.00")),
        ("contract", signed.pk, D("10000.00"), D("5.0000"), D("500.00")),
    ]
    assert (mine.base_kind, mine.total) == ("signed", D("2900.00"))


def test_a_paid_statement_is_never_modified_and_a_later_refund_is_clawed_back_in_the_open_month(
    rep, finance, november_targets
):
    make_plan()
    deal = contract(rep, "80000", "2026-10-01", number="HT-OCT")
    payment(deal, "50000", "2026-10-10")
    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
    october = _statement(rep, OCT)
    # no October target: the first tier's 3 %
    assert october.total == D("1500.00")
    statement_close(statement=october, actor=finance)
    before = (_lines(october), october.total, october.computed_at)

    back_refund = refund(deal, "10000", "2026-11-05")
    late = payment(deal, "5000", "2026-10-28")  # recorded after October was paid
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)  # October again: untouched

    october = _statement(rep, OCT)
    assert (_lines(october), october.total, october.computed_at) == before
    assert october.status == "closed"
    november = _statement(rep)
    # 5,000 − 10,000 = −5,000 of a 100,000 target: charged back at 3 %
    assert _lines(november) == [
        ("payment", late.pk, D("5000.00"), D("3.0000"), D("150.00")),
        ("refund", back_refund.pk, D("-10000.00"), D("3.0000"), D("-300.00")),
    ]
    assert november.total == D("-150.00")
    assert "HT-OCT" in november.lines.get(kind="refund").description


def test_closing_twice_is_refused(rep, finance):
    make_plan()
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    statement = _statement(rep)
    statement_close(statement=statement, actor=finance)
    with pytest.raises(StatementError):
        statement_close(statement=statement, actor=finance)


def test_a_plan_change_between_months_leaves_the_earlier_month_as_it_was(rep, november_targets):
    v1 = make_plan()
    deal = contract(rep, "80000", "2026-10-01")
    payment(deal, "50000", "2026-10-10")
    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
    v2 = make_plan(dt.date(2026, 11, 1), tiers=[(0, 4), (80, 6)])
    payment(deal, "10000", "2026-11-03")
    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    october, november = _statement(rep, OCT), _statement(rep)
    assert (october.plan, october.total) == (v1, D("1500.00"))  # 50,000 × 3 %
    assert (november.plan, november.total) == (v2, D("400.00"))  # 10,000 × 4 %


def test_recomputing_gives_identical_rows(rep, teammate, november_targets, november_payments):
    make_plan()

    def snapshot():
        return sorted(
            CommissionStatement.objects.values_list(
                "rep_id", "month", "base_amount", "commission", "team_bonus", "total"
            )
        ), sorted(
            CommissionLine.objects.values_list(
                "statement__rep_id", "position", "kind", "payment_id", "base", "rate", "amount"
            )
        )

    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    first = snapshot()
    commission_compute(day=dt.date(2026, 11, 20), catch_up_months=0)
    assert snapshot() == first
    for statement in CommissionStatement.objects.all():
        assert sum(statement.lines.values_list("amount", flat=True), D("0")) == statement.total


# --- issue 11: the rule for refunds, rounding, late receipts -------------------------------

DEC = dt.date(2026, 12, 1)


def test_a_refund_takes_back_the_top_bands_even_when_it_is_dated_before_the_payments(
    rep, november_targets
):
    make_plan()
    deal = contract(rep, "200000", "2026-10-20")
    back = refund(deal, "20000", "2026-11-03")
    first = payment(deal, "70000", "2026-11-10")
    second = payment(deal, "60000", "2026-11-20")
    commission_compute(day=dt.date(2026, 11, 25), catch_up_months=0)
    mine = _statement(rep)
    # gross 130,000 fills 80,000 × 3 %, 20,000 × 5 %, 20,000 × 7 %, 10,000 × 9 %; the refund
    # takes back 10,000 at 9 % and 10,000 at 7 %: the 1,600 it costs the rep
    assert _lines(mine) == [
        ("payment", first.pk, D("70000.00"), D("3.0000"), D("2100.00")),
        ("payment", second.pk, D("10000.00"), D("3.0000"), D("300.00")),
        ("payment", second.pk, D("20000.00"), D("5.0000"), D("1000.00")),
        ("payment", second.pk, D("20000.00"), D("7.0000"), D("1400.00")),
        ("payment", second.pk, D("10000.00"), D("9.0000"), D("900.00")),
        ("refund", back.pk, D("-10000.00"), D("9.0000"), D("-900.00")),
        ("refund", back.pk, D("-10000.00"), D("7.0000"), D("-700.00")),
    ]
    # net 110,000: 80,000 × 3 % + 20,000 × 5 % + 10,000 × 7 %
    assert (mine.base_amount, mine.achievement, mine.total) == (
        D("110000.00"),
        D("110.00"),
        D("4100.00"),
    )


def test_refunds_above_the_months_collections_show_no_negative_achievement(rep, november_targets):
    make_plan()
    deal = contract(rep, "200000", "2026-10-20")
    paid = payment(deal, "5000", "2026-11-10")
    back = refund(deal, "20000", "2026-11-12")
    commission_compute(day=dt.date(2026, 11, 25), catch_up_months=0)
    mine = _statement(rep)
    # net −15,000: charged back at the first rate, −450; the achievement reads 0 %, not −15 %
    assert _lines(mine) == [
        ("payment", paid.pk, D("5000.00"), D("3.0000"), D("150.00")),
        ("refund", back.pk, D("-20000.00"), D("3.0000"), D("-600.00")),
    ]
    assert (mine.base_amount, mine.achievement, mine.total) == (
        D("-15000.00"),
        D("0.00"),
        D("-450.00"),
    )


def test_the_team_bonus_and_the_achievement_round_half_a_cent_up(team, rep, teammate, director):
    make_plan()
    targets(
        "collected_amount",
        [
            ("rep", team, teammate, "2026-11", "200000"),
            ("team", team, None, "2026-11", "80000"),
        ],
        created_by=director,
    )
    payment(contract(rep, "60000", "2026-10-20"), "55668.50", "2026-11-10")
    payment(contract(teammate, "30000", "2026-10-20"), "24690", "2026-11-10")
    commission_compute(day=dt.date(2026, 11, 25), catch_up_months=0)
    # the team collected 80,358.50 of 80,000: 1 % bonus. 55,668.50 × 1 % = 556.685 → 556.69
    # (half-even would give 556.68); commission 55,668.50 × 3 % = 1,670.055 → 1,670.06
    mine = _statement(rep)
    assert (mine.commission, mine.team_bonus, mine.total) == (
        D("1670.06"),
        D("556.69"),
        D("2226.75"),
    )
    # 24,690 of 200,000 = 12.345 % → 12.35 % (half-even would give 12.34 %)
    assert _statement(teammate).achievement == D("12.35")


def test_a_team_exactly_on_target_gets_its_team_bonus(team, rep, director):
    make_plan()
    targets(
        "collected_amount",
        [("team", team, None, "2026-11", "50000")],
        created_by=director,
    )
    payment(contract(rep, "60000", "2026-10-20"), "50000", "2026-11-10")
    commission_compute(day=dt.date(2026, 11, 25), catch_up_months=0)
    # 50,000 of 50,000 = 100 %, the threshold itself: 1 % of 50,000
    assert _statement(rep).team_bonus == D("500.00")


def test_a_payment_recorded_after_its_month_ended_reaches_the_still_open_statement(rep):
    make_plan()
    deal = contract(rep, "80000", "2026-10-01")
    payment(deal, "50000", "2026-10-10")
    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
    assert _statement(rep, OCT).total == D("1500.00")  # no October target: 3 %

    late = payment(deal, "5000", "2026-10-28")  # recorded in November, October still unpaid
    commission_compute(day=dt.date(2026, 11, 2), catch_up_months=0)
    october, november = _statement(rep, OCT), _statement(rep)
    # 55,000 × 3 %
    assert (october.base_amount, october.total) == (D("55000.00"), D("1650.00"))
    assert october.lines.filter(payment=late).exists()
    assert (november.base_amount, november.total) == (D("0.00"), D("0.00"))


def test_a_corrected_or_moved_payment_of_an_open_month_is_restated(rep):
    make_plan()
    deal = contract(rep, "80000", "2026-10-01")
    corrected = payment(deal, "50000", "2026-10-10")
    moved = payment(deal, "10000", "2026-10-20")
    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
    commission_compute(day=dt.date(2026, 11, 2), catch_up_months=0)
    assert _statement(rep, OCT).total == D("1800.00")  # 60,000 × 3 %

    corrected.amount = D("40000")
    corrected.save()
    moved.received_on = dt.date(2026, 11, 1)
    moved.save()
    commission_compute(day=dt.date(2026, 11, 3), catch_up_months=0)
    # October: 40,000 × 3 % = 1,200; the moved 10,000 is November's: 300
    assert (_statement(rep, OCT).base_amount, _statement(rep, OCT).total) == (
        D("40000.00"),
        D("1200.00"),
    )
    assert (_statement(rep).base_amount, _statement(rep).total) == (D("10000.00"), D("300.00"))


def test_a_late_payment_of_a_paid_month_is_on_exactly_one_later_statement(rep, finance):
    make_plan()
    deal = contract(rep, "80000", "2026-10-01")
    payment(deal, "50000", "2026-10-10")
    commission_compute(day=dt.date(2026, 10, 31), catch_up_months=0)
    statement_close(statement=_statement(rep, OCT), actor=finance)

    late = payment(deal, "5000", "2026-10-28")  # October is paid: it goes to November
    commission_compute(day=dt.date(2026, 11, 25), catch_up_months=0)
    commission_compute(day=dt.date(2026, 12, 2), catch_up_months=0)  # November still unpaid
    commission_compute(day=dt.date(2026, 12, 3), catch_up_months=0)
    assert list(CommissionLine.objects.filter(payment=late).values_list("statement__month")) == [
        (NOV,)
    ]
    assert _statement(rep).total == D("150.00")  # 5,000 × 3 %
    assert _statement(rep, DEC).total == D("0.00")
    assert _statement(rep, OCT).total == D("1500.00")


def _november_total(rep, team, director, tiers, target, rows):
    """Record `rows` (day, amount, is a refund) for `rep` in that order, compute November,
    read back its statement, and undo everything."""
    with transaction.atomic():
        make_plan(bonus="0", tiers=tiers)
        targets("collected_amount", [("rep", team, rep, "2026-11", target)], created_by=director)
        deal = contract(rep, "1000000", "2026-10-01")
        for day, amount, is_refund in rows:
            (refund if is_refund else payment)(deal, amount, f"2026-11-{day:02d}")
        commission_compute(day=dt.date(2026, 11, 30), catch_up_months=0)
        statement = _statement(rep)
        result = (statement.base_amount, statement.commission, statement.total)
        lines = sum(statement.lines.values_list("amount", flat=True), D("0"))
        transaction.set_rollback(True)
    return result, lines


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(st.integers(1, 28), st.integers(1, 60000).map(str), st.booleans()),
        min_size=1,
        max_size=6,
    ),
    floors=st.lists(st.integers(1, 200), max_size=3, unique=True),
    rates=st.lists(st.integers(0, 2000), min_size=4, max_size=4),
    target=st.integers(10000, 200000).map(str),
    seed=st.integers(0, 1000),
)
def test_a_statement_is_the_tier_formula_whatever_order_its_rows_were_recorded_in(
    rep, team, director, rows, floors, rates, target, seed
):
    import random

    from performance.commission import Tier

    # rates in hundredths of a percent: 0.00 % to 20.00 %
    table = [
        (floor, D(rate) / 100) for floor, rate in zip([0, *sorted(floors)], rates, strict=False)
    ]
    shuffled = list(rows)
    random.Random(seed).shuffle(shuffled)
    first, first_lines = _november_total(rep, team, director, table, target, rows)
    second, second_lines = _november_total(rep, team, director, table, target, shuffled)
    net = sum((D(a) * (-1 if is_refund else 1) for _d, a, is_refund in rows), D("0"))
    tiers = [Tier(D(floor) / 100, rate / 100) for floor, rate in table]
    expected = tier_formula(net, D(target), tiers, "marginal").quantize(D("0.01"), ROUND_HALF_UP)
    assert first == second == (net, expected, expected)
    assert first_lines == second_lines == expected
