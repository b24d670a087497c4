"""After-sales service: complaints, surveys and the nightly complaint escalation."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import (
    Complaint,
    Customer,
    SatisfactionSurvey,
)
from salescrm.errors import BusinessRuleError
from salescrm.models import User
from salescrm.permissions import Action, ensure_may
from salescrm.roles import Role
from salescrm.services import notify_many
from salescrm.submissions import submitted_once

from .common import _ensure_in_scope

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
                "params": {"subject": row["subject"]},
                "url": reverse("customers:complaint_detail", args=[row["pk"]]),
            }
            for row in rows
            for uid in directors
        ]
    )
    return {"escalated": escalated, "notified": sent}
