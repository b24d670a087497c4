"""The rep's own dashboard: their target progress, follow-ups due, scorecard and commission
(the funnel is shared, in ``funnel``)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from leads.models import Lead
from salescrm.money import round_places
from salescrm.timeutil import (
    month_end,
    quarter_end,
    quarter_label,
    quarter_start,
    year_end,
    year_start,
)

from ..models import CommissionStatement, PeriodKind, ScoreLine
from .data import Data
from .figures import Chart, Figure, cells
from .funnel import stage_label
from .scope import ZERO, money, percent

# --- target progress -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetProgressRow:
    period: str
    start: str  # YYYY-MM
    target: Decimal
    signed: Decimal
    achievement: Decimal | None


def target_progress_rows(data: Data) -> list[TargetProgressRow]:
    scope = data.scope
    spans = [
        (_("Month"), scope.month, month_end(scope.month)),
        (_("Quarter"), quarter_start(scope.month), quarter_end(scope.month)),
        (_("Year"), year_start(scope.month), year_end(scope.month)),
    ]
    rows = []
    for label, first, last in spans:
        target = data.target("signed_amount", first, last)
        actual = data.total(data.signed, first, last)
        rows.append(
            TargetProgressRow(
                label, f"{first:%Y-%m}", money(target), money(actual), percent(actual, target)
            )
        )
    return rows


def draw_target_against_signed(rows, label: str = "period") -> Figure:
    """Target and signed amount side by side per row, over the row's `label` field."""
    names = [getattr(row, label) for row in rows]
    figure = Figure()
    figure.add_bar(x=names, y=[float(row.target) for row in rows], name=_("Target"))
    figure.add_bar(x=names, y=[float(row.signed) for row in rows], name=_("Signed amount"))
    return figure.axes(x=_("Period"), y=_("Amount (¥)"))


def chart_target_progress(data: Data) -> Chart:
    rows = target_progress_rows(data)
    scope = data.scope
    return Chart(
        "target_progress",
        _("Target progress (signed amount)"),
        [_("Period"), _("From"), _("Target"), _("Signed amount"), _("Signing achievement (%)")],
        [cells(row) for row in rows],
        partial(draw_target_against_signed, rows),
        period=" · ".join(
            [
                f"{scope.month:%Y-%m}",
                quarter_label(scope.month),
                str(scope.month.year),
            ]
        ),
        empty=_("No target and nothing signed in this month, quarter or year yet."),
    )


# --- follow-ups ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FollowUpRow:
    lead: str
    company: str
    stage: str
    due: dt.date
    status: str


def follow_up_rows(data: Data) -> list[FollowUpRow]:
    """The rep's open leads whose next follow-up is overdue or due in the coming week."""
    scope = data.scope
    today = scope.today
    leads = (
        Lead.objects.filter(
            owner_id__in=scope.rep_ids, next_follow_up_on__lte=today + dt.timedelta(days=7)
        )
        .open()
        .order_by("next_follow_up_on", "pk")
        .values_list("name", "company", "stage", "next_follow_up_on")[:200]
    )

    def status(day):
        if day < today:
            return _("Overdue")
        return _("Today") if day == today else _("This week")

    return [
        FollowUpRow(name, company, stage_label(stage), due, status(due))
        for name, company, stage, due in leads
    ]


def draw_follow_ups(rows: list[FollowUpRow]) -> Figure:
    counts: dict[str, int] = defaultdict(int)
    for row in rows:
        counts[row.status] += 1
    labels = [_("Overdue"), _("Today"), _("This week")]
    figure = Figure().add_bar(
        x=labels, y=[counts.get(label, 0) for label in labels], name=_("Leads")
    )
    return figure.axes(x=_("Status"), y=_("Leads to follow up"))


def chart_follow_ups(data: Data) -> Chart:
    rows = follow_up_rows(data)
    return Chart(
        "follow_ups",
        _("Follow-ups due"),
        [_("Lead"), _("Company"), _("Stage"), _("Next follow-up on"), _("Status")],
        [cells(row) for row in rows],
        partial(draw_follow_ups, rows),
        period=_("Overdue and due by %(day)s") % {"day": data.scope.today + dt.timedelta(days=7)},
    )


# --- scorecard -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScorecardRow:
    kpi: str
    actual: Decimal | None
    target: Decimal
    weight: Decimal
    score: Decimal
    weighted_score: Decimal


def scorecard_rows(data: Data) -> list[ScorecardRow]:
    scope = data.scope
    lines = ScoreLine.objects.filter(
        scorecard__person_id__in=scope.rep_ids,
        scorecard__period_kind=PeriodKind.MONTH,
        scorecard__period_start=scope.month,
    ).order_by("scorecard__person__username", "id")
    return [
        ScorecardRow(
            kpi=line.get_kpi_display(),
            actual=round_places(line.actual, 2) if line.actual is not None else None,
            target=line.target,
            weight=line.weight,
            score=line.score,
            weighted_score=line.weighted_score,
        )
        for line in lines
    ]


def draw_scorecard(rows: list[ScorecardRow]) -> Figure:
    figure = Figure().add_bar(
        x=[row.kpi for row in rows],
        y=[float(row.score) for row in rows],
        name=pgettext("KPI score", "Score"),
    )
    return figure.add_hline(100).axes(x=_("KPI"), y=_("Score (points, 100 = target)"))


def chart_scorecard(data: Data) -> Chart:
    rows = scorecard_rows(data)
    return Chart(
        "scorecard",
        _("My scorecard"),
        [
            _("KPI"),
            _("Actual"),
            _("Target"),
            _("Weight (%)"),
            pgettext("KPI score", "Score"),
            _("Weighted score"),
        ],
        [cells(row) for row in rows],
        partial(draw_scorecard, rows),
        period=f"{data.scope.month:%Y-%m}",
    )


# --- commission ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CommissionRow:
    month: str  # YYYY-MM
    base_amount: Decimal
    achievement: Decimal
    commission: Decimal
    team_bonus: Decimal
    total: Decimal
    year_to_date: Decimal
    status: str


def commission_rows(data: Data) -> list[CommissionRow]:
    scope = data.scope
    statements = CommissionStatement.objects.filter(
        rep_id__in=scope.rep_ids,
        month__gte=year_start(scope.month),
        month__lte=scope.month,
    ).order_by("month", "rep_id")
    rows = []
    running = ZERO
    for s in statements:
        running += s.total
        rows.append(
            CommissionRow(
                month=f"{s.month:%Y-%m}",
                base_amount=s.base_amount,
                achievement=s.achievement,
                commission=s.commission,
                team_bonus=s.team_bonus,
                total=s.total,
                year_to_date=running,
                status=s.get_status_display(),
            )
        )
    return rows


def draw_commission(rows: list[CommissionRow]) -> Figure:
    months = [row.month for row in rows]
    figure = Figure()
    figure.add_bar(
        x=months, y=[float(row.total) for row in rows], name=_("Commission of the month")
    )
    figure.add_scatter(
        x=months, y=[float(row.year_to_date) for row in rows], name=_("Year to date")
    )
    return figure.axes(x=_("Month"), y=_("Commission (¥)"))


def chart_commission(data: Data) -> Chart:
    rows = commission_rows(data)
    return Chart(
        "commission",
        _("Commission to date"),
        [
            _("Month"),
            _("Base amount"),
            _("Achievement of the commission base (%)"),
            _("Tiered commission"),
            _("Team bonus"),
            _("Total"),
            _("Year to date"),
            _("Status"),
        ],
        [cells(row) for row in rows],
        partial(draw_commission, rows),
        period=f"{year_start(data.scope.month):%Y-%m} – {data.scope.month:%Y-%m}",
    )


CHARTS = {
    "target_progress": chart_target_progress,
    "follow_ups": chart_follow_ups,
    "scorecard": chart_scorecard,
    "commission": chart_commission,
}
