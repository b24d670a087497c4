"""Promotion eligibility (seed 003: 连续2个季度达标可竞聘组长): a rep may apply for team lead
after meeting the target two consecutive quarters.

Read from the frozen quarterly scorecards: the two most recent *closed* quarters (a quarter
is closed once the open month — the month of the latest business date — is past its end,
``performance.services.period_is_closed``), and "on target" is the signing achievement rate
line (``target_achievement``) of the rep's quarterly scorecard at 100 % or more. On
2026-07-15 those are Q1 and Q2 2026; on 2026-06-30 Q4 2025 and Q1 2026 (Q2 is still open).
One query for everybody."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Min

from performance.models import PeriodKind, ScoreLine
from performance.services import open_month
from salescrm.models import User
from salescrm.roles import Role
from salescrm.timeutil import add_months, quarter_start

ON_TARGET = Decimal(100)


@dataclass(frozen=True)
class Eligible:
    rep: User
    first_quarter: dt.date
    second_quarter: dt.date
    lowest_achievement: Decimal


def last_closed_quarters(today: dt.date) -> tuple[dt.date, dt.date]:
    """The starts of the two most recent closed quarters, older first."""
    second = add_months(quarter_start(open_month(today)), -3)
    return add_months(second, -3), second


def eligible_reps(*, today: dt.date, visible_to: User | None = None) -> list[Eligible]:
    first, second = last_closed_quarters(today)
    lines = ScoreLine.objects.filter(
        kpi="target_achievement",
        actual__gte=ON_TARGET,
        scorecard__period_kind=PeriodKind.QUARTER,
        scorecard__period_start__in=[first, second],
        scorecard__person__role=Role.REP,
        scorecard__person__is_active=True,
    )
    if visible_to is not None:
        lines = lines.filter(scorecard__person__in=User.objects.visible_to(visible_to))
    rows = (
        lines.values("scorecard__person")
        .annotate(quarters=Count("scorecard__period_start", distinct=True), low=Min("actual"))
        .filter(quarters=2)
        .order_by()
    )
    lows = {row["scorecard__person"]: row["low"] for row in rows}
    people = User.objects.filter(pk__in=lows).select_related("team").order_by("username")
    return [Eligible(person, first, second, lows[person.pk]) for person in people]
