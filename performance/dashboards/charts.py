"""The charts: the numbers behind each, from the sources in ``data``."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from customers import ageing
from customers.models import ApprovalStep, Complaint, Instalment
from leads.models import Campaign, Channel, Lead
from salescrm.models import ProductLine, User
from salescrm.money import round_places
from salescrm.timeutil import (
    add_months,
    local_now,
    month_end,
    month_start,
    quarter_end,
    quarter_label,
    quarter_of,
    quarter_start,
    year_end,
    year_start,
)

from .. import forecast, kpis
from ..models import CommissionStatement, PeriodKind, ScoreCard, ScoreLine
from ..services import FUNNEL_STAGES
from .data import Data
from .figures import Chart, Figure
from .scope import ZERO, money, percent

# SPEC §5 / seeds: the goals the director's view draws beside the actuals, per quarter.
BENCHMARKS = {
    "satisfaction": Decimal("4.5"),
    "referral_share": Decimal("20"),
    "strategic_renewal": Decimal("90"),
    "key_churn": Decimal("5"),
    "potential_conversion": Decimal("30"),
}


def _stage_label(stage: str) -> str:
    return str(Lead.Stage(stage).label)


def _reached(rows) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for row in rows:
        totals[row.stage] += row.reached
    return totals


def _conversions(reached: dict[str, int]) -> dict[str, Decimal | None]:
    """Stage → reached the next stage ÷ reached this one × 100 (summed counts, never an
    average of ratios)."""
    return {
        stage: percent(reached.get(FUNNEL_STAGES[i + 1], 0), reached.get(stage, 0))
        for i, stage in enumerate(FUNNEL_STAGES[:-1])
    }


def chart_funnel(data: Data) -> Chart:
    rows_in_scope = [r for r in data.funnel if r.rep_id in set(data.scope.rep_ids)]
    reached = _reached(rows_in_scope)
    open_leads: dict[str, int] = defaultdict(int)
    for row in rows_in_scope:
        open_leads[row.stage] += row.open_leads
    conversion = _conversions(reached)
    rows = []
    for i, stage in enumerate(FUNNEL_STAGES):
        following = reached.get(FUNNEL_STAGES[i + 1], 0) if i + 1 < len(FUNNEL_STAGES) else None
        drop = reached.get(stage, 0) - following if following is not None else None
        rows.append(
            [
                _stage_label(stage),
                reached.get(stage, 0),
                open_leads.get(stage, 0),
                conversion.get(stage),
                drop,
            ]
        )
    if not any(r[1] for r in rows):
        rows = []

    def draw():
        return Figure().add(
            "funnel",
            y=[r[0] for r in rows],
            x=[r[1] for r in rows],
            textinfo="value+percent previous",
        )

    day = getattr(data, "funnel_day", None)
    return Chart(
        "funnel",
        _("Funnel and stage conversion"),
        [
            _("Stage"),
            _("Reached (90-day cohort)"),
            _("At this stage now"),
            _("Conversion to next stage (%)"),
            _("Drop-off"),
        ],
        rows,
        draw,
        note=_("Snapshot of %(day)s.") % {"day": day} if day else "",
    )


def chart_diagnosis(data: Data) -> Chart:
    """Seed 000 (销售漏斗漏洞诊断): for each rep, the stage whose conversion falls furthest below
    their team's, with both conversions. A rep with no stage below the team is listed with
    none."""
    by_team: dict = defaultdict(list)
    by_rep: dict = defaultdict(list)
    for row in data.funnel:
        by_team[row.team_id].append(row)
        by_rep[row.rep_id].append(row)
    team_conversion = {team: _conversions(_reached(rows)) for team, rows in by_team.items()}
    rows = []
    for rep in data.scope.reps:
        reached = _reached(by_rep.get(rep.pk, []))
        own = _conversions(reached)
        team = team_conversion.get(rep.team_id, {})
        worst = None
        for i, stage in enumerate(FUNNEL_STAGES[:-1]):
            if own.get(stage) is None or team.get(stage) is None:
                continue
            gap = team[stage] - own[stage]
            if gap > 0 and (worst is None or gap > worst[1]):
                worst = (i, gap)
        if worst is None:
            rows.append([str(rep), str(rep.team or ""), "", None, None, None, None, None])
            continue
        i, gap = worst
        stage = FUNNEL_STAGES[i]
        rows.append(
            [
                str(rep),
                str(rep.team or ""),
                _stage_label(stage),
                reached.get(stage, 0),
                reached.get(FUNNEL_STAGES[i + 1], 0),
                own[stage],
                team[stage],
                gap,
            ]
        )

    def draw():
        shown = [r for r in rows if r[7] is not None]
        return Figure().add_bar(
            x=[r[0] for r in shown],
            y=[float(r[7]) for r in shown],
            text=[r[2] for r in shown],
            name=_("Points below the team"),
        )

    return Chart(
        "diagnosis",
        _("Funnel diagnosis"),
        [
            _("Rep"),
            _("Team"),
            _("Weakest stage"),
            _("Reached the stage"),
            _("Reached the next stage"),
            _("Rep's conversion (%)"),
            _("Team's conversion (%)"),
            _("Points below the team"),
        ],
        rows,
        draw,
        note=_("For each rep, the stage whose conversion falls furthest below the team's."),
    )


def _bars(rows: list[list], columns: dict[int, str]) -> Figure:
    """One bar trace per column of `rows` (index -> trace name) over the rows' first column."""
    figure = Figure()
    for index, name in columns.items():
        figure.add_bar(x=[r[0] for r in rows], y=[float(r[index]) for r in rows], name=name)
    return figure


def chart_target_progress(data: Data) -> Chart:
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
            [label, f"{first:%Y-%m}", money(target), money(actual), percent(actual, target)]
        )

    def draw():
        return _bars(rows, {2: _("Target"), 3: _("Signed amount")})

    return Chart(
        "target_progress",
        _("Target progress (signed amount)"),
        [_("Period"), _("From"), _("Target"), _("Signed amount"), _("Signing achievement (%)")],
        rows,
        draw,
    )


def chart_target_by_rep(data: Data) -> Chart:
    scope = data.scope
    rows = []
    for rep in scope.reps:
        target = data.target("signed_amount", scope.start, scope.end, rep.pk)
        actual = data.total(data.signed, scope.start, scope.end, rep.pk)
        rows.append(
            [str(rep), str(rep.team or ""), money(target), money(actual), percent(actual, target)]
        )

    def draw():
        return _bars(rows, {2: _("Target"), 3: _("Signed amount")})

    return Chart(
        "target_by_rep",
        _("Target achievement by rep"),
        [_("Rep"), _("Team"), _("Target"), _("Signed amount"), _("Signing achievement (%)")],
        rows,
        draw,
    )


def chart_leaderboard(data: Data) -> Chart:
    """Signed amount of the month and the quarter per rep, with the month's and the quarter's
    scorecard totals; the first of each ranking is the 月度/季度销售冠军 (ties: by name)."""
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
    figures = []
    for rep in scope.reps:
        figures.append(
            (
                rep,
                money(data.total(data.signed, scope.month, month_end(scope.month), rep.pk)),
                money(data.total(data.signed, q_start, q_end, rep.pk)),
            )
        )

    def champion(index):
        best = sorted(figures, key=lambda f: (-f[index], str(f[0])))
        return best[0][0].pk if best and best[0][index] > 0 else None

    month_champion, quarter_champion = champion(1), champion(2)
    figures.sort(key=lambda f: (-f[1], -f[2], str(f[0])))
    rows = []
    for rank, (rep, month_amount, quarter_amount) in enumerate(figures, start=1):
        titles = []
        if rep.pk == month_champion:
            titles.append(_("Sales champion of the month"))
        if rep.pk == quarter_champion:
            titles.append(_("Sales champion of the quarter"))
        rows.append(
            [
                rank,
                str(rep),
                str(rep.team or ""),
                month_amount,
                quarter_amount,
                scores.get((rep.pk, "month")),
                scores.get((rep.pk, "quarter")),
                ", ".join(titles),
            ]
        )

    def draw():
        return Figure().add_bar(
            y=[r[1] for r in rows][::-1],
            x=[float(r[3]) for r in rows][::-1],
            orientation="h",
            name=_("Signed this month"),
        )

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
        rows,
        draw,
    )


def chart_activity(data: Data) -> Chart:
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
            [
                str(rep),
                int(made.denominator),
                int(made.numerator),
                int(visited.denominator),
                int(visited.numerator),
                percent(made.numerator + visited.numerator, made.denominator + visited.denominator),
            ]
        )

    def draw():
        figure = Figure()
        names = [r[0] for r in rows]
        figure.add_bar(x=names, y=[r[1] + r[3] for r in rows], name=_("Planned"))
        figure.add_bar(x=names, y=[r[2] + r[4] for r in rows], name=_("Done"))
        return figure

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
        rows,
        draw,
        note=facts.note(),
    )


BUCKETS = [(bucket.key, bucket.label) for bucket in ageing.BUCKETS]


def chart_receivables(data: Data) -> Chart:
    scope = data.scope
    totals = Instalment.objects.filter(scope.owned("contract__owner_id")).ageing_totals(
        scope.today, group_by="contract__owner"
    )
    totals = list(totals)
    names = {rep.pk: str(rep) for rep in scope.reps}
    if scope.whole_company:
        # contracts of managers and former reps too: one query for their names
        others = {row["contract__owner"] for row in totals} - set(names)
        names |= {user.pk: str(user) for user in User.objects.filter(pk__in=others)}
    rows = []
    for row in totals:
        owner = row["contract__owner"]
        if owner not in names:
            continue
        rows.append(
            [names[owner]] + [money(row[name]) for name, _label in BUCKETS] + [money(row["total"])]
        )
    if rows:
        rows.append(
            [_("Total")] + [sum((r[i] for r in rows), ZERO) for i in range(1, len(BUCKETS) + 2)]
        )

    def draw():
        figure = Figure()
        reps = [r for r in rows[:-1]]
        for i, (_name, label) in enumerate(BUCKETS, start=1):
            figure.add_bar(x=[r[0] for r in reps], y=[float(r[i]) for r in reps], name=str(label))
        figure.layout["barmode"] = "stack"
        return figure

    return Chart(
        "receivables",
        _("Receivables by ageing"),
        [_("Rep")] + [str(label) for _n, label in BUCKETS] + [_("Outstanding")],
        rows,
        draw,
        note=_("Unpaid instalments of signed contracts as of %(day)s.") % {"day": scope.today},
    )


def chart_complaints(data: Data) -> Chart:
    now = local_now()
    rows_by = {
        severity: (open_, late_response, late_resolution)
        for severity, open_, late_response, late_resolution in Complaint.objects.filter(
            data.scope.owned("customer__owner_id")
        )
        .open()
        .values("severity")
        .annotate(
            open_=Count("id"),
            late_response=Count(
                "id",
                filter=Q(
                    first_response_at__isnull=True,
                    opened_at__lt=now - dt.timedelta(hours=Complaint.RESPONSE_HOURS),
                ),
            ),
            late_resolution=Count(
                "id", filter=Q(opened_at__lt=now - dt.timedelta(hours=Complaint.RESOLUTION_HOURS))
            ),
        )
        .values_list("severity", "open_", "late_response", "late_resolution")
    }
    rows = [
        [str(label), *rows_by[value]]
        for value, label in Complaint.Severity.choices
        if value in rows_by
    ]

    def draw():
        figure = Figure()
        figure.add_bar(x=[r[0] for r in rows], y=[r[1] for r in rows], name=_("Open"))
        figure.add_bar(
            x=[r[0] for r in rows],
            y=[r[2] for r in rows],
            name=_("Past the 24 h response deadline"),
        )
        figure.add_bar(
            x=[r[0] for r in rows],
            y=[r[3] for r in rows],
            name=_("Past the 48 h resolution deadline"),
        )
        return figure

    return Chart(
        "complaints",
        _("Open complaints and deadlines"),
        [
            _("Severity"),
            _("Open"),
            _("Past the 24 h response deadline"),
            _("Past the 48 h resolution deadline"),
        ],
        rows,
        draw,
    )


def chart_follow_ups(data: Data) -> Chart:
    """The rep's open leads whose next follow-up is overdue or due in the coming week."""
    scope = data.scope
    today = scope.today
    leads = list(
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

    rows = [
        [name, company, _stage_label(stage), due, status(due)]
        for name, company, stage, due in leads
    ]

    def draw():
        counts: dict[str, int] = defaultdict(int)
        for row in rows:
            counts[row[4]] += 1
        labels = [_("Overdue"), _("Today"), _("This week")]
        return Figure().add_bar(x=labels, y=[counts.get(label, 0) for label in labels])

    return Chart(
        "follow_ups",
        _("Follow-ups due"),
        [_("Lead"), _("Company"), _("Stage"), _("Next follow-up on"), _("Status")],
        rows,
        draw,
    )


def chart_scorecard(data: Data) -> Chart:
    scope = data.scope
    lines = list(
        ScoreLine.objects.filter(
            scorecard__person_id__in=scope.rep_ids,
            scorecard__period_kind=PeriodKind.MONTH,
            scorecard__period_start=scope.month,
        ).order_by("scorecard__person__username", "id")
    )
    rows = [
        [
            line.get_kpi_display(),
            round_places(line.actual, 2) if line.actual is not None else None,
            line.target,
            line.weight,
            line.score,
            line.weighted_score,
        ]
        for line in lines
    ]

    def draw():
        figure = Figure().add_bar(
            x=[r[0] for r in rows], y=[float(r[4]) for r in rows], name=_("Score")
        )
        return figure.add_hline(100)

    return Chart(
        "scorecard",
        _("My scorecard"),
        [_("KPI"), _("Actual"), _("Target"), _("Weight (%)"), _("Score"), _("Weighted score")],
        rows,
        draw,
    )


def chart_commission(data: Data) -> Chart:
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
            [
                f"{s.month:%Y-%m}",
                s.base_amount,
                s.achievement,
                s.commission,
                s.team_bonus,
                s.total,
                running,
                s.get_status_display(),
            ]
        )

    def draw():
        figure = Figure()
        figure.add_bar(
            x=[r[0] for r in rows], y=[float(r[5]) for r in rows], name=_("Commission of the month")
        )
        figure.add_scatter(
            x=[r[0] for r in rows], y=[float(r[6]) for r in rows], name=_("Year to date")
        )
        return figure

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
        rows,
        draw,
    )


def chart_by_team(data: Data) -> Chart:
    scope = data.scope
    groups: dict = {}
    for rep in scope.reps:
        groups.setdefault(rep.team_id, (str(rep.team or _("No team")), []))[1].append(rep.pk)
    rows = []
    for _team_id, (name, rep_ids) in sorted(groups.items(), key=lambda item: item[1][0]):
        target = sum(
            (data.target("signed_amount", scope.start, scope.end, r) for r in rep_ids), ZERO
        )
        signed = sum((data.total(data.signed, scope.start, scope.end, r) for r in rep_ids), ZERO)
        collected = sum(
            (data.total(data.collected, scope.start, scope.end, r) for r in rep_ids), ZERO
        )
        rows.append([name, money(target), money(signed), percent(signed, target), money(collected)])
    if len(rows) > 1:
        target = sum((r[1] for r in rows), ZERO)
        signed = sum((r[2] for r in rows), ZERO)
        rows.append(
            [_("Total"), target, signed, percent(signed, target), sum((r[4] for r in rows), ZERO)]
        )

    def draw():
        teams = [r for r in rows if r[0] != _("Total")]
        return _bars(teams, {1: _("Target"), 2: _("Signed amount"), 4: _("Collected amount")})

    return Chart(
        "by_team",
        _("Company by team"),
        [
            _("Team"),
            _("Target"),
            _("Signed amount"),
            _("Signing achievement (%)"),
            _("Collected amount"),
        ],
        rows,
        draw,
    )


def chart_trend(data: Data) -> Chart:
    """Month by month of the year up to the chosen month: signed amount with its change on the
    month before (环比) and on the same month a year earlier (同比), and the collected amount."""
    scope = data.scope
    rows = []
    month = year_start(scope.month)
    while month <= scope.month:
        signed = data.total(data.signed, month, month)
        before = data.total(data.signed, add_months(month, -1), add_months(month, -1))
        last_year = data.total(data.signed, add_months(month, -12), add_months(month, -12))
        collected = data.total(data.collected, month, month)
        rows.append(
            [
                f"{month:%Y-%m}",
                money(signed),
                percent(signed - before, before),
                money(last_year),
                percent(signed - last_year, last_year),
                money(collected),
            ]
        )
        month = add_months(month, 1)

    def draw():
        figure = Figure()
        labels = [r[0][5:] for r in rows]
        figure.add_scatter(x=labels, y=[float(r[1]) for r in rows], name=str(scope.month.year))
        figure.add_scatter(
            x=labels,
            y=[float(r[3]) for r in rows],
            name=str(scope.month.year - 1),
            line={"dash": "dot"},
        )
        figure.add_bar(
            x=labels, y=[float(r[5]) for r in rows], name=_("Collected amount"), opacity=0.4
        )
        return figure

    return Chart(
        "trend",
        _("Month over month and year over year"),
        [
            _("Month"),
            _("Signed amount"),
            _("Month over month (%)"),
            _("Same month last year"),
            _("Year over year (%)"),
            _("Collected amount"),
        ],
        rows,
        draw,
    )


def chart_product_lines(data: Data) -> Chart:
    scope = data.scope
    amounts = data.product_line_facts(scope.period, scope.start)
    rows = [[str(line), money(amounts.get(line.pk))] for line in ProductLine.objects.order_by("pk")]
    total = sum((r[1] for r in rows), ZERO)
    rows = [r + [percent(r[1], total)] for r in rows]

    def draw():
        return Figure().add(
            "pie", labels=[r[0] for r in rows], values=[float(r[1]) for r in rows], hole=0.4
        )

    return Chart(
        "product_lines",
        _("Signed amount by product line"),
        [_("Product line"), _("Signed amount"), _("Share (%)")],
        rows if total else [],
        draw,
        note=data.facts(scope.period, scope.start).note(),
    )


def chart_channels(data: Data) -> Chart:
    """Per channel and campaign: leads created in the period, how many of them were won, the
    amount signed in the period by customers who came through it (the nightly facts), and the
    cost per won lead (the cost of the campaigns running in the period, counted in full, ÷
    won leads)."""
    scope = data.scope
    figures = data.channel_facts(scope.period, scope.start)
    campaigns = {
        c.pk: c
        for c in Campaign.objects.filter(
            Q(pk__in={key[1] for key in figures if key[1]})
            | Q(starts_on__lte=scope.end) & (Q(ends_on__isnull=True) | Q(ends_on__gte=scope.start))
        )
    }
    for campaign in campaigns.values():
        figures.setdefault((campaign.channel_id, campaign.pk), [0, 0, ZERO])
    channels = {c.pk: c for c in Channel.objects.all()}

    def running(campaign) -> bool:
        return campaign.starts_on <= scope.end and (
            campaign.ends_on is None or campaign.ends_on >= scope.start
        )

    rows = []
    for (channel_id, campaign_id), (count, won, amount) in figures.items():
        campaign = campaigns.get(campaign_id)
        cost = money(campaign.cost) if campaign and running(campaign) else None
        rows.append(
            [
                str(channels.get(channel_id, "")),
                campaign.name if campaign else "",
                count,
                won,
                percent(won, count),
                money(amount),
                cost,
                money(cost / won) if cost is not None and won else None,
            ]
        )
    rows.sort(key=lambda r: (r[0], r[1]))

    def draw():
        per_channel: dict = defaultdict(lambda: [0, 0])
        for row in rows:
            per_channel[row[0]][0] += row[2]
            per_channel[row[0]][1] += row[3]
        names = sorted(per_channel)
        figure = Figure()
        figure.add_bar(x=names, y=[per_channel[n][0] for n in names], name=_("Leads"))
        figure.add_bar(x=names, y=[per_channel[n][1] for n in names], name=_("Won"))
        return figure

    return Chart(
        "channels",
        _("Channel analysis"),
        [
            _("Channel"),
            _("Campaign"),
            _("Leads"),
            _("Won"),
            _("Conversion (%)"),
            _("Signed amount"),
            _("Campaign cost"),
            _("Cost per won lead"),
        ],
        rows,
        draw,
        note=_(
            "Leads created in the period and how many were won; cost of the campaigns running in the period."
        )
        + " "
        + data.facts(scope.period, scope.start).note(),
    )


def _rates(data: Data, codes: list[str], kind: str, start: dt.date) -> dict:
    """The KPIs' figures for the reps in scope from the period's nightly facts."""
    facts = data.facts(kind, start)
    return {
        code: kpis.KPI_BY_CODE[code].value(facts.total(code, data.scope.rep_ids)) for code in codes
    }


RATE_KPIS = ["renewal_rate", "refund_rate", "on_time_collection_rate", "overdue_ratio"]


def chart_rates(data: Data) -> Chart:
    scope = data.scope
    values = _rates(data, RATE_KPIS, scope.period, scope.start)
    rows = [
        [
            str(kpis.KPI_BY_CODE[code].label),
            round_places(values[code], 1) if values[code] is not None else None,
        ]
        for code in RATE_KPIS
    ]

    def draw():
        return Figure().add_bar(x=[r[0] for r in rows], y=[float(r[1] or 0) for r in rows])

    return Chart(
        "rates",
        _("Renewal, refund and collection rates"),
        [_("KPI"), _("Value (%)")],
        rows,
        draw,
        note=data.facts(scope.period, scope.start).note(),
    )


def chart_benchmarks(data: Data) -> Chart:
    """The §5 goals of the quarter of the chosen month, beside the actuals (up to today):
    satisfaction ≥ 4.5 of 5; referral share of signed amount ≥ 20 %; strategic customers
    renewing ≥ 90 % (strategic customers whose contract ended in the quarter and who signed a
    renewal contract since ÷ those customers); key-customer churn ≤ 5 % (customers of tier
    strategic or core whose contract ended in the quarter without a renewal ÷ those
    customers); potential-customer conversion ≥ 30 % (leads created in the quarter that were
    won ÷ leads created)."""
    scope = data.scope
    start = quarter_start(scope.month)
    facts = data.facts("quarter", start)
    values = _rates(data, ["satisfaction", "referral_share", "lead_conversion"], "quarter", start)
    strategic = facts.total("strategic_renewal") or kpis.Ratio(ZERO, ZERO)
    churn = facts.total("key_churn") or kpis.Ratio(ZERO, ZERO)

    def q(value, places=1):
        return round_places(value, places) if value is not None else None

    rows = [
        [
            _("Customer satisfaction"),
            q(values["satisfaction"], 2),
            BENCHMARKS["satisfaction"],
            _("points of 5"),
            _("at least"),
        ],
        [
            _("Referral share of new signed amount"),
            q(values["referral_share"]),
            BENCHMARKS["referral_share"],
            "%",
            _("at least"),
        ],
        [
            _("Strategic customers renewing"),
            percent(strategic.numerator, strategic.denominator),
            BENCHMARKS["strategic_renewal"],
            "%",
            _("at least"),
        ],
        [
            _("Key-customer churn"),
            percent(churn.numerator, churn.denominator),
            BENCHMARKS["key_churn"],
            "%",
            _("at most"),
        ],
        [
            _("Potential-customer conversion"),
            q(values["lead_conversion"]),
            BENCHMARKS["potential_conversion"],
            "%",
            _("at least"),
        ],
    ]

    def draw():
        figure = Figure.subplots([r[0] for r in rows])
        for i, row in enumerate(rows, start=1):
            figure.add_bar(x=[_("Actual")], y=[float(row[1] or 0)], row=1, col=i, showlegend=False)
            figure.add_scatter(
                x=[_("Actual")],
                y=[float(row[2])],
                mode="markers",
                marker={"symbol": "line-ew-open", "size": 40, "color": "red"},
                row=1,
                col=i,
                showlegend=i == 1,
                name=_("Benchmark"),
            )
        return figure

    return Chart(
        "benchmarks",
        _("Benchmarks of the quarter"),
        [_("Indicator"), _("Actual"), _("Benchmark"), _("Unit"), _("Goal")],
        rows,
        draw,
        note=facts.note(),
    )


def chart_forecast(data: Data) -> Chart:
    """Next quarter's signed amount and enrolments (new customers), projected by
    ``performance.forecast`` from the scope's monthly history up to the last complete month,
    beside the target of that quarter, with the back-test error (MAPE) on the history."""
    scope = data.scope
    last_complete = add_months(month_start(scope.today), -1)
    next_quarter = add_months(quarter_start(scope.month), 3)
    history_end = min(last_complete, add_months(next_quarter, -1))
    rows = []
    series_for_chart = {}
    for metric, label, source in [
        ("signed_amount", _("Signed amount"), data.signed),
        ("new_customers", _("Enrolments (new customers)"), data.enrolments),
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
        target = data.target(metric, next_quarter, month_end(add_months(next_quarter, 2)))
        series_for_chart[label] = (history, projection)
        rows.append(
            [
                label,
                quarter_label(next_quarter),
                projection.point if projection else None,
                projection.low if projection else None,
                projection.high if projection else None,
                target if metric == "new_customers" else money(target),
                mape,
                len(history),
            ]
        )

    def draw():
        figure = Figure.subplots(list(series_for_chart))
        for i, (label, (history, projection)) in enumerate(series_for_chart.items(), start=1):
            quarters: dict = defaultdict(Decimal)
            for month, value in history:
                quarters[f"{month.year}Q{quarter_of(month)}"] += Decimal(value)
            names = list(quarters)[-8:]
            figure.add_bar(
                x=names,
                y=[float(quarters[n]) for n in names],
                row=1,
                col=i,
                showlegend=i == 1,
                name=_("Actual"),
                marker={"color": "#6c8ebf"},
            )
            if projection:
                row = next(r for r in rows if r[0] == label)
                figure.add_bar(
                    x=[row[1].replace(" ", "")],
                    y=[float(projection.point)],
                    row=1,
                    col=i,
                    showlegend=i == 1,
                    name=_("Forecast"),
                    marker={"color": "#f0ad4e"},
                    error_y={
                        "type": "data",
                        "symmetric": False,
                        "array": [float(projection.high - projection.point)],
                        "arrayminus": [float(projection.point - projection.low)],
                    },
                )
                figure.add_scatter(
                    x=[row[1].replace(" ", "")],
                    y=[float(row[5])],
                    mode="markers",
                    marker={"symbol": "diamond", "size": 12, "color": "red"},
                    row=1,
                    col=i,
                    showlegend=i == 1,
                    name=_("Target"),
                )
        return figure

    return Chart(
        "forecast",
        _("Forecast of next quarter"),
        [
            _("Metric"),
            _("Quarter"),
            _("Forecast"),
            _("Low (80 %)"),
            _("High (80 %)"),
            _("Target"),
            _("Back-test error (MAPE %)"),
            _("Months of history"),
        ],
        rows,
        draw,
        note=_(
            "Linear trend plus a level per quarter of the year, fitted by least squares on the monthly totals; 80 % prediction interval; the back-test re-fits on the months before each of the last four quarters."
        ),
    )


def chart_approvals(data: Data) -> Chart:
    mine = dict(
        ApprovalStep.objects.actionable_by(data.scope.user, data.scope.today)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    waiting = dict(
        ApprovalStep.objects.current()
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    rows = [
        [str(label), waiting.get(value, 0), mine.get(value, 0)]
        for value, label in ApprovalStep.Kind.choices
    ]

    def draw():
        figure = Figure()
        figure.add_bar(
            x=[r[0] for r in rows], y=[r[1] for r in rows], name=_("Waiting at this step")
        )
        figure.add_bar(x=[r[0] for r in rows], y=[r[2] for r in rows], name=_("Waiting for you"))
        return figure

    return Chart(
        "approvals",
        _("Contracts waiting for approval"),
        [_("Step"), _("Waiting at this step"), _("Waiting for you")],
        rows if any(r[1] for r in rows) else [],
        draw,
    )


CHARTS: dict[str, Callable[[Data], Chart]] = {
    "target_progress": chart_target_progress,
    "funnel": chart_funnel,
    "follow_ups": chart_follow_ups,
    "scorecard": chart_scorecard,
    "commission": chart_commission,
    "diagnosis": chart_diagnosis,
    "target_by_rep": chart_target_by_rep,
    "leaderboard": chart_leaderboard,
    "activity": chart_activity,
    "receivables": chart_receivables,
    "complaints": chart_complaints,
    "by_team": chart_by_team,
    "trend": chart_trend,
    "product_lines": chart_product_lines,
    "channels": chart_channels,
    "rates": chart_rates,
    "benchmarks": chart_benchmarks,
    "forecast": chart_forecast,
    "approvals": chart_approvals,
}
