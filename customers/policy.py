"""Who may act on a contract, an approval step or a refund: one rule per action, read by the
services (which raise its refusal), the pages (``contract_for`` / ``step_for`` /
``refund_for`` return the record with what the reader may do, the way a view begins with an
access helper) and the templates (``perms.sign``).

Each ``check_*`` raises the refusal a user sees: ``ActionRefused`` (a 403 on a page) when the
role may never take the action (salescrm.permissions.ALLOWED), ``BusinessRuleError`` (a ValidationError) when the
person or the record's state forbids it. The permission objects are those same checks run
without raising, so a button is shown exactly when the service would accept the click.

Who decides which approval step is the table ``STEP_REVIEWERS`` (customers.models.approvals);
the inbox query ``ApprovalStep.objects.actionable_by`` is its SQL twin.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, ensure_may, role_of
from salescrm.roles import Role
from salescrm.scoping import managed_team_ids, visible_q
from salescrm.timeutil import local_today

from .models import STEP_REVIEWERS, ApprovalDeputy, ApprovalStep, Contract, Refund

Status = Contract.Status
# Who reads a contract's audit trail.
HISTORY_READERS = (Role.DIRECTOR, Role.ADMIN)
# Who opens the refunds list (finance decides; the director and admins follow the clawbacks).
REFUND_READERS = (Role.FINANCE, Role.DIRECTOR, Role.ADMIN)


# --- who stands where ------------------------------------------------------------------------


def is_manager_of(user, owner) -> bool:
    return (
        user.role == Role.MANAGER
        and owner.team_id is not None
        and owner.team_id in managed_team_ids(user)
    )


def acts_for_owner(user, owner) -> bool:
    """The owner, or the manager of the owner's team."""
    return user.pk == owner.pk or is_manager_of(user, owner)


def reviews(reviewer, step: ApprovalStep, owner) -> bool:
    """Holds the step's role in STEP_REVIEWERS (the manager step: leads the owner's team)."""
    rule = STEP_REVIEWERS[step.kind]
    if role_of(reviewer) != rule.role:
        return False
    return not rule.owners_team_only or is_manager_of(reviewer, owner)


def deputised_reviewers(actor, step: ApprovalStep, owner, today: dt.date) -> list:
    """The reviewers of `step` whom `actor` stands in for today (never the contract's owner)."""
    records = ApprovalDeputy.objects.active_on(today).filter(deputy=actor)
    return [
        r.reviewer
        for r in records.select_related("reviewer")
        if r.reviewer_id != owner.pk and reviews(r.reviewer, step, owner)
    ]


# --- the rules, one per action ----------------------------------------------------------------


def check_edit(user, contract: Contract) -> None:
    ensure_may(user, Action.CONTRACT_DRAFT)
    if not acts_for_owner(user, contract.owner):
        raise BusinessRuleError(_("Only the contract's owner or their manager can change it."))
    if contract.status == Status.PENDING:
        raise BusinessRuleError(
            _("The terms are locked while the contract is under review; recall it first.")
        )
    if contract.status in Contract.SIGNED_STATES:
        raise BusinessRuleError(_("A signed contract cannot be changed."))


def check_submit(user, contract: Contract) -> None:
    ensure_may(user, Action.CONTRACT_SUBMIT)
    if user.pk != contract.owner_id:
        raise BusinessRuleError(_("Only the contract's owner can submit it for approval."))
    if contract.status != Status.DRAFT:
        raise BusinessRuleError(
            _("Only a draft can be submitted (this contract is %(status)s).")
            % {"status": contract.get_status_display()}
        )


def check_recall(user, contract: Contract) -> None:
    ensure_may(user, Action.CONTRACT_RECALL)
    if user.pk != contract.owner_id:
        raise BusinessRuleError(_("Only the contract's owner can recall it."))
    if contract.status != Status.PENDING:
        raise BusinessRuleError(_("Only a contract under review can be recalled."))


def check_decide(actor, step: ApprovalStep, *, on_behalf_of=None, today: dt.date | None = None):
    """Refuses unless `actor` may decide `step` now; returns whom they decide for (None: in
    their own right). ``step.contract`` must be the current row (locked by the service)."""
    contract = step.contract
    only_the_reviewer = _("Only the %(step)s reviewer can decide this step.") % {
        "step": step.get_kind_display()
    }
    ensure_may(actor, Action.APPROVAL_DECIDE, only_the_reviewer)
    if contract.status != Status.PENDING:
        raise BusinessRuleError(
            _("This contract is not under review (it was recalled, rejected or already approved).")
        )
    if step.decision != ApprovalStep.Decision.PENDING or step.round != contract.approval_round:
        raise BusinessRuleError(_("This step has already been decided."))
    if contract.steps.filter(
        round=step.round, position__lt=step.position, decision=ApprovalStep.Decision.PENDING
    ).exists():
        raise BusinessRuleError(_("An earlier step must be decided first."))
    today = today or local_today()
    owner = contract.owner
    if on_behalf_of is None and actor.pk != owner.pk and not reviews(actor, step, owner):
        # Acting from the inbox as someone's deputy: find whom this step belongs to.
        on_behalf_of = next(iter(deputised_reviewers(actor, step, owner, today)), None)
    reviewer = on_behalf_of or actor
    if owner.pk in (actor.pk, reviewer.pk):
        raise BusinessRuleError(_("Nobody may approve their own contract."))
    if on_behalf_of is not None:
        records = ApprovalDeputy.objects.active_on(today)
        if not records.filter(reviewer=on_behalf_of, deputy=actor).exists():
            raise BusinessRuleError(
                _("You are not the deputy of %(name)s today.") % {"name": on_behalf_of}
            )
    if not reviews(reviewer, step, owner):
        raise BusinessRuleError(only_the_reviewer)
    return on_behalf_of


def check_sign(user, contract: Contract) -> None:
    ensure_may(user, Action.CONTRACT_SIGN)
    if not acts_for_owner(user, contract.owner):
        raise BusinessRuleError(_("Only the contract's owner or their manager can mark it signed."))
    if contract.status != Status.APPROVED:
        raise BusinessRuleError(_("Only an approved contract can be signed."))


# Further conditions on archiving, registered by the apps built on this one (the documents app:
# the signed scan when the approval policy asks for it). Each takes the contract and returns
# the refusal's sentence, or "" when it does not object.
ARCHIVE_REQUIREMENTS: list = []


def check_archive(user, contract: Contract) -> None:
    ensure_may(
        user, Action.CONTRACT_ARCHIVE, _("Only the sales management department archives contracts.")
    )
    if contract.status != Status.SIGNED:
        raise BusinessRuleError(_("Only a signed contract can be archived."))
    for requirement in ARCHIVE_REQUIREMENTS:
        if message := requirement(contract):
            raise BusinessRuleError(message)


def check_hand_off(user, contract: Contract) -> None:
    ensure_may(user, Action.CONTRACT_HAND_OFF)
    if not (acts_for_owner(user, contract.owner) or user.has_role(Role.DIRECTOR)):
        raise BusinessRuleError(
            _("Only the owner or a manager can hand a contract to after-sales.")
        )
    if contract.status not in Contract.SIGNED_STATES:
        raise BusinessRuleError(_("Only a signed contract is handed to after-sales."))


def _handles_money(user, contract: Contract) -> bool:
    return acts_for_owner(user, contract.owner) or user.has_role(Role.FINANCE)


def check_pay(user, contract: Contract) -> None:
    ensure_may(user, Action.PAYMENT_RECORD)
    if not _handles_money(user, contract):
        raise BusinessRuleError(_("Only the owner, their manager or finance can record a payment."))
    if contract.status not in Contract.SIGNED_STATES:
        raise BusinessRuleError(_("Payments are recorded on signed contracts only."))


def check_dun(user, contract: Contract) -> None:
    ensure_may(user, Action.DUNNING_RECORD)
    if not _handles_money(user, contract):
        raise BusinessRuleError(_("Only the owner, their manager or finance can record dunning."))


def check_refund(user, contract: Contract) -> None:
    """Requesting a refund on the contract."""
    ensure_may(user, Action.REFUND_REQUEST)
    if not acts_for_owner(user, contract.owner):
        raise BusinessRuleError(_("Only the owner or their manager can request a refund."))
    if contract.status not in Contract.SIGNED_STATES:
        raise BusinessRuleError(_("Refunds are for signed contracts only."))


def check_lessons(user, contract: Contract) -> None:
    ensure_may(user, Action.LESSONS_RECORD, _("Attendance is recorded by after-sales service."))
    if contract.status not in Contract.SIGNED_STATES:
        raise BusinessRuleError(_("Lessons are delivered on signed contracts only."))


def check_refund_decide(user, refund: Refund) -> None:
    ensure_may(user, Action.REFUND_DECIDE, _("Only finance confirms refunds."))
    if refund.status != Refund.Status.REQUESTED:
        raise BusinessRuleError(_("This refund has already been decided."))


def passes(check, *args, **kwargs) -> bool:
    try:
        check(*args, **kwargs)
    except (PermissionDenied, ValidationError):
        return False
    return True


# --- what a reader may do with the record ----------------------------------------------------


@dataclass(frozen=True)
class ContractPermissions:
    view: bool = False
    edit: bool = False
    submit: bool = False
    recall: bool = False
    decide: bool = False
    sign: bool = False
    archive: bool = False
    hand_off: bool = False
    pay: bool = False  # record payments and dunning on the instalments
    refund: bool = False
    lessons: bool = False
    history: bool = False


@dataclass(frozen=True)
class StepPermissions:
    view: bool = False
    decide: bool = False  # in their own right or as a deputy today


@dataclass(frozen=True)
class RefundPermissions:
    view: bool = False
    decide: bool = False


def current_step(contract: Contract) -> ApprovalStep | None:
    """The step next in line of a pending contract (None otherwise)."""
    if contract.status != Status.PENDING:
        return None
    step = ApprovalStep.objects.current().filter(contract=contract).order_by("position").first()
    if step is not None:
        step.contract = contract
    return step


def contract_permissions(
    user, contract: Contract, *, visible: bool | None = None, today=None
) -> ContractPermissions:
    """What `user` may do with `contract` (`visible`: already known to be in their sight)."""
    today = today or local_today()
    step = current_step(contract)
    if visible is None:
        visible = Contract.objects.filter(visible_q(user, "owner"), pk=contract.pk).exists()
    decide = step is not None and passes(check_decide, user, step, today=today)
    return ContractPermissions(
        # a deputy from another team sees the contract while its step waits for them
        view=visible or decide,
        edit=passes(check_edit, user, contract),
        submit=passes(check_submit, user, contract),
        recall=passes(check_recall, user, contract),
        decide=decide,
        sign=passes(check_sign, user, contract),
        archive=passes(check_archive, user, contract),
        hand_off=passes(check_hand_off, user, contract),
        pay=passes(check_pay, user, contract),
        refund=passes(check_refund, user, contract),
        lessons=passes(check_lessons, user, contract),
        history=user.has_role(*HISTORY_READERS),
    )


def reviewable_q(user, path: str = "") -> Q:
    """The rows a user sees by scoping, plus the contracts whose step waits for them as a
    deputy from another team (``path`` leads from the row to the contract)."""
    visible = visible_q(user, f"{path}__owner" if path else "owner")
    if not visible:  # sees everything (an empty Q would swallow the OR below)
        return visible
    waiting = ApprovalStep.objects.actionable_by(user, local_today()).values("contract_id")
    return visible | Q(**{f"{path}__pk__in" if path else "pk__in": waiting})


def contract_for(user, pk, queryset=None) -> tuple[Contract, ContractPermissions]:
    """The contract `user` may open, with what they may do on it; anyone else's is a 404."""
    queryset = queryset if queryset is not None else Contract.objects.all()
    contract = get_object_or_404(
        queryset.select_related("owner__team").filter(reviewable_q(user)), pk=pk
    )
    return contract, contract_permissions(user, contract, visible=True)


def step_for(user, pk) -> tuple[ApprovalStep, StepPermissions]:
    """The approval step `user` may open (its contract visible to them, or waiting for them as
    a deputy), with whether they may decide it now."""
    step = get_object_or_404(
        ApprovalStep.objects.select_related("contract__customer", "contract__owner__team").filter(
            reviewable_q(user, "contract")
        ),
        pk=pk,
    )
    return step, StepPermissions(view=True, decide=passes(check_decide, user, step))


def refund_for(user, pk) -> tuple[Refund, RefundPermissions]:
    refund = get_object_or_404(Refund.objects.select_related("contract").visible_to(user), pk=pk)
    return refund, RefundPermissions(view=True, decide=passes(check_refund_decide, user, refund))
