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
from salescrm.timeutil import local_today

from .common import _ensure_in_scope

# --- service -------------------------------------------------------------------------------


@submitted_once
@transaction.atomic
def complaint_open(
    *,
    customer: Customer,
    actor,
    severity: str,
    subject: str,
    description: str = "",
    contract=None,
    category: str = "",
) -> Complaint:
    ensure_may(actor, Action.COMPLAINT_OPEN)
    _ensure_in_scope(actor, customer)
    if contract is not None and contract.customer_id != customer.pk:
        raise BusinessRuleError(_("The contract belongs to another customer."))
    if category and category not in Complaint.Category.values:
        raise BusinessRuleError(_("Choose a category, a cause and a department from the lists."))
    complaint = Complaint.objects.create(
        customer=customer,
        contract=contract,
        severity=severity,
        category=category,
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


def _locked(complaint: Complaint) -> Complaint:
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("customer__owner")
        .get(pk=complaint.pk)
    )


@transaction.atomic
def complaint_route(
    *,
    complaint: Complaint,
    actor,
    category: str,
    cause: str,
    department: str,
    department_due_on: dt.date,
    today: dt.date | None = None,
) -> Complaint:
    """Classify a complaint and hand it to the department that fixes it, with its own
    deadline. Re-routing an open complaint replaces the department and deadline; a closed
    (customer-confirmed) complaint stays as it was."""
    ensure_may(actor, Action.COMPLAINT_ROUTE)
    complaint = _locked(complaint)
    _ensure_in_scope(actor, complaint.customer)
    if complaint.confirmed_at:
        raise BusinessRuleError(_("The customer has confirmed this complaint closed."))
    valid = (
        category in Complaint.Category.values
        and cause in Complaint.Cause.values
        and department in Complaint.Department.values
    )
    if not valid:
        raise BusinessRuleError(_("Choose a category, a cause and a department from the lists."))
    today = today or local_today()
    if department_due_on < today:
        raise BusinessRuleError(_("The department's deadline cannot lie in the past."))
    complaint.category, complaint.cause, complaint.department = category, cause, department
    complaint.department_due_on, complaint.routed_at = department_due_on, timezone.now()
    complaint.save(
        update_fields=["category", "cause", "department", "department_due_on", "routed_at"]
    )
    return complaint


@transaction.atomic
def complaint_confirm(*, complaint: Complaint, actor) -> Complaint:
    """The customer confirms that the resolution holds: the loop is closed."""
    ensure_may(actor, Action.COMPLAINT_CONFIRM)
    complaint = _locked(complaint)
    _ensure_in_scope(actor, complaint.customer)
    if not complaint.resolved_at:
        raise BusinessRuleError(_("Only a resolved complaint can be confirmed by the customer."))
    if complaint.confirmed_at:
        raise BusinessRuleError(_("The customer has already confirmed this complaint."))
    complaint.confirmed_at = timezone.now()
    complaint.save(update_fields=["confirmed_at"])
    return complaint


@transaction.atomic
def complaint_reopen(*, complaint: Complaint, actor, reason: str) -> Complaint:
    """The customer says it is not fixed: the complaint is open again (its deadlines and the
    escalation run from the original opening), the reason is added to the description."""
    ensure_may(actor, Action.COMPLAINT_CONFIRM)
    complaint = _locked(complaint)
    _ensure_in_scope(actor, complaint.customer)
    if not complaint.resolved_at or complaint.confirmed_at:
        raise BusinessRuleError(
            _("Only a resolved complaint the customer has not confirmed can be reopened.")
        )
    complaint.resolved_at = None
    complaint.reopened_count += 1
    note = _("Reopened (%(count)s): %(reason)s") % {
        "count": complaint.reopened_count,
        "reason": reason,
    }
    complaint.description = f"{complaint.description}\n\n{note}".strip()
    complaint.save(update_fields=["resolved_at", "reopened_count", "description"])
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


# The deadline rules of apps built on customers (success: the response time of the
# customer's tier, registered from its AppConfig.ready). A rule takes the escalation's `now`
# and returns three conditions on complaints: those it decides for, those of them whose first
# response is late, and those of them unresolved too long. A complaint no rule decides for
# keeps the defaults: a first response within RESPONSE_HOURS, resolved within
# RESOLUTION_HOURS.
_DEADLINE_RULES: list = []


def register_deadline_rule(rule) -> None:
    if rule not in _DEADLINE_RULES:
        _DEADLINE_RULES.append(rule)


def _late(now: dt.datetime) -> Q:
    covered, response_late, resolution_late = Q(pk__in=[]), Q(pk__in=[]), Q(pk__in=[])
    for rule in _DEADLINE_RULES:
        rule_covers, rule_response, rule_resolution = rule(now)
        covered |= rule_covers
        response_late |= rule_response
        resolution_late |= rule_resolution
    hours = dt.timedelta(hours=1)
    default = Q(
        first_response_at__isnull=True, opened_at__lte=now - Complaint.RESPONSE_HOURS * hours
    ) | Q(opened_at__lte=now - Complaint.RESOLUTION_HOURS * hours)
    by_rule = (Q(first_response_at__isnull=True) & response_late) | resolution_late
    return (~covered & default) | (covered & by_rule)


@transaction.atomic
def complaints_escalate(*, now: dt.datetime) -> dict:
    """Escalate to the directors every open complaint that is severe, has had no first
    response in time or is unresolved too long (the registered rules: the customer's tier;
    else 24 h and 48 h). Each is escalated once."""
    late = Q(severity=Complaint.Severity.SEVERE) | _late(now)
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
