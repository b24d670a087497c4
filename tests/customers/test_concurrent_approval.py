"""Two reviewers acting at once on one step produce exactly one decision (PostgreSQL, real
transactions, two threads)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import translation

from customers import services
from customers.models import ApprovalStep, Contract
from salescrm.roles import Role
from tests.factories import UserFactory

from .factories import make_contract


@pytest.mark.django_db(transaction=True)
def test_two_finance_reviewers_at_once_give_exactly_one_decision(rep, manager):
    assert connection.vendor == "postgresql"
    finance_a = UserFactory(username="finance_a", role=Role.FINANCE)
    finance_b = UserFactory(username="finance_b", role=Role.FINANCE)
    contract = make_contract(rep)
    services.contract_submit(contract=contract, actor=rep)
    services.approval_decide(
        step=ApprovalStep.objects.current().get(contract=contract), actor=manager, approve=True
    )
    step = ApprovalStep.objects.current().get(contract=contract)

    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(user, approve):
        try:
            barrier.wait(timeout=10)
            with translation.override("en"):
                services.approval_decide(
                    step=step, actor=user, approve=approve, comment="" if approve else "金额有误"
                )
            outcomes[user.username] = "decided"
        except ValidationError as exc:
            with translation.override("en"):
                outcomes[user.username] = str(exc.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(finance_a, True)),
        threading.Thread(target=decide, args=(finance_b, False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) in (
        ["This step has already been decided.", "decided"],
        [
            "This contract is not under review (it was recalled, rejected or already approved).",
            "decided",
        ],
    )
    step.refresh_from_db()
    contract.refresh_from_db()
    winner = step.decided_by.username
    assert outcomes[winner] == "decided"
    if winner == "finance_a":
        assert (step.decision, contract.status) == ("approved", Contract.Status.APPROVED)
    else:
        assert (step.decision, contract.status) == ("rejected", Contract.Status.DRAFT)
    assert (
        contract.steps.filter(decision__in=["approved", "rejected"]).count() == 2
    )  # manager + one finance


RECORDED = "审批意见已记录。"
REFUSED = "该合同不在审批中（已撤回、已驳回或已通过）。"


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_posting_at_once_get_one_decision_and_a_clear_message(rep, manager):
    from django.test import Client

    finance_a = UserFactory(username="finance_a", role=Role.FINANCE)
    finance_b = UserFactory(username="finance_b", role=Role.FINANCE)
    contract = make_contract(rep)
    services.contract_submit(contract=contract, actor=rep)
    services.approval_decide(
        step=ApprovalStep.objects.current().get(contract=contract), actor=manager, approve=True
    )
    step = ApprovalStep.objects.current().get(contract=contract)
    barrier = threading.Barrier(2)
    answers = {}

    def post(user):
        client = Client()
        client.force_login(user)
        try:
            barrier.wait(timeout=10)
            response = client.post(
                f"/customers/steps/{step.pk}/decide/", {"decision": "approve"}, follow=True
            )
            # read the page itself: the test client's captured context is shared between threads
            html = response.content.decode()
            shown = [text for text in (RECORDED, REFUSED) if text in html]
            answers[user.username] = (response.status_code, shown)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(user,)) for user in (finance_a, finance_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(answers.values()) == [(200, [RECORDED]), (200, [REFUSED])]
    assert ApprovalStep.objects.get(pk=step.pk).decision == "approved"
    assert Contract.objects.get(pk=contract.pk).status == Contract.Status.APPROVED
