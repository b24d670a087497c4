"""The director's dashboard: the company by team, the year's trend, the §5 benchmarks, the
rates and the product lines (with the manager's charts for the whole company)."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.utils.translation import gettext as _

from salescrm.models import ProductLine
from salescrm.money import round_places
from salescrm.timeutil import add_months, quarter_label, quarter_start, year_start

from .. import kpis
from .data import Data
from .figures import NOT_A_COLUMN, Chart, Figure, cells
from .scope import ZERO, money, percent

# SPEC §5 / seeds: the goals the director's view draws beside the actuals, per quarter.
BENCHMARKS = {
    "satisfaction": Decimal("4.5"),
    "referral_share": Decimal("20"),
    "strategic_renewal": Decimal("90"),
    "key_churn": Decimal("5"),
    "potential_conversion": Decimal("30"),
}

# --- by team ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TeamRow:
    team: str
    target: Decimal
    signed: Decimal
    achievement: Decimal | None
    collected: Decimal
    is_total: bool = field(default=False, metadata=NOT_A_COLUMN)


def by_team_rows(data: Data) -> list[TeamRow]:
    """One row per team of the reps in scope (by name), and a total row when there are
    several."""
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
        rows.append(
            TeamRow(name, money(target), money(signed), percent(signed, target), money(collected))
        )
    if len(rows) > 1:
        target = sum((row.target for row in rows), ZERO)
        signed = sum((row.signed for row in rows), ZERO)
        collected = sum((row.collected for row in rows), ZERO)
        rows.append(
            TeamRow(_("Total"), target, signed, percent(signed, target), collected, is_total=True)
        )
    return rows


def draw_by_team(rows: list[TeamRow]) -> Figure:
    teams = [row for row in rows if not row.is_total]
    names = [row.team for row in teams]
    figure = Figure()
    figure.add_bar(x=names, y=[float(row.target) for row in teams], name=_("Target"))
    figure.add_bar(x=names, y=[float(row.signed) for row in teams], name=_("Signed amount"))
    figure.add_bar(x=names, y=[float(row.collected) for row in teams], name=_("Collected amount"))
    return figure.axes(x=_("Team"), y=_("Amount (¥)"))


def chart_by_team(data: Data) -> Chart:
    rows = by_team_rows(data)
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
        [cells(row) for row in rows],
        partial(draw_by_team, rows),
        period=data.scope.label,
        empty=_("No target, signed or collected amount in this period."),
    )


# --- trend -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrendRow:
    month: str  # YYYY-MM
    signed: Decimal
    month_over_month: Decimal | None
    signed_last_year: Decimal | None  # None: before the first month with a signed contract
    year_over_year: Decimal | None
    collected: Decimal


def history_start(data: Data) -> dt.date | None:
    """The first month in which the reps in scope signed anything (within the dashboard's
    history): before it there is no history, which is not a month of 0."""
    return min(
        (month for month, values in data.signed.items() if any(values.values())), default=None
    )


def trend_rows(data: Data) -> list[TrendRow]:
    """Month by month of the year up to the chosen month: signed amount with its change on the
    month before (环比) and on the same month a year earlier (同比), and the collected amount.
    A month before the history starts has no figure (None), and no change is computed on it."""
    scope = data.scope
    first = history_start(data)
    rows = []
    month = year_start(scope.month)
    while month <= scope.month:
        signed = data.total(data.signed, month, month)
        previous, a_year_ago = add_months(month, -1), add_months(month, -12)
        before = data.total(data.signed, previous, previous)
        known_last_year = first is not None and a_year_ago >= first
        last_year = data.total(data.signed, a_year_ago, a_year_ago) if known_last_year else None
        collected = data.total(data.collected, month, month)
        rows.append(
            TrendRow(
                month=f"{month:%Y-%m}",
                signed=money(signed),
                month_over_month=percent(signed - before, before),
                signed_last_year=money(last_year) if known_last_year else None,
                year_over_year=percent(signed - last_year, last_year) if known_last_year else None,
                collected=money(collected),
            )
        )
        month = add_months(month, 1)
    return rows


def draw_trend(rows: list[TrendRow], year: int) -> Figure:
    """This year's and last year's signed amount by month; last year's line has a gap (not a
    0) where there is no history."""
    labels = [row.month[5:] for row in rows]  # "10" of "2026-10": the years are the traces
    figure = Figure()
    figure.add_scatter(x=labels, y=[float(row.signed) for row in rows], name=str(year))
    figure.add_scatter(
        x=labels,
        y=[row.signed_last_year for row in rows],
        name=str(year - 1),
        line={"dash": "dot"},
        connectgaps=False,
    )
    figure.add_bar(
        x=labels, y=[float(row.collected) for row in rows], name=_("Collected amount"), opacity=0.4
    )
    return figure.axes(x=_("Month of %(year)s") % {"year": year}, y=_("Amount (¥)"))


def chart_trend(data: Data) -> Chart:
    rows = trend_rows(data)
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
        [cells(row) for row in rows],
        partial(draw_trend, rows, data.scope.month.year),
        period=f"{year_start(data.scope.month):%Y-%m} – {data.scope.month:%Y-%m}",
        note=trend_note(rows, history_start(data)),
        empty=_("Nothing signed or collected in this year yet."),
    )


def trend_note(rows: list[TrendRow], first: dt.date | None) -> str:
    if not any(row.signed_last_year is None for row in rows):
        return ""
    if first is None:
        return _("No history yet: last year's line and the year-over-year change are left blank.")
    return _(
        "The history starts in %(month)s: last year's line and the year-over-year change are left blank before it (no history is not 0)."
    ) % {"month": f"{first:%Y-%m}"}


# --- product lines ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductLineRow:
    product_line: str
    signed: Decimal
    share: Decimal | None


def product_line_rows(data: Data) -> list[ProductLineRow]:
    """Every product line with its signed amount in the period and share of the total; no rows
    when nothing was signed."""
    scope = data.scope
    amounts = data.product_line_facts(scope.period, scope.start)
    signed = [
        (str(line), money(amounts.get(line.pk))) for line in ProductLine.objects.order_by("pk")
    ]
    total = sum((amount for _name, amount in signed), ZERO)
    if not total:
        return []
    return [ProductLineRow(name, amount, percent(amount, total)) for name, amount in signed]


def draw_product_lines(rows: list[ProductLineRow]) -> Figure:
    return Figure().add(
        "pie",
        labels=[row.product_line for row in rows],
        values=[float(row.signed) for row in rows],
        hole=0.4,
        hovertemplate="%{label}: ¥%{value:,.2f} (%{percent})<extra></extra>",
    )


def chart_product_lines(data: Data) -> Chart:
    rows = product_line_rows(data)
    scope = data.scope
    return Chart(
        "product_lines",
        _("Signed amount by product line"),
        [_("Product line"), _("Signed amount"), _("Share (%)")],
        [cells(row) for row in rows],
        partial(draw_product_lines, rows),
        note=data.facts(scope.period, scope.start).note(),
        period=scope.label,
    )


# --- rates -----------------------------------------------------------------------------------


def _rates(data: Data, codes: list[str], kind: str, start: dt.date) -> dict:
    """The KPIs' figures for the reps in scope from the period's nightly facts."""
    facts = data.facts(kind, start)
    return {
        code: kpis.KPI_BY_CODE[code].value(facts.total(code, data.scope.rep_ids)) for code in codes
    }


RATE_KPIS = ["renewal_rate", "refund_rate", "on_time_collection_rate", "overdue_ratio"]


@dataclass(frozen=True, slots=True)
class RateRow:
    kpi: str
    value: Decimal | None


def rate_rows(data: Data) -> list[RateRow]:
    scope = data.scope
    values = _rates(data, RATE_KPIS, scope.period, scope.start)
    return [
        RateRow(
            str(kpis.KPI_BY_CODE[code].label),
            round_places(values[code], 1) if values[code] is not None else None,
        )
        for code in RATE_KPIS
    ]


def draw_rates(rows: list[RateRow]) -> Figure:
    """A rate without data has no bar (it is unknown, not 0)."""
    figure = Figure().add_bar(
        x=[row.kpi for row in rows], y=[row.value for row in rows], name=_("Value (%)")
    )
    return figure.axes(x=_("KPI"), y=_("Rate (%)"))


def chart_rates(data: Data) -> Chart:
    rows = rate_rows(data)
    scope = data.scope
    return Chart(
        "rates",
        _("Renewal, refund and collection rates"),
        [_("KPI"), _("Value (%)")],
        [cells(row) for row in rows],
        partial(draw_rates, rows),
        note=data.facts(scope.period, scope.start).note(),
        period=scope.label,
        empty=_("No contract, payment or refund in this period to rate."),
    )


# --- benchmarks ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BenchmarkRow:
    indicator: str
    actual: Decimal | None
    benchmark: Decimal
    unit: str
    goal: str  # "at least" / "at most"


def benchmark_rows(data: Data) -> list[BenchmarkRow]:
    """The §5 goals of the quarter of the chosen month, beside the actuals (up to today):
    satisfaction ≥ 4.5 of 5; referral share of signed amount ≥ 20 %; strategic customers
    renewing ≥ 90 % (strategic customers whose contract ended in the quarter and who signed a
    renewal contract since ÷ those customers); key-customer churn ≤ 5 % (customers of tier
    strategic or core whose contract ended in the quarter without a renewal ÷ those
    customers); potential-customer conversion ≥ 30 % (leads created in the quarter that were
    won ÷ leads created)."""
    start = quarter_start(data.scope.month)
    facts = data.facts("quarter", start)
    values = _rates(data, ["satisfaction", "referral_share", "lead_conversion"], "quarter", start)
    strategic = facts.total("strategic_renewal") or kpis.Ratio(ZERO, ZERO)
    churn = facts.total("key_churn") or kpis.Ratio(ZERO, ZERO)

    def q(value, places=1):
        return round_places(value, places) if value is not None else None

    return [
        BenchmarkRow(
            _("Customer satisfaction"),
            q(values["satisfaction"], 2),
            BENCHMARKS["satisfaction"],
            _("points of 5"),
            _("at least"),
        ),
        BenchmarkRow(
            _("Referral share of new signed amount"),
            q(values["referral_share"]),
            BENCHMARKS["referral_share"],
            "%",
            _("at least"),
        ),
        BenchmarkRow(
            _("Strategic customers renewing"),
            percent(strategic.numerator, strategic.denominator),
            BENCHMARKS["strategic_renewal"],
            "%",
            _("at least"),
        ),
        BenchmarkRow(
            _("Key-customer churn"),
            percent(churn.numerator, churn.denominator),
            BENCHMARKS["key_churn"],
            "%",
            _("at most"),
        ),
        BenchmarkRow(
            _("Potential-customer conversion"),
            q(values["lead_conversion"]),
            BENCHMARKS["potential_conversion"],
            "%",
            _("at least"),
        ),
    ]


def draw_benchmarks(rows: list[BenchmarkRow]) -> Figure:
    figure = Figure.subplots([row.indicator for row in rows])
    for i, row in enumerate(rows, start=1):
        figure.add_bar(x=[_("Actual")], y=[row.actual], row=1, col=i, showlegend=False)
        figure.axes(y=row.unit, col=i)
        figure.add_scatter(
            x=[_("Actual")],
            y=[float(row.benchmark)],
            mode="markers",
            marker={"symbol": "line-ew-open", "size": 40, "color": "red"},
            row=1,
            col=i,
            showlegend=i == 1,
            name=_("Benchmark"),
        )
    return figure


def chart_benchmarks(data: Data) -> Chart:
    rows = benchmark_rows(data)
    return Chart(
        "benchmarks",
        _("Benchmarks of the quarter"),
        [_("Indicator"), _("Actual"), _("Benchmark"), _("Unit"), _("Goal")],
        [cells(row) for row in rows],
        partial(draw_benchmarks, rows),
        note=data.facts("quarter", quarter_start(data.scope.month)).note(),
        period=quarter_label(data.scope.month),
    )


CHARTS = {
    "by_team": chart_by_team,
    "trend": chart_trend,
    "product_lines": chart_product_lines,
    "rates": chart_rates,
    "benchmarks": chart_benchmarks,
}
