"""Late and corrected rows of a paid (closed) month: carried once to the partner's next open
settlement, as rep commission statements do (performance.restatement). Figures by hand.

Plan (marginal, collected): 0 → 5 %, ¥50,000 → 8 %, ¥100,000 → 10 % of the partner's
quarterly collected amount. C(x) below is the commission of a quarter base x:
C(40,000) = 2,000; C(45,000) = 2,250; C(50,000) = 2,500; C(60,000) = 3,300;
C(70,000) = 4,100; C(90,000) = 5,700; C(120,000) = 8,500."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import ProtectedError

from channels.models import PartnerSettlement, PartnerSettlementLine
from channels.services import settlement_close, settlement_months_due, settlements_compute
from channels.tasks import partner_settlements

from .factories import credited_contract, make_partner, make_plan, pay, refund

pytestmark = pytest.mark.django_db
D = Decimal
JUL, AUG, SEP, OCT = (dt.date(2026, m, 1) for m in (7, 8, 9, 10))


def _get(partner, month):
    return PartnerSettlement.objects.get(partner=partner, month=month)


def _lines(settlement):
    return [
        (line.kind, line.base, line.rate, line.amount)
        for line in settlement.lines.order_by("occurred_on", "id")
    ]


@pytest.fixture
def agent(rep, manager):
    partner = make_partner(manager, plan=make_plan())
    contract = credited_contract(partner, rep, amount="300000.00", signed_on=dt.date(2026, 7, 1))
    return partner, contract


def _close(partner, month, finance):
    settlement_close(actor=finance, settlement=_get(partner, month))


def test_a_late_payment_after_close_lands_once_on_the_next_open_settlement(agent, finance, clock):
    partner, contract = agent
    pay(contract, "40000.00", dt.date(2026, 7, 10))
    settlements_compute(month=JUL)
    assert _get(partner, JUL).total == D("2000.00")  # 40,000 × 5 %
    _close(partner, JUL, finance)
    july_before = (_lines(_get(partner, JUL)), _get(partner, JUL).computed_at)

    late = pay(contract, "20000.00", dt.date(2026, 7, 25))  # recorded after July was paid
    pay(contract, "10000.00", dt.date(2026, 8, 5))
    for day in (dt.date(2026, 8, 20), dt.date(2026, 8, 20), dt.date(2026, 9, 2)):
        clock.set(day)
        partner_settlements(day)

    august = _get(partner, AUG)
    # the quarter stood at July's 40,000: the late 20,000 fills 5 % to 50,000, then 8 %
    assert _lines(august) == [
        ("payment", D("10000.00"), D("0.050000"), D("500.00")),
        ("payment", D("10000.00"), D("0.080000"), D("800.00")),
        ("payment", D("10000.00"), D("0.080000"), D("800.00")),
    ]
    # C(70,000) − C(40,000) = 4,100 − 2,000
    assert (august.base_amount, august.quarter_base, august.total) == (
        D("30000.00"),
        D("70000.00"),
        D("2100.00"),
    )
    late_lines = PartnerSettlementLine.objects.filter(payment=late)
    assert set(late_lines.values_list("settlement__month", flat=True)) == {AUG}
    assert all(line.is_late for line in late_lines)
    assert sum(late_lines.values_list("base", flat=True)) == D("20000.00")
    # July never changed, and September has nothing to pay
    assert (_lines(_get(partner, JUL)), _get(partner, JUL).computed_at) == july_before
    assert not PartnerSettlement.objects.filter(partner=partner, month=SEP).exists()


def test_a_late_refund_after_close_claws_back_from_the_top_band(agent, finance):
    partner, contract = agent
    pay(contract, "120000.00", dt.date(2026, 7, 10))
    settlements_compute(month=JUL)
    # 50,000 × 5 % + 50,000 × 8 % + 20,000 × 10 %
    assert _get(partner, JUL).total == D("8500.00")
    _close(partner, JUL, finance)

    late = refund(contract, "30000.00", dt.date(2026, 7, 28), contract.owner)
    settlements_compute(month=AUG)
    august = _get(partner, AUG)
    # C(90,000) − C(120,000) = 5,700 − 8,500: the 10 % band goes first
    assert _lines(august) == [
        ("refund", D("-20000.00"), D("0.100000"), D("-2000.00")),
        ("refund", D("-10000.00"), D("0.080000"), D("-800.00")),
    ]
    assert august.total == D("-2800.00")
    assert august.quarter_base == D("90000.00")
    assert set(august.lines.values_list("refund", flat=True)) == {late.pk}
    assert _get(partner, JUL).total == D("8500.00")


def test_an_edited_payment_of_a_paid_month_is_corrected_once(agent, finance):
    partner, contract = agent
    edited = pay(contract, "60000.00", dt.date(2026, 7, 10))
    settlements_compute(month=JUL)
    assert _get(partner, JUL).total == D("3300.00")  # 50,000 × 5 % + 10,000 × 8 %
    _close(partner, JUL, finance)

    edited.amount = D("45000.00")  # finance corrects a mistyped receipt after paying July
    edited.save()
    settlements_compute(month=AUG)
    settlements_compute(month=AUG)
    august = _get(partner, AUG)
    # −15,000 from the top: 10,000 × 8 % and 5,000 × 5 %; C(45,000) − C(60,000)
    assert _lines(august) == [
        ("correction", D("-10000.00"), D("0.080000"), D("-800.00")),
        ("correction", D("-5000.00"), D("0.050000"), D("-250.00")),
    ]
    assert august.total == D("-1050.00")
    assert set(august.lines.values_list("payment", flat=True)) == {edited.pk}
    assert _get(partner, JUL).total == D("3300.00")

    _close(partner, AUG, finance)  # the correction is paid: nothing more to carry
    settlements_compute(month=SEP)
    assert not PartnerSettlement.objects.filter(partner=partner, month=SEP).exists()


def test_a_refund_of_a_paid_month_withdrawn_later_is_given_back(agent, finance):
    partner, contract = agent
    pay(contract, "60000.00", dt.date(2026, 7, 10))
    withdrawn = refund(contract, "10000.00", dt.date(2026, 7, 20), contract.owner)
    settlements_compute(month=JUL)
    # 60,000 earns 3,300; the refund takes back −10,000 × 8 % = −800
    assert _get(partner, JUL).total == D("2500.00")
    _close(partner, JUL, finance)

    withdrawn.status = "rejected"
    withdrawn.save()
    settlements_compute(month=AUG)
    august = _get(partner, AUG)
    # +10,000 on top of July's 50,000: 8 %
    assert _lines(august) == [("correction", D("10000.00"), D("0.080000"), D("800.00"))]
    assert august.total == D("800.00")


def test_a_payment_of_a_paid_month_moved_to_the_next_is_not_paid_twice(agent, finance):
    partner, contract = agent
    moved = pay(contract, "40000.00", dt.date(2026, 7, 10))
    settlements_compute(month=JUL)
    _close(partner, JUL, finance)
    moved.received_on = dt.date(2026, 8, 3)
    moved.save()
    settlements_compute(month=AUG)
    assert not PartnerSettlement.objects.filter(partner=partner, month=AUG).exists()
    assert list(
        PartnerSettlementLine.objects.filter(payment=moved).values_list(
            "settlement__month", flat=True
        )
    ) == [JUL]


def test_a_row_on_a_paid_settlement_cannot_be_deleted(agent, finance):
    partner, contract = agent
    stated = pay(contract, "40000.00", dt.date(2026, 7, 10))
    settlements_compute(month=JUL)
    _close(partner, JUL, finance)
    with pytest.raises(ProtectedError):
        stated.delete()
    assert _get(partner, JUL).total == D("2000.00")


def test_a_row_recorded_or_deleted_in_an_older_open_month_restates_it(agent, clock):
    """July is two months back and unpaid: only the history query brings it back."""
    partner, contract = agent
    pay(contract, "40000.00", dt.date(2026, 7, 10))
    clock.set(dt.date(2026, 7, 31))
    partner_settlements(dt.date(2026, 7, 31))
    late = pay(contract, "20000.00", dt.date(2026, 7, 30))
    gone = pay(contract, "5000.00", dt.date(2026, 7, 31))
    gone.delete()  # typed in and deleted before any statement named it
    assert settlement_months_due(day=dt.date(2026, 9, 15), catch_up_months=12) == [JUL, AUG, SEP]
    clock.set(dt.date(2026, 9, 15))
    partner_settlements(dt.date(2026, 9, 15))
    july = _get(partner, JUL)
    # 50,000 × 5 % + 10,000 × 8 %
    assert (july.base_amount, july.total) == (D("60000.00"), D("3300.00"))
    assert july.lines.filter(payment=late).exists()
    # recomputed since: no longer stale
    assert settlement_months_due(day=dt.date(2026, 9, 16), catch_up_months=12) == [AUG, SEP]


def test_a_late_row_of_a_finished_month_reaches_a_partner_without_a_settlement_there(
    agent, rep, manager, finance
):
    """Finance closed every July settlement; the second partner had none in July. Its late
    July payment goes to August, not to a July nobody will recompute."""
    partner, contract = agent
    pay(contract, "40000.00", dt.date(2026, 7, 10))
    settlements_compute(month=JUL)
    _close(partner, JUL, finance)
    other = make_partner(manager, name="晚到代理", plan=partner.plan)
    deal = credited_contract(other, rep, amount="50000.00", signed_on=dt.date(2026, 7, 2))
    pay(deal, "20000.00", dt.date(2026, 7, 29))
    settlements_compute(month=JUL)
    settlements_compute(month=AUG)
    assert not PartnerSettlement.objects.filter(partner=other, month=JUL).exists()
    assert _get(other, AUG).total == D("1000.00")  # 20,000 × 5 %


def test_a_late_row_across_a_quarter_counts_in_the_new_quarter(agent, finance):
    partner, contract = agent
    pay(contract, "120000.00", dt.date(2026, 9, 10))
    settlements_compute(month=SEP)
    _close(partner, SEP, finance)
    pay(contract, "10000.00", dt.date(2026, 9, 29))
    settlements_compute(month=OCT)
    october = _get(partner, OCT)
    # Q4 starts from zero: 10,000 × 5 %, not Q3's 10 %
    assert (october.quarter_base, october.total) == (D("10000.00"), D("500.00"))


def _queries(func):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured.captured_queries)


def test_the_catch_up_searches_only_the_months_without_a_settlement(agent, clock):
    """The first night settles every month with a credited row; a row dated later in a month
    nobody has a settlement for is found by the catch-up search, which reads only such months
    and no row at all when every month of its window has a settlement."""
    partner, contract = agent
    may, jun = dt.date(2026, 5, 1), dt.date(2026, 6, 1)
    for day in (dt.date(2026, 5, 10), dt.date(2026, 7, 10), dt.date(2026, 8, 10)):
        pay(contract, "10000.00", day)
    assert settlement_months_due(day=dt.date(2026, 9, 15), catch_up_months=12) == [
        may,
        JUL,
        AUG,
        SEP,
    ]
    clock.set(dt.date(2026, 9, 15))
    partner_settlements(dt.date(2026, 9, 15))
    assert settlement_months_due(day=dt.date(2026, 9, 16), catch_up_months=12) == [AUG, SEP]
    pay(contract, "20000.00", dt.date(2026, 6, 12))  # June: no settlement anywhere
    # June by the catch-up search; July because a row dated before its open settlement
    # changed (it might be a late row of July's: performance.restatement.stale_months)
    assert settlement_months_due(day=dt.date(2026, 9, 16), catch_up_months=12) == [
        jun,
        JUL,
        AUG,
        SEP,
    ]
    # July and August are settled: a window of those two months reads no source row; one
    # that reaches back to June searches the three sources
    settled_window = _queries(
        lambda: settlement_months_due(day=dt.date(2026, 9, 16), catch_up_months=2)
    )
    with_june = _queries(lambda: settlement_months_due(day=dt.date(2026, 9, 16), catch_up_months=3))
    assert with_june - settled_window == 3


def test_the_nightly_job_with_late_rows_is_idempotent_and_set_based(rep, manager, finance, clock):
    plan = make_plan()
    clock.set(dt.date(2026, 8, 20))

    def world(count):
        contracts = []
        for n in range(count):
            partner = make_partner(manager, name=f"迟到代理{n}", plan=plan)
            contract = credited_contract(
                partner, rep, amount="90000.00", signed_on=dt.date(2026, 7, 1)
            )
            contracts.append((contract, pay(contract, "40000.00", dt.date(2026, 7, 10))))
        settlements_compute(month=JUL)
        for settlement in PartnerSettlement.objects.filter(month=JUL):
            settlement_close(actor=finance, settlement=settlement)
        for contract, edited in contracts:
            pay(contract, "20000.00", dt.date(2026, 7, 25))
            refund(contract, "1000.00", dt.date(2026, 7, 26), rep)
            edited.amount = D("41000.00")
            edited.save()

    def snapshot():
        return sorted(
            PartnerSettlementLine.objects.values_list(
                "settlement__partner__name",
                "settlement__month",
                "kind",
                "payment",
                "refund",
                "base",
                "rate",
                "amount",
            )
        )

    def night():
        return partner_settlements(dt.date(2026, 8, 20))

    with transaction.atomic():
        world(1)
        night()
        one = _queries(night)
        transaction.set_rollback(True)
    world(5)
    night()
    rows = snapshot()
    assert _queries(night) == one
    assert snapshot() == rows
    august = PartnerSettlement.objects.get(partner__name="迟到代理0", month=AUG)
    # from July's 40,000: +1,000 correction at 5 %, +20,000 late (9,000 × 5 % + 11,000 × 8 %),
    # −1,000 refund from the top at 8 %: C(60,000) − C(40,000) = 3,300 − 2,000
    assert august.total == D("1300.00")
    assert PartnerSettlement.objects.filter(month=AUG).count() == 5
    assert PartnerSettlement.objects.filter(month=JUL, status="closed").count() == 5


def test_an_edited_contract_of_a_signed_plan_is_stated_by_its_own_line_only(rep, manager, finance):
    """A refund's line names its contract too: what a closed settlement stated of a contract
    is its own line, not its refunds' (else saving the contract after the close would carry
    the refund back as a correction)."""
    partner = make_partner(manager, plan=make_plan(base="signed"))
    contract = credited_contract(partner, rep, amount="90000.00", signed_on=dt.date(2026, 7, 1))
    refund(contract, "10000.00", dt.date(2026, 7, 20), rep)
    settlements_compute(month=JUL)
    # signed 90,000 − refunded 10,000 = 80,000: 50,000 × 5 % + 30,000 × 8 % = 2,500 + 2,400
    assert _get(partner, JUL).total == D("4900.00")
    _close(partner, JUL, finance)

    contract.save()  # edited after the close, its amount unchanged
    settlements_compute(month=AUG)
    assert not PartnerSettlementLine.objects.filter(kind="correction").exists()
    assert not PartnerSettlement.objects.filter(month=AUG).exists()


def test_a_contract_of_a_signed_plan_entered_or_signed_after_close_lands_on_the_next_settlement(
    rep, manager, finance
):
    """The rep statements' late contracts share this code (performance.restatement.homed_rows)."""
    partner = make_partner(manager, plan=make_plan(base="signed"))
    credited_contract(partner, rep, amount="40000.00", signed_on=dt.date(2026, 7, 1))
    unsigned = credited_contract(partner, rep, amount="10000.00")
    settlements_compute(month=JUL)
    assert _get(partner, JUL).total == D("2000.00")  # C(40,000)
    _close(partner, JUL, finance)
    july = _lines(_get(partner, JUL))

    late = credited_contract(partner, rep, amount="20000.00", signed_on=dt.date(2026, 7, 20))
    unsigned.status, unsigned.signed_on = "signed", dt.date(2026, 7, 25)  # marked signed late
    unsigned.save()
    settlements_compute(month=AUG)
    settlements_compute(month=AUG)
    august = _get(partner, AUG)
    # the quarter stood at 40,000: 20,000 (20 July) fills 40,000-60,000, 10,000 × 5 % +
    # 10,000 × 8 %; 10,000 (25 July) 60,000-70,000 × 8 %: C(70,000) − C(40,000) = 2,100
    assert _lines(august) == [
        ("signed", D("10000.00"), D("0.050000"), D("500.00")),
        ("signed", D("10000.00"), D("0.080000"), D("800.00")),
        ("signed", D("10000.00"), D("0.080000"), D("800.00")),
    ]
    assert [line.contract_id for line in august.lines.order_by("occurred_on", "id")] == [
        late.pk,
        late.pk,
        unsigned.pk,
    ]
    assert (august.base_amount, august.quarter_base, august.total) == (
        D("30000.00"),
        D("70000.00"),
        D("2100.00"),
    )
    assert _lines(_get(partner, JUL)) == july
