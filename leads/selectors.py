"""Reads across leads and activities that pages share: activity-plan actuals (seed 004)."""

import datetime as dt

from django.db.models import Count, DateField, Q
from django.db.models.functions import Trunc

from salescrm.timeutil import SHANGHAI, day_bounds

from .models import Activity, Lead

ACTUAL_FIELDS = ["calls", "visits", "new_leads", "trial_lessons"]


def plan_actuals(rep_ids, first_week: dt.date, last_week: dt.date) -> dict:
    """{(rep_id, week_start): {"calls", "visits", "new_leads", "trial_lessons"}} counted from
    logged activities (calls = phone calls, visits = effective visits) and the leads each rep
    created, for the weeks first_week..last_week (Mondays). Two queries in all."""
    start, end = day_bounds(first_week, last_week + dt.timedelta(days=6))
    result: dict = {}

    def slot(rep_id, week):
        return result.setdefault((rep_id, week), dict.fromkeys(ACTUAL_FIELDS, 0))

    activities = (
        Activity.objects.filter(actor_id__in=rep_ids, occurred_at__gte=start, occurred_at__lt=end)
        .annotate(week=Trunc("occurred_at", "week", output_field=DateField(), tzinfo=SHANGHAI))
        .values("actor_id", "week")
        .annotate(
            calls=Count("pk", filter=Q(kind=Activity.Kind.PHONE)),
            visits=Count("pk", filter=Q(kind__in=Activity.EFFECTIVE_VISIT_KINDS)),
            trial_lessons=Count("pk", filter=Q(kind=Activity.Kind.TRIAL_LESSON)),
        )
        .order_by()
    )
    for row in activities:
        counts = slot(row["actor_id"], row["week"])
        counts.update(calls=row["calls"], visits=row["visits"], trial_lessons=row["trial_lessons"])
    created = (
        Lead.objects.filter(created_by_id__in=rep_ids, created_at__gte=start, created_at__lt=end)
        .annotate(week=Trunc("created_at", "week", output_field=DateField(), tzinfo=SHANGHAI))
        .values("created_by_id", "week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in created:
        slot(row["created_by_id"], row["week"])["new_leads"] = row["n"]
    return result
