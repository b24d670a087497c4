"""Edges of the contract rules that a one-line change of the code would otherwise pass
unnoticed: a manager approving their own contract as someone's deputy, legal and finance
deciding each other's step, signing while under review, and a refund of exactly what was
collected."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import ValidationError

from customers import services
from customers.models import ApprovalDeputy, ApprovalStep, Contract, Refund
from salescrm.roles import Role
from tests.factories import TeamFactory, UserFactory

from .conftest import run_chain
from .factories import ProductFactory, make_contract

pytestmark = pytest.mark.django_db


def current(contract):
    return ApprovalStep.objects.current().get(contract=contract)


def decisions(contract):
    return list(contract.steps.order_by("position").values_list("kind", "decision"))


# --- a manager, deputy of another manager, and their own contract ---------------------------


@pytest.fixture
def head_and_lead(db):
    """Manager `lead_mgr` leads team "Sub"; its parent team "Head" is led by `head_mgr`, who
    so also reviews the manager step of Sub's contracts — including lead_mgr's own — and has
    named lead_mgr as deputy today."""
    head_mgr = UserFactory(username="head_mgr", role=Role.MANAGER)
    head = TeamFactory(name="Head", manager=head_mgr)
    lead_mgr = UserFactory(username="lead_mgr", role=Role.MANAGER)
    sub = TeamFactory(name="Sub", manager=lead_mgr, parent=head)
    lead_mgr.team = sub
    lead_mgr.save()
    head_mgr.team = head
    head_mgr.save()
    ApprovalDeputy.objects.create(
        reviewer=head_mgr,
        deputy=lead_mgr,
        starts_on=dt.date(2020, 1, 1),
        ends_on=dt.date(2099, 1, 1),
    )
    return head_mgr, lead_mgr


def test_a_manager_cannot_approve_their_own_contract_as_deputy_of_another(head_and_lead):
    head_mgr, lead_mgr = head_and_lead
    contract = make_contract(lead_mgr)
    services.contract_submit(contract=contract, actor=lead_mgr)
    for on_behalf_of in (head_mgr, None):
        with pytest.raises(ValidationError, match="Nobody may approve their own contract"):
            services.approval_decide(
                step=current(contract), actor=lead_mgr, approve=True, on_behalf_of=on_behalf_of
            )
    assert decisions(contract)[0] == ("manager", "pending")
    # nor does it wait in their inbox
    inbox = ApprovalStep.objects.actionable_by(lead_mgr, dt.date(2026, 6, 1))
    assert not inbox.filter(contract=contract).exists()


def test_the_same_deputy_approves_a_team_members_contract(head_and_lead):
    head_mgr, lead_mgr = head_and_lead
    member = UserFactory(username="sub_rep", role=Role.REP, team=lead_mgr.team)
    contract = make_contract(member)
    services.contract_submit(contract=contract, actor=member)
    services.approval_decide(
        step=current(contract), actor=lead_mgr, approve=True, on_behalf_of=head_mgr
    )
    step = contract.steps.get(kind="manager")
    assert (step.decision, step.decided_by, step.on_behalf_of) == ("approved", lead_mgr, head_mgr)


# --- legal and finance each decide their own step only --------------------------------------


@pytest.fixture
def at_legal_step(rep, manager):
    contract = make_contract(rep, non_standard_terms=True)
    services.contract_submit(contract=contract, actor=rep)
    run_chain(contract, manager)
    assert current(contract).kind == "legal"
    return contract


def test_finance_cannot_decide_the_legal_step(at_legal_step, finance, legal):
    for approve in (True, False):
        with pytest.raises(ValidationError, match="Only the Legal review reviewer"):
            services.approval_decide(
                step=current(at_legal_step), actor=finance, approve=approve, comment="不行"
            )
    assert decisions(at_legal_step) == [
        ("manager", "approved"),
        ("legal", "pending"),
        ("finance", "pending"),
    ]
    services.approval_decide(step=current(at_legal_step), actor=legal, approve=True)
    assert decisions(at_legal_step)[1] == ("legal", "approved")


def test_legal_cannot_decide_the_finance_step(at_legal_step, finance, legal):
    run_chain(at_legal_step, legal)
    for approve in (True, False):
        with pytest.raises(ValidationError, match="Only the Finance review reviewer"):
            services.approval_decide(
                step=current(at_legal_step), actor=legal, approve=approve, comment="不行"
            )
    assert decisions(at_legal_step)[2] == ("finance", "pending")
    services.approval_decide(step=current(at_legal_step), actor=finance, approve=True)
    assert Contract.objects.get(pk=at_legal_step.pk).status == Contract.Status.APPROVED


# --- signing ---------------------------------------------------------------------------------


def test_a_contract_under_review_cannot_be_marked_signed(rep, manager, finance):
    contract = make_contract(rep)
    services.contract_submit(contract=contract, actor=rep)
    for actor in (rep, manager):
        with pytest.raises(ValidationError, match="Only an approved contract can be signed"):
            services.contract_mark_signed(
                contract=contract, actor=actor, signed_on=dt.date(2026, 1, 5)
            )
    contract.refresh_from_db()
    assert (contract.status, contract.signed_on) == ("pending", None)
    run_chain(contract, manager)  # still pending: the finance step is open
    with pytest.raises(ValidationError, match="Only an approved contract can be signed"):
        services.contract_mark_signed(contract=contract, actor=rep, signed_on=dt.date(2026, 1, 5))
    run_chain(contract, finance)
    services.contract_mark_signed(contract=contract, actor=rep, signed_on=dt.date(2026, 1, 5))
    assert Contract.objects.get(pk=contract.pk).status == "signed"


# --- refunds up to exactly what was collected ------------------------------------------------


@pytest.fixture
def collected_1234_56(rep, manager, finance):
    """A signed 2,000.00 contract of which 1,234.56 has been collected."""
    contract = make_contract(
        rep,
        lines=[(ProductFactory(list_price="2000.00", lessons=20), 1, "0")],
        plan=[{"due_on": dt.date(2026, 1, 10), "amount": None}],
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 6, 30),
    )
    services.contract_submit(contract=contract, actor=rep)
    run_chain(contract, manager, finance)
    services.contract_mark_signed(contract=contract, actor=rep, signed_on=dt.date(2026, 1, 5))
    services.payment_record(
        instalment=contract.instalments.get(),
        actor=rep,
        amount=D("1234.56"),
        received_on=dt.date(2026, 1, 10),
        method="cash",
    )
    return contract


def test_a_refund_of_one_cent_more_than_collected_is_refused(collected_1234_56, rep):
    with pytest.raises(ValidationError, match=r"\(1234.56\)"):
        services.refund_request(
            contract=collected_1234_56, actor=rep, amount=D("1234.57"), reason="退课"
        )
    assert not Refund.objects.exists()


def test_a_refund_of_exactly_everything_collected_is_requested_and_confirmed(
    collected_1234_56, rep, finance
):
    refund = services.refund_request(
        contract=collected_1234_56, actor=rep, amount=D("1234.56"), reason="全额退课"
    )
    services.refund_decide(refund=refund, actor=finance, confirm=True)
    refund.refresh_from_db()
    assert (refund.status, refund.amount) == ("confirmed", D("1234.56"))
    # and nothing is left to refund
    with pytest.raises(ValidationError, match=r"\(0.00\)"):
        services.refund_request(
            contract=collected_1234_56, actor=rep, amount=D("0.01"), reason="再退"
        )
