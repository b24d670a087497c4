"""Demo alert analyses (issue 20): for a few reps of the first two teams, KPI alerts of recent
weeks with their analyses in every state — answered in time, answered after the due date, late
and open — so the manager's list has something to show. Due dates on the demo working calendar
(the rhythm seeder writes it first). Idempotent: one row per alert key."""

import datetime as dt

from salescrm.demo import DemoContext, demo_seeder
from salescrm.timeutil import SHANGHAI, add_months, month_start

from . import demo_market, demo_winprob  # noqa: F401 - register their seeders too
from .models import AlertAnalysis, ImprovementPlan
from .services import due_date

# (team index, rep position, KPI, days ago raised, answered: None, "in time" or "late", kind)
CASES = [
    (0, 0, "signed_amount", 20, "in time", "kpi_anomaly"),
    (0, 1, "effective_visits", 16, "late", "kpi_anomaly"),
    (0, 2, "collected_amount", 9, None, "kpi_anomaly"),
    (0, 3, "lead_conversion", 1, None, "kpi_trend"),
    (1, 0, "new_customers", 12, None, "kpi_anomaly"),
    (1, 1, "signed_amount", 1, None, "kpi_anomaly"),
]
CAUSES = {
    "in time": (
        "两位客户的签约推迟到下月，预算审批尚未完成。",
        "本周内与两位客户的决策人再次面谈，确认签约时间。",
    ),
    "late": ("本月参加新人培训三天，外出拜访减少。", "下周起每天安排两次有效拜访，经理周五复盘。"),
}
TREND_BODY = "2026-06 18.00 → 2026-07 15.50 → 2026-08 12.00 → 2026-09 9.50"


@demo_seeder(order=70)
def seed_alert_analyses(ctx: DemoContext) -> None:
    for team, position, kpi, ago, answered, kind in CASES:
        reps = ctx.reps(team)
        if position >= len(reps):
            continue
        rep = reps[position]
        raised = ctx.today - dt.timedelta(days=ago)
        due = due_date(raised)
        prefix = "kpi-anomaly" if kind == "kpi_anomaly" else "kpi-trend"
        key = f"{prefix}:{rep.pk}:{kpi}:{month_start(raised):%Y-%m}"
        params = (
            {
                "rep": str(rep),
                "kpi": kpi,
                "change": "-27.5",
                "current": "29.00",
                "previous": "40.00",
                "span": f"{month_start(raised):%m-%d}–{raised:%m-%d}",
                "previous_span": "…",
            }
            if kind == "kpi_anomaly"
            else {}
        )
        fields = {
            "kind": kind,
            "kpi": kpi,
            "month": month_start(raised),
            "owner": rep,
            "params": params,
            "summary": "" if params else TREND_BODY,
            "raised_on": raised,
            "due_on": due,
        }
        if answered:
            day = due if answered == "in time" else due + dt.timedelta(days=2)
            fields.update(
                cause=CAUSES[answered][0],
                actions=CAUSES[answered][1],
                answered_at=dt.datetime.combine(day, dt.time(17, 30), tzinfo=SHANGHAI),
                answered_by=rep,
            )
        AlertAnalysis.objects.get_or_create(key=key, defaults=fields)


@demo_seeder(order=71)
def seed_improvement_plan(ctx: DemoContext) -> None:
    """One plan in progress for a rep of the second team, goals and review date set by the
    manager (the nightly job opens real ones from the scorecards)."""
    reps = ctx.reps(1)
    if len(reps) < 3:
        return
    rep = reps[2]
    last = add_months(month_start(ctx.today), -1)
    manager = rep.team.manager if rep.team else None
    ImprovementPlan.objects.get_or_create(
        person=rep,
        last_failed_month=last,
        defaults={
            "failed_scores": [
                [f"{add_months(last, -1):%Y-%m}", "54.20"],
                [f"{last:%Y-%m}", "48.75"],
            ],
            "opened_on": month_start(ctx.today) + dt.timedelta(days=1),
            "goals": "每周有效拜访不少于 20 次；本月签约 2 单；每周五与经理复盘一次。",
            "review_on": month_start(ctx.today) + dt.timedelta(days=27),
            "updated_at": dt.datetime.combine(
                month_start(ctx.today) + dt.timedelta(days=2), dt.time(10), tzinfo=SHANGHAI
            ),
            "updated_by": manager,
        },
    )
