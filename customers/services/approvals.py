"""The approval chain: which steps a contract needs, submitting, recalling, deciding a step
and deputies (SPEC §3).
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from customers import policy
from customers.models import (
    STEP_REVIEWERS,
    ZERO,
    ApprovalDeputy,
    ApprovalPolicy,
    ApprovalStep,
    Contract,
    money_sum,
)
from salescrm.errors import BusinessRuleError
from salescrm.models import User
from salescrm.permissions import Action, ensure_may
from salescrm.services import notify_many

from .common import Decision, Status

# --- the approval chain -------------------------------------------------------------------


def approval_steps_for(contract: Contract, policy: ApprovalPolicy | None = None) -> list[str]:
    """The steps the admin-set policy selects, in order: manager, director when a line's
    discount exceeds the rep's authority, legal above an amount or for non-standard terms,
    finance."""
    policy = policy or ApprovalPolicy.current()
    kinds = [ApprovalStep.Kind.MANAGER]
    max_discount = max((line.discount_rate for line in contract.lines.all()), default=ZERO)
    if max_discount > policy.discount_authority(contract.owner):
        kinds.append(ApprovalStep.Kind.DIRECTOR)
    if contract.non_standard_terms or contract.total_amount > policy.legal_above_amount:
        kinds.append(ApprovalStep.Kind.LEGAL)
    kinds.append(ApprovalStep.Kind.FINANCE)
    return kinds


def _reviewers_of(step: ApprovalStep) -> list[int]:
    rule = STEP_REVIEWERS[step.kind]
    if rule.owners_team_only:
        team = step.contract.owner.team
        return [team.manager_id] if team and team.manager_id else []
    return list(User.objects.filter(role=rule.role, is_active=True).values_list("pk", flat=True))


def _notify_step(step: ApprovalStep):
    contract = step.contract
    notify_many(
        [
            {
                "recipient_id": uid,
                "kind": "approval",
                "key": f"approval-step-{step.pk}",
                "params": {"event": "review", "number": contract.number},
                "url": contract.get_absolute_url(),
            }
            for uid in _reviewers_of(step)
            if uid != contract.owner_id
        ]
    )


def _notify_owner(contract: Contract, key: str, event: str, comment: str = ""):
    notify_many(
        [
            {
                "recipient_id": contract.owner_id,
                "kind": "approval",
                "key": key,
                "params": {"event": event, "number": contract.number, "comment": comment},
                "url": contract.get_absolute_url(),
            }
        ]
    )


@transaction.atomic
def contract_submit(*, contract: Contract, actor) -> Contract:
    ensure_may(actor, Action.CONTRACT_SUBMIT)
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("owner__team")
        .get(pk=contract.pk)
    )
    policy.check_submit(actor, contract)
    planned = contract.instalments.aggregate(s=money_sum("amount"))["s"]
    if not contract.lines.exists() or planned != contract.total_amount:
        raise BusinessRuleError(
            _("The payment plan must add up to the contract total before submitting.")
        )
    _start_round(contract)
    return contract


def _start_round(contract: Contract):
    """A fresh approval chain: the next round, its steps chosen by the current terms."""
    contract.approval_round += 1
    contract.status = Status.PENDING
    contract.last_rejection = ""
    contract.save(update_fields=["approval_round", "status", "last_rejection"])
    steps = [
        ApprovalStep(contract=contract, round=contract.approval_round, position=i, kind=kind)
        for i, kind in enumerate(approval_steps_for(contract), start=1)
    ]
    for step in steps:
        step.save()  # one by one, so the audit trail records each
    _notify_step(steps[0])


def _cancel_open_steps(contract: Contract, comment: str):
    now = timezone.now()
    for step in contract.steps.filter(round=contract.approval_round, decision=Decision.PENDING):
        step.decision, step.decided_at, step.comment = Decision.CANCELLED, now, comment
        step.save(update_fields=["decision", "decided_at", "comment"])


@transaction.atomic
def contract_recall(*, contract: Contract, actor) -> Contract:
    ensure_may(actor, Action.CONTRACT_RECALL)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    policy.check_recall(actor, contract)
    _cancel_open_steps(contract, _("Recalled by %(name)s") % {"name": actor})
    contract.status = Status.DRAFT
    contract.save(update_fields=["status"])
    return contract


@transaction.atomic
def approval_decide(
    *, step: ApprovalStep, actor, approve: bool, comment: str = "", on_behalf_of=None
) -> ApprovalStep:
    """Approve or reject the current step. The contract row is locked first, so two reviewers
    acting at once are serialised: the second one finds the step decided and is refused."""
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("owner__team")
        .get(pk=step.contract_id)
    )
    step = ApprovalStep.objects.get(pk=step.pk)
    step.contract = contract
    on_behalf_of = policy.check_decide(actor, step, on_behalf_of=on_behalf_of)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise BusinessRuleError(_("A rejection needs a comment for the rep."))

    step.decision = Decision.APPROVED if approve else Decision.REJECTED
    step.decided_by, step.on_behalf_of = actor, on_behalf_of
    step.decided_at, step.comment = timezone.now(), comment
    step.save(update_fields=["decision", "decided_by", "on_behalf_of", "decided_at", "comment"])

    if not approve:
        _cancel_open_steps(contract, _("Not reached: an earlier step rejected the contract."))
        contract.status, contract.last_rejection = Status.DRAFT, comment
        contract.save(update_fields=["status", "last_rejection"])
        _notify_owner(
            contract,
            f"approval-rejected-{step.pk}",
            "rejected",
            comment,
        )
        return step
    following = (
        contract.steps.filter(round=step.round, decision=Decision.PENDING)
        .order_by("position")
        .first()
    )
    if following is None:
        contract.status = Status.APPROVED
        contract.save(update_fields=["status"])
        _notify_owner(
            contract,
            f"approval-approved-{contract.pk}-{contract.approval_round}",
            "approved",
        )
    else:
        following.contract = contract
        _notify_step(following)
    return step


@transaction.atomic
def approval_deputy_set(
    *, reviewer, deputy, starts_on: dt.date, ends_on: dt.date
) -> ApprovalDeputy:
    ensure_may(reviewer, Action.APPROVAL_DEPUTY_SET)
    if reviewer.pk == deputy.pk:
        raise BusinessRuleError(_("A reviewer cannot be their own deputy."))
    if ends_on < starts_on:
        raise BusinessRuleError(_("The end date lies before the start date."))
    if reviewer.role != deputy.role:
        raise BusinessRuleError(_("The deputy must hold the same role as the reviewer."))
    return ApprovalDeputy.objects.create(
        reviewer=reviewer, deputy=deputy, starts_on=starts_on, ends_on=ends_on
    )
