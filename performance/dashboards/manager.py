"""The manager's dashboard: the team rep by rep — targets, leaderboard, activity, channels and
the forecast (the director's dashboard shows several of these for the whole company)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from leads.models import Campaign, Channel
from salescrm.extensions import open_pipeline_value
from salescrm.templatetags.salescrm_tags import money as money_text
from salescrm.timeutil import (
    add_months,
    month_end,
    month_start,
    quarter_end,
    quarter_label,
    quarter_of,
    quarter_start,
)

from .. import awards, forecast, kpis
from ..models import PeriodKind, ScoreCard
from .data import Data
from .figures import NOT_A_COLUMN, Chart, Figure, cells, escape_text
from .scope import ZERO, money, percent

# --- target by rep ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TargetByRepRow:
    rep: str
    team: str
    target: Decimal
    signed: Decimal
    achievement: Decimal | None


def target_by_rep_rows(data: Data) -> list[TargetByRepRow]:
    scope = data.scope
    rows = []
    for rep in scope.reps:
        target = data.target("signed_amount", scope.start, scope.end, rep.pk)
        actual = data.total(data.signed, scope.start, scope.end, rep.pk)
        rows.append(
            TargetByRepRow(
                str(rep), str(rep.team or ""), money(target), money(actual), percent(actual, target)
            )
        )
    return rows


def draw_target_by_rep(rows: list[TargetByRepRow]) -> Figure:
    """The achievement rate (签约达成率, %) per rep against the 100 % line: a rep without a
    target has no rate (a gap, not 0)."""
    figure = Figure().add_bar(
        x=[row.rep for row in rows],
        y=[row.achievement for row in rows],
        name=_("Signing achievement (%)"),
    )
    return figure.add_hline(100).axes(x=_("Rep"), y=_("Signing achievement (%)"))


def chart_target_by_rep(data: Data) -> Chart:
    rows = target_by_rep_rows(data)
    return Chart(
        "target_by_rep",
        _("Target achievement by rep"),
        [_("Rep"), _("Team"), _("Target"), _("Signed amount"), _("Signing achievement (%)")],
        [cells(row) for row in rows],
        partial(draw_target_by_rep, rows),
        period=data.scope.label,
        empty=_("No rep has a target or a signed amount in this period."),
    )


# --- leaderboard -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LeaderboardRow:
    rank: int
    rep: str
    team: str
    signed_month: Decimal
    signed_quarter: Decimal
    score_month: Decimal | None
    score_quarter: Decimal | None
    titles: str


def leaderboard_rows(data: Data) -> list[LeaderboardRow]:
    """Signed amount of the month and the quarter per rep, with the month's and the quarter's
    scorecard totals; the first of each ranking is the 月度/季度销售冠军 (ties: by name), and
    the titles name the month's and the quarter's best-service award (``performance.awards``)."""
    scope = data.scope
    q_start, q_end = quarter_start(scope.month), quarter_end(scope.month)
    scores = {
        (person, kind): total
        for person, kind, total in ScoreCard.objects.filter(
            scope.owned("person_id"),
            Q(period_kind=PeriodKind.MONTH, period_start=scope.month)
            | Q(period_kind=PeriodKind.QUARTER, period_start=q_start),
        ).values_list("person_id", "period_kind", "total_score")
    }
    amounts = [
        (
            rep,
            money(data.total(data.signed, scope.month, month_end(scope.month), rep.pk)),
            money(data.total(data.signed, q_start, q_end, rep.pk)),
        )
        for rep in scope.reps
    ]

    def champion(index):
        best = sorted(amounts, key=lambda a: (-a[index], str(a[0])))
        return best[0][0].pk if best and best[0][index] > 0 else None

    month_champion, quarter_champion = champion(1), champion(2)
    service = awards.service_figures(
        [rep.pk for rep in scope.reps],
        {"quarter": (q_start, q_end), "month": (scope.month, month_end(scope.month))},
    )
    names = {rep.pk: str(rep) for rep in scope.reps}
    month_service = awards.best_service(service["month"], names)
    quarter_service = awards.best_service(service["quarter"], names)
    amounts.sort(key=lambda a: (-a[1], -a[2], str(a[0])))
    rows = []
    for rank, (rep, month_amount, quarter_amount) in enumerate(amounts, start=1):
        titles = []
        if rep.pk == month_champion:
            titles.append(_("Sales champion of the month"))
        if rep.pk == quarter_champion:
            titles.append(_("Sales champion of the quarter"))
        if rep.pk == month_service:
            titles.append(_("Best service award of the month"))
        if rep.pk == quarter_service:
            titles.append(_("Best service award of the quarter"))
        rows.append(
            LeaderboardRow(
                rank=rank,
                rep=str(rep),
                team=str(rep.team or ""),
                signed_month=month_amount,
                signed_quarter=quarter_amount,
                score_month=scores.get((rep.pk, "month")),
                score_quarter=scores.get((rep.pk, "quarter")),
                titles=", ".join(titles),
            )
        )
    return rows


def draw_leaderboard(rows: list[LeaderboardRow]) -> Figure:
    """The month's and the quarter's signed amount per rep, the first of the ranking at the
    top: early in a month the month's bars are 0 while the quarter's are not."""
    reps = [row.rep for row in rows][::-1]
    figure = Figure()
    figure.add_bar(
        y=reps,
        x=[float(row.signed_month) for row in rows][::-1],
        orientation="h",
        name=_("Signed this month"),
    )
    figure.add_bar(
        y=reps,
        x=[float(row.signed_quarter) for row in rows][::-1],
        orientation="h",
        name=_("Signed this quarter"),
    )
    figure.layout["height"] = max(340, 60 + 28 * len(rows))
    return figure.axes(x=_("Signed amount (¥)"), y=_("Rep"))


def chart_leaderboard(data: Data) -> Chart:
    rows = leaderboard_rows(data)
    return Chart(
        "leaderboard",
        _("Leaderboard"),
        [
            _("Rank"),
            _("Rep"),
            _("Team"),
            _("Signed this month"),
            _("Signed this quarter"),
            _("Score of the month"),
            _("Score of the quarter"),
            _("Title"),
        ],
        [cells(row) for row in rows],
        partial(draw_leaderboard, rows),
        period=f"{data.scope.month:%Y-%m} · {quarter_label(data.scope.month)}",
        empty=_("Nothing signed in this month or quarter yet: the table lists the scores."),
    )


# --- activity --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ActivityRow:
    rep: str
    calls_planned: int
    calls_made: int
    visits_planned: int
    visits_effective: int
    completion: Decimal | None


def activity_rows(data: Data) -> list[ActivityRow]:
    """Weekly activity plans starting in the period against what was logged in it: phone calls
    and effective visits (the nightly facts)."""
    scope = data.scope
    facts = data.facts(scope.period, scope.start)
    calls, visits = facts.ratios.get("calls", {}), facts.ratios.get("visits", {})
    none = kpis.Ratio(ZERO, ZERO)
    rows = []
    for rep in scope.reps:
        made, visited = calls.get(rep.pk, none), visits.get(rep.pk, none)
        rows.append(
            ActivityRow(
                rep=str(rep),
                calls_planned=int(made.denominator),
                calls_made=int(made.numerator),
                visits_planned=int(visited.denominator),
                visits_effective=int(visited.numerator),
                completion=percent(
                    made.numerator + visited.numerator, made.denominator + visited.denominator
                ),
            )
        )
    return rows


def draw_activity(rows: list[ActivityRow]) -> Figure:
    names = [row.rep for row in rows]
    figure = Figure()
    figure.add_bar(
        x=names, y=[row.calls_planned + row.visits_planned for row in rows], name=_("Planned")
    )
    figure.add_bar(
        x=names, y=[row.calls_made + row.visits_effective for row in rows], name=_("Done")
    )
    return figure.axes(x=_("Rep"), y=_("Calls and effective visits"))


def chart_activity(data: Data) -> Chart:
    rows = activity_rows(data)
    scope = data.scope
    return Chart(
        "activity",
        _("Activity plan against actual"),
        [
            _("Rep"),
            _("Calls planned"),
            _("Calls made"),
            _("Visits planned"),
            _("Effective visits"),
            _("Completion (%)"),
        ],
        [cells(row) for row in rows],
        partial(draw_activity, rows),
        note=data.facts(scope.period, scope.start).note(),
        period=scope.label,
        empty=_("No activity planned or logged in this period."),
    )


# --- channels --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelRow:
    channel: str
    campaign: str
    leads: int
    won: int
    conversion: Decimal | None
    signed: Decimal
    cost: Decimal | None  # None when no campaign of the row ran in the period
    cost_per_won: Decimal | None


def channel_rows(data: Data) -> list[ChannelRow]:
    """Per channel and campaign: leads created in the period, how many of them were won, the
    amount signed in the period by customers who came through it (the nightly facts), and the
    cost per won lead (the cost of the campaigns running in the period, counted in full, ÷
    won leads)."""
    scope = data.scope
    counts = data.channel_facts(scope.period, scope.start)
    campaigns = {
        c.pk: c
        for c in Campaign.objects.filter(
            Q(pk__in={key[1] for key in counts if key[1]})
            | Q(starts_on__lte=scope.end) & (Q(ends_on__isnull=True) | Q(ends_on__gte=scope.start))
        )
    }
    for campaign in campaigns.values():
        counts.setdefault((campaign.channel_id, campaign.pk), [0, 0, ZERO])
    channels = {c.pk: c for c in Channel.objects.all()}

    def running(campaign) -> bool:
        return campaign.starts_on <= scope.end and (
            campaign.ends_on is None or campaign.ends_on >= scope.start
        )

    rows = []
    for (channel_id, campaign_id), (count, won, amount) in counts.items():
        campaign = campaigns.get(campaign_id)
        cost = money(campaign.cost) if campaign and running(campaign) else None
        rows.append(
            ChannelRow(
                channel=str(channels.get(channel_id, "")),
                campaign=campaign.name if campaign else "",
                leads=count,
                won=won,
                conversion=percent(won, count),
                signed=money(amount),
                cost=cost,
                cost_per_won=money(cost / won) if cost is not None and won else None,
            )
        )
    rows.sort(key=lambda row: (row.channel, row.campaign))
    return rows


def draw_channels(rows: list[ChannelRow]) -> Figure:
    per_channel: dict = defaultdict(lambda: [0, 0])
    for row in rows:
        per_channel[row.channel][0] += row.leads
        per_channel[row.channel][1] += row.won
    names = sorted(per_channel)
    figure = Figure()
    figure.add_bar(x=names, y=[per_channel[n][0] for n in names], name=pgettext("count", "Leads"))
    figure.add_bar(x=names, y=[per_channel[n][1] for n in names], name=_("Won"))
    return figure.axes(x=_("Channel"), y=_("Leads"))


def chart_channels(data: Data) -> Chart:
    rows = channel_rows(data)
    scope = data.scope
    return Chart(
        "channels",
        _("Channel analysis"),
        [
            _("Channel"),
            _("Campaign"),
            pgettext("count", "Leads"),
            _("Won"),
            _("Conversion (%)"),
            _("Signed amount"),
            _("Campaign cost"),
            _("Cost per won lead"),
        ],
        [cells(row) for row in rows],
        partial(draw_channels, rows),
        note=_(
            "Leads created in the period and how many were won; cost of the campaigns running in the period."
        )
        + " "
        + data.facts(scope.period, scope.start).note(),
        period=scope.label,
        empty=_("No lead was created in this period."),
    )


# --- forecast --------------------------------------------------------------------------------


# A projection whose back-test missed by more than this (MAPE, %) is shown as not usable: its
# figure draws no forecast bar and the table says why.
USABLE_MAPE = Decimal(30)


@dataclass(frozen=True, slots=True)
class ForecastRow:
    metric: str
    quarter: str  # "2026 Q4"
    point: Decimal | None
    low: Decimal | None
    high: Decimal | None
    target: Decimal | None  # None: no published target covers the quarter (not a target of 0)
    mape: Decimal | None
    months_of_history: int | None  # None: the pipeline view (no history fitted)
    verdict: str = ""
    # what the figure draws beside the numbers: the monthly history and the projection
    history: list = field(default_factory=list, metadata=NOT_A_COLUMN)
    projection: forecast.Projection | None = field(default=None, metadata=NOT_A_COLUMN)
    usable: bool = field(default=True, metadata=NOT_A_COLUMN)
    axis: str = field(default="", metadata=NOT_A_COLUMN)  # the y axis' title, with the unit
    measure: str = field(default="", metadata=NOT_A_COLUMN)  # signed_amount, new_customers
    # the open quarter's pipeline view (signed so far + the open leads' expected value), drawn
    # in the signed amount's panel beside its history and next quarter's projection
    pipeline: bool = field(default=False, metadata=NOT_A_COLUMN)


def forecast_verdict(projection, mape: Decimal | None) -> tuple[bool, str]:
    """Whether the projection may be read as a forecast, and the sentence the table shows: a
    back-test error above ``USABLE_MAPE`` % (or no projection) is not usable; without a
    back-test yet the projection is shown with that caveat."""
    if projection is None:
        return False, _("Not usable: fewer than 3 months of history.")
    if mape is None:
        return True, _("Usable with care: too little history for a back-test yet.")
    if mape > USABLE_MAPE:
        return False, _(
            "Not usable: the back-test missed by %(mape)s %% on average (more than %(limit)s %%)."
        ) % {"mape": mape, "limit": USABLE_MAPE}
    return True, _("Usable: the back-test missed by %(mape)s %% on average.") % {"mape": mape}


def forecast_rows(data: Data) -> list[ForecastRow]:
    """Next quarter's signed amount and enrolments (new customers), projected by
    ``performance.forecast`` from the scope's monthly history up to the last complete month,
    beside the target of that quarter (None when no published plan covers it), with the
    back-test error (MAPE) on the history and whether the projection is usable."""
    scope = data.scope
    last_complete = add_months(month_start(scope.today), -1)
    next_quarter = add_months(quarter_start(scope.month), 3)
    history_end = min(last_complete, add_months(next_quarter, -1))
    quarter_last = month_end(add_months(next_quarter, 2))
    rows = []
    for metric, label, axis, source in [
        ("signed_amount", _("Signed amount"), _("Amount (¥)"), data.signed),
        ("new_customers", _("Enrolments (new customers)"), _("Customers"), data.enrolments),
    ]:
        totals = {month: sum(values.values(), ZERO) for month, values in source.items()}
        first = min((m for m, v in totals.items() if v), default=None)
        if first is None or first > history_end:
            continue
        history = forecast.monthly_series(totals, max(first, data.history_start), history_end)
        ahead = (
            (next_quarter.year - history_end.year) * 12 + next_quarter.month - history_end.month - 1
        )
        projection = forecast.project_quarter(history, ahead=ahead)
        _tests, mape = forecast.backtest(history)
        usable, verdict = forecast_verdict(projection, mape)
        target = None
        if data.has_target(metric, next_quarter, quarter_last):
            target = data.target(metric, next_quarter, quarter_last)
            target = target if metric == "new_customers" else money(target)
        rows.append(
            ForecastRow(
                metric=label,
                quarter=quarter_label(next_quarter),
                point=projection.point if projection else None,
                low=projection.low if projection else None,
                high=projection.high if projection else None,
                target=target,
                mape=mape,
                months_of_history=len(history),
                verdict=verdict,
                history=history,
                projection=projection,
                usable=usable,
                axis=axis,
                measure=metric,
            )
        )
    pipeline = pipeline_row(data)
    return rows if pipeline is None else [pipeline, *rows]


def open_quarter(data: Data):
    """The first day of the quarter in progress when the dashboard looks at a month of it,
    else None: today's open leads say nothing about a past (or future) quarter."""
    scope = data.scope
    first = quarter_start(scope.today)
    return first if quarter_start(scope.month) == first else None


def pipeline_row(data: Data) -> ForecastRow | None:
    """The open quarter, pipeline-weighted: what the scope signed in the quarter so far (the
    nightly facts, to the business date) + the expected value of its open leads (Σ budget ×
    win probability, the stage's learned weight without one: the provider registered in
    ``salescrm.extensions``, analytics), beside the quarter's target. The same reps as the
    other figures (team, rep and territory filters narrow them); leads owned by nobody count
    for nobody. Without a provider or weights the row says the figure is not available (no
    point, never 0). Worked: ¥30,000.00 signed + 10,000 × 0.40 + 5,000 × 0.20 = ¥35,000.00.
    """
    first = open_quarter(data)
    if first is None:
        return None
    scope = data.scope
    last = quarter_end(first)
    target = None
    if data.has_target("signed_amount", first, last):
        target = money(data.target("signed_amount", first, last))
    expected = open_pipeline_value(scope.owned("owner_id"))
    point, verdict = (
        None,
        _(
            "Not available: no win probabilities or stage weights yet (learned every night from the closed leads)."
        ),
    )
    if expected is not None:
        signed = money(data.total(data.signed, first, last))
        weighted = money(sum(expected.values(), ZERO))
        point = signed + weighted
        verdict = _("Signed so far ¥%(signed)s + expected from the open leads ¥%(expected)s.") % {
            "signed": money_text(signed),
            "expected": money_text(weighted),
        }
    return ForecastRow(
        metric=_("Signed amount — open quarter, pipeline-weighted"),
        quarter=quarter_label(first),
        point=point,
        low=None,
        high=None,
        target=target,
        mape=None,
        months_of_history=None,
        verdict=verdict,
        usable=point is not None,
        axis=_("Amount (¥)"),
        measure="signed_amount",
        pipeline=True,
    )


def draw_forecast(rows: list[ForecastRow]) -> Figure:
    """Per metric, the last eight quarters' actuals, the projection with its interval when it
    is usable (else a note on the panel instead of a bar) and the target when one is set. The
    open quarter's pipeline view is drawn in the signed amount's panel (its own panel when
    there is no signed history to project): a bar of its point, when it has one, and its
    target. Bars overlay: the pipeline bar, translucent, over the quarter's actual so far."""
    pipeline = next((row for row in rows if row.pipeline), None)
    panels = [row for row in rows if not row.pipeline]
    host = next((row for row in panels if row.measure == "signed_amount"), None)
    if pipeline is not None and host is None:
        panels.append(pipeline)
        host = pipeline
    figure = Figure.subplots([row.metric for row in panels])
    figure.layout["barmode"] = "overlay"
    width = 1 / max(len(panels), 1)
    legend: set[str] = set()

    def shown(name) -> bool:
        """Each name once in the legend."""
        first = str(name) not in legend
        legend.add(str(name))
        return first

    def target(row, quarter, col):
        if row.target is not None:
            figure.add_scatter(
                x=[quarter],
                y=[float(row.target)],
                mode="markers",
                marker={"symbol": "diamond", "size": 12, "color": "red"},
                row=1,
                col=col,
                showlegend=shown(_("Target")),
                name=_("Target"),
            )

    for i, row in enumerate(panels, start=1):
        figure.axes(x=_("Quarter"), y=row.axis or _("Amount (¥)"), col=i)
        if not row.pipeline:
            quarters: dict = defaultdict(Decimal)
            for month, value in row.history:
                quarters[f"{month.year}Q{quarter_of(month)}"] += Decimal(value)
            names = list(quarters)[-8:]
            figure.add_bar(
                x=names,
                y=[float(quarters[n]) for n in names],
                row=1,
                col=i,
                showlegend=shown(_("Actual")),
                name=_("Actual"),
                marker={"color": "#6c8ebf"},
            )
        if pipeline is not None and row is host:
            # drawn before next quarter's forecast, so the quarters stay in order on the axis
            quarter = pipeline.quarter.replace(" ", "")
            if pipeline.point is not None:
                figure.add_bar(
                    x=[quarter],
                    y=[float(pipeline.point)],
                    row=1,
                    col=i,
                    showlegend=shown(_("Pipeline-weighted")),
                    name=_("Pipeline-weighted"),
                    marker={"color": "#5cb85c"},
                    opacity=0.6,
                )
            target(pipeline, quarter, i)
        if row.pipeline:
            continue
        quarter = row.quarter.replace(" ", "")  # the bars' "2026Q4"
        projection = row.projection
        if projection and row.usable:
            figure.add_bar(
                x=[quarter],
                y=[float(projection.point)],
                row=1,
                col=i,
                showlegend=shown(_("Forecast")),
                name=_("Forecast"),
                marker={"color": "#f0ad4e"},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [float(projection.high - projection.point)],
                    "arrayminus": [float(projection.point - projection.low)],
                },
            )
        elif projection:
            figure.layout["annotations"].append(
                {
                    "text": escape_text(
                        _("%(quarter)s: forecast not usable") % {"quarter": quarter}
                    ),
                    "x": (i - 0.5) * width,
                    "y": 0.9,
                    "xref": "paper",
                    "yref": "paper",
                    "showarrow": False,
                    "font": {"size": 10, "color": "#b02a37"},
                }
            )
        target(row, quarter, i)
    return figure


def chart_forecast(data: Data) -> Chart:
    rows = forecast_rows(data)
    scope = data.scope
    next_quarter = add_months(quarter_start(scope.month), 3)
    period = _("%(quarter)s, from the history to %(month)s") % {
        "quarter": quarter_label(next_quarter),
        "month": f"{min(add_months(month_start(scope.today), -1), add_months(next_quarter, -1)):%Y-%m}",
    }
    # the quarter in progress has its pipeline-weighted row first: the title names both
    title = _("Forecast of next quarter")
    if rows and rows[0].pipeline:
        title = _("Forecast: this quarter (pipeline-weighted) and next quarter")
        period = _("%(open)s pipeline-weighted as of %(today)s · %(forecast)s") % {
            "open": rows[0].quarter,
            "today": scope.today,
            "forecast": period,
        }
    return Chart(
        "forecast",
        title,
        [
            _("Metric"),
            _("Quarter"),
            _("Forecast"),
            _("Low (80 %)"),
            _("High (80 %)"),
            _("Target"),
            _("Back-test error (MAPE %)"),
            _("Months of history"),
            _("Usable?"),
        ],
        [cells(row) for row in rows],
        partial(draw_forecast, rows),
        note=_(
            "Linear trend plus a level per quarter of the year, fitted by least squares on the monthly totals; 80 % prediction interval; the back-test re-fits on the months before each of the last four quarters."
        )
        + " "
        + _(
            "A forecast whose back-test error is above %(limit)s %% is not drawn; a quarter without a published target shows no target (not 0)."
        )
        % {"limit": USABLE_MAPE}
        + " "
        + _(
            "Open quarter, pipeline-weighted: signed in the quarter so far (to the last night) + Σ over the open leads in scope of budget × win probability (without one: the stage's learned weight), beside the quarter's target; shown while the quarter is in progress."
        ),
        period=period,
        empty=_(
            "Nothing to plot: no signed history to project and no weighted pipeline yet (see the table)."
        ),
    )


CHARTS = {
    "target_by_rep": chart_target_by_rep,
    "leaderboard": chart_leaderboard,
    "activity": chart_activity,
    "channels": chart_channels,
    "forecast": chart_forecast,
}
