"""Every allowed transition of the approval chain and every forbidden one; each refusal
answers a clear error and changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers import services
from customers.models import ApprovalDeputy, ApprovalPolicy, ApprovalStep, Contract
from salescrm.models import Notification
from salescrm.roles import Role
from tests.factories import UserFactory

from .conftest import run_chain
from .factories import ProductFactory, make_contract

pytestmark = pytest.mark.django_db
S = Contract.Status


def steps_of(contract):
    return list(
        contract.steps.order_by("round", "position").values_list("round", "kind", "decision")
    )


def current(contract):
    return ApprovalStep.objects.current().get(contract=contract)


def assert_refused(call, message, contract):
    before = (Contract.objects.get(pk=contract.pk).status, steps_of(contract))
    with pytest.raises(ValidationError, match=message):
        call()
    assert (Contract.objects.get(pk=contract.pk).status, steps_of(contract)) == before


def test_small_standard_contract_goes_manager_then_finance(draft, rep, manager, finance):
    services.contract_submit(contract=draft, actor=rep)
    assert steps_of(draft) == [(1, "manager", "pending"), (1, "finance", "pending")]
    assert (
        Notification.objects.filter(recipient=manager, key__startswith="approval-step-").count()
        == 1
    )
    run_chain(draft, manager)
    assert Contract.objects.get(pk=draft.pk).status == S.PENDING
    run_chain(draft, finance)
    draft.refresh_from_db()
    assert draft.status == S.APPROVED
    assert steps_of(draft) == [(1, "manager", "approved"), (1, "finance", "approved")]


def test_large_amount_and_high_discount_add_legal_and_director(
    rep, manager, director, legal, finance
):
    ApprovalPolicy.objects.create(
        legal_above_amount=Decimal("50000.00"), max_discount_junior=Decimal("0.05")
    )
    product = ProductFactory(list_price="60000.00")
    contract = make_contract(rep, lines=[(product, 1, "0.10")])  # 54,000.00 at 10 % off, junior rep
    services.contract_submit(contract=contract, actor=rep)
    assert [k for _r, k, _d in steps_of(contract)] == ["manager", "director", "legal", "finance"]
    run_chain(contract, manager, director, legal, finance)
    assert contract.status == S.APPROVED
    step = contract.steps.get(kind="legal")
    assert (step.decided_by, step.decision) == (legal, "approved")


def test_non_standard_terms_go_to_legal_even_when_small(rep, manager):
    contract = make_contract(rep, non_standard_terms=True, special_terms="分期延后 60 天")
    services.contract_submit(contract=contract, actor=rep)
    assert [k for _r, k, _d in steps_of(contract)] == ["manager", "legal", "finance"]


def test_rejection_returns_to_draft_with_the_comment(draft, rep, manager):
    services.contract_submit(contract=draft, actor=rep)
    services.approval_decide(
        step=current(draft), actor=manager, approve=False, comment="折扣理由不足"
    )
    draft.refresh_from_db()
    assert (draft.status, draft.last_rejection) == (S.DRAFT, "折扣理由不足")
    assert steps_of(draft) == [(1, "manager", "rejected"), (1, "finance", "cancelled")]
    # resubmitting starts round 2 and keeps round 1 in the log
    services.contract_submit(contract=draft, actor=rep)
    assert steps_of(draft)[2:] == [(2, "manager", "pending"), (2, "finance", "pending")]


def test_rejection_needs_a_comment(draft, rep, manager):
    services.contract_submit(contract=draft, actor=rep)
    assert_refused(
        lambda: services.approval_decide(step=current(draft), actor=manager, approve=False),
        "needs a comment",
        draft,
    )


def test_recall_while_pending_returns_to_draft(draft, rep):
    services.contract_submit(contract=draft, actor=rep)
    services.contract_recall(contract=draft, actor=rep)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert steps_of(draft) == [(1, "manager", "cancelled"), (1, "finance", "cancelled")]


def test_approving_a_recalled_contract_is_refused(draft, rep, manager):
    services.contract_submit(contract=draft, actor=rep)
    step = current(draft)
    services.contract_recall(contract=draft, actor=rep)
    assert_refused(
        lambda: services.approval_decide(step=step, actor=manager, approve=True),
        "not under review",
        draft,
    )


def test_rep_cannot_approve_own_contract(rep, manager):
    # the manager owns a customer and drafts a contract: no one approves their own contract
    contract = make_contract(manager)
    services.contract_submit(contract=contract, actor=manager)
    assert_refused(
        lambda: services.approval_decide(step=current(contract), actor=manager, approve=True),
        "their own contract",
        contract,
    )


def test_wrong_role_cannot_decide_the_manager_step(draft, rep, teammate, legal, finance, director):
    services.contract_submit(contract=draft, actor=rep)
    for someone in (teammate, legal, finance, director):
        assert_refused(
            lambda s=someone: services.approval_decide(step=current(draft), actor=s, approve=True),
            "Only the Sales manager review reviewer",
            draft,
        )


def test_manager_of_another_team_cannot_decide(draft, rep, other_manager):
    services.contract_submit(contract=draft, actor=rep)
    assert_refused(
        lambda: services.approval_decide(step=current(draft), actor=other_manager, approve=True),
        "Only the Sales manager review reviewer",
        draft,
    )


def test_skipping_a_step_is_refused(draft, rep, finance):
    services.contract_submit(contract=draft, actor=rep)
    finance_step = draft.steps.get(kind="finance")
    assert_refused(
        lambda: services.approval_decide(step=finance_step, actor=finance, approve=True),
        "earlier step must be decided first",
        draft,
    )


def test_deciding_a_step_twice_is_refused(draft, rep, manager):
    services.contract_submit(contract=draft, actor=rep)
    step = current(draft)
    services.approval_decide(step=step, actor=manager, approve=True)
    assert_refused(
        lambda: services.approval_decide(step=step, actor=manager, approve=False, comment="改主意"),
        "already been decided",
        draft,
    )


def test_editing_a_pending_contract_is_refused(draft, rep):
    services.contract_submit(contract=draft, actor=rep)
    product = ProductFactory(list_price="1.00")
    assert_refused(
        lambda: services.contract_update(
            contract=draft,
            actor=rep,
            lines=[{"product": product, "quantity": 1, "discount_rate": Decimal("0")}],
            instalments=[{"due_on": dt.date(2026, 9, 1), "amount": None}],
        ),
        "locked while the contract is under review",
        draft,
    )
    assert Contract.objects.get(pk=draft.pk).total_amount == Decimal("1000.00")


def test_change_after_approval_restarts_the_chain(draft, rep, manager, finance):
    services.contract_submit(contract=draft, actor=rep)
    run_chain(draft, manager, finance)
    services.contract_update(
        contract=draft,
        actor=rep,
        lines=[
            {"product": draft.lines.get().product, "quantity": 2, "discount_rate": Decimal("0")}
        ],
        instalments=[{"due_on": dt.date(2026, 9, 1), "amount": None}],
    )
    draft.refresh_from_db()
    # SPEC §3: the change never stands unapproved; a fresh chain starts at once
    assert (draft.status, draft.total_amount) == (S.PENDING, Decimal("2000.00"))
    assert steps_of(draft)[2:] == [(2, "manager", "pending"), (2, "finance", "pending")]


def test_signing_and_archiving_follow_approval(draft, rep, manager, finance, director):
    with pytest.raises(ValidationError, match="Only an approved contract can be signed"):
        services.contract_mark_signed(contract=draft, actor=rep, signed_on=dt.date(2026, 1, 5))
    services.contract_submit(contract=draft, actor=rep)
    run_chain(draft, manager, finance)
    services.contract_mark_signed(contract=draft, actor=rep, signed_on=dt.date(2026, 1, 5))
    with pytest.raises(ValidationError, match="sales management department"):
        services.contract_archive(contract=draft, actor=rep)
    services.contract_archive(contract=draft, actor=director)
    draft.refresh_from_db()
    assert (draft.status, draft.signed_on) == (S.ARCHIVED, dt.date(2026, 1, 5))
    with pytest.raises(ValidationError, match="signed contract cannot be changed"):
        services.contract_update(contract=draft, actor=rep, lines=[], instalments=[])


def test_only_the_owner_submits_and_recalls(draft, rep, teammate):
    assert_refused(
        lambda: services.contract_submit(contract=draft, actor=teammate), "owner can submit", draft
    )
    services.contract_submit(contract=draft, actor=rep)
    assert_refused(
        lambda: services.contract_recall(contract=draft, actor=teammate), "owner can recall", draft
    )
    assert_refused(
        lambda: services.contract_submit(contract=draft, actor=rep),
        "Only a draft can be submitted",
        draft,
    )


def test_deputy_decision_records_both_names(draft, rep, manager, finance):
    deputy = UserFactory(username="finance_deputy", role=Role.FINANCE)
    services.contract_submit(contract=draft, actor=rep)
    run_chain(draft, manager)
    ApprovalDeputy.objects.create(
        reviewer=finance, deputy=deputy, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2099, 1, 1)
    )
    step = services.approval_decide(
        step=current(draft), actor=deputy, approve=True, on_behalf_of=finance
    )
    assert (step.decided_by, step.on_behalf_of) == (deputy, finance)


def test_expired_deputy_is_refused(draft, rep, manager, team):
    deputy = UserFactory(username="manager_deputy", role=Role.MANAGER, team=team)
    ApprovalDeputy.objects.create(
        reviewer=manager, deputy=deputy, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2020, 1, 31)
    )
    services.contract_submit(contract=draft, actor=rep)
    assert_refused(
        lambda: services.approval_decide(
            step=current(draft), actor=deputy, approve=True, on_behalf_of=manager
        ),
        "not the deputy",
        draft,
    )


def test_renewal_is_flagged_when_an_earlier_contract_ended(signed_contract, rep):
    # the signed contract's course ends 2026-06-30; the window is 30 days
    renewal = make_contract(
        rep,
        customer=signed_contract.customer,
        starts_on=dt.date(2026, 7, 15),
        ends_on=dt.date(2026, 12, 31),
    )
    later = make_contract(
        rep,
        customer=signed_contract.customer,
        starts_on=dt.date(2026, 3, 1),
        ends_on=dt.date(2026, 5, 31),
    )
    assert (renewal.is_renewal, later.is_renewal) == (True, False)


def test_any_holder_of_the_finance_role_can_decide_the_finance_step(draft, rep, manager, finance):
    other = UserFactory(username="finance_other", role=Role.FINANCE)
    services.contract_submit(contract=draft, actor=rep)
    run_chain(draft, manager)
    # a finance user is a reviewer in their own right: no deputy needed
    step = services.approval_decide(step=current(draft), actor=other, approve=True)
    assert (step.decided_by, step.on_behalf_of) == (other, None)


def test_manager_deputy_decides_on_behalf_of_the_team_manager(draft, rep, manager, team, login):
    deputy = UserFactory(username="manager_deputy2", role=Role.MANAGER)
    ApprovalDeputy.objects.create(
        reviewer=manager, deputy=deputy, starts_on=dt.date(2020, 1, 1), ends_on=dt.date(2099, 1, 1)
    )
    services.contract_submit(contract=draft, actor=rep)
    inbox = login(deputy).get("/customers/approvals/").context["page"].object_list
    assert [s.contract_id for s in inbox] == [draft.pk]
    step = services.approval_decide(step=current(draft), actor=deputy, approve=True)
    assert (step.decided_by, step.on_behalf_of) == (deputy, manager)


def test_changes_to_the_contract_and_its_approvals_leave_an_audit_trail(
    draft, rep, manager, finance
):
    from customers.models import ContractLine, Instalment

    services.contract_submit(contract=draft, actor=rep)
    run_chain(draft, manager)
    services.contract_recall(contract=draft, actor=rep)
    services.contract_update(
        contract=draft,
        actor=rep,
        lines=[
            {
                "product": ProductFactory(list_price="2.50"),
                "quantity": 2,
                "discount_rate": Decimal("0"),
            }
        ],
        instalments=[{"due_on": dt.date(2026, 9, 1), "amount": None}],
    )
    statuses = list(
        Contract.history.filter(id=draft.pk)
        .order_by("history_date", "history_id")
        .values_list("status", flat=True)
    )
    assert statuses[0] == "draft" and "pending" in statuses and statuses[-1] == "draft"
    step_history = list(
        ApprovalStep.history.filter(contract_id=draft.pk, kind="manager")
        .order_by("history_id")
        .values_list("decision", "history_type")
    )
    assert step_history == [("pending", "+"), ("approved", "~")]
    # the old line was deleted and the new one created, both recorded
    assert sorted(
        ContractLine.history.filter(contract_id=draft.pk).values_list("history_type", "amount")
    ) == [
        ("+", Decimal("5.00")),
        ("+", Decimal("1000.00")),
        ("-", Decimal("1000.00")),
    ]
    assert Instalment.history.filter(contract_id=draft.pk, history_type="+").count() == 2
