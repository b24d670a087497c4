"""Customer value tiers: scores, the monthly re-evaluation and manual overrides."""

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from customers import money, policy
from customers.models import (
    ZERO,
    Contract,
    Customer,
    Instalment,
    Payment,
    Referral,
    Tier,
    TierChange,
    TierPolicy,
)
from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, ensure_may
from salescrm.roles import Role
from salescrm.timeutil import local_today


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
