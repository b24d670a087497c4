"""Writes of the performance app: scorecards, commission statements, the funnel snapshot and
the anomaly alerts, each computed set-based from the source rows as of a cut-off and written
by replacing the period's rows (the nightly job wraps each call in one transaction)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from customers.models import Contract, Payment, Refund
from leads.models import Lead, StageChange
from salescrm.errors import BusinessRuleError
from salescrm.models import Team, User
from salescrm.money import round_money, round_percent, round_places
from salescrm.permissions import Action, ensure_may
from salescrm.roles import Role
from salescrm.services import notify_many
from salescrm.timeutil import (
    add_months,
    business_date,
    day_bounds,
    month_end,
    month_start,
    next_month_start,
    period_end,
    quarter_end,
    quarter_label,
    quarter_start,
)

from . import facts, kpis, market
from .commission import Line, Source, achievement, statement_lines
from .models import (
    CommissionLine,
    CommissionPlan,
    CommissionStatement,
    FunnelSnapshot,
    KpiScheme,
    ManagerRating,
    MarketGrowth,
    PeriodKind,
    ScoreCard,
    ScoreLine,
)
from .restatement import (
    ROW_KINDS,
    ClosedFor,
    changed_since_computed,
    corrections,
    home_month,
    homed_rows,
    stale_months,
)

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
    rating_scale: int = 5  # a KPI rated by the manager: the highest rating

    @classmethod
    def of(cls, item) -> "ItemRule":
        return cls(
            item.kpi,
            item.weight,
            item.target_value,
            item.rule,
            item.cap,
            item.steps,
            item.rating_scale,
        )


def people_of_role(role: str) -> list[User]:
    return list(User.objects.filter(role=role, is_active=True).order_by("username"))


def person_values(
    role: str,
    people: list[User],
    start: dt.date,
    end: dt.date,
    codes: set[str],
    ratios: dict | None = None,
) -> dict[int, dict[str, Decimal | None]]:
    """Each person's KPI figures for the period: a rep's own, a manager's team's (the reps of
    the teams they lead), the director's company's. A constant number of queries (none for
    the KPIs when their per-rep `ratios` for the period are given)."""
    if ratios is None:
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


def rated_score(rating: int, scale: int) -> Decimal:
    """A manager's rating as a score: rating ÷ the scale's highest rating × 100, to 0.01
    (4 of 5 → 80.00; 2 of 3 → 66.67)."""
    return round_percent(Decimal(rating) * kpis.HUNDRED / Decimal(scale))


def score_lines(
    items: list[ItemRule], figures: dict[str, Decimal | None], ratings: dict | None = None
):
    """[(item, actual, score, weighted score)] and the total, for one person. A KPI rated by
    the manager scores its rating in `ratings` ({code: ManagerRating}); not rated, it has no
    value and counts for nothing (the other weights are scaled up, ``kpis.weigh``)."""
    scored = []
    for item in items:
        kpi = kpis.KPI_BY_CODE[item.kpi]
        if kpi.rated:
            given = (ratings or {}).get(item.kpi)
            actual = None if given is None else Decimal(given.rating)
            value = None if given is None else rated_score(given.rating, given.scale)
            scored.append((item, actual, value))
            continue
        actual = figures.get(item.kpi)
        value = kpis.score(
            actual, item.target_value, kpi.direction, item.rule, item.cap, item.steps
        )
        scored.append((item, actual, value))
    weighed, total = kpis.weigh([(value, item.weight) for item, _actual, value in scored])
    rows = [
        (item, actual, value, line.weighted_score)
        for (item, actual, value), line in zip(scored, weighed, strict=True)
    ]
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


CATCH_UP_MONTHS = 12
SCORED_ROLES = (Role.REP, Role.MANAGER, Role.DIRECTOR)


def _market_adjusted(items: list[ItemRule], growth: Decimal) -> tuple[list[ItemRule], set]:
    """The scheme's items with the volume KPIs' targets × (1 + market growth), and which."""
    result, adjusted = [], set()
    for item in items:
        if item.kpi in market.MARKET_KPIS:
            item = replace(item, target_value=market.adjusted_target(item.target_value, growth))
            adjusted.add(item.kpi)
        result.append(item)
    return result, adjusted


def _periods(day: dt.date, catch_up_months: int) -> list[tuple[str, dt.date, dt.date]]:
    """(kind, start, cut-off): the month and the quarter containing `day`, up to `day`; then
    every month and quarter of the `catch_up_months` before that has no scorecards yet (the
    first run, or after an outage), each up to its end."""
    periods = [
        (PeriodKind.MONTH, month_start(day), day),
        (PeriodKind.QUARTER, quarter_start(day), day),
    ]
    if catch_up_months:
        earliest = add_months(day, -catch_up_months)
        done = set(
            ScoreCard.objects.filter(period_start__gte=earliest, period_start__lt=month_start(day))
            .values_list("period_kind", "period_start")
            .order_by()  # the default order by person would join users into the DISTINCT
            .distinct()
        )
        month = earliest
        while month < month_start(day):
            if (PeriodKind.MONTH, month) not in done:
                periods.append((PeriodKind.MONTH, month, month_end(month)))
            if month == quarter_start(month) and month < quarter_start(day):
                if (PeriodKind.QUARTER, month) not in done:
                    periods.append((PeriodKind.QUARTER, month, quarter_end(month)))
            month = add_months(month, 1)
    return periods


def period_ratings(kind: str, start: dt.date, codes) -> dict[int, dict[str, ManagerRating]]:
    """{person id: {KPI code: rating}} of the period for the rated KPIs among `codes`: one
    query whatever the number of people, none when no scheme weighs a rated KPI."""
    rated = sorted(set(codes) & kpis.rated_codes())
    if not rated:
        return {}
    result: dict[int, dict[str, ManagerRating]] = defaultdict(dict)
    for rating in ManagerRating.objects.filter(
        period_kind=kind, period_start=start, kpi__in=rated
    ).order_by():
        result[rating.person_id][rating.kpi] = rating
    return dict(result)


def _line_target(item: ItemRule, rating: ManagerRating | None) -> Decimal:
    """A rated line's target column holds the scale (the rating is "4 of 5")."""
    if not kpis.KPI_BY_CODE[item.kpi].rated:
        return item.target_value
    return Decimal(rating.scale if rating is not None else item.rating_scale)


def _rated(rating: ManagerRating | None, field: str):
    return None if rating is None else getattr(rating, field)


def scorecards_compute(
    *, day: dt.date, today: dt.date | None = None, catch_up_months: int = CATCH_UP_MONTHS
) -> dict:
    """Replace the scorecards of the month and the quarter containing `day`, for every role
    that has a scheme in effect, from the source rows up to the end of `day` (and catch up on
    earlier periods that have none). A closed period that already has scorecards is left
    exactly as it is (frozen)."""
    counts = {"scorecards": 0, "score_lines": 0, "frozen": 0}
    now = timezone.now()
    for kind, start, cut_off in _periods(day, catch_up_months):
        end = period_end(kind, start)
        existing = ScoreCard.objects.filter(period_kind=kind, period_start=start)
        if period_is_closed(end, today) and existing.exists():
            counts["frozen"] += 1
            continue
        cards, lines = [], []
        schemes = {role: KpiScheme.objects.in_effect(role, start) for role in SCORED_ROLES}
        items_of = {
            role: [ItemRule.of(item) for item in scheme.items.all()]
            for role, scheme in schemes.items()
            if scheme is not None
        }
        # each KPI once per period, whichever roles weigh it
        ratios = facts.kpi_ratios(
            kind, start, cut_off, {i.kpi for items in items_of.values() for i in items}
        )
        figure = market.growth_for(kind, start)
        growth = None if figure is None else figure.growth
        ratings = period_ratings(kind, start, {i.kpi for items in items_of.values() for i in items})
        for role, items in items_of.items():
            scheme = schemes[role]
            adjusted = set()
            if scheme.market_adjusted and growth is not None:
                items, adjusted = _market_adjusted(items, growth)
            people = people_of_role(role)
            values = person_values(
                role, people, start, cut_off, {item.kpi for item in items}, ratios
            )
            for person in people:
                given = ratings.get(person.pk, {})
                rows, total = score_lines(items, values[person.pk], given)
                card = ScoreCard(
                    person=person,
                    period_kind=kind,
                    period_start=start,
                    period_end=end,
                    scheme=scheme,
                    total_score=total,
                    computed_at=now,
                )
                cards.append(card)
                lines.extend(
                    ScoreLine(
                        scorecard=card,
                        kpi=item.kpi,
                        actual=None if actual is None else round_places(actual, 4),
                        target=_line_target(item, given.get(item.kpi)),
                        score=value or 0,
                        weight=item.weight,
                        weighted_score=weighted or 0,
                        market_growth=growth if item.kpi in adjusted else None,
                        rated_by_id=_rated(given.get(item.kpi), "rated_by_id"),
                        rated_at=_rated(given.get(item.kpi), "rated_at"),
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


# --- funnel snapshot ------------------------------------------------------------------------

FUNNEL_STAGES = [
    "new",
    "contacted",
    "needs_analysis",
    "trial",
    "proposal",
    "negotiation",
    "won",
]
COHORT_DAYS = 90


def _cohort_counts(cohort_low: dt.datetime, high: dt.datetime) -> list[tuple]:
    """The 90-day cohort's numbers per rep, aggregated in the database from the stage changes
    up to `high` (~330,000 at full scale: reading them into pandas cost more than the query).
    Rows (measure, rep, stage, position, leads, amount), measure being

    - "latest": the leads standing at `stage` at the cut-off (the latest change by time, then
      id) and the sum of their budgets;
    - "furthest": the leads whose furthest funnel stage is the one at `position`;
    - "lost": the leads ever moved to "lost".

    Plain SQL, because the ORM cannot group the per-lead results a second time; a window and
    CASEs rather than DISTINCT ON, so that the SQLite demo runs it too."""
    positions = " ".join(f"WHEN '{stage}' THEN {i}" for i, stage in enumerate(FUNNEL_STAGES))
    sql = f"""
        WITH changes AS (
            SELECT sc.lead_id, l.owner_id, l.budget, sc.to_stage,
                   ROW_NUMBER() OVER (
                       PARTITION BY sc.lead_id ORDER BY sc.changed_at DESC, sc.id DESC
                   ) AS recency
            FROM {StageChange._meta.db_table} sc
            JOIN {Lead._meta.db_table} l ON l.id = sc.lead_id
            WHERE l.created_at >= %s AND l.created_at < %s AND l.owner_id IS NOT NULL
              AND sc.changed_at < %s
        ), per_lead AS (
            SELECT owner_id, budget,
                   MAX(CASE WHEN recency = 1 THEN to_stage END) AS latest,
                   MAX(CASE to_stage {positions} END) AS furthest,
                   MAX(CASE WHEN to_stage = 'lost' THEN 1 ELSE 0 END) AS lost
            FROM changes GROUP BY lead_id, owner_id, budget
        )
        SELECT 'latest', owner_id, latest, NULL, COUNT(*), SUM(budget)
        FROM per_lead GROUP BY owner_id, latest
        UNION ALL
        SELECT 'furthest', owner_id, NULL, furthest, COUNT(*), NULL
        FROM per_lead WHERE furthest IS NOT NULL GROUP BY owner_id, furthest
        UNION ALL
        SELECT 'lost', owner_id, NULL, NULL, COUNT(*), NULL
        FROM per_lead WHERE lost = 1 GROUP BY owner_id
    """
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(cohort_low), adapt(high), adapt(high)])
        return cursor.fetchall()


def funnel_snapshot_replace(*, day: dt.date) -> dict:
    """Replace the funnel rows of `day`: per rep (and their current team) and stage,

    - ``open_leads``/``amount``: leads of the 90-day cohort (created in the 90 days up to
      `day`) standing at the stage at the end of `day`, and their budgets;
    - ``entered``: stage changes into the stage during `day` (any lead);
    - ``reached``: cohort leads that had reached the stage (or a later one) by the end of
      `day`; ``conversion``: reached the next stage ÷ reached this one × 100.

    Two source queries whatever the number of reps and leads, each returning per-rep numbers;
    stage "lost" is a stage with no next one."""
    low, high = day_bounds(day, day)
    cohort_low, _ = day_bounds(day - dt.timedelta(days=COHORT_DAYS - 1), day)
    to_decimal = FunnelSnapshot._meta.get_field("amount").to_python  # SQLite sums are floats
    teams = dict(User.objects.values_list("id", "team_id"))
    order = {stage: index for index, stage in enumerate(FUNNEL_STAGES)}
    rows: dict[tuple[int, str], dict] = {}
    furthest: dict[int, list[int]] = defaultdict(lambda: [0] * len(FUNNEL_STAGES))

    def row(rep: int, stage: str) -> dict:
        return rows.setdefault(
            (rep, stage), {"open_leads": 0, "amount": Decimal(0), "entered": 0, "reached": 0}
        )

    for measure, rep, stage, position, leads, amount in _cohort_counts(cohort_low, high):
        if measure == "latest":
            values = row(rep, stage)
            values["open_leads"] = leads
            values["amount"] = Decimal(0) if amount is None else to_decimal(amount)
        elif measure == "furthest":
            furthest[rep][position] = leads
        else:
            row(rep, "lost")["reached"] = leads
    for rep, counts in furthest.items():
        reached = 0
        for index in reversed(range(len(FUNNEL_STAGES))):  # reached a stage or a later one
            reached += counts[index]
            if reached:
                row(rep, FUNNEL_STAGES[index])["reached"] = reached
    entered = (
        StageChange.objects.filter(
            changed_at__gte=low, changed_at__lt=high, lead__owner__isnull=False
        )
        .values_list("lead__owner_id", "to_stage")
        .annotate(n=Count("id"))
        .order_by()
    )
    for rep, stage, total in entered:
        row(rep, stage)["entered"] = total

    snapshots = []
    for (rep, stage), values in sorted(rows.items()):
        conversion = None
        if stage in order and order[stage] + 1 < len(FUNNEL_STAGES) and values["reached"]:
            following = rows.get((rep, FUNNEL_STAGES[order[stage] + 1]), {}).get("reached", 0)
            conversion = round_percent(Decimal(following) * 100 / values["reached"])
        snapshots.append(
            FunnelSnapshot(
                day=day,
                rep_id=rep,
                team_id=teams.get(rep),
                stage=stage,
                conversion=conversion,
                **values,
            )
        )
    FunnelSnapshot.objects.filter(day=day).delete()
    FunnelSnapshot.objects.bulk_create(snapshots, batch_size=2000)
    return {"funnel_rows": len(snapshots)}


# --- anomaly alerts -------------------------------------------------------------------------

ANOMALY_THRESHOLD = Decimal("0.20")
DEFAULT_WATCHED = ["signed_amount", "collected_amount", "effective_visits", "new_customers"]


def _same_span_last_month(day: dt.date) -> tuple[dt.date, dt.date]:
    start = month_start(day)
    previous_start = add_months(start, -1)
    previous_end = min(previous_start + (day - start), start - dt.timedelta(days=1))
    return previous_start, previous_end


def kpi_anomalies_notify(*, day: dt.date) -> dict:
    """Tell each rep's manager about a KPI that moved more than 20 % the wrong way: month to
    date against the same days of the previous month (seed 003: 数据波动超20%). The KPIs
    watched are those of the reps' scheme in effect (else signed, collected, visits, new
    customers). One notification per rep, KPI and month (notify_many skips repeats)."""
    start = month_start(day)
    scheme = KpiScheme.objects.in_effect(Role.REP, start)
    codes = sorted({item.kpi for item in scheme.items.all()} if scheme else DEFAULT_WATCHED)
    reps = people_of_role(Role.REP)
    previous_start, previous_end = _same_span_last_month(day)
    # month to date: what tonight's facts hold for the open month
    ratios = facts.kpi_ratios(PeriodKind.MONTH, start, day, codes)
    now_values = person_values(Role.REP, reps, start, day, set(codes), ratios)
    before_values = person_values(Role.REP, reps, previous_start, previous_end, set(codes))
    managers = dict(Team.objects.filter(manager__isnull=False).values_list("id", "manager_id"))
    rows = []
    with translation.override(settings.LANGUAGE_CODE):
        for rep in reps:
            manager_id = managers.get(rep.team_id)
            if manager_id is None:
                continue
            for code in codes:
                kpi = kpis.KPI_BY_CODE[code]
                current, previous = now_values[rep.pk][code], before_values[rep.pk][code]
                if current is None or previous is None or previous == 0:
                    continue
                change = (current - previous) / abs(previous)
                worse = (
                    change < -ANOMALY_THRESHOLD
                    if kpi.direction == kpis.HIGHER
                    else change > ANOMALY_THRESHOLD
                )
                if not worse:
                    continue
                figures = {
                    "rep": str(rep),
                    "kpi": code,
                    "change": f"{change * 100:+.1f}",
                    "current": f"{current:.2f}",
                    "previous": f"{previous:.2f}",
                    "span": f"{start:%m-%d}–{day:%m-%d}",
                    "previous_span": f"{previous_start:%m-%d}–{previous_end:%m-%d}",
                }
                rows.append(
                    {
                        "recipient_id": manager_id,
                        "kind": "kpi_anomaly",
                        "key": f"kpi-anomaly:{rep.pk}:{code}:{start:%Y-%m}",
                        "params": figures,
                        "url": reverse("performance:scorecards") + f"?person={rep.pk}",
                    }
                )
    return {"anomalies": len(rows), "alerts_sent": notify_many(rows)}


# --- commission -----------------------------------------------------------------------------


class StatementError(BusinessRuleError):
    """A refused change to a statement; the message is meant for the user."""


def _missing_months(model, day: dt.date, catch_up_months: int) -> list[dt.date]:
    months = [add_months(day, -step) for step in range(1, catch_up_months + 1)]
    # unordered: the default order by rep would join users into the DISTINCT
    have = set(
        model.objects.filter(month__in=months).order_by().values_list("month", flat=True).distinct()
    )
    return sorted(m for m in months if m not in have)


def _stale_months(current: dt.date) -> list[dt.date]:
    """The months before `current` with an open statement whose source rows changed after it
    was computed: a payment or refund recorded, corrected or deleted after its month ended
    while the month is still unpaid (and, for a signed-amount plan, a contract). One query;
    it may name a month whose figures turn out unchanged, which only costs a recomputation."""
    changed = (
        changed_since_computed(Payment, "received_on")
        | changed_since_computed(Refund, "confirmed_on")
        | (Q(base_kind=CommissionPlan.Base.SIGNED) & changed_since_computed(Contract, "signed_on"))
    )
    return stale_months(CommissionStatement.objects.open(), current, changed)


def commission_compute(*, day: dt.date, catch_up_months: int = CATCH_UP_MONTHS) -> dict:
    """Recompute the open statements of the month containing `day` from the source rows up to
    `day`; those of every earlier month whose sources changed since they were computed (a
    late or corrected payment, refund or, for a signed-amount plan, contract: see
    ``_stale_months``), up to that month's end; and
    catch up on earlier months that have no statements at all. Closed statements are never
    touched: late money of a paid month goes to the rep's next unpaid one (``_sources``)."""
    counts = {"statements": 0, "commission_lines": 0, "closed_kept": 0}
    current = month_start(day)
    earlier = set(_missing_months(CommissionStatement, day, catch_up_months))
    earlier |= set(_stale_months(current))
    months = [(current, day)] + [(month, month_end(month)) for month in sorted(earlier)]
    for month, cut_off in months:
        for key, value in _commission_month(month, cut_off).items():
            counts[key] += value
    return counts


def _next_month(month: dt.date) -> dt.date:
    return month_start(month + dt.timedelta(days=31))


@dataclass(frozen=True, slots=True)
class CommissionSource:
    """One row counting towards a rep's commission base: a payment received, a contract
    signed (signed-amount plans) or a refund confirmed; or the *correction* of one such row
    already on a paid statement (``corrects`` names the row's kind, ``amount`` is the
    difference)."""

    occurred_on: dt.date
    order: int  # on the same day, payments and contracts (0) come before refunds (1)
    kind: str  # "payment", "contract", "refund" or "correction": the kind of its line
    pk: int  # of the payment, contract or refund
    contract_id: int
    contract_number: str
    amount: Decimal  # negative for a refund
    corrects: str = ""  # for a correction: "payment", "contract" or "refund"

    @property
    def row_kind(self) -> str:
        return self.corrects or self.kind


# Per kind of source row (``restatement.ROW_KINDS``), the paths to its contract's number and
# the rep credited, and the plan bases it counts towards (a refund claws back under either).
SOURCE_ROWS = {
    "payment": {
        "number": "contract__number",
        "owner": "contract__owner_id",
        "bases": (CommissionPlan.Base.COLLECTED,),
    },
    "refund": {
        "number": "contract__number",
        "owner": "contract__owner_id",
        "bases": (CommissionPlan.Base.COLLECTED, CommissionPlan.Base.SIGNED),
    },
    "contract": {
        "number": "number",
        "owner": "owner_id",
        "bases": (CommissionPlan.Base.SIGNED,),
    },
}


def _sources(
    month: dt.date, cut_off: dt.date, base: str, closed: ClosedFor
) -> dict[int, list[CommissionSource]]:
    """Per rep, the month's commission sources in the order they happened:

    - payments received (or contracts signed, for a signed-amount plan) and refunds
      confirmed in the month up to `cut_off`, except the rows already on a closed (paid)
      statement (a row moved into this month after its month was paid is not counted again);
    - the *late* rows of the same kinds whose home is this month: dated in an earlier month
      closed for the rep (`closed`: their statement of it is closed, or they have none in a
      month paid for everyone, ``restatement.ClosedFor``), on no closed statement, and this
      month is the first one after their date not closed for the rep (a contract entered,
      marked signed or re-dated into a paid month after it was paid lands here, like a late
      payment);
    - the *corrections*: a payment, refund or contract on a closed statement whose value has
      changed since (amount edited, refund withdrawn, contract no longer signed, …) counts for
      the difference between its value now and what the closed lines stated of it, on the
      rep's first statement after the last closed one it is on that is not closed
      (``restatement.corrections``).

    So a row is on exactly one statement and every later change of it is carried once,
    whichever months are recomputed, and nothing is ever lost. At most eleven queries,
    whatever the plan's base and the number of reps."""
    closed_statements = CommissionStatement.objects.closed()
    stated = CommissionLine.objects.filter(statement__status=CommissionStatement.Status.CLOSED)
    rows: dict[int, list[CommissionSource]] = defaultdict(list)
    for kind, spec in SOURCE_ROWS.items():
        if base not in spec["bases"]:
            continue
        row = ROW_KINDS[kind]
        order = 1 if row.sign < 0 else 0  # on the same day, refunds after the rest
        homed = homed_rows(
            row.model.objects.filter(row.counts),
            field=kind,
            closed_lines=stated,
            date=row.date,
            owner=spec["owner"],
            fields=("pk", row.contract, spec["number"], row.amount, row.date),
            first=month,
            last=cut_off,
            closed_then=closed.closed_then(
                closed_statements, owner_field="rep_id", owner=spec["owner"]
            ),
            closed=closed,
        )
        for home, (owner, pk, contract, number, amount, day) in homed:
            if home == month:
                rows[owner].append(
                    CommissionSource(day, order, kind, pk, contract, number, row.sign * amount)
                )
    fixes = [
        (kind, fix)
        for kind in ROW_KINDS
        for fix in corrections(
            stated, owner="statement__rep_id", month="statement__month", field=kind
        )
        if home_month(closed, fix.owner, next_month_start(fix.last_closed)) == month
    ]
    numbers = dict(
        Contract.objects.filter(pk__in=[fix.contract_id for _kind, fix in fixes])
        .order_by()
        .values_list("pk", "number")
    )
    for kind, fix in fixes:
        rows[fix.owner].append(
            CommissionSource(
                fix.day or month,
                1 if fix.difference < 0 else 0,
                "correction",
                fix.pk,
                fix.contract_id,
                numbers[fix.contract_id],
                fix.difference,
                corrects=kind,
            )
        )
    for items in rows.values():
        items.sort(key=lambda row: (row.occurred_on, row.order, row.pk))
    return rows


def _descriptions() -> dict[str, str]:
    """The line description of each kind of source, translated once per statement run
    (thousands of lines a month)."""
    return {
        "payment": _("Payment received %(date)s, contract %(number)s"),
        "refund": _("Refund confirmed %(date)s, contract %(number)s"),
        "contract": _("Contract %(number)s signed %(date)s"),
        "correction:payment": _(
            "Correction of payment %(date)s, contract %(number)s, changed after its statement "
            "was paid"
        ),
        "correction:refund": _(
            "Correction of refund %(date)s, contract %(number)s, changed after its statement "
            "was paid"
        ),
        "correction:contract": _(
            "Correction of contract %(number)s signed %(date)s, changed after its statement "
            "was paid"
        ),
    }


def _commission_month(month: dt.date, cut_off: dt.date) -> dict:
    """Replace the open statements of `month` with the ones computed from its sources up to
    `cut_off`; the reps' closed statements stay as they are, and a rep the month is closed
    for (``restatement.ClosedFor``: a month paid for everyone, they had no statement) gets
    none."""
    existing = CommissionStatement.objects.filter(month=month)
    plan = _pinned_plan(existing, month)
    if plan is None:
        return {"statements": 0, "commission_lines": 0, "closed_kept": 0}
    tiers = plan.calculator_tiers(list(plan.tiers.all()))
    closed = ClosedFor(
        CommissionStatement.objects.filter(month__lte=month)
        .order_by()
        .values_list("rep_id", "month", "status")
    )
    sources = _sources(month, cut_off, plan.base, closed)
    rep_targets, team_targets = _commission_targets(plan, month, cut_off)
    teams = {
        pk: team for pk, team in User.objects.filter(role=Role.REP).values_list("id", "team_id")
    }
    active = set(User.objects.filter(role=Role.REP, is_active=True).values_list("id", flat=True))
    net = {
        rep: sum((source.amount for source in sources.get(rep, [])), Decimal(0))
        for rep in set(sources) | active
    }
    bonus_teams = _bonus_teams(plan, net, teams, team_targets)
    now = timezone.now()
    statements, lines = [], []
    with translation.override(settings.LANGUAGE_CODE):
        descriptions = _descriptions()
        for rep in sorted(net):
            if (rep, month) in closed or rep not in teams:
                continue
            statement, rep_lines = _rep_statement(
                rep=rep,
                team=teams[rep],
                month=month,
                cut_off=cut_off,
                plan=plan,
                tiers=tiers,
                sources=sources.get(rep, []),
                net=net[rep],
                target=rep_targets.get(rep),
                team_bonus=teams[rep] in bonus_teams,
                descriptions=descriptions,
                computed_at=now,
            )
            statements.append(statement)
            lines += rep_lines
    _replace_open_statements(existing, statements, lines)
    return {
        "statements": len(statements),
        "commission_lines": len(lines),
        "closed_kept": sum(1 for _rep, closed_month in closed.closed if closed_month == month),
    }


def _pinned_plan(existing, month: dt.date) -> CommissionPlan | None:
    """The plan the month's statements were computed with (a recomputation keeps it, even when
    another plan has come into effect since), else the plan in effect in the month."""
    pinned = existing.values_list("plan_id", flat=True).first()
    if pinned:
        return CommissionPlan.objects.filter(pk=pinned).first()
    return CommissionPlan.objects.in_effect(month)


def _commission_targets(plan: CommissionPlan, month: dt.date, cut_off: dt.date):
    """{rep: target} and {team: target} of the plan's base metric, the signed-amount target
    standing in where the base's own is missing."""
    metric = "signed_amount" if plan.base == CommissionPlan.Base.SIGNED else "collected_amount"
    rep_targets = {
        **kpis.targets_by("signed_amount", month, cut_off),
        **kpis.targets_by(metric, month, cut_off),
    }
    team_targets = {
        **kpis.targets_by("signed_amount", month, cut_off, level="team"),
        **kpis.targets_by(metric, month, cut_off, level="team"),
    }
    return rep_targets, team_targets


def _bonus_teams(
    plan: CommissionPlan,
    net: dict[int, Decimal],
    teams: dict[int, int | None],
    team_targets: dict[int, Decimal],
) -> set[int]:
    """The teams whose reps' net base together reaches the plan's team-bonus threshold (a
    percentage of the team's target); none when the plan pays no team bonus."""
    team_base: dict[int, Decimal] = defaultdict(Decimal)
    for rep, amount in net.items():
        if teams.get(rep):
            team_base[teams[rep]] += amount
    return {
        team
        for team, amount in team_base.items()
        if plan.team_bonus_rate > 0
        and team_targets.get(team)
        and amount * 100 >= team_targets[team] * plan.team_bonus_threshold
    }


def _rep_statement(
    *,
    rep: int,
    team: int | None,
    month: dt.date,
    cut_off: dt.date,
    plan: CommissionPlan,
    tiers,
    sources: list[CommissionSource],
    net: Decimal,
    target: Decimal | None,
    team_bonus: bool,
    descriptions: dict[str, str],
    computed_at: dt.datetime,
) -> tuple[CommissionStatement, list[CommissionLine]]:
    """One rep's statement of the month, unsaved, with its lines: one per tier band of each
    source (see ``performance.commission``) and the team bonus (a positive net base × the
    plan's bonus rate) when their team reached its threshold."""
    calc_lines, commission = statement_lines(
        [Source(source, source.amount) for source in sources], target, tiers, plan.method
    )
    bonus = round_money(net * plan.team_bonus_rate / 100) if team_bonus and net > 0 else Decimal(0)
    reached = achievement(net, target)
    if reached is not None:
        # refunds above the month's collections: 0 %, not a negative achievement
        reached = max(reached, Decimal(0))
    statement = CommissionStatement(
        rep_id=rep,
        month=month,
        plan=plan,
        team_id=team,
        base_kind=plan.base,
        base_amount=net,
        target_amount=target,
        achievement=None if reached is None else round_percent(reached * 100),
        commission=commission,
        team_bonus=bonus,
        total=commission + bonus,
        computed_at=computed_at,
    )
    lines = [
        _source_line(statement, position, line, descriptions)
        for position, line in enumerate(calc_lines, 1)
    ]
    if bonus:
        lines.append(
            CommissionLine(
                statement=statement,
                position=len(lines) + 1,
                kind=CommissionLine.Kind.TEAM_BONUS,
                occurred_on=cut_off,
                description=str(
                    _("Team target reached: %(base)s × %(rate)s %%")
                    % {"base": net, "rate": plan.team_bonus_rate}
                ),
                base=net,
                rate=plan.team_bonus_rate,
                amount=bonus,
            )
        )
    return statement, lines


def _source_line(
    statement: CommissionStatement, position: int, line: Line, descriptions: dict[str, str]
) -> CommissionLine:
    """The statement line of one tier band of a source (``commission.Line``, whose ref is the
    ``CommissionSource``)."""
    source = line.ref
    described = f"correction:{source.corrects}" if source.corrects else source.kind
    return CommissionLine(
        statement=statement,
        position=position,
        kind=source.kind,
        contract_id=source.contract_id,
        payment_id=source.pk if source.row_kind == "payment" else None,
        refund_id=source.pk if source.row_kind == "refund" else None,
        occurred_on=source.occurred_on,
        description=descriptions[described]
        % {"date": source.occurred_on.isoformat(), "number": source.contract_number},
        base=line.base,
        rate=line.rate * 100,
        amount=line.amount,
    )


def _replace_open_statements(existing, statements, lines) -> None:
    """The month's open statements and their lines give way to the new ones in one
    transaction: a reader never sees a month half recomputed."""
    with transaction.atomic():
        existing.open().delete()
        CommissionStatement.objects.bulk_create(statements, batch_size=1000)
        for line in lines:
            line.statement_id = line.statement.pk
        CommissionLine.objects.bulk_create(lines, batch_size=2000)


@transaction.atomic
def statement_close(*, statement: CommissionStatement, actor: User) -> CommissionStatement:
    """Finance marks a statement paid: from then on it is never recomputed."""
    ensure_may(actor, Action.STATEMENT_CLOSE)
    locked = CommissionStatement.objects.select_for_update().get(pk=statement.pk)
    if locked.status == CommissionStatement.Status.CLOSED:
        raise StatementError(_("This statement is already closed."))
    locked.status = CommissionStatement.Status.CLOSED
    locked.closed_at = timezone.now()
    locked.closed_by = actor
    locked.save(update_fields=["status", "closed_at", "closed_by"])
    return locked


# --- the market (issue 20) ------------------------------------------------------------------


@transaction.atomic
def market_growth_record(
    *,
    actor: User,
    period_kind: str,
    period_start: dt.date,
    growth: Decimal,
    source: str,
    basis: str = MarketGrowth.Basis.INDUSTRY,
    note: str = "",
) -> MarketGrowth:
    """The director (or an administrator) records the market's growth for a period; a second
    figure for the same period replaces the first. Validated in full before anything is
    written (a ValidationError leaves the table as it was)."""
    ensure_may(
        actor,
        Action.MARKET_GROWTH_RECORD,
        _("Only the sales director or an administrator records the market's growth."),
    )
    figure = (
        MarketGrowth.objects.select_for_update()
        .filter(period_kind=period_kind, period_start=period_start)
        .first()
    ) or MarketGrowth(period_kind=period_kind, period_start=period_start)
    figure.growth = growth
    figure.source = source
    figure.basis = basis
    figure.note = note
    figure.recorded_by = actor
    figure.full_clean()
    figure.save()
    return figure


# --- KPIs rated by the manager (issue 20) ---------------------------------------------------


class RatingError(BusinessRuleError):
    pass


def period_label(kind: str, start: dt.date) -> str:
    return quarter_label(start) if kind == PeriodKind.QUARTER else f"{start:%Y-%m}"


def rating_period_open(kind: str, start: dt.date, today: dt.date | None = None) -> bool:
    """Whether a rating of the period can still be given or changed: until the period's last
    Shanghai day has ended. The night that follows computes the period's final scorecards
    (business date = its last day) and the next night finds it closed and leaves it frozen
    (``period_is_closed``), so a later rating would never reach a scorecard."""
    return (today or business_date()) < period_end(kind, start)


def rating_periods(today: dt.date | None = None) -> list[tuple[str, dt.date]]:
    """The periods open to ratings: the month and the quarter of the open business day."""
    day = (today or business_date()) + dt.timedelta(days=1)
    return [(PeriodKind.MONTH, month_start(day)), (PeriodKind.QUARTER, quarter_start(day))]


def may_rate(actor: User, person: User) -> bool:
    """The rep's own manager (their team or a parent team) or the director, by the matrix."""
    from salescrm.permissions import may
    from salescrm.scoping import managed_team_ids

    if not may(actor, Action.MANAGER_RATING_RECORD) or person.role != Role.REP:
        return False
    if actor.role == Role.MANAGER:
        return person.team_id is not None and person.team_id in managed_team_ids(actor)
    return True


def rated_items(kind: str, start: dt.date) -> list:
    """The rated KPI lines of the reps' scheme in effect for the period (saved items)."""
    scheme = KpiScheme.objects.in_effect(Role.REP, start)
    if scheme is None:
        return []
    rated = kpis.rated_codes()
    return [item for item in scheme.items.all() if item.kpi in rated]


def manager_rating_record(
    *,
    actor: User,
    person: User,
    period_kind: str,
    period_start: dt.date,
    ratings: dict[str, int],
    comments: dict[str, str] | None = None,
    today: dt.date | None = None,
) -> list[ManagerRating]:
    """Give or change `person`'s ratings ({KPI code: rating}) for the period, all or none.
    Refused: a role the matrix does not allow, another team's rep, a period whose last day has
    ended (its scorecards are final), a KPI not rated in the scheme, a rating off the scale.
    An unchanged rating and comment writes nothing (no history row)."""
    ensure_may(actor, Action.MANAGER_RATING_RECORD)
    if not may_rate(actor, person):
        raise RatingError(_("Only the rep's own manager or the director may rate this rep."))
    label = period_label(period_kind, period_start)
    if (period_kind, period_start) not in rating_periods(today):
        if period_kind in PeriodKind.values and not rating_period_open(
            period_kind, period_start, today
        ):
            raise RatingError(
                _(
                    "The period %(period)s has ended: its scorecards are final, so its "
                    "ratings can no longer be changed."
                )
                % {"period": label}
            )
        raise RatingError(_("Choose a month or a quarter that is still open."))
    items = {item.kpi: item for item in rated_items(period_kind, period_start)}
    if not ratings:
        raise RatingError(_("Give at least one rating."))
    for code, value in ratings.items():
        item = items.get(code)
        if item is None:
            raise RatingError(
                _("%(kpi)s is not rated by the manager in the reps' scheme of %(period)s.")
                % {
                    "kpi": kpis.KPI_BY_CODE[code].label if code in kpis.KPI_BY_CODE else code,
                    "period": label,
                }
            )
        if not 1 <= int(value) <= item.rating_scale:
            raise RatingError(
                _("A rating runs from 1 to %(scale)s.") % {"scale": item.rating_scale}
            )
    comments = comments or {}
    now = timezone.now()
    saved = []
    with transaction.atomic():
        existing = {
            r.kpi: r
            for r in ManagerRating.objects.select_for_update().filter(
                person=person, period_kind=period_kind, period_start=period_start
            )
        }
        for code, value in ratings.items():
            comment = (comments.get(code) or "").strip()
            scale = items[code].rating_scale
            row = existing.get(code)
            if row is None:
                row = ManagerRating(
                    person=person, period_kind=period_kind, period_start=period_start, kpi=code
                )
            elif (row.rating, row.scale, row.comment) == (int(value), scale, comment):
                saved.append(row)
                continue
            row.rating, row.scale, row.comment = int(value), scale, comment
            row.rated_by, row.rated_at = actor, now
            row.full_clean()
            row.save()
            saved.append(row)
    return saved
