"""Lost deals (seed 000/004: 丢单原因分析): the leads lost in a period, by their reason and the
stage, product line, channel, rep or month they were lost at, with the amount lost.

A lead counts as lost in a period when it is lost now and its last move to "lost" happened in
the period (a lead re-opened since is not lost; one lost twice counts once, at its last loss).
The stage it was lost at is the stage it left; the amount lost is its budget (the amount the
funnel's stage totals sum), 0 when none was recorded. Read by the funnel diagnosis (top reasons
per rep) and by the analytics app's lost-deal analysis: one grouped query each."""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, DecimalField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth

from leads.models import Lead, StageChange
from salescrm.timeutil import SHANGHAI, day_bounds

# the dimensions a loss is grouped by, and the lead's column (or annotation) of each
DIMENSIONS = {
    "stage": "lost_from",
    "product_line": "product_line_id",
    "channel": "channel_id",
    "rep": "owner_id",
    "month": "lost_month",
}


def lost_leads(first: dt.date, last: dt.date, owned: Q | None = None):
    """The leads lost in Shanghai days first..last, owned as `owned` says (a Q on the lead),
    annotated with ``lost_at``, ``lost_from`` (the stage left) and ``lost_month``."""
    start, end = day_bounds(first, last)
    last_loss = StageChange.objects.filter(lead=OuterRef("pk"), to_stage=Lead.Stage.LOST).order_by(
        "-changed_at", "-id"
    )
    return (
        Lead.objects.filter(owned or Q(), stage=Lead.Stage.LOST)
        .annotate(
            lost_at=Subquery(last_loss.values("changed_at")[:1]),
            lost_from=Subquery(last_loss.values("from_stage")[:1]),
        )
        .filter(lost_at__gte=start, lost_at__lt=end)
        .annotate(lost_month=TruncMonth("lost_at", tzinfo=SHANGHAI))
    )


def lost_totals(first: dt.date, last: dt.date, by: str, owned: Q | None = None) -> list[tuple]:
    """[(dimension value, lost_reason_id, leads, amount)] of the leads lost in the period,
    grouped by `by` (a key of ``DIMENSIONS``) and reason. One query."""
    column = DIMENSIONS[by]
    rows = (
        lost_leads(first, last, owned)
        .order_by()
        .values(column, "lost_reason_id")
        .annotate(
            leads=Count("id"),
            amount=Sum(
                Coalesce(
                    "budget",
                    Value(Decimal(0)),
                    output_field=DecimalField(max_digits=16, decimal_places=2),
                )
            ),
        )
        .values_list(column, "lost_reason_id", "leads", "amount")
    )
    return [
        (value.date() if isinstance(value, dt.datetime) else value, reason, leads, amount)
        for value, reason, leads, amount in rows
    ]
