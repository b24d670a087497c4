"""Progress against a published plan (SPEC §4): actual vs target for company, teams and reps
over a month, a quarter or the year to date, with the achievement rate (达成率), the gap to
date and a run-rate projection to the period's end.

Definitions (all in Decimal, rounded half-up to the plan's unit at the end):
- target: the sum of the period's monthly targets;
- target to date: the months that have ended in full, plus the current month's target in
  proportion to its days elapsed (the day `as_of` counts as elapsed);
- achievement rate: actual / target (None when the target is zero);
- gap to date: actual - target to date (negative = behind);
- run-rate projection: actual / days elapsed x days in the period.
Actuals come from targets.selectors, over the period's days up to `as_of`.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from salescrm.models import Team, User
from salescrm.money import round_places
from salescrm.timeutil import month_end, quarter_end, quarter_start

from . import selectors
from .models import MONEY_METRICS, PlanMember, Target, TargetPlan

PERIODS = ("month", "quarter", "year")


def period_bounds(kind: str, year: int, month: int) -> tuple[dt.date, dt.date]:
    day = dt.date(year, month, 1)
    if kind == "month":
        return day, month_end(day)
    if kind == "quarter":
        return quarter_start(day), quarter_end(day)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _round(value: Decimal, places: int) -> Decimal:
    return round_places(value, places)


def target_to_date(
    months: dict[dt.date, Decimal], start: dt.date, end: dt.date, as_of: dt.date
) -> Decimal:
    """The part of the period's target that should have been reached by `as_of` (unrounded)."""
    total = Decimal(0)
    for month, value in months.items():
        if not start <= month <= end or month > as_of:
            continue
        last = month_end(month)
        if last <= as_of:
            total += value
        else:
            total += value * Decimal((as_of - month).days + 1) / Decimal((last - month).days + 1)
    return total


def run_rate(actual: Decimal, start: dt.date, end: dt.date, as_of: dt.date) -> Decimal:
    """The actual pace carried on to the period's end (unrounded)."""
    if as_of < start:
        return Decimal(0)
    elapsed = (min(as_of, end) - start).days + 1
    return Decimal(actual) * Decimal((end - start).days + 1) / Decimal(elapsed)


@dataclass
class ProgressRow:
    label: str
    level: str
    target: Decimal
    target_to_date: Decimal
    actual: Decimal
    projection: Decimal
    months: dict  # month -> target value, the whole year
    owner: int | None  # team id or rep id; None for the company
    team: str = ""  # the team of a team or rep row

    @property
    def achievement_rate(self) -> Decimal | None:
        if not self.target:
            return None
        return round_places(Decimal(self.actual) / self.target, 4)

    @property
    def gap_to_date(self) -> Decimal:
        return self.actual - self.target_to_date


@dataclass
class ActivityRow:
    """A new rep with an activity target instead of an amount (seed 003)."""

    label: str
    team: str
    target: int  # effective visits over the period
    actual: int


@dataclass
class Progress:
    plan: TargetPlan
    kind: str
    start: dt.date
    end: dt.date
    as_of: dt.date
    rows: list[ProgressRow]
    activity_rows: list[ActivityRow] = field(default_factory=list)

    def sorted_rows(self) -> list[ProgressRow]:
        """Company first, then the teams, then the reps by team."""
        order = {"company": 0, "team": 1, "rep": 2}
        return sorted(self.rows, key=lambda r: (order[r.level], r.team, r.label))


def activity_progress(
    *, plan: TargetPlan, user: User, start: dt.date, end: dt.date, as_of: dt.date
):
    """Effective visits against the activity target of the plan's activity-focused reps
    (two queries; none of the second when there is no such rep)."""
    members = list(
        PlanMember.objects.filter(plan=plan, activity_focus=True)
        .visible_to(user)
        .select_related("rep", "team")
        .order_by("team__sort_key", "rep__username")
    )
    if not members:
        return []
    visits = selectors.effective_visits(start, min(as_of, end)) if as_of >= start else {}
    months = [m for m in range(start.month, end.month + 1)]
    rows = []
    for member in members:
        active = [
            m for m in months if member.first_month <= m and (member.left_after_month or 12) >= m
        ]
        rows.append(
            ActivityRow(
                label=str(member.rep),
                team=str(member.team),
                target=member.monthly_visits * len(active),
                actual=visits.get(member.rep_id, 0),
            )
        )
    return rows


def build_progress(
    *, plan: TargetPlan, user: User, kind: str, month: int, as_of: dt.date
) -> Progress:
    """Rows the user may see: company (director), teams and reps (scoped like the targets).
    Five queries: the targets, their teams' and reps' names, the actuals, the teams of the reps
    who have actuals."""
    start, end = period_bounds(kind, plan.year, month)
    places = plan.places
    # plain tuples, not ~4,000 Target objects with their team and rep (issue 21: 300 reps ×
    # 12 months built ~12,000 model objects per page); the labels come from the few teams and
    # reps named, in two small queries
    targets = list(
        Target.objects.filter(plan=plan)
        .visible_to(user)
        .order_by("level", "team__sort_key", "rep__username", "month")
        .values_list("level", "team_id", "rep_id", "month", "value")
    )
    team_names = {
        team.pk: str(team) for team in Team.objects.filter(pk__in={t[1] for t in targets} - {None})
    }
    rep_names = {
        rep.pk: str(rep) for rep in User.objects.filter(pk__in={t[2] for t in targets} - {None})
    }
    actual_until = min(as_of, end)
    actual_by_rep = selectors.actuals(plan.metric, start, actual_until) if as_of >= start else {}
    team_of = dict(User.objects.filter(pk__in=list(actual_by_rep)).values_list("pk", "team_id"))
    actual_by_team: dict[int, Decimal] = defaultdict(Decimal)
    for rep_id, value in actual_by_rep.items():
        if team_of.get(rep_id):
            actual_by_team[team_of[rep_id]] += value
    grouped: dict[tuple, dict] = {}
    for level, team_id, rep_id, month, value in targets:
        if level == Target.Level.COMPANY:
            key, label = ("company", None), _("Company")
        elif level == Target.Level.TEAM:
            key, label = ("team", team_id), team_names[team_id]
        else:
            key, label = ("rep", rep_id), rep_names[rep_id]
        entry = grouped.setdefault(
            key, {"label": label, "months": {}, "team": team_names.get(team_id, "")}
        )
        entry["months"][month] = value
    rows = []
    for (level, owner), entry in grouped.items():
        if level == "company":
            actual = sum(actual_by_rep.values(), Decimal(0))
        elif level == "team":
            actual = actual_by_team.get(owner, Decimal(0))
        else:
            actual = actual_by_rep.get(owner, Decimal(0))
        actual = Decimal(actual)
        period_target = sum(
            (v for m, v in entry["months"].items() if start <= m <= end), Decimal(0)
        )
        rows.append(
            ProgressRow(
                label=entry["label"],
                level=level,
                target=period_target,
                target_to_date=_round(target_to_date(entry["months"], start, end, as_of), places),
                actual=actual,
                projection=_round(run_rate(actual, start, end, as_of), places),
                months=entry["months"],
                owner=owner,
                team=entry["team"],
            )
        )
    activity_rows = []
    if plan.metric in MONEY_METRICS:
        activity_rows = activity_progress(plan=plan, user=user, start=start, end=end, as_of=as_of)
    return Progress(
        plan=plan,
        kind=kind,
        start=start,
        end=end,
        as_of=as_of,
        rows=rows,
        activity_rows=activity_rows,
    )


def monthly_series(plan: TargetPlan, row: ProgressRow) -> list[dict]:
    """Target and actual for each month of the plan's year for one row: the actuals summed by
    month in the database over the row's reps (a team: its current reps, as the table counts
    them; the company: everyone)."""
    owners = None
    if row.level == "rep":
        owners = [row.owner]
    elif row.level == "team":
        owners = list(User.objects.filter(team_id=row.owner).values_list("pk", flat=True))
    totals = selectors.monthly_totals(
        plan.metric, dt.date(plan.year, 1, 1), dt.date(plan.year, 12, 1), owners
    )
    months = [dt.date(plan.year, m, 1) for m in range(1, 13)]
    return [
        {
            "month": m,
            "target": row.months.get(m, Decimal(0)),
            "actual": Decimal(totals.get(m, 0)),
        }
        for m in months
    ]


def chart_data(plan: TargetPlan, row: ProgressRow) -> dict:
    """The plotly bar (target) and line (actual) of one row by month; figures as strings so
    no money passes through a float on its way to the browser."""
    series = monthly_series(plan, row)
    return {
        "title": row.label,
        "x": [f"{s['month']:%Y-%m}" for s in series],
        "target": [str(s["target"]) for s in series],
        "actual": [str(s["actual"]) for s in series],
        "target_label": _("Target"),
        "actual_label": _("Actual"),
    }


def export_header() -> list[str]:
    return [
        _("Level"),
        _("Team"),
        pgettext("entity", "Name"),
        _("Target"),
        _("Target to date"),
        _("Actual"),
        _("Achievement rate"),
        _("Gap to date"),
        _("Run-rate projection"),
    ]


def export_lines(rows: list[ProgressRow]) -> list[list]:
    return [
        [
            Target.Level(r.level).label,
            r.team,
            r.label,
            r.target,
            r.target_to_date,
            r.actual,
            "" if r.achievement_rate is None else r.achievement_rate,
            r.gap_to_date,
            r.projection,
        ]
        for r in rows
    ]
