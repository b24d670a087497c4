"""The market-relative view on the director's dashboard (issue 20, seed 003: "80 %
achievement counts as excellent when the industry is down and we beat competitors").

Month by month of the year up to the chosen month (and the chosen quarter or year as a last
row): the market's growth the director recorded (``performance.market``: the month's figure,
else its quarter's, else its year's), our growth (signed amount against the same period a year
before), the signed-amount target, the market-adjusted target = target × (1 + market growth),
and the achievement against each. Without a market figure the plain target applies, and the
card says for which periods.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.utils.translation import gettext as _

from salescrm.money import share_percent
from salescrm.timeutil import add_months, period_end, quarter_label, year_start

from .. import market
from ..models import MarketGrowth
from .data import Data
from .director import history_start
from .figures import Chart, Figure, cells
from .scope import money


@dataclass(frozen=True, slots=True)
class MarketRow:
    period: str
    market_growth: Decimal | None
    market_source: str
    our_growth: Decimal | None
    target: Decimal
    adjusted_target: Decimal
    signed: Decimal
    achievement: Decimal | None
    adjusted_achievement: Decimal | None


def _figures(year: int) -> dict:
    """{(kind, start): MarketGrowth} of the year (one query)."""
    return {
        (row.period_kind, row.period_start): row
        for row in MarketGrowth.objects.filter(period_start__year=year)
    }


def _covering(found: dict, kind: str, start: dt.date) -> MarketGrowth | None:
    for key in market.covering_keys(kind, start):
        if key in found:
            return found[key]
    return None


def _label(kind: str, start: dt.date) -> str:
    if kind == "quarter":
        return quarter_label(start)
    if kind == "year":
        return str(start.year)
    return f"{start:%Y-%m}"


def market_rows(data: Data) -> list[MarketRow]:
    scope = data.scope
    found = _figures(scope.month.year)
    first = history_start(data)
    periods = []
    month = year_start(scope.month)
    while month <= scope.month:
        periods.append(("month", month))
        month = add_months(month, 1)
    if scope.period != "month":
        periods.append((scope.period, scope.start))
    rows = []
    for kind, start in periods:
        end = period_end(kind, start)
        figure = _covering(found, kind, start)
        growth = None if figure is None else figure.growth
        signed = money(data.total(data.signed, start, end))
        a_year_ago = add_months(start, -12)
        known = first is not None and a_year_ago >= first
        last_year = data.total(data.signed, a_year_ago, add_months(end, -12)) if known else None
        target = money(data.target("signed_amount", start, end))
        adjusted = market.adjusted_target(target, growth)
        rows.append(
            MarketRow(
                period=_label(kind, start),
                market_growth=growth,
                market_source=""
                if figure is None
                else f"{figure.get_basis_display()} · {figure.source}",
                our_growth=share_percent(signed - last_year, last_year) if last_year else None,
                target=target,
                adjusted_target=adjusted,
                signed=signed,
                achievement=share_percent(signed, target),
                adjusted_achievement=share_percent(signed, adjusted),
            )
        )
    return rows


def draw_market(rows: list[MarketRow]) -> Figure:
    labels = [row.period for row in rows]
    figure = Figure()
    figure.add_bar(x=labels, y=[row.our_growth for row in rows], name=_("Our growth (%)"))
    figure.add_bar(x=labels, y=[row.market_growth for row in rows], name=_("Market growth (%)"))
    figure.add_bar(x=labels, y=[row.achievement for row in rows], name=_("Achievement (%)"))
    figure.add_bar(
        x=labels,
        y=[row.adjusted_achievement for row in rows],
        name=_("Achievement against the market-adjusted target (%)"),
    )
    return figure.axes(x=_("Period"), y=_("Rate (%)"))


def market_note(rows: list[MarketRow]) -> str:
    missing = [row.period for row in rows if row.market_growth is None]
    if not missing:
        return _(
            "Market-adjusted target = target × (1 + market growth); our growth is against the "
            "same period a year before."
        )
    return _(
        "No market figure for %(periods)s: the plain target applies there. The director "
        "records the market's growth under Analytics › Market growth."
    ) % {"periods": ", ".join(missing)}


def chart_market(data: Data) -> Chart:
    rows = market_rows(data)
    return Chart(
        "market",
        _("Our growth against the market"),
        [
            _("Period"),
            _("Market growth (%)"),
            _("Source of the market figure"),
            _("Our growth (%)"),
            _("Target"),
            _("Market-adjusted target"),
            _("Signed amount"),
            _("Achievement (%)"),
            _("Achievement against the market-adjusted target (%)"),
        ],
        [cells(row) for row in rows],
        partial(draw_market, rows),
        period=f"{year_start(data.scope.month):%Y-%m} – {data.scope.month:%Y-%m}",
        note=market_note(rows),
        empty=_("No growth, target or signed amount to compare yet."),
    )


CHARTS = {"market": chart_market}
