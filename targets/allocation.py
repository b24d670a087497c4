"""Breaking a target down so that every child level sums exactly to its parent.

Pure functions over ``Decimal`` (no ORM, no floats), reused by the performance app. Money is
split to the cent (``places=2``), counts to the unit (``places=0``).

The rounding rule is the largest-remainder (Hamilton) method: each part first gets the whole
units of its exact quota ``total * weight / sum(weights)``; the units left over go, one each,
to the parts with the largest fractional remainders (ties: the larger weight, then the earlier
position). The parts therefore always add up to the total and no part is more than one unit
away from its exact quota.
"""

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

from salescrm.money import TieBreak, split, unit

QUARTERS = ((1, 2, 3), (4, 5, 6), (7, 8, 9), (10, 11, 12))


def allocate(total: Decimal, weights: Sequence, *, places: int = 2) -> list[Decimal]:
    """Split `total` in proportion to `weights` (non-negative numbers, not all zero); equal
    remainders go to the larger weight, then the earlier position.

    >>> allocate(Decimal("100.00"), [1, 1, 1])
    [Decimal('33.34'), Decimal('33.33'), Decimal('33.33')]
    """
    return split(total, weights, tie_break=TieBreak.LARGER_WEIGHT, places=places)


def split_year(total: Decimal, month_weights: Sequence, *, places: int = 2) -> list[Decimal]:
    """Year -> quarters -> months: the quarters get their share by the sum of their months'
    weights, then each quarter is split over its three months. Returns the 12 months.

    Two stages (rather than months straight from the year) so that the quarter figures a
    manager reads are themselves the rounded shares of the year."""
    if len(month_weights) != 12:
        raise ValueError("twelve month weights are needed")
    weights = [Fraction(w) for w in month_weights]
    quarter_weights = [sum(weights[m - 1] for m in months) for months in QUARTERS]
    quarters = allocate(total, quarter_weights, places=places)
    result: list[Decimal] = []
    for quarter_total, months in zip(quarters, QUARTERS, strict=True):
        inner = [weights[m - 1] for m in months]
        if sum(inner) == 0:
            result.extend([Decimal(0) * unit(places)] * 3)
        else:
            result.extend(allocate(quarter_total, inner, places=places))
    return result


def quarter_sums(months: Sequence[Decimal]) -> list[Decimal]:
    return [sum((months[m - 1] for m in q), Decimal(0)) for q in QUARTERS]


def take_from(values: Sequence[Decimal], amount: Decimal, *, places: int = 2) -> list[Decimal]:
    """Take `amount` away from `values` in proportion to them (evenly when they are all zero
    and `amount` is negative, i.e. something is added). Returns the new values.

    No value goes below zero when `amount` is at most their sum: a share is at most one unit
    above its exact quota, and the exact quota of a whole-unit value never exceeds it."""
    values = [Decimal(v) for v in values]
    if not values:
        raise ValueError("nothing to take from")
    if amount > sum(values):
        raise ValueError("cannot take more than the values hold")
    basis = values if any(values) else [Decimal(1)] * len(values)
    shares = allocate(amount, basis, places=places)
    return [v - s for v, s in zip(values, shares, strict=True)]


def spread_difference(
    values: Sequence[Decimal],
    edits: dict[int, Decimal],
    *,
    frozen: frozenset[int] = frozenset(),
    places: int = 2,
) -> list[Decimal]:
    """Apply `edits` (position -> new value) and keep the total: the difference is taken from
    (or given to) the other positions not in `frozen`, in proportion to their values.

    Raises ValueError when there is nobody left to absorb the difference or they hold too
    little to give it."""
    result = [Decimal(v) for v in values]
    difference = Decimal(0)
    for index, new in edits.items():
        difference += Decimal(new) - result[index]
        result[index] = Decimal(new)
    if difference == 0:
        return result
    others = [i for i in range(len(result)) if i not in edits and i not in frozen]
    if not others:
        raise ValueError("no other position can absorb the difference")
    taken = take_from([result[i] for i in others], difference, places=places)
    for i, value in zip(others, taken, strict=True):
        result[i] = value
    return result


def seasonality_from_history(frame) -> list[Decimal] | None:
    """Month weights proposed from last year's actuals: each calendar month's share of the
    year in percent, to two places, summing to exactly 100.00.

    `frame` is a pandas DataFrame with columns month (a date) and value (summed over whatever
    else it holds, e.g. owners). None when there is no history to go by (nothing positive),
    so the caller falls back to an even split. A negative month (refunds above receipts)
    counts as zero."""
    if frame is None or frame.empty:
        return None
    months = frame["month"].map(lambda d: d.month)
    values = frame["value"].map(lambda v: Decimal(str(v)))
    totals = values.groupby(months).sum()
    per_month = [max(Decimal(str(totals.get(m, 0))), Decimal(0)) for m in range(1, 13)]
    if not any(per_month):
        return None
    return allocate(Decimal(100), per_month, places=2)
