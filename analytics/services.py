"""The analytics app's writes: the analyses that KPI alerts ask for (issue 20, seed 003:
异常数据需在两个工作日内提交分析报告).

- ``analyses_open``: every anomaly or trend alert sent so far without an analysis gets one,
  owned by the rep the alert is about, due two working days after the night that raised it;
- ``analysis_write``: the owner (or the manager of the owner's team) writes it;
- ``late_analyses_notify``: an analysis not answered by the end of its due date is reported to
  the owner's manager, once.

All three are set-based: a fixed number of queries whatever the number of alerts."""

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from performance.models import PeriodKind, ScoreCard
from rhythm.services.attendance import calendar_overrides, is_working_day
from salescrm.errors import BusinessRuleError
from salescrm.models import Notification, User
from salescrm.permissions import Action, ensure_may
from salescrm.roles import Role
from salescrm.scoping import managed_team_ids
from salescrm.services import notify_many
from salescrm.timeutil import add_months, clock, month_start

from .models import AlertAnalysis, AnalyticsSettings, ImprovementPlan

ANALYSIS_WORKING_DAYS = 2  # seed 003: 两个工作日内
ALERT_KINDS = tuple(AlertAnalysis.Kind.values)
# far enough for the longest run of days off in the Chinese calendar (Spring Festival, National
# Day: 8–9 days) plus the weekends around it
CALENDAR_REACH = dt.timedelta(days=30)


def add_working_days(day: dt.date, count: int, overrides: dict) -> dt.date:
    """The `count`-th working day after `day` (the day itself does not count): a Friday's
    second working day is the Tuesday; days off of the calendar are skipped, an adjusted
    working day (调休) counts."""
    found = 0
    while found < count:
        day += dt.timedelta(days=1)
        if is_working_day(day, overrides):
            found += 1
    return day


def due_date(raised_on: dt.date, overrides: dict | None = None) -> dt.date:
    if overrides is None:
        overrides = calendar_overrides(raised_on, raised_on + CALENDAR_REACH)
    return add_working_days(raised_on, ANALYSIS_WORKING_DAYS, overrides)


def _month_of(key: str) -> dt.date | None:
    """The month a KPI alert's key names ("kpi-trend:<rep>:<kpi>:2026-10")."""
    year, _sep, month = key.rsplit(":", 1)[-1].partition("-")
    if not (year.isdigit() and month.isdigit()):
        return None
    try:
        return dt.date(int(year), int(month), 1)
    except ValueError:
        return None


def analyses_open(*, day: dt.date) -> dict:
    """Open an analysis for every KPI alert (anomaly or trend) sent up to business date `day`
    that has none: owner = the rep named in the alert's key, due two working days after `day`.
    Four queries whatever the number of alerts; a rerun opens nothing new."""
    rows = (
        Notification.objects.filter(kind__in=ALERT_KINDS)
        .exclude(key__in=AlertAnalysis.objects.values("key"))
        .order_by("key", "id")
        .values_list("key", "kind", "body", "params")
    )
    alerts: dict[str, tuple] = {}
    for key, kind, body, params in rows:
        alerts.setdefault(key, (kind, body, params))  # one row per recipient: keep the first
    owners: dict[str, int] = {}
    for key in alerts:
        parts = key.split(":")
        if len(parts) == 4 and parts[1].isdigit():
            owners[key] = int(parts[1])
    existing = set(User.objects.filter(pk__in=set(owners.values())).values_list("pk", flat=True))
    due = due_date(day)
    new = []
    for key, (kind, body, params) in alerts.items():
        owner, month = owners.get(key), _month_of(key)
        if owner not in existing or month is None:
            continue
        new.append(
            AlertAnalysis(
                key=key,
                kind=kind,
                kpi=key.split(":")[2],
                month=month,
                owner_id=owner,
                summary="" if params else body,
                params=params or {},
                raised_on=day,
                due_on=due,
            )
        )
    AlertAnalysis.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return {"analyses_opened": len(new)}


def may_write(user, analysis: AlertAnalysis) -> bool:
    """The owner, or the manager of a team the owner belongs to (sub-teams included)."""
    if analysis.owner_id == user.pk:
        return True
    owner_team = (
        analysis.owner.team_id
        if "owner" in analysis._state.fields_cache
        else User.objects.filter(pk=analysis.owner_id).values_list("team_id", flat=True).first()
    )
    return owner_team is not None and owner_team in managed_team_ids(user)


class AnalysisError(BusinessRuleError):
    pass


@transaction.atomic
def analysis_write(*, actor, analysis: AlertAnalysis, cause: str, actions: str) -> AlertAnalysis:
    """Write (or revise) the analysis: the cause found and what is done about it. The first
    save marks it answered; a revision keeps that moment (a late answer stays late)."""
    ensure_may(actor, Action.ALERT_ANALYSIS_WRITE)
    if not may_write(actor, analysis):
        raise AnalysisError(_("Only the owner of the alert or their manager writes its analysis."))
    cause, actions = (cause or "").strip(), (actions or "").strip()
    if not cause:
        raise AnalysisError(_("Write the cause you found."))
    analysis = AlertAnalysis.objects.select_for_update().get(pk=analysis.pk)
    analysis.cause, analysis.actions = cause, actions
    fields = ["cause", "actions"]
    if analysis.answered_at is None:
        analysis.answered_at, analysis.answered_by = clock.now(), actor
        fields += ["answered_at", "answered_by"]
    analysis.save(update_fields=fields)
    return analysis


def late_analyses_notify(*, day: dt.date) -> dict:
    """Tell the owner's team manager about each analysis not answered by the end of its due date
    (late on business date `day`): once per analysis (the key), a fixed number of queries."""
    late = list(
        AlertAnalysis.objects.late(day)
        .filter(owner__team__manager__isnull=False)
        .values_list(
            "pk",
            "kpi",
            "month",
            "due_on",
            "owner__team__manager_id",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
        )
    )
    rows = [
        {
            "recipient_id": manager,
            "kind": "alert_analysis_late",
            "key": f"alert-analysis-late:{pk}",
            "params": {
                "kpi": kpi,
                "rep": str(User(username=username, first_name=first, last_name=last)),
                "month": f"{month:%Y-%m}",
                "due": f"{due:%Y-%m-%d}",
            },
            "url": AlertAnalysis(pk=pk).get_absolute_url(),
        }
        for pk, kpi, month, due, manager, username, first, last in late
    ]
    return {"late": len(rows), "sent": notify_many(rows)}


# --- improvement plans (绩效改进计划) ---------------------------------------------------------


def improvement_plans_open(*, day: dt.date) -> dict:
    """Open an improvement plan for every active rep whose monthly scorecard total was below the
    pass mark in each of the last N closed months up to the last month complete on business date
    `day` (N and the mark admin-set); a month without a scorecard breaks the run. A rep with a
    plan still in progress, or one already opened for the same last month, gets none: a rerun
    opens nothing. A fixed number of queries whatever the number of reps."""
    config = AnalyticsSettings.current()
    runs = config.improvement_after
    last = add_months(month_start(day + dt.timedelta(days=1)), -1)
    months = [add_months(last, -k) for k in range(runs - 1, -1, -1)]  # oldest first
    failed: dict[int, dict] = defaultdict(dict)
    for person, start, total in ScoreCard.objects.filter(
        period_kind=PeriodKind.MONTH,
        period_start__in=months,
        total_score__lt=config.pass_score,
        person__role=Role.REP,
        person__is_active=True,
    ).values_list("person_id", "period_start", "total_score"):
        failed[person][start] = total
    candidates = [person for person, scores in failed.items() if len(scores) == runs]
    busy = set(
        ImprovementPlan.objects.filter(person_id__in=candidates)
        .filter(Q(outcome=ImprovementPlan.Outcome.PENDING) | Q(last_failed_month=last))
        .values_list("person_id", flat=True)
    )
    plans = [
        ImprovementPlan(
            person_id=person,
            last_failed_month=last,
            failed_scores=[[f"{m:%Y-%m}", f"{failed[person][m]:.2f}"] for m in months],
            opened_on=day,
        )
        for person in sorted(candidates)
        if person not in busy
    ]
    ImprovementPlan.objects.bulk_create(plans, ignore_conflicts=True)
    opened = {
        plan.person_id: plan.pk
        for plan in ImprovementPlan.objects.filter(
            person_id__in=[plan.person_id for plan in plans], last_failed_month=last
        )
    }
    managers = dict(
        User.objects.filter(pk__in=opened, team__manager__isnull=False).values_list(
            "pk", "team__manager_id"
        )
    )
    alerts = [
        {
            "recipient_id": recipient,
            "kind": "improvement_plan",
            "key": f"improvement-plan:{plan_pk}",
            "params": {"month": f"{last:%Y-%m}", "runs": runs, "pass": f"{config.pass_score}"},
            "url": ImprovementPlan(pk=plan_pk).get_absolute_url(),
        }
        for person, plan_pk in sorted(opened.items())
        for recipient in sorted({person, managers.get(person)} - {None})
    ]
    return {"plans_opened": len(plans), "plan_alerts": notify_many(alerts)}


def may_edit_plan(user, plan: ImprovementPlan) -> bool:
    """The director, or the manager of a team the rep belongs to."""
    if user.role == Role.DIRECTOR or user.is_superuser:
        return True
    team = plan.person.team_id
    return user.role == Role.MANAGER and team is not None and team in managed_team_ids(user)


@transaction.atomic
def improvement_plan_update(
    *, actor, plan: ImprovementPlan, goals: str, review_on, outcome: str, outcome_note: str
) -> ImprovementPlan:
    """The rep's manager (or the director) sets the plan's goals and review date and records
    its outcome."""
    ensure_may(actor, Action.IMPROVEMENT_PLAN_EDIT)
    if not may_edit_plan(actor, plan):
        raise AnalysisError(_("Only the rep's manager or the director edits the plan."))
    if outcome not in ImprovementPlan.Outcome.values:
        raise AnalysisError(_("Choose an outcome from the list."))
    if review_on is not None and review_on < plan.opened_on:
        raise AnalysisError(_("The review date cannot be before the plan was opened."))
    plan = ImprovementPlan.objects.select_for_update().get(pk=plan.pk)
    plan.goals, plan.review_on = (goals or "").strip(), review_on
    plan.outcome, plan.outcome_note = outcome, (outcome_note or "").strip()
    plan.updated_at, plan.updated_by = clock.now(), actor
    plan.save()
    return plan
