"""Payments: partial, exact, overpayment refused; refunds capped at collected; ageing buckets
on fixed dates; lessons delivered."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers import services
from customers.models import Instalment, Refund

pytestmark = pytest.mark.django_db
D = Decimal


def pay(contract, actor, seq, amount, on=dt.date(2026, 1, 10)):
    instalment = contract.instalments.get(sequence=seq)
    return services.payment_record(
        instalment=instalment, actor=actor, amount=D(amount), received_on=on, method="alipay"
    )


def test_partial_then_exact_payment_settles_the_instalment(signed_contract, rep):
    pay(signed_contract, rep, 1, "400.00")
    instalment = signed_contract.instalments.get(sequence=1)
    assert (instalment.paid_amount, instalment.outstanding_amount) == (D("400.00"), D("600.00"))
    pay(signed_contract, rep, 1, "600.00")
    instalment.refresh_from_db()
    assert (instalment.paid_amount, instalment.outstanding_amount) == (D("1000.00"), D("0.00"))


def test_overpayment_is_refused_and_nothing_changes(signed_contract, rep):
    pay(signed_contract, rep, 1, "999.99")
    with pytest.raises(
        ValidationError, match="Overpayment refused: instalment 1 has only 0.01 outstanding"
    ):
        pay(signed_contract, rep, 1, "0.02")
    assert signed_contract.payments.count() == 1
    assert signed_contract.instalments.get(sequence=1).paid_amount == D("999.99")


def test_zero_negative_and_fraction_of_a_cent_are_refused(signed_contract, rep):
    for amount, message in (
        ("0", "more than zero"),
        ("-5.00", "more than zero"),
        ("1.005", "whole cents"),
    ):
        with pytest.raises(ValidationError, match=message):
            pay(signed_contract, rep, 1, amount)
    assert signed_contract.payments.count() == 0


def test_payment_on_an_unsigned_contract_is_refused(draft, rep):
    with pytest.raises(ValidationError, match="signed contracts only"):
        pay(draft, rep, 1, "10.00")


def test_outsider_cannot_record_a_payment(signed_contract, outsider):
    with pytest.raises(ValidationError, match="Only the owner, their manager or finance"):
        pay(signed_contract, outsider, 1, "10.00")


def test_finance_can_record_a_payment(signed_contract, finance):
    assert pay(signed_contract, finance, 2, "10.00").recorded_by == finance


def test_refund_is_capped_at_collected(signed_contract, rep, finance):
    pay(signed_contract, rep, 1, "1000.00")
    with pytest.raises(
        ValidationError, match=r"cannot exceed what was collected and not yet refunded \(1000.00\)"
    ):
        services.refund_request(
            contract=signed_contract, actor=rep, amount=D("1000.01"), reason="退课"
        )
    refund = services.refund_request(
        contract=signed_contract, actor=rep, amount=D("700.00"), reason="退课"
    )
    with pytest.raises(ValidationError, match=r"\(300.00\)"):
        services.refund_request(
            contract=signed_contract, actor=rep, amount=D("300.01"), reason="再退"
        )
    with pytest.raises(ValidationError, match="Only finance"):
        services.refund_decide(refund=refund, actor=rep, confirm=True)
    services.refund_decide(refund=refund, actor=finance, confirm=True)
    refund.refresh_from_db()
    assert refund.status == Refund.Status.CONFIRMED and refund.confirmed_on is not None
    with pytest.raises(ValidationError, match="already been decided"):
        services.refund_decide(refund=refund, actor=finance, confirm=False)


def test_refund_proposal_is_unused_lessons_times_discounted_unit_price(
    signed_contract, rep, service_user
):
    # 30 lessons for 3,000.00; 12 delivered → 18 × 100.00 = 1,800.00, capped at 2,000.00 collected
    pay(signed_contract, rep, 1, "1000.00")
    pay(signed_contract, rep, 2, "1000.00")
    line = signed_contract.lines.get()
    services.lessons_record(
        line=line, actor=service_user, lessons=12, delivered_on=dt.date(2026, 2, 1)
    )
    assert services.refund_proposal(signed_contract) == D("1800.00")
    refund = services.refund_request(
        contract=signed_contract, actor=rep, amount=D("1800.00"), reason="搬家"
    )
    assert refund.proposed_amount == D("1800.00")


def test_lessons_cannot_exceed_the_line(signed_contract, service_user, rep):
    line = signed_contract.lines.get()
    services.lessons_record(
        line=line, actor=service_user, lessons=25, delivered_on=dt.date(2026, 2, 1)
    )
    with pytest.raises(ValidationError, match="Only 5 lessons are left"):
        services.lessons_record(
            line=line, actor=service_user, lessons=6, delivered_on=dt.date(2026, 2, 2)
        )
    with pytest.raises(ValidationError, match="after-sales service"):
        services.lessons_record(line=line, actor=rep, lessons=1, delivered_on=dt.date(2026, 2, 2))
    line.refresh_from_db()
    assert (line.lessons_delivered, line.lessons_unused) == (25, 5)


def test_ageing_buckets_on_fixed_dates(signed_contract, rep):
    # instalments due 01-10, 02-10, 03-10 (1,000.00 each); 400.00 paid on the first
    pay(signed_contract, rep, 1, "400.00")
    rows = {
        i.sequence: (i.bucket, i.outstanding)
        for i in Instalment.objects.receivable().with_ageing(dt.date(2026, 4, 15))
    }
    # 04-15 minus 01-10 = 95 days; minus 02-10 = 64; minus 03-10 = 36
    assert rows == {1: ("90+", D("600.00")), 2: ("61-90", D("1000.00")), 3: ("31-60", D("1000.00"))}
    rows = {
        i.sequence: i.bucket
        for i in Instalment.objects.receivable().with_ageing(dt.date(2026, 2, 9))
    }
    assert rows == {1: "1-30", 2: "current", 3: "current"}
    # boundaries: 30 days late is 1-30, 31 days is 31-60
    assert (
        Instalment.objects.with_ageing(dt.date(2026, 2, 9))
        .get(sequence=1, contract=signed_contract)
        .bucket
        == "1-30"
    )
    assert (
        Instalment.objects.with_ageing(dt.date(2026, 2, 10))
        .get(sequence=1, contract=signed_contract)
        .bucket
        == "31-60"
    )
    totals = list(Instalment.objects.ageing_totals(dt.date(2026, 4, 15)))
    assert totals == [
        {
            "contract__owner": rep.pk,
            "total": D("2600.00"),
            "current": D("0.00"),
            "d1_30": D("0.00"),
            "d31_60": D("1000.00"),
            "d61_90": D("1000.00"),
            "d90_plus": D("600.00"),
        }
    ]
