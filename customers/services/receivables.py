"""Receivables: payments, dunning, lessons delivered, refunds and the nightly overdue marking."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext as _

from customers import money, policy
from customers.models import (
    ZERO,
    Contract,
    ContractLine,
    DunningRecord,
    Instalment,
    LessonDelivery,
    Payment,
    Refund,
    money_sum,
)
from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, ensure_may
from salescrm.services import notify_many
from salescrm.submissions import submitted_once
from salescrm.timeutil import local_today, validate_business_date

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
                "params": {
                    "no": row["sequence"],
                    "number": row["contract__number"],
                    "due": row["due_on"].isoformat(),
                },
                "url": reverse("customers:contract_detail", args=[row["contract_id"]]),
            }
            for row in rows
        ]
    )
    return {"marked": marked, "cleared": cleared, "notified": sent}
