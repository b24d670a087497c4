"""Writes of the customers app: contracts and their approval chain, payments, lessons,
refunds, tiers and service. Every function is keyword-only, atomic, and raises
``BusinessRuleError`` (a ValidationError) with a clear message (and changes nothing) when a
rule forbids the action.
"""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from leads import services as lead_services
from leads.forms import duplicate_error
from leads.models import Lead
from salescrm.bounds import MAX_AMOUNT, MAX_QUANTITY
from salescrm.errors import BusinessRuleError
from salescrm.models import User
from salescrm.permissions import Action, ensure_may
from salescrm.roles import Role
from salescrm.services import notify_many
from salescrm.submissions import submitted_once
from salescrm.timeutil import local_today, validate_business_date

from . import money, policy
from .models import (
    STEP_REVIEWERS,
    ZERO,
    ApprovalDeputy,
    ApprovalPolicy,
    ApprovalStep,
    Complaint,
    Contact,
    Contract,
    ContractLine,
    Customer,
    DunningRecord,
    Instalment,
    LessonDelivery,
    Payment,
    Referral,
    Refund,
    SatisfactionSurvey,
    Tier,
    TierChange,
    TierPolicy,
    money_sum,
)

Status = Contract.Status
Decision = ApprovalStep.Decision
TERM_FIELDS = (
    "training_content",
    "schedule",
    "payment_method",
    "invoice_needed",
    "invoice_title",
    "non_standard_terms",
    "special_terms",
    "starts_on",
    "ends_on",
)


def _ensure_in_scope(actor, customer: Customer):
    """The rows a role that passed the matrix may act on: reps and managers their own and their
    team's customers, the company-wide roles (service, director) any."""
    if actor.sees_all or policy.acts_for_owner(actor, customer.owner):
        return
    raise BusinessRuleError(_("This customer belongs to another team."))


# --- customers ---------------------------------------------------------------------------


def _lead_error(exc) -> BusinessRuleError:
    """The leads app refuses with its own exceptions; the user sees the same message."""
    if isinstance(exc, ValidationError):
        return exc
    return BusinessRuleError(str(exc))


@transaction.atomic
def customer_from_lead(*, lead: Lead, actor: User) -> Customer:
    """Won lead -> customer, in one transaction: marks the lead won when needed, then makes
    the customer (``customer_create_from_lead``). Returns the customer.

    It lives here, not in leads, because customers are built on leads: leads never imports
    customers."""
    ensure_may(actor, Action.LEAD_CONVERT)
    if lead.stage != Lead.Stage.WON:
        lead_services.lead_change_stage(lead=lead, actor=actor, to_stage=Lead.Stage.WON)
    return customer_create_from_lead(lead=lead, actor=actor)


@transaction.atomic
def customer_create_from_lead(*, lead, actor) -> Customer:
    """A won lead becomes a customer that keeps the lead (and so its whole history). Calling
    it again for the same lead returns the existing customer."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    existing = Customer.objects.filter(lead=lead).first()
    if existing is not None:
        return existing
    if lead.stage != Lead.Stage.WON:
        raise BusinessRuleError(_("Only a won lead becomes a customer."))
    owner = lead.owner or actor
    customer = Customer.objects.create(
        lead=lead,
        owner=owner,
        kind=Customer.Kind.ENTERPRISE if lead.company else Customer.Kind.INDIVIDUAL,
        name=lead.company or lead.name,
        phone=lead.phone,
        email=lead.email,
        payer_name=lead.payer_name,
        payer_phone=lead.payer_phone,
    )
    contacts = [
        Contact(
            customer=customer,
            name=lead.name,
            phone=lead.phone,
            email=lead.email,
            title=_("Learner") if not lead.company else "",
            is_payer=not lead.payer_name,
        )
    ]
    if lead.payer_name:
        contacts.append(
            Contact(
                customer=customer,
                name=lead.payer_name,
                phone=lead.payer_phone,
                title=lead.get_payer_relation_display() if lead.payer_relation else "",
                is_payer=True,
            )
        )
    Contact.objects.bulk_create(contacts)
    return customer


@submitted_once
@transaction.atomic
def customer_create(
    *,
    actor,
    owner=None,
    channel,
    kind: str,
    name: str,
    contact_name: str = "",
    phone: str = "",
    email: str = "",
    company: str = "",
    payer_name: str = "",
    payer_phone: str = "",
    product_line=None,
) -> Customer:
    """A customer signed up directly (walk-in, phone order): its lead is created and marked
    won through the leads services first, so the funnel and the history stay complete."""
    ensure_may(actor, Action.CUSTOMER_CREATE)
    owner = owner or actor
    if not policy.acts_for_owner(actor, owner):
        raise BusinessRuleError(_("You can only create customers for yourself or your team."))
    try:
        lead = lead_services.lead_create(
            actor=actor,
            owner=owner,
            channel=channel,
            name=contact_name or name,
            company=company or (name if kind == Customer.Kind.ENTERPRISE else ""),
            phone=phone,
            email=email,
            payer_name=payer_name,
            payer_phone=payer_phone,
            product_line=product_line,
        )
        lead_services.lead_change_stage(lead=lead, actor=actor, to_stage=Lead.Stage.WON)
    except lead_services.DuplicateLead as exc:
        # The same refusal as the lead form: the lead's name only to those who may open it.
        raise duplicate_error(exc.existing, actor) from None
    except (lead_services.LeadError, ValidationError) as exc:
        raise _lead_error(exc) from None
    lead.refresh_from_db()
    customer = customer_create_from_lead(lead=lead, actor=actor)
    if customer.name != name or customer.kind != kind:
        customer.name, customer.kind = name, kind
        customer.save(update_fields=["name", "kind"])
    return customer


@submitted_once
@transaction.atomic
def contact_add(
    *,
    customer: Customer,
    actor,
    name: str,
    title: str = "",
    phone: str = "",
    email: str = "",
    is_payer: bool = False,
) -> Contact:
    ensure_may(actor, Action.CONTACT_ADD)
    if not policy.acts_for_owner(actor, customer.owner):
        raise BusinessRuleError(_("Only the customer's owner or their manager can add contacts."))
    return Contact.objects.create(
        customer=customer, name=name, title=title, phone=phone, email=email, is_payer=is_payer
    )


@submitted_once
@transaction.atomic
def referral_add(*, customer: Customer, actor, lead) -> "Referral":
    """Record that `lead` (a referral-channel lead) was brought in by `customer` (老带新)."""
    ensure_may(actor, Action.REFERRAL_ADD)
    if not policy.acts_for_owner(actor, customer.owner):
        raise BusinessRuleError(
            _("Only the customer's owner or their manager can record a referral.")
        )
    if lead.channel.code != "referral":
        raise BusinessRuleError(_("Only a lead from the referral channel counts as a referral."))
    if lead.pk == customer.lead_id:
        raise BusinessRuleError(_("A customer cannot refer themselves."))
    if Referral.objects.filter(lead=lead).exists():
        raise BusinessRuleError(_("This lead is already recorded as someone's referral."))
    return Referral.objects.create(customer=customer, lead=lead)


@submitted_once
@transaction.atomic
def customer_activity_log(*, customer: Customer, actor, **fields):
    """A follow-up or visit on a customer is logged on its lead: one activity model."""
    ensure_may(actor, Action.FOLLOW_UP_LOG)
    try:
        return lead_services.activity_log(lead=customer.lead, actor=actor, **fields)
    except lead_services.LeadError as exc:
        raise BusinessRuleError(str(exc)) from None


# --- contracts: drafting ------------------------------------------------------------------


def _build_lines(lines: list[dict]) -> list[ContractLine]:
    if not lines:
        raise BusinessRuleError(_("A contract needs at least one line item."))
    built = []
    for row in lines:
        product, quantity = row["product"], int(row.get("quantity") or 1)
        discount = Decimal(row.get("discount_rate") or 0)
        if quantity < 1:
            raise BusinessRuleError(_("The quantity must be at least 1."))
        if quantity > MAX_QUANTITY:
            raise BusinessRuleError(_("The quantity can be at most 10,000."))
        if not (0 <= discount <= 1):
            raise BusinessRuleError(
                _("A discount rate lies between 0 and 1 (0.15 = 15 percent off).")
            )
        if not product.is_active:
            raise BusinessRuleError(
                _("The product %(name)s is no longer sold.") % {"name": product.name}
            )
        built.append(
            ContractLine(
                product=product,
                quantity=quantity,
                list_price=product.list_price,  # the price list decides, not the form
                discount_rate=discount,
                amount=money.line_amount(
                    quantity=quantity, list_price=product.list_price, discount_rate=discount
                ),
                lessons_total=product.lessons * quantity if product.lessons else None,
            )
        )
    return built


def _build_instalments(total: Decimal, rows: list[dict]) -> list[Instalment]:
    """Instalments from rows of {due_on, amount}; blank amounts share what the given ones leave
    (largest remainder), and the plan must add up to the total exactly."""
    if not rows:
        raise BusinessRuleError(_("A contract needs a payment plan with at least one instalment."))
    for row in rows:
        validate_business_date(row["due_on"])
    rows = sorted(rows, key=lambda r: r["due_on"])
    given = sum((Decimal(r["amount"]) for r in rows if r.get("amount") is not None), ZERO)
    blanks = [r for r in rows if r.get("amount") is None]
    if given > total:
        raise BusinessRuleError(
            _(
                "The instalments given add up to %(sum)s, more than the contract total of "
                "%(total)s; lower them."
            )
            % {"sum": given, "total": total}
        )
    if blanks:
        rest = total - given
        if rest <= 0:
            raise BusinessRuleError(
                _("The given instalments already reach the total; remove the empty ones.")
            )
        shares = iter(money.split_evenly(rest, len(blanks)))
        amounts = [
            Decimal(r["amount"]) if r.get("amount") is not None else next(shares) for r in rows
        ]
    else:
        amounts = [Decimal(r["amount"]) for r in rows]
    if any(a <= 0 for a in amounts):
        raise BusinessRuleError(_("Every instalment must be more than zero."))
    if sum(amounts) != total:
        raise BusinessRuleError(
            _("The instalments add up to %(sum)s but the contract total is %(total)s.")
            % {"sum": sum(amounts), "total": total}
        )
    return [
        Instalment(sequence=i, due_on=row["due_on"], amount=amount)
        for i, (row, amount) in enumerate(zip(rows, amounts, strict=True), start=1)
    ]


def _renewal_flag(*, customer, starts_on: dt.date, exclude_pk=None) -> bool:
    """A renewal continues a signed contract of the same customer (``models.continues``)."""
    earlier = Contract.objects.filter(customer=customer).continued_by(starts_on=starts_on)
    if exclude_pk:
        earlier = earlier.exclude(pk=exclude_pk)
    return earlier.exists()


def _check_terms(terms: dict):
    unknown = set(terms) - set(TERM_FIELDS)
    if unknown:
        raise BusinessRuleError(
            _("Unknown contract fields: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    if terms.get("starts_on") and terms.get("ends_on") and terms["ends_on"] < terms["starts_on"]:
        raise BusinessRuleError(_("The course cannot end before it starts."))


def _write_lines_and_plan(
    contract: Contract, lines: list[dict], instalments: list[dict], actor=None
):
    """Replace the lines and the plan; the audit trail records the old rows' deletion and the
    new rows' creation."""
    built_lines = _build_lines(lines)
    total = sum((line.amount for line in built_lines), ZERO)
    if total <= 0:
        raise BusinessRuleError(
            _(
                "The contract total is 0.00: every line is fully discounted. A contract must "
                "be worth more than zero; lower the discount."
            )
        )
    if total > MAX_AMOUNT:
        raise BusinessRuleError(
            _(
                "The lines add up to %(total)s; a contract can total at most 99,999,999.99. "
                "Lower the quantities or split the order into several contracts."
            )
            % {"total": total}
        )
    built_plan = _build_instalments(total, instalments)
    contract.lines.all().delete()
    contract.instalments.all().delete()
    for line in built_lines:
        line.contract = contract
    for instalment in built_plan:
        instalment.contract = contract
    bulk_create_with_history(built_lines, ContractLine, default_user=actor)
    bulk_create_with_history(built_plan, Instalment, default_user=actor)
    return total


@submitted_once
@transaction.atomic
def contract_create(
    *, customer: Customer, actor, lines: list[dict], instalments: list[dict], **terms
) -> Contract:
    ensure_may(actor, Action.CONTRACT_DRAFT)
    _check_terms(terms)
    if not policy.acts_for_owner(actor, customer.owner):
        raise BusinessRuleError(
            _("Only the customer's owner or their manager can draft a contract.")
        )
    contract = Contract(
        customer=customer, owner=customer.owner, number=f"TMP-{timezone.now().timestamp()}", **terms
    )
    contract.is_renewal = _renewal_flag(customer=customer, starts_on=contract.starts_on)
    contract.save()
    contract.total_amount = _write_lines_and_plan(contract, lines, instalments, actor)
    contract.number = f"HT{local_today():%Y%m}-{contract.pk:05d}"
    contract.save(update_fields=["total_amount", "number"])
    return contract


@transaction.atomic
def contract_update(
    *, contract: Contract, actor, lines: list[dict], instalments: list[dict], **terms
) -> Contract:
    """Change terms, lines and plan of a draft. The terms are locked while the contract is
    under review and once it is signed (SPEC §3). An approved, unsigned contract may be
    changed, but the change is never left unapproved: the contract goes back under review
    with a fresh chain (a new round whose steps follow the new terms), as if resubmitted."""
    ensure_may(actor, Action.CONTRACT_DRAFT)
    _check_terms(terms)
    contract = (
        Contract.objects.select_for_update(of=("self",))
        .select_related("owner__team")
        .get(pk=contract.pk)
    )
    policy.check_edit(actor, contract)
    for name, value in terms.items():
        setattr(contract, name, value)
    restarted = contract.status == Status.APPROVED
    contract.total_amount = _write_lines_and_plan(contract, lines, instalments, actor)
    contract.is_renewal = _renewal_flag(
        customer=contract.customer, starts_on=contract.starts_on, exclude_pk=contract.pk
    )
    contract.save()
    if restarted:
        _start_round(contract)
    return contract


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
                "title": _("Contract %(number)s waits for your review")
                % {"number": contract.number},
                "url": contract.get_absolute_url(),
            }
            for uid in _reviewers_of(step)
            if uid != contract.owner_id
        ]
    )


def _notify_owner(contract: Contract, key: str, title: str, body: str = ""):
    notify_many(
        [
            {
                "recipient_id": contract.owner_id,
                "kind": "approval",
                "key": key,
                "title": title,
                "body": body,
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
            _("Contract %(number)s was rejected") % {"number": contract.number},
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
            _("Contract %(number)s is approved") % {"number": contract.number},
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


@transaction.atomic
def contract_mark_signed(*, contract: Contract, actor, signed_on: dt.date) -> Contract:
    ensure_may(actor, Action.CONTRACT_SIGN)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    policy.check_sign(actor, contract)
    if signed_on > local_today():
        raise BusinessRuleError(_("The signing date cannot lie in the future."))
    contract.status, contract.signed_on = Status.SIGNED, signed_on
    # the flag as of the signing: the earlier contract may have been signed since the draft
    contract.is_renewal = _renewal_flag(
        customer=contract.customer, starts_on=contract.starts_on, exclude_pk=contract.pk
    )
    contract.save(update_fields=["status", "signed_on", "is_renewal"])
    return contract


@transaction.atomic
def contract_archive(*, contract: Contract, actor) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    policy.check_archive(actor, contract)
    contract.status, contract.archived_on = Status.ARCHIVED, local_today()
    contract.save(update_fields=["status", "archived_on"])
    return contract


@transaction.atomic
def contract_hand_off(*, contract: Contract, actor, service_user) -> Contract:
    ensure_may(actor, Action.CONTRACT_HAND_OFF)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    policy.check_hand_off(actor, contract)
    if service_user.role != Role.SERVICE or not service_user.is_active:
        raise BusinessRuleError(_("Choose an active after-sales user."))
    contract.service_user, contract.handed_off_at = service_user, timezone.now()
    contract.save(update_fields=["service_user", "handed_off_at"])
    notify_many(
        [
            {
                "recipient_id": service_user.pk,
                "kind": "handoff",
                "key": f"handoff-{contract.pk}-{service_user.pk}",
                "title": _("Contract %(number)s was handed to you") % {"number": contract.number},
                "url": contract.get_absolute_url(),
            }
        ]
    )
    return contract


# --- payments, dunning, lessons, refunds -------------------------------------------------


@submitted_once
@transaction.atomic
def payment_record(
    *,
    instalment: Instalment,
    actor,
    amount: Decimal,
    received_on: dt.date,
    method: str,
    reference: str = "",
) -> Payment:
    """A receipt against one instalment: partial payments are fine, overpayment is refused."""
    ensure_may(actor, Action.PAYMENT_RECORD)
    instalment = (
        Instalment.objects.select_for_update()
        .select_related("contract__owner")
        .get(pk=instalment.pk)
    )
    contract = instalment.contract
    policy.check_pay(actor, contract)
    amount = Decimal(amount)
    if method not in Contract.PaymentMethod.values:
        raise BusinessRuleError(_("Choose a payment method."))
    if amount <= 0:
        raise BusinessRuleError(_("The amount must be more than zero."))
    if amount != money.to_cents(amount):
        raise BusinessRuleError(_("Amounts are in whole cents."))
    if amount > instalment.outstanding_amount:
        raise BusinessRuleError(
            _("Overpayment refused: instalment %(no)s has only %(left)s outstanding.")
            % {"no": instalment.sequence, "left": instalment.outstanding_amount}
        )
    if received_on > local_today():
        raise BusinessRuleError(_("The receiving date cannot lie in the future."))
    validate_business_date(received_on)
    payment = Payment.objects.create(
        contract=contract,
        instalment=instalment,
        amount=amount,
        received_on=received_on,
        method=method,
        reference=reference,
        recorded_by=actor,
    )
    instalment.paid_amount += amount
    if instalment.paid_amount == instalment.amount:
        instalment.overdue_since = None
    instalment.save(update_fields=["paid_amount", "overdue_since"])
    return payment


@submitted_once
@transaction.atomic
def dunning_record_add(
    *,
    instalment: Instalment,
    actor,
    kind: str,
    occurred_on: dt.date,
    note: str = "",
    next_action_on=None,
) -> DunningRecord:
    ensure_may(actor, Action.DUNNING_RECORD)
    policy.check_dun(actor, instalment.contract)
    if instalment.outstanding_amount <= 0:
        raise BusinessRuleError(_("This instalment is paid; there is nothing to dun."))
    return DunningRecord.objects.create(
        instalment=instalment,
        actor=actor,
        kind=kind,
        occurred_on=occurred_on,
        note=note,
        next_action_on=next_action_on,
    )


@submitted_once
@transaction.atomic
def lessons_record(
    *, line: ContractLine, actor, lessons: int, delivered_on: dt.date, note: str = ""
) -> LessonDelivery:
    ensure_may(actor, Action.LESSONS_RECORD, _("Attendance is recorded by after-sales service."))
    line = (
        ContractLine.objects.select_for_update(of=("self",))
        .select_related("contract")
        .get(pk=line.pk)
    )
    policy.check_lessons(actor, line.contract)
    if not line.lessons_total:
        raise BusinessRuleError(_("This line has no lessons to count."))
    if lessons < 1 or line.lessons_delivered + lessons > line.lessons_total:
        raise BusinessRuleError(
            _("Only %(left)s lessons are left on this line.")
            % {"left": line.lessons_total - line.lessons_delivered}
        )
    line.lessons_delivered += lessons  # the row is locked above
    line.save(update_fields=["lessons_delivered"])
    return LessonDelivery.objects.create(
        line=line, lessons=lessons, delivered_on=delivered_on, note=note, recorded_by=actor
    )


def refundable_amount(contract: Contract, *, less_requested: bool = True) -> Decimal:
    """Collected minus refunds already confirmed (and, unless told not to, still requested)."""
    held = [Refund.Status.CONFIRMED]
    if less_requested:
        held.append(Refund.Status.REQUESTED)
    collected = contract.payments.aggregate(s=money_sum("amount"))["s"]
    refunded = contract.refunds.filter(status__in=held).aggregate(s=money_sum("amount"))["s"]
    return collected - refunded


def refund_proposal(contract: Contract) -> Decimal:
    """Undelivered lessons × unit price after discount, never more than what can be refunded."""
    unused = sum(
        (
            money.unused_value(
                amount=line.amount,
                lessons_total=line.lessons_total,
                lessons_delivered=line.lessons_delivered,
            )
            for line in contract.lines.all()
        ),
        ZERO,
    )
    return max(min(unused, refundable_amount(contract)), ZERO)


@submitted_once
@transaction.atomic
def refund_request(*, contract: Contract, actor, amount: Decimal, reason: str) -> Refund:
    ensure_may(actor, Action.REFUND_REQUEST)
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    policy.check_refund(actor, contract)
    amount = Decimal(amount)
    if amount <= 0:
        raise BusinessRuleError(_("The amount must be more than zero."))
    cap = refundable_amount(contract)
    if amount > cap:
        raise BusinessRuleError(
            _("A refund cannot exceed what was collected and not yet refunded (%(cap)s).")
            % {"cap": cap}
        )
    if not reason.strip():
        raise BusinessRuleError(_("Give the reason for the refund."))
    return Refund.objects.create(
        contract=contract,
        amount=amount,
        proposed_amount=refund_proposal(contract),
        reason=reason,
        requested_by=actor,
    )


@transaction.atomic
def refund_decide(*, refund: Refund, actor, confirm: bool, comment: str = "") -> Refund:
    ensure_may(actor, Action.REFUND_DECIDE, _("Only finance confirms refunds."))
    contract = Contract.objects.select_for_update().get(pk=refund.contract_id)
    refund = Refund.objects.select_for_update().get(pk=refund.pk)
    policy.check_refund_decide(actor, refund)
    if confirm:
        cap = refundable_amount(contract, less_requested=False)
        if refund.amount > cap:
            raise BusinessRuleError(
                _("A refund cannot exceed what was collected and not yet refunded (%(cap)s).")
                % {"cap": cap}
            )
        refund.status, refund.confirmed_on = Refund.Status.CONFIRMED, local_today()
    else:
        refund.status = Refund.Status.REJECTED
    refund.decided_by, refund.comment = actor, comment
    refund.save(update_fields=["status", "confirmed_on", "decided_by", "comment"])
    return refund


# --- service -------------------------------------------------------------------------------


@submitted_once
@transaction.atomic
def complaint_open(
    *, customer: Customer, actor, severity: str, subject: str, description: str = "", contract=None
) -> Complaint:
    ensure_may(actor, Action.COMPLAINT_OPEN)
    _ensure_in_scope(actor, customer)
    if contract is not None and contract.customer_id != customer.pk:
        raise BusinessRuleError(_("The contract belongs to another customer."))
    complaint = Complaint.objects.create(
        customer=customer,
        contract=contract,
        severity=severity,
        subject=subject,
        description=description,
        opened_by=actor,
        opened_at=timezone.now(),
    )
    return complaint


@transaction.atomic
def complaint_respond(*, complaint: Complaint, actor, response: str) -> Complaint:
    ensure_may(actor, Action.COMPLAINT_RESPOND)
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("customer__owner")
        .get(pk=complaint.pk)
    )
    _ensure_in_scope(actor, complaint.customer)
    if complaint.first_response_at:
        raise BusinessRuleError(_("This complaint already has its first response."))
    complaint.first_response_at, complaint.response = timezone.now(), response
    complaint.save(update_fields=["first_response_at", "response"])
    return complaint


@transaction.atomic
def complaint_resolve(*, complaint: Complaint, actor, resolution: str) -> Complaint:
    ensure_may(actor, Action.COMPLAINT_RESOLVE)
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("customer__owner")
        .get(pk=complaint.pk)
    )
    _ensure_in_scope(actor, complaint.customer)
    if complaint.resolved_at:
        raise BusinessRuleError(_("This complaint is already resolved."))
    now = timezone.now()
    complaint.first_response_at = complaint.first_response_at or now
    complaint.resolved_at, complaint.resolution = now, resolution
    complaint.save(update_fields=["first_response_at", "resolved_at", "resolution"])
    return complaint


@submitted_once
@transaction.atomic
def survey_record(
    *,
    customer: Customer,
    actor,
    score: int,
    nps: int,
    answered_on: dt.date,
    comment: str = "",
    contract=None,
) -> SatisfactionSurvey:
    ensure_may(actor, Action.SURVEY_RECORD)
    _ensure_in_scope(actor, customer)
    if contract is not None and contract.customer_id != customer.pk:
        raise BusinessRuleError(_("The contract belongs to another customer."))
    if not (1 <= score <= 5 and 0 <= nps <= 10):
        raise BusinessRuleError(_("Satisfaction lies between 1 and 5 and NPS between 0 and 10."))
    return SatisfactionSurvey.objects.create(
        customer=customer,
        contract=contract,
        score=score,
        nps=nps,
        answered_on=answered_on,
        comment=comment,
        recorded_by=actor,
    )


# --- nightly work (set-based) --------------------------------------------------------------


@transaction.atomic
def instalments_mark_overdue(*, as_of: dt.date) -> dict:
    """Mark unpaid instalments of signed contracts due before `as_of` as overdue, clear paid
    ones, and tell each owner once per instalment."""
    unpaid = Instalment.objects.receivable()
    newly = unpaid.filter(due_on__lt=as_of, overdue_since__isnull=True)
    rows = list(
        newly.values(
            "pk", "sequence", "contract_id", "contract__number", "contract__owner_id", "due_on"
        )
    )
    marked = newly.update(overdue_since=F("due_on") + dt.timedelta(days=1))
    cleared = Instalment.objects.filter(
        overdue_since__isnull=False, paid_amount__gte=F("amount")
    ).update(overdue_since=None)
    sent = notify_many(
        [
            {
                "recipient_id": row["contract__owner_id"],
                "kind": "overdue",
                "key": f"instalment-overdue-{row['pk']}",
                "title": _("Instalment %(no)s of %(number)s is overdue (due %(due)s)")
                % {"no": row["sequence"], "number": row["contract__number"], "due": row["due_on"]},
                "url": reverse("customers:contract_detail", args=[row["contract_id"]]),
            }
            for row in rows
        ]
    )
    return {"marked": marked, "cleared": cleared, "notified": sent}


@transaction.atomic
def complaints_escalate(*, now: dt.datetime) -> dict:
    """Escalate to the directors every open complaint that is severe, has had no first
    response within 24 h, or is unresolved after 48 h. Each is escalated once."""
    late = (
        Q(severity=Complaint.Severity.SEVERE)
        | Q(
            first_response_at__isnull=True,
            opened_at__lte=now - dt.timedelta(hours=Complaint.RESPONSE_HOURS),
        )
        | Q(opened_at__lte=now - dt.timedelta(hours=Complaint.RESOLUTION_HOURS))
    )
    due = Complaint.objects.open().filter(late, escalated_at__isnull=True, opened_at__lte=now)
    rows = list(due.values("pk", "subject"))
    escalated = due.update(escalated_at=now)
    directors = list(
        User.objects.filter(role=Role.DIRECTOR, is_active=True).values_list("pk", flat=True)
    )
    sent = notify_many(
        [
            {
                "recipient_id": uid,
                "kind": "complaint",
                "key": f"complaint-escalated-{row['pk']}",
                "title": _("Complaint escalated: %(subject)s") % {"subject": row["subject"]},
                "url": reverse("customers:complaint_detail", args=[row["pk"]]),
            }
            for row in rows
            for uid in directors
        ]
    )
    return {"escalated": escalated, "notified": sent}


def _tier_for(score: Decimal, policy: TierPolicy) -> str:
    if score >= policy.strategic_min_score:
        return Tier.STRATEGIC
    if score >= policy.core_min_score:
        return Tier.CORE
    return Tier.ORDINARY


def customer_value_scores(*, as_of: dt.date, policy: TierPolicy | None = None) -> dict[int, dict]:
    """Each customer's value score over the 12 months before `as_of` (see TierPolicy), from
    four aggregate queries."""
    policy = policy or TierPolicy.current()
    start = as_of - dt.timedelta(days=365)
    prev_start = start - dt.timedelta(days=365)

    def by_customer(qs, field, value_expr):
        return {
            row[field]: row["v"]
            for row in qs.values(field).annotate(
                v=Coalesce(
                    value_expr,
                    Value(ZERO),
                    output_field=DecimalField(max_digits=14, decimal_places=2),
                )
            )
        }

    signed = Contract.objects.filter(status__in=Contract.SIGNED_STATES)
    signed_now = by_customer(
        signed.filter(signed_on__gte=start, signed_on__lt=as_of), "customer_id", Sum("total_amount")
    )
    signed_prev = by_customer(
        signed.filter(signed_on__gte=prev_start, signed_on__lt=start),
        "customer_id",
        Sum("total_amount"),
    )
    collected = by_customer(
        Payment.objects.filter(received_on__gte=start, received_on__lt=as_of),
        "contract__customer_id",
        Sum("amount"),
    )
    on_time = Payment.objects.filter(instalment=OuterRef("pk"), received_on__lte=OuterRef("due_on"))
    due_rows = (
        Instalment.objects.filter(
            contract__status__in=Contract.SIGNED_STATES, due_on__gte=start, due_on__lt=as_of
        )
        .annotate(
            paid_on_time=Coalesce(
                _sum_subquery(on_time),
                Value(ZERO),
                output_field=DecimalField(max_digits=14, decimal_places=2),
            )
        )
        .values("contract__customer_id")
        .annotate(due=Count("pk"), punctual=Count("pk", filter=Q(paid_on_time__gte=F("amount"))))
    )
    punctuality = {row["contract__customer_id"]: (row["punctual"], row["due"]) for row in due_rows}
    referrals = customer_referral_counts(start=start, end=as_of)

    scores = {}
    for customer_id in Customer.objects.values_list("pk", flat=True):
        now_amount, prev_amount = (
            signed_now.get(customer_id, ZERO),
            signed_prev.get(customer_id, ZERO),
        )
        if prev_amount > 0:
            growth = max(min((now_amount - prev_amount) / prev_amount, Decimal(1)), Decimal(-1))
        else:
            growth = Decimal(1) if now_amount > 0 else ZERO
        punctual, due = punctuality.get(customer_id, (0, 0))
        punct_rate = Decimal(punctual) / due if due else Decimal(1) if now_amount > 0 else ZERO
        refs = referrals.get(customer_id, 0)
        score = (
            now_amount / policy.amount_unit * policy.weight_signed
            + collected.get(customer_id, ZERO) / policy.amount_unit * policy.weight_collected
            + growth * policy.weight_growth
            + punct_rate * policy.weight_punctuality
            + refs * policy.weight_referrals
        )
        scores[customer_id] = {
            "score": money.to_cents(score),
            "signed": now_amount,
            "collected": collected.get(customer_id, ZERO),
            "growth": growth,
            "punctuality": punct_rate,
            "referrals": refs,
        }
    return scores


def _sum_subquery(payments_qs):
    return Subquery(
        payments_qs.order_by().values("instalment").annotate(s=Sum("amount")).values("s")[:1]
    )


def customer_referral_counts(*, start: dt.date, end: dt.date) -> dict[int, int]:
    """Referral leads per customer that arrived in [start, end)."""
    rows = (
        Referral.objects.filter(lead__created_at__date__gte=start, lead__created_at__date__lt=end)
        .values("customer_id")
        .annotate(n=Count("pk"))
    )
    return {row["customer_id"]: row["n"] for row in rows}


@transaction.atomic
def tiers_reevaluate(*, as_of: dt.date) -> dict:
    """Recompute every customer's tier; record each up- or downgrade with its reason. Running
    it twice for one day changes nothing the second time. A manual override is left alone
    (the computed tier is still kept up to date underneath it)."""
    policy = TierPolicy.current()
    # customers first: the scores then cover every one of them, even one created meanwhile
    customers = list(Customer.objects.only("pk", "tier", "tier_score", "tier_override"))
    scores = customer_value_scores(as_of=as_of, policy=policy)
    changes, changed_customers = [], []
    for customer in customers:
        data = scores[customer.pk]
        new_tier = _tier_for(data["score"], policy)
        if new_tier == customer.tier and data["score"] == customer.tier_score:
            continue
        if new_tier != customer.tier:
            changes.append(
                TierChange(
                    customer=customer,
                    from_tier=customer.tier,
                    to_tier=new_tier,
                    score=data["score"],
                    evaluated_on=as_of,
                    reason=_(
                        "Value score %(score)s: signed %(signed)s, collected %(collected)s in 12 months, growth %(growth)s %%, "
                        "on-time payments %(punct)s %%, referrals %(refs)s."
                    )
                    % {
                        "score": data["score"],
                        "signed": data["signed"],
                        "collected": data["collected"],
                        "growth": money.to_cents(data["growth"] * 100),
                        "punct": money.to_cents(data["punctuality"] * 100),
                        "refs": data["referrals"],
                    },
                )
            )
        customer.tier, customer.tier_score = new_tier, data["score"]
        changed_customers.append(customer)
    Customer.objects.bulk_update(changed_customers, ["tier", "tier_score"], batch_size=500)
    TierChange.objects.bulk_create(changes, ignore_conflicts=True)
    return {"customers": len(customers), "tier_changes": len(changes)}


@transaction.atomic
def customer_set_tier_override(
    *, customer: Customer, actor, tier: str | None, reason: str
) -> Customer:
    ensure_may(actor, Action.TIER_OVERRIDE, _("Only the customer's manager can override the tier."))
    if not (actor.has_role(Role.DIRECTOR) or policy.is_manager_of(actor, customer.owner)):
        raise BusinessRuleError(_("Only the customer's manager can override the tier."))
    if not reason.strip():
        raise BusinessRuleError(_("Give the reason for the override."))
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = customer.effective_tier
    customer.tier_override = tier or None
    customer.save(update_fields=["tier_override"])
    TierChange.objects.create(
        customer=customer,
        from_tier=before,
        to_tier=customer.effective_tier,
        reason=reason,
        is_override=True,
        evaluated_on=local_today(),
        changed_by=actor,
    )
    return customer
