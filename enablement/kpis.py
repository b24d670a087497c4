"""People KPIs (seed 003: supervisors are scored on growing their people), added to the
performance catalogue so the admin can weigh them in the manager's scheme. Each is computed
per rep, so a manager's figure is their teams' reps summed (``performance.kpis.rollup``) and
the director's the company's; one query per KPI.

- **Probation pass rate** (新人3个月转正率): probation decisions recorded in the period that
  were "pass" ÷ probation decisions recorded in it (pass, extend, fail) × 100.
- **Core-member attrition** (核心员工流失率, lower is better, excellent below 10 %): over the
  twelve months ending with the period's last day, core members who left ÷ the average
  headcount of core members × 100. A core member is a rep past the three months' probation
  (hired at least three months before the day); the average headcount is the mean of the
  headcounts at the ends of the twelve months (a rep who left on a month's last day is no
  longer counted at that end). Per rep: numerator 1 if they left as a core member in the
  window, denominator the number of those month ends they were counted ÷ 12.
- **Leaders grown** (培养组长数): team-lead applications approved in the period, counted on
  the promoted rep (so on their manager).
- **Training-plan completion** (培训计划完成率): personal training plan items due in the period
  that the rep completed (attended a session of the course held on or before the due day,
  with at least the course's pass score when scored) ÷ items due × 100.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from performance.kpis import HIGHER, HUNDRED, LOWER, Kpi, Ratio, register_kpi
from salescrm.models import User
from salescrm.roles import Role
from salescrm.timeutil import add_months, month_end

from .models import Attendance, OnboardingPlan, PromotionCase, TrainingPlanItem, plus_months

PROBATION_MONTHS = 3
WINDOW_MONTHS = 12


def probation_pass_rate(start: dt.date, end: dt.date) -> dict[int, Ratio]:
    rows = (
        OnboardingPlan.objects.filter(decided_on__range=(start, end))
        .exclude(decision="")
        .values("rep_id")
        .annotate(
            decided=Count("id"), passed=Count("id", filter=Q(decision=OnboardingPlan.Decision.PASS))
        )
        .order_by()
    )
    return {r["rep_id"]: Ratio(Decimal(r["passed"]), Decimal(r["decided"])) for r in rows}


def month_ends(end: dt.date) -> list[dt.date]:
    """The last days of the twelve months ending with `end`'s month (`end` itself for the
    last one, so a running month counts to the day)."""
    ends = [month_end(add_months(end, -offset)) for offset in range(WINDOW_MONTHS - 1, 0, -1)]
    return [*ends, end]


def core_attrition(start: dt.date, end: dt.date) -> dict[int, Ratio]:
    ends = month_ends(end)
    window_start = plus_months(end, -WINDOW_MONTHS) + dt.timedelta(days=1)
    reps = User.objects.filter(role=Role.REP, hire_date__isnull=False).values_list(
        "id", "hire_date", "departure__left_on"
    )
    ratios = {}
    twelve = Decimal(WINDOW_MONTHS)
    for rep, hired, left in reps:
        core_from = plus_months(hired, PROBATION_MONTHS)
        counted = sum(1 for day in ends if core_from <= day and (left is None or left > day))
        leaver = left is not None and window_start <= left <= end and core_from <= left
        if counted or leaver:
            ratios[rep] = Ratio(Decimal(int(leaver)), Decimal(counted) / twelve)
    return ratios


def leaders_grown(start: dt.date, end: dt.date) -> dict[int, Ratio]:
    rows = (
        PromotionCase.objects.filter(
            decision=PromotionCase.Decision.APPROVED, decided_on__range=(start, end)
        )
        .values("rep_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["rep_id"]: Ratio(Decimal(r["n"])) for r in rows}


def completed_q():
    """Whether a plan item (the outer row) was completed by its due day."""
    return Exists(
        Attendance.objects.filter(
            rep=OuterRef("rep"),
            session__course=OuterRef("course"),
            session__held_on__lte=OuterRef("due_on"),
            attended=True,
        ).filter(Q(score__isnull=True) | Q(score__gte=F("session__course__pass_score")))
    )


def training_plan_completion(start: dt.date, end: dt.date) -> dict[int, Ratio]:
    rows = (
        TrainingPlanItem.objects.filter(due_on__range=(start, end))
        .annotate(done=completed_q())
        .values("rep_id")
        .annotate(due=Count("id"), completed=Count("id", filter=Q(done=True)))
        .order_by()
    )
    return {r["rep_id"]: Ratio(Decimal(r["completed"]), Decimal(r["due"])) for r in rows}


PEOPLE_KPIS = [
    (
        Kpi("probation_pass_rate", _("Probation pass rate"), "%", HIGHER,
            _("onboarding plans' probation decisions"),
            _("probation decisions of the period that were pass ÷ decisions of the period × 100"),
            probation_pass_rate, HUNDRED),
        _("no probation decided in the period"),
        False,
    ),
    (
        Kpi("core_attrition", _("Core-member attrition"), "%", LOWER,
            _("users' hire dates and departures"),
            _("core members (past probation) who left in the 12 months to the period's end ÷ their average month-end headcount over those months × 100 (excellent below 10 %)"),
            core_attrition, HUNDRED),
        _("no core members in the 12 months"),
        False,
    ),
    (
        Kpi("leaders_grown", _("Leaders grown"), _("people"), HIGHER,
            _("team-lead applications"),
            _("team-lead applications approved in the period"), leaders_grown),
        None,
        True,
    ),
    (
        Kpi("training_plan_completion", _("Training-plan completion"), "%", HIGHER,
            _("personal training plans and attendance"),
            _("training plan items due in the period completed by their due day (attended, pass score reached) ÷ items due × 100"),
            training_plan_completion, HUNDRED),
        _("no training plan item due in the period"),
        False,
    ),
]  # fmt: skip

for kpi, reason, plain in PEOPLE_KPIS:
    register_kpi(kpi, no_value_reason=reason, plain=plain)
