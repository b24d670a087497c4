"""Writes of the performance app: scorecards, commission statements, the funnel snapshot and
the anomaly alerts, each computed set-based from the source rows as of a cut-off and written
by replacing the period's rows (the nightly job wraps each call in one transaction)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from salescrm.models import Team, User
from salescrm.roles import Role
from salescrm.timeutil import business_date, month_end, month_start, quarter_end, quarter_start

from . import kpis
from .models import KpiScheme, PeriodKind, ScoreCard, ScoreLine

COMPANY = "company"


def open_month(today: dt.date | None = None) -> dt.date:
    """The first day of the month still open: the month of the latest business date."""
    return month_start(today or business_date())


def period_is_closed(period_end: dt.date, today: dt.date | None = None) -> bool:
    """A period is closed once the open month is past its end; its results are frozen."""
    return period_end < open_month(today)


# --- scorecards ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemRule:
    """One KPI of a scheme, in memory (saved or still a form in the admin preview)."""

    kpi: str
    weight: Decimal
    target_value: Decimal
    rule: str
    cap: Decimal
    steps: str = ""

    @classmethod
    def of(cls, item) -> "ItemRule":
        return cls(item.kpi, item.weight, item.target_value, item.rule, item.cap, item.steps)


def people_of_role(role: str) -> list[User]:
    return list(User.objects.filter(role=role, is_active=True).order_by("username"))


def person_values(
    role: str, people: list[User], start: dt.date, end: dt.date, codes: set[str]
) -> dict[int, dict[str, Decimal | None]]:
    """Each person's KPI figures for the period: a rep's own, a manager's team's (the reps of
    the teams they lead), the director's company's. A constant number of queries."""
    ratios = kpis.compute_all(start, end, sorted(codes))
    rep_rows = list(User.objects.filter(role=Role.REP).values_list("id", "team_id"))
    if role == Role.REP:
        groups = {person.pk: [person.pk] for person in people}
    elif role == Role.MANAGER:
        managed = defaultdict(set)
        for team_id, manager_id in Team.objects.values_list("id", "manager_id"):
            if manager_id:
                managed[manager_id].add(team_id)
        groups = {
            person.pk: [rep for rep, team in rep_rows if team in managed[person.pk]]
            for person in people
        }
    else:
        everyone = [rep for rep, _team in rep_rows]
        groups = {person.pk: everyone for person in people}
    values = {}
    for person_id, reps in groups.items():
        values[person_id] = {}
        for code in codes:
            kpi = kpis.KPI_BY_CODE[code]
            rolled = kpis.rollup(ratios[code], {person_id: reps}).get(person_id)
            values[person_id][code] = kpi.value(rolled)
    return values


def score_lines(items: list[ItemRule], figures: dict[str, Decimal | None]):
    """[(item, actual, score, weighted score)] and the total, for one person."""
    rows = []
    for item in items:
        kpi = kpis.KPI_BY_CODE[item.kpi]
        actual = figures.get(item.kpi)
        value = kpis.score(
            actual, item.target_value, kpi.direction, item.rule, item.cap, item.steps
        )
        weighted = None if value is None else (value * item.weight / 100).quantize(Decimal("0.01"))
        rows.append((item, actual, value, weighted))
    total = kpis.weighted_total([(value, item.weight) for item, _a, value, _w in rows])
    return rows, total


def ranking(
    role: str, items: list[ItemRule], start: dt.date, end: dt.date
) -> list[tuple[User, Decimal]]:
    """Everyone of `role` with their total score under `items`, best first."""
    people = people_of_role(role)
    values = person_values(role, people, start, end, {item.kpi for item in items})
    scored = [(person, score_lines(items, values[person.pk])[1]) for person in people]
    return sorted(scored, key=lambda pair: (-pair[1], pair[0].username))


def scheme_preview(*, role: str, items: list[ItemRule], today: dt.date | None = None) -> dict:
    """Last month's ranking under the scheme in effect and under `items` (not saved), for the
    admin to see a change's effect before saving it."""
    first = open_month(today) - dt.timedelta(days=1)
    start, end = month_start(first), first
    current_scheme = KpiScheme.objects.in_effect(role, start)
    current_items = [ItemRule.of(i) for i in current_scheme.items.all()] if current_scheme else []
    proposed = ranking(role, items, start, end)
    current = {}
    if current_items:
        for rank, (person, total) in enumerate(ranking(role, current_items, start, end), 1):
            current[person.pk] = (rank, total)
    rows = []
    for rank, (person, total) in enumerate(proposed, 1):
        old_rank, old_total = current.get(person.pk, (None, None))
        rows.append(
            {
                "person": person,
                "rank": rank,
                "total": total,
                "current_rank": old_rank,
                "current_total": old_total,
                "moved": None if old_rank is None else old_rank - rank,
            }
        )
    return {"month": start, "scheme": current_scheme, "rows": rows}


def _periods(day: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """The month and the quarter that contain `day`, computed up to `day` (the cut-off)."""
    return [
        (PeriodKind.MONTH, month_start(day), day),
        (PeriodKind.QUARTER, quarter_start(day), day),
    ]


def scorecards_compute(*, day: dt.date, today: dt.date | None = None) -> dict:
    """Replace the scorecards of the month and the quarter containing `day`, for every role
    that has a scheme in effect, from the source rows up to the end of `day`. A closed period
    that already has scorecards is left exactly as it is (frozen)."""
    counts = {"scorecards": 0, "score_lines": 0, "frozen": 0}
    now = timezone.now()
    for kind, start, cut_off in _periods(day):
        period_end = month_end_of(kind, start)
        existing = ScoreCard.objects.filter(period_kind=kind, period_start=start)
        if period_is_closed(period_end, today) and existing.exists():
            counts["frozen"] += 1
            continue
        cards, lines = [], []
        for role in (Role.REP, Role.MANAGER, Role.DIRECTOR):
            scheme = KpiScheme.objects.in_effect(role, start)
            if scheme is None:
                continue
            items = [ItemRule.of(item) for item in scheme.items.all()]
            people = people_of_role(role)
            values = person_values(role, people, start, cut_off, {item.kpi for item in items})
            for person in people:
                rows, total = score_lines(items, values[person.pk])
                card = ScoreCard(
                    person=person,
                    period_kind=kind,
                    period_start=start,
                    period_end=period_end,
                    scheme=scheme,
                    total_score=total,
                    computed_at=now,
                )
                cards.append(card)
                lines.extend(
                    ScoreLine(
                        scorecard=card,
                        kpi=item.kpi,
                        actual=None if actual is None else actual.quantize(Decimal("0.0001")),
                        target=item.target_value,
                        score=value or 0,
                        weight=item.weight,
                        weighted_score=weighted or 0,
                    )
                    for item, actual, value, weighted in rows
                )
        with transaction.atomic():
            existing.delete()
            ScoreCard.objects.bulk_create(cards, batch_size=1000)
            for line in lines:
                line.scorecard_id = line.scorecard.pk
            ScoreLine.objects.bulk_create(lines, batch_size=2000)
        counts["scorecards"] += len(cards)
        counts["score_lines"] += len(lines)
    return counts


def month_end_of(kind: str, start: dt.date) -> dt.date:
    return quarter_end(start) if kind == PeriodKind.QUARTER else month_end(start)
