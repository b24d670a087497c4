"""The market-relative view (issue 20, seed 003): which recorded market growth covers a
period, and the target adjusted by it.

- market growth of a period: the director's figure for that month, else for its quarter,
  else for its year (the most specific covers); none recorded → no figure, and the plain
  target applies (the page says so);
- market-adjusted target = target × (1 + market growth ÷ 100), to the cent (a volume count
  such as new customers to 0.01);
- a scheme marked ``market_adjusted`` scores its volume KPIs (``MARKET_KPIS``) against the
  adjusted target.

Worked example (seed 003): target ¥100,000.00, market −20 % → adjusted ¥80,000.00; signed
¥80,000.00 → achievement 100.00 % against the adjusted target, 80.00 % against the plain one.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Q

from salescrm.money import round_money
from salescrm.timeutil import month_start, quarter_start, year_start

from .models import MarketGrowth

HUNDRED = Decimal(100)

# KPIs whose target is a volume the market moves (the rates and the service KPIs are not)
MARKET_KPIS = frozenset(
    {"signed_amount", "collected_amount", "new_customers", "target_achievement"}
)


def covering_keys(kind: str, start: dt.date) -> list[tuple[str, dt.date]]:
    """The (kind, start) of the figures that may cover a period, most specific first."""
    keys = []
    if kind == MarketGrowth.Kind.MONTH:
        keys.append((MarketGrowth.Kind.MONTH, month_start(start)))
    if kind in (MarketGrowth.Kind.MONTH, MarketGrowth.Kind.QUARTER):
        keys.append((MarketGrowth.Kind.QUARTER, quarter_start(start)))
    keys.append((MarketGrowth.Kind.YEAR, year_start(start)))
    return keys


def growth_for(kind: str, start: dt.date) -> MarketGrowth | None:
    """The market figure that covers the period (one query), or None."""
    keys = covering_keys(kind, start)
    condition = Q()
    for key_kind, key_start in keys:
        condition |= Q(period_kind=key_kind, period_start=key_start)
    found = {
        (row.period_kind, row.period_start): row for row in MarketGrowth.objects.filter(condition)
    }
    for key in keys:
        if key in found:
            return found[key]
    return None


def adjusted_target(target: Decimal, growth: Decimal | None) -> Decimal:
    """target × (1 + growth %), to the cent; the plain target when there is no growth."""
    if growth is None:
        return target
    return round_money(Decimal(target) * (HUNDRED + Decimal(growth)) / HUNDRED)
