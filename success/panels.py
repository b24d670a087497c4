"""The boxes customer success adds to My day and the dashboards (``salescrm.panels``)."""

import datetime as dt

from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string

from customers.models import Contract, Tier
from leads.models import Activity
from salescrm.panels import page_panel
from salescrm.permissions import Action, may
from salescrm.roles import Role
from salescrm.timeutil import quarter_end, quarter_start, start_of_day

from . import selectors
from .models import AccountPlan, ActionItem, RenewalOpportunity, ServiceFollowUp
from .services import CONTACT_KINDS

LIMIT = 25


def _mine(queryset, user):
    """A rep's own rows; a manager's team's (as My day shows leads)."""
    if user.role == Role.MANAGER:
        return queryset.visible_to(user)
    return queryset.filter(owner=user)


@page_panel("leads:my_day", order=20)
def renewals(request, *, today: dt.date, **_context):
    rows = (
        _mine(RenewalOpportunity.objects.open(), request.user)
        .filter(opened_on__lte=today)
        .select_related("customer", "contract")
        .order_by("course_ends_on", "pk")[:LIMIT]
    )
    follow_ups = (
        _mine(ServiceFollowUp.objects.open(), request.user)
        .filter(due_on__lte=today)
        # a contact logged today closes it at night; it leaves the list at once
        .exclude(
            Exists(
                Activity.objects.filter(
                    lead__customer=OuterRef("customer_id"),
                    kind__in=CONTACT_KINDS,
                    occurred_at__gte=start_of_day(today),
                )
            )
        )
        .select_related("customer")
        .order_by("due_on", "pk")[:LIMIT]
    )
    actions = (
        ActionItem.objects.open()
        .filter(
            review__plan__in=_plans(request.user),
            due_on__range=(today - dt.timedelta(days=14), today + dt.timedelta(days=7)),
        )
        .select_related("review__plan__customer")
        .order_by("due_on", "pk")[:LIMIT]
    )
    return render_to_string(
        "success/panels/my_day.html",
        {"renewals": rows, "follow_ups": follow_ups, "actions": actions, "today": today},
        request,
    )


def _plans(user):
    plans = AccountPlan.objects.all()
    if user.role == Role.MANAGER:
        return plans.visible_to(user)
    return plans.filter(customer__owner=user)


@page_panel("dashboard:figures", order=10)
def success_figures(request, *, kind: str, today: dt.date, **_context):
    """Managers: the team's overdue service follow-ups, at-risk renewals and cadence
    compliance. Director: the strategic renewal, churn and process-complaint goals too."""
    if kind not in ("manager", "director"):
        return None
    user = request.user
    _night, _rows, compliance = selectors.cadence_compliance(user)
    context = {
        "kind": kind,
        "compliance": compliance,
        "overdue": ServiceFollowUp.objects.visible_to(user).overdue(today).count(),
        "at_risk": RenewalOpportunity.objects.visible_to(user).at_risk().count(),
    }
    if kind == "director":
        start = quarter_start(today)
        context.update(
            strategic=selectors.renewal_rate(
                start, min(quarter_end(start), today), strategic_only=True
            ),
            renewal_goal=selectors.RENEWAL_GOAL,
            churn=selectors.key_customer_churn(start, today),
            churn_goal=selectors.CHURN_GOAL,
            process=selectors.process_complaints_by_quarter(today.year),
            process_goal=selectors.PROCESS_COMPLAINT_GOAL,
        )
    return render_to_string("success/panels/dashboard.html", context, request)


@page_panel("customers:detail", order=10)
def customer_success(request, *, customer, **_context):
    """The customer's renewals, account plans and the survey links one may send."""
    renewals = RenewalOpportunity.objects.filter(customer=customer).select_related("contract")[:10]
    plans = AccountPlan.objects.filter(customer=customer).order_by("-year")[:5]
    signed = []
    if may(request.user, Action.SURVEY_SEND):
        signed = list(
            Contract.objects.filter(customer=customer, status__in=Contract.SIGNED_STATES)
            .order_by("-signed_on")
            .values_list("pk", "number")[:5]
        )
    return render_to_string(
        "success/panels/customer.html",
        {
            "customer": customer,
            "renewals": renewals,
            "plans": plans,
            "signed": signed,
            "strategic": customer.effective_tier == Tier.STRATEGIC,
        },
        request,
    )
