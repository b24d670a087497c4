"""What the enablement pages show beyond one QuerySet: script usage rates, ramp progress,
training completion. Each is a constant number of queries whatever the number of rows."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from customers.models import Contract
from leads.models import Activity
from leads.services import FOLLOW_UP_KINDS
from salescrm.models import User
from salescrm.money import share_percent
from salescrm.roles import Role
from salescrm.timeutil import SHANGHAI, add_months, day_bounds, month_start
from targets.models import Metric, Target, TargetPlan

from .kpis import completed_q
from .models import OnboardingPlan, ScriptUsage, TrainingPlanItem


@dataclass(frozen=True)
class RepUsage:
    rep: User
    follow_ups: int
    with_script: int
    rate: Decimal | None
    meets_goal: bool


def usage_by_rep(user, first: dt.date, last: dt.date, goal: Decimal) -> list[RepUsage]:
    """Per rep the reader sees: follow-ups logged (calls, WeChat, visits, meetings, trial
    lessons, campus tours; not notes) in first..last, how many marked a script, the rate."""
    start, end = day_bounds(first, last)
    reps = list(
        User.objects.visible_to(user)
        .filter(role=Role.REP, is_active=True)
        .select_related("team")
        .order_by("team__sort_key", "username")
    )
    counts = {
        row["actor_id"]: row
        for row in Activity.objects.filter(
            actor__in=[rep.pk for rep in reps],
            kind__in=FOLLOW_UP_KINDS,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .values("actor_id")
        .annotate(total=Count("id"), used=Count("script_usage"))
        .order_by()
    }
    rows = []
    for rep in reps:
        row = counts.get(rep.pk, {"total": 0, "used": 0})
        rate = share_percent(row["used"], row["total"])
        rows.append(
            RepUsage(rep, row["total"], row["used"], rate, rate is not None and rate >= goal)
        )
    return rows


@dataclass(frozen=True)
class ScriptUse:
    script_id: int
    title: str
    stage: str
    uses: int
    reps: int
    share: Decimal | None  # of the marked follow-ups of the script's stage


def usage_by_script(user, first: dt.date, last: dt.date) -> list[ScriptUse]:
    start, end = day_bounds(first, last)
    rows = list(
        ScriptUsage.objects.visible_to(user)
        .filter(used_at__gte=start, used_at__lt=end)
        .values("script_id", "script__title", "script__stage")
        .annotate(uses=Count("id"), reps=Count("rep", distinct=True))
        .order_by("script__stage", "-uses")
    )
    by_stage = defaultdict(int)
    for row in rows:
        by_stage[row["script__stage"]] += row["uses"]
    return [
        ScriptUse(
            row["script_id"],
            row["script__title"],
            row["script__stage"],
            row["uses"],
            row["reps"],
            share_percent(row["uses"], by_stage[row["script__stage"]]),
        )
        for row in rows
    ]


@dataclass(frozen=True)
class RampMonth:
    number: int  # month of tenure, 1..6
    start: dt.date
    activities: int
    target: int
    rate: Decimal | None
    signed: Decimal  # contracts the rep signed in the month
    signed_target: Decimal | None  # the rep's published signed-amount target of the month
    achievement: Decimal | None  # signed ÷ signed target, in %; none without a target


def ramp_progress(plan: OnboardingPlan) -> list[RampMonth]:
    """Months 1–6 from the hire date: follow-ups logged in each calendar month of tenure
    against the plan's monthly ramp target, and the amount signed against the rep's published
    signed-amount target of the month (three queries)."""
    first = month_start(plan.hire_date)
    last = add_months(first, 6) - dt.timedelta(days=1)
    start, end = day_bounds(first, last)
    counts = dict(
        Activity.objects.filter(
            actor=plan.rep_id, kind__in=FOLLOW_UP_KINDS, occurred_at__gte=start, occurred_at__lt=end
        )
        .annotate(month=TruncMonth("occurred_at", tzinfo=SHANGHAI))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
        .order_by()
    )
    counts = {(key.date() if isinstance(key, dt.datetime) else key): n for key, n in counts.items()}
    signed = dict(
        Contract.objects.signed_between(first, last)
        .filter(owner=plan.rep_id)
        .annotate(month=TruncMonth("signed_on"))
        .values("month")
        .annotate(amount=Sum("total_amount"))
        .values_list("month", "amount")
        .order_by()
    )
    targets = dict(
        Target.objects.filter(
            plan__in=TargetPlan.objects.published().filter(metric=Metric.SIGNED_AMOUNT),
            level=Target.Level.REP,
            rep=plan.rep_id,
            month__range=(first, last),
        )
        .values("month")
        .annotate(amount=Sum("value"))
        .values_list("month", "amount")
        .order_by()
    )
    target = plan.ramp_activities_per_month
    months = []
    for number in range(1, 7):
        start_of = add_months(first, number - 1)
        done = counts.get(start_of, 0)
        amount = signed.get(start_of, Decimal("0"))
        signed_target = targets.get(start_of)
        months.append(
            RampMonth(
                number,
                start_of,
                done,
                target,
                share_percent(done, target),
                amount,
                signed_target,
                share_percent(amount, signed_target),
            )
        )
    return months


@dataclass(frozen=True)
class TeamCompletion:
    team: str
    due: int
    completed: int
    rate: Decimal | None


def training_completion_by_team(user, first: dt.date, last: dt.date) -> list[TeamCompletion]:
    rows = (
        TrainingPlanItem.objects.visible_to(user)
        .filter(due_on__range=(first, last))
        .annotate(done=completed_q())
        .values("rep__team__name")
        .annotate(due=Count("id"), completed=Count("id", filter=Q(done=True)))
        .order_by("rep__team__sort_key")
    )
    return [
        TeamCompletion(
            row["rep__team__name"] or "—",
            row["due"],
            row["completed"],
            share_percent(row["completed"], row["due"]),
        )
        for row in rows
    ]
