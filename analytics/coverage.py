"""Pipeline coverage (issue 20, seed 004: 准主顾量不足，以至于完不成业绩指标): for each rep,
team and the company, the open pipeline weighted by stage ÷ the remaining target of the month
and of the quarter.

- Stage weight: of the closed (won or lost) leads that reached the stage, the share won —
  learned from the institution's history every night (``StageWeight``).
- Weighted open pipeline: Σ over the open leads of budget × their win probability from the
  nightly model (``analytics.winprob``), or their stage's weight for a lead the model has not
  scored (no model for lack of history, or created since the last night); a lead without a
  budget counts 0.
- Remaining target: the signed-amount target of the month (quarter) less what was signed in
  it so far, never below 0; coverage = weighted pipeline ÷ remaining target (none when
  nothing remains: the target is met).
- Short stage: the stage whose share of the rep's weighted pipeline falls furthest below its
  share of the company's.
Below the admin-set ratio (default 3×) the nightly job alerts the rep and their manager."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.db.models import Case, Count, DecimalField, F, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from leads.models import Lead, StageChange
from performance.dashboards import Data, Scope
from performance.dashboards.figures import NOT_A_COLUMN, Chart, Figure, cells
from performance.dashboards.scope import ZERO, money
from performance.services import FUNNEL_STAGES
from salescrm.models import User
from salescrm.money import round_places
from salescrm.templatetags.salescrm_tags import money as money_text
from salescrm.timeutil import month_end, month_start, quarter_end, quarter_start

from .models import AnalyticsSettings, LeadWinProbability, StageWeight

OPEN_STAGES = FUNNEL_STAGES[:-1]  # new … negotiation


def learn_weights(day: dt.date) -> list[StageWeight]:
    """Replace the stage weights from the history (one grouped query and a bulk insert)."""
    rows = (
        StageChange.objects.filter(
            lead__stage__in=[Lead.Stage.WON, Lead.Stage.LOST], to_stage__in=OPEN_STAGES
        )
        .values("to_stage")
        .annotate(
            closed=Count("lead", distinct=True),
            won=Count("lead", distinct=True, filter=Q(lead__stage=Lead.Stage.WON)),
        )
        .values_list("to_stage", "closed", "won")
    )
    weights = [
        StageWeight(
            stage=stage,
            closed=closed,
            won=won,
            weight=(Decimal(won) / closed).quantize(Decimal("0.0001")) if closed else ZERO,
            computed_on=day,
        )
        for stage, closed, won in rows
    ]
    StageWeight.objects.all().delete()
    StageWeight.objects.bulk_create(weights)
    return weights


def lead_weight(weights: dict[str, Decimal] | None = None) -> Coalesce:
    """The weight of an open lead: its win probability from the nightly model
    (``analytics.winprob``) when it has one, else its stage's learned weight (a lead created
    since the last night, or no model for lack of history). `weights`: {stage: weight}
    already read (else one query)."""
    if weights is None:
        weights = dict(StageWeight.objects.values_list("stage", "weight"))
    by_stage = Case(
        *[When(stage=stage, then=Value(weight)) for stage, weight in weights.items()],
        default=Value(ZERO),
        output_field=DecimalField(max_digits=6, decimal_places=4),
    )
    return Coalesce("win_probability__probability", by_stage)


def open_pipeline(
    owned: Q, weights: dict[str, Decimal] | None = None
) -> dict[int, dict[str, Decimal]]:
    """{owner_id: {stage: Σ budget × weight}} of the open leads (two queries; one when the
    stage `weights` are given)."""
    pipeline: dict = defaultdict(dict)
    for owner, stage, amount in (
        Lead.objects.filter(owned, owner__isnull=False, stage__in=OPEN_STAGES)
        .order_by()
        .values("owner_id", "stage")
        .annotate(amount=Sum(F("budget") * lead_weight(weights)))
        .values_list("owner_id", "stage", "amount")
    ):
        pipeline[owner][stage] = amount or ZERO
    return pipeline


def expected_by_owner(owned: Q) -> dict[int, Decimal] | None:
    """{owner_id: Σ budget × weight} of the open leads matching `owned` (``open_pipeline``
    summed over the stages; a lead without a budget counts 0), unrounded; None when there is
    nothing to weigh with: no stage weight learned and no lead scored by the model (before the
    first night with a closed lead). Two queries (three without weights). The forecast's
    pipeline view of the open quarter reads it (``salescrm.extensions.pipeline_value``,
    registered in hooks.py)."""
    weights = dict(StageWeight.objects.values_list("stage", "weight"))
    if not weights and not LeadWinProbability.objects.exists():
        return None
    return {
        owner: sum(stages.values(), ZERO) for owner, stages in open_pipeline(owned, weights).items()
    }


@dataclass(frozen=True, slots=True)
class CoverageRow:
    who: str  # a rep, a team's total or the company
    team: str
    weighted_pipeline: Decimal
    remaining_month: Decimal
    coverage_month: Decimal | None  # ×
    remaining_quarter: Decimal
    coverage_quarter: Decimal | None
    short_stage: str
    below: bool = field(default=False, metadata=NOT_A_COLUMN)
    is_total: bool = field(default=False, metadata=NOT_A_COLUMN)
    rep_id: int | None = field(default=None, metadata=NOT_A_COLUMN)


def _ratio(pipeline: Decimal, remaining: Decimal) -> Decimal | None:
    return round_places(pipeline / remaining, 2) if remaining > 0 else None


def _short_stage(own: dict, company: dict) -> str:
    own_total = sum(own.values(), ZERO)
    company_total = sum(company.values(), ZERO)
    if not company_total:
        return ""
    gaps = [
        (
            company.get(s, ZERO) / company_total
            - (own.get(s, ZERO) / own_total if own_total else 0),
            -i,
            s,
        )
        for i, s in enumerate(OPEN_STAGES)
        if company.get(s, ZERO) > 0
    ]
    gap, _i, stage = max(gaps)
    return str(Lead.Stage(stage).label) if gap > 0 else ""


def coverage_rows(data: Data, ratio: Decimal) -> list[CoverageRow]:
    scope = data.scope
    month, month_last = scope.month, month_end(scope.month)
    q_first, q_last = quarter_start(scope.month), quarter_end(scope.month)
    pipeline = open_pipeline(scope.owned("owner_id"))
    company: dict = defaultdict(lambda: ZERO)
    for stages in pipeline.values():
        for stage, amount in stages.items():
            company[stage] += amount

    def remaining(first, last, rep_id):
        target = data.target("signed_amount", first, last, rep_id)
        return max(target - data.total(data.signed, first, last, rep_id), ZERO)

    def row(who, team, stages, rem_m, rem_q, *, is_total=False, rep_id=None):
        weighted = money(sum(stages.values(), ZERO))
        cover = _ratio(weighted, rem_m)
        return CoverageRow(
            who=who,
            team=team,
            weighted_pipeline=weighted,
            remaining_month=money(rem_m),
            coverage_month=cover,
            remaining_quarter=money(rem_q),
            coverage_quarter=_ratio(weighted, rem_q),
            short_stage=_short_stage(stages, company)
            if cover is not None and cover < ratio
            else "",
            below=cover is not None and cover < ratio,
            is_total=is_total,
            rep_id=rep_id,
        )

    teams: dict = defaultdict(list)
    for rep in scope.reps:
        teams[str(rep.team or _("No team"))].append(rep)
    rows = []
    all_stages: dict = defaultdict(lambda: ZERO)
    total_m = total_q = ZERO
    for team in sorted(teams):
        team_stages: dict = defaultdict(lambda: ZERO)
        team_m = team_q = ZERO
        for rep in sorted(teams[team], key=str):
            stages = pipeline.get(rep.pk, {})
            rem_m = remaining(month, month_last, rep.pk)
            rem_q = remaining(q_first, q_last, rep.pk)
            rows.append(row(str(rep), team, stages, rem_m, rem_q, rep_id=rep.pk))
            for stage, amount in stages.items():
                team_stages[stage] += amount
                all_stages[stage] += amount
            team_m, team_q = team_m + rem_m, team_q + rem_q
        rows.append(row(_("Team total"), team, team_stages, team_m, team_q, is_total=True))
        total_m, total_q = total_m + team_m, total_q + team_q
    if len(teams) > 1:
        rows.append(row(_("Company"), "", all_stages, total_m, total_q, is_total=True))
    return rows


def draw_coverage(rows: list[CoverageRow], ratio: Decimal) -> Figure:
    reps = [row for row in rows if not row.is_total]
    figure = Figure().add_bar(
        x=[row.who for row in reps],
        y=[row.coverage_month for row in reps],
        name=_("Coverage of the month (×)"),
    )
    return figure.add_hline(float(ratio)).axes(x=_("Rep"), y=_("Coverage (× remaining target)"))


def chart_coverage(data: Data) -> Chart:
    ratio = AnalyticsSettings.current().coverage_ratio
    rows = coverage_rows(data, ratio)
    return Chart(
        "coverage",
        _("Pipeline coverage"),
        [
            _("Rep"),
            _("Team"),
            _("Weighted open pipeline (¥)"),
            _("Remaining target of the month (¥)"),
            _("Coverage of the month (×)"),
            _("Remaining target of the quarter (¥)"),
            _("Coverage of the quarter (×)"),
            _("Short stage"),
        ],
        [cells(row) for row in rows],
        partial(draw_coverage, rows, ratio),
        note=_(
            "Open leads' budgets × their win probability (without one: the share of closed leads that were won after reaching their stage), ÷ the target not yet signed; alert below %(ratio)s×. No coverage: the target is met."
        )
        % {"ratio": ratio},
        period=f"{data.scope.month:%Y-%m}",
        empty=_("Every target is met or nobody has a target."),
    )


def coverage_alerts(data: Data, ratio: Decimal, day: dt.date) -> list[dict]:
    """The notifications of the reps below the ratio, to them and their team's manager; the
    key holds the day, so a rerun sends nothing new."""
    url = reverse("analytics:coverage")
    managers = {rep.pk: rep.team.manager_id if rep.team else None for rep in data.scope.reps}
    alerts = []
    for row in coverage_rows(data, ratio):
        if row.is_total or not row.below:
            continue
        title = _("Pipeline coverage of %(rep)s is %(cover)s× (below %(ratio)s×)") % {
            "rep": row.who,
            "cover": row.coverage_month,
            "ratio": ratio,
        }
        body = _("Short stage: %(stage)s. Remaining target of the month: ¥%(remaining)s.") % {
            "stage": row.short_stage or "—",
            "remaining": money_text(row.remaining_month),
        }
        for recipient in {row.rep_id, managers.get(row.rep_id)} - {None}:
            alerts.append(
                {
                    "recipient_id": recipient,
                    "kind": "pipeline_coverage",
                    "key": f"pipeline-coverage:{row.rep_id}:{day}",
                    "title": title[:200],
                    "body": body,
                    "url": url,
                }
            )
    return alerts


class _Company:
    """The nightly job reads the whole company, as nobody in particular."""

    pk = None
    sees_all = True


def company_data(day: dt.date) -> Data:
    """The dashboards' sources for the whole company, for the month of business date `day`."""
    reps = list(
        User.objects.reps().filter(is_active=True).select_related("team").order_by("username")
    )
    return Data(
        Scope(
            user=_Company(),
            kind="director",
            period="month",
            month=month_start(day),
            reps=reps,
            today=day + dt.timedelta(days=1),
        )
    )
