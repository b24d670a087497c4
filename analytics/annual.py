"""Annual scorecards (issue 20, seed 002: 月度、季度、年度考核), built from the frozen monthly and
quarterly scorecards of a year — nothing is computed twice, and nothing is stored.

Annual total = the average of the four quarterly scorecard totals, to 0.01 (each quarter's total
already weighs its KPIs by the scheme in effect then, on the quarter's own figures). Only closed
(frozen) periods count. A year with a quarter missing has no total ("incomplete"); the months are
listed beside it, and a closed month without a scorecard is named as missing. One query."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from performance.models import PeriodKind, ScoreCard
from performance.services import period_is_closed
from salescrm.timeutil import add_months

CENT = Decimal("0.01")


@dataclass
class AnnualRow:
    person: object
    year: int
    quarters: list = field(default_factory=lambda: [None] * 4)  # totals, None when missing
    months: list = field(default_factory=lambda: [None] * 12)
    closed_months: int = 0

    @property
    def total(self) -> Decimal | None:
        if any(q is None for q in self.quarters):
            return None
        return (sum(self.quarters) / 4).quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def missing_months(self) -> list[str]:
        return [
            f"{self.year}-{k + 1:02d}" for k in range(self.closed_months) if self.months[k] is None
        ]


def annual_rows(user, year: int, today: dt.date | None = None) -> list[AnnualRow]:
    """The annual scorecards of `year` for the people `user` sees (a rep their own, a manager
    their teams', the director all), best total first (incomplete last, then by name)."""
    first = dt.date(year, 1, 1)
    closed_months = sum(
        1 for k in range(12) if period_is_closed(add_months(first, k + 1) - dt.timedelta(1), today)
    )
    cards = (
        ScoreCard.objects.visible_to(user)
        .filter(period_start__year=year)
        .select_related("person", "person__team")
    )
    rows: dict[int, AnnualRow] = {}
    for card in cards:
        if not period_is_closed(card.period_end, today):
            continue  # the open month or quarter: not frozen yet
        row = rows.setdefault(
            card.person_id, AnnualRow(card.person, year, closed_months=closed_months)
        )
        if card.period_kind == PeriodKind.QUARTER:
            row.quarters[(card.period_start.month - 1) // 3] = card.total_score
        else:
            row.months[card.period_start.month - 1] = card.total_score
    return sorted(
        rows.values(),
        key=lambda r: (r.total is None, -(r.total or 0), r.person.username),
    )
