"""The database itself refuses a negative amount and a second decision on one step, even
through queryset.update()."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from customers import services
from customers.models import ApprovalStep, ContractLine, Instalment, Payment, Refund

pytestmark = pytest.mark.django_db


def test_second_decision_on_a_step_is_refused_by_the_database_through_update(draft, rep, manager):
    services.contract_submit(contract=draft, actor=rep)
    step = ApprovalStep.objects.current().get(contract=draft)
    services.approval_decide(step=step, actor=manager, approve=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalStep.objects.filter(pk=step.pk).update(decision="rejected", comment="后改")
    step.refresh_from_db()
    assert (step.decision, step.comment) == ("approved", "")


def test_decided_step_cannot_be_deleted(draft, rep, manager):
    services.contract_submit(contract=draft, actor=rep)
    step = ApprovalStep.objects.current().get(contract=draft)
    services.approval_decide(step=step, actor=manager, approve=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalStep.objects.filter(pk=step.pk).delete()
    assert ApprovalStep.objects.filter(pk=step.pk).exists()


def test_decision_without_a_time_is_refused(draft, rep, manager):
    services.contract_submit(contract=draft, actor=rep)
    step = ApprovalStep.objects.current().get(contract=draft)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApprovalStep.objects.filter(pk=step.pk).update(decision="approved", decided_by=manager)
    with transaction.atomic():
        ApprovalStep.objects.filter(pk=step.pk).update(
            decision="approved", decided_by=manager, decided_at=timezone.now()
        )


@pytest.mark.parametrize(
    "model,field",
    [(Instalment, "amount"), (ContractLine, "amount"), (Payment, "amount"), (Refund, "amount")],
)
def test_negative_amounts_are_refused_by_the_database(signed_contract, rep, model, field):
    services.payment_record(
        instalment=signed_contract.instalments.first(),
        actor=rep,
        amount=Decimal("100.00"),
        received_on=dt.date(2026, 1, 10),
        method="alipay",
    )
    services.refund_request(
        contract=signed_contract, actor=rep, amount=Decimal("50.00"), reason="退课"
    )
    row = model.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: Decimal("-1.00")})


def test_overpaid_instalment_is_refused_by_the_database(signed_contract):
    instalment = signed_contract.instalments.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Instalment.objects.filter(pk=instalment.pk).update(paid_amount=Decimal("1000.01"))
