"""Read models of the customers pages and navigation: what a page shows, gathered in a bounded
number of queries, for rows the caller has already fetched and scoped to the user."""

import datetime as dt
from operator import itemgetter

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from customers import policy
from customers.models import (
    ApprovalStep,
    DunningRecord,
    Payment,
    money_sum,
)
from leads.models import Activity, StageChange
from salescrm.timeutil import local_today


def approval_badge(user) -> int:
    """The count shown beside "Approval inbox" in the navigation."""
    return ApprovalStep.objects.actionable_by(user, local_today()).count()


def customer_timeline(customer) -> list[dict]:
    """Visits and follow-ups (logged on the customer's lead), stage changes, contracts,
    payments and complaints, newest first: one query per source."""
    events = []
    for a in (
        Activity.objects.filter(lead=customer.lead_id)
        .select_related("actor")
        .order_by("-occurred_at")[:50]
    ):
        events.append(
            {
                "at": a.occurred_at,
                "kind": a.get_kind_display(),
                "text": " · ".join(filter(None, [a.outcome, a.feedback, a.next_step])),
                "who": a.actor,
            }
        )
    for s in (
        StageChange.objects.filter(lead=customer.lead_id)
        .select_related("changed_by")
        .order_by("-changed_at")[:20]
    ):
        events.append(
            {
                "at": s.changed_at,
                "kind": _("Stage"),
                "text": s.get_to_stage_display(),
                "who": s.changed_by,
            }
        )
    for c in customer.contracts.order_by("-created_at")[:20]:
        events.append(
            {
                "at": c.created_at,
                "kind": _("Contract"),
                "text": f"{c.number} · {c.get_status_display()} · ¥{c.total_amount}",
                "url": c.get_absolute_url(),
            }
        )
    for p in (
        Payment.objects.filter(contract__customer=customer)
        .select_related("contract")
        .order_by("-received_on")[:30]
    ):
        at = dt.datetime.combine(p.received_on, dt.time(12), tzinfo=customer.created_at.tzinfo)
        events.append(
            {
                "at": at,
                "kind": _("Payment"),
                "text": f"{p.contract.number} · ¥{p.amount}",
                "url": p.get_absolute_url(),
            }
        )
    for c in customer.complaints.order_by("-opened_at")[:20]:
        events.append(
            {
                "at": c.opened_at,
                "kind": _("Complaint"),
                "text": f"{c.get_severity_display()} · {c.subject}",
                "url": c.get_absolute_url(),
            }
        )
    return sorted(events, key=itemgetter("at"), reverse=True)


def contract_detail(user, contract, perms) -> dict:
    """The contract page: lines, instalments with their ageing and dunning, payments, refunds,
    the approval rounds, the step now pending and the reviewers `user` stands in for there
    (``deputy_for``)."""
    steps = list(
        contract.steps.select_related("decided_by", "on_behalf_of").order_by("-round", "position")
    )
    current = policy.current_step(contract)
    deputy_for = (
        policy.deputised_reviewers(user, current, contract.owner, local_today())
        if current is not None
        else []
    )
    return {
        "contract": contract,
        "perms": perms,
        "lines": contract.lines.select_related("product__product_line"),
        "instalments": contract.instalments.with_ageing(local_today()).prefetch_related(
            Prefetch("dunning", queryset=DunningRecord.objects.select_related("actor"))
        ),
        "payments": contract.payments.select_related("instalment", "recorded_by"),
        "refunds": contract.refunds.select_related("requested_by", "decided_by"),
        "steps": steps,
        "current_step": current,
        "deputy_for": deputy_for,
        "collected": contract.payments.aggregate(s=money_sum("amount"))["s"],
    }
