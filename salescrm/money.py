"""Rounding of money and percentages, in one place (every app rounds through here).

The rule: an amount of money is rounded **half-up to the cent** once, where it is stored or
shown; a percentage or a ratio is rounded half-up to its places the same way. Decimal's own
default (half-even, "banker's rounding") is never used: 556.685 is 556.69, not 556.68.

Splitting an amount into parts that must add up exactly (instalments, target breakdowns,
statement lines) is the largest-remainder (Hamilton) method, written once here: every part
first takes the whole units (cents, or units for counts) of its exact quota, and the units
left over go one each to the parts with the largest remainders. Which part wins when two
remainders are *equal* is a rule of the caller, so each names it (``TieBreak``):

- ``TieBreak.EARLIER``: the earlier position (instalments, commission statement lines);
- ``TieBreak.LARGER_WEIGHT``: the larger weight, then the earlier position (target
  breakdowns: the bigger team or month takes the odd cent).

The arithmetic is exact (``Fraction``), so remainders that are equal compare equal.
"""

import enum
from collections.abc import Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal
from fractions import Fraction

CENT = Decimal("0.01")


def round_money(value) -> Decimal:
    """`value` half-up to the cent: 556.685 → 556.69, −0.005 → −0.01."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def round_places(value, places: int) -> Decimal:
    """`value` half-up to `places` decimal places (a percentage to 0.01, a ratio to 0.0001,
    a count to the unit)."""
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_percent(value) -> Decimal:
    """A percentage half-up to 0.01: 12.345 % → 12.35 %."""
    return round_places(value, 2)


def share_percent(part, whole) -> Decimal | None:
    """`part` ÷ `whole` as a percentage half-up to 0.01 (2 of 3 → 66.67), None when `whole` is
    0: nothing to divide by is no figure, not 0 %."""
    if not whole:
        return None
    return round_percent(Decimal(part) * 100 / Decimal(whole))


def floor_money(value) -> Decimal:
    """`value` down to the cent (towards −∞): the first step of a largest-remainder split."""
    return Decimal(value).quantize(CENT, rounding=ROUND_FLOOR)


class TieBreak(enum.Enum):
    """Who takes a left-over unit when two parts have the same remainder."""

    EARLIER = "earlier"
    LARGER_WEIGHT = "larger_weight"


def unit(places: int) -> Decimal:
    """The smallest amount at `places` decimal places: 0.01 for money, 1 for counts."""
    return Decimal(1).scaleb(-places)


def _exact(value) -> Fraction:
    # a float weight is read as it prints (0.1, not 0.1000000000000000055…)
    return Fraction(Decimal(str(value)) if isinstance(value, float) else value)


def _whole_units(amount, places: int) -> int:
    """`amount` as a whole number of units; refuses amounts finer than the unit."""
    scaled = _exact(amount) * 10**places
    if scaled.denominator != 1:
        raise ValueError(f"{amount} has more than {places} decimal places")
    return int(scaled)


def round_to_total(
    values: Sequence,
    total,
    *,
    tie_break: TieBreak,
    places: int = 2,
    weights: Sequence | None = None,
) -> list[Decimal]:
    """Round each of `values` to the unit so that the results add up exactly to `total`:
    floor every value (towards −∞), then give the missing units to the values with the
    largest remainders, equal remainders decided by `tie_break` (``LARGER_WEIGHT`` compares
    `weights`, the values themselves when none are given). The one largest-remainder
    implementation of the project.

    Raises ValueError when `total` is not within one unit per value above the sum of the
    floors, i.e. is not the values' sum rounded to the unit."""
    exact = [_exact(value) for value in values]
    scale = 10**places
    floors = [(value * scale).numerator // (value * scale).denominator for value in exact]
    missing = _whole_units(total, places) - sum(floors)
    if not 0 <= missing <= len(exact):
        raise ValueError(f"{total} is not the sum of {len(exact)} values rounded to the unit")
    remainders = [value * scale - floor for value, floor in zip(exact, floors, strict=True)]
    if tie_break is TieBreak.EARLIER:
        key = lambda i: (-remainders[i], i)  # noqa: E731
    elif tie_break is TieBreak.LARGER_WEIGHT:
        ties = [_exact(w) for w in weights] if weights is not None else exact
        key = lambda i: (-remainders[i], -ties[i], i)  # noqa: E731
    else:
        raise ValueError(f"unknown tie rule {tie_break!r}")
    for index in sorted(range(len(exact)), key=key)[:missing]:
        floors[index] += 1
    step = unit(places)
    return [Decimal(n) * step for n in floors]


def split(total, weights: Sequence, *, tie_break: TieBreak, places: int = 2) -> list[Decimal]:
    """Split `total` (whole units) in proportion to `weights` (non-negative, not all zero) by
    the largest-remainder method; the parts add up to `total` exactly and none is more than
    one unit from its exact quota. A negative total is split as its opposite and negated, so
    taking an amount away and adding it back mirror each other.

    >>> split(Decimal("100.00"), [1, 1, 1], tie_break=TieBreak.EARLIER)
    [Decimal('33.34'), Decimal('33.33'), Decimal('33.33')]
    """
    exact = [_exact(w) for w in weights]
    if not exact:
        raise ValueError("nothing to allocate to")
    if any(w < 0 for w in exact):
        raise ValueError("weights must not be negative")
    weight_sum = sum(exact)
    if weight_sum == 0:
        raise ValueError("at least one weight must be positive")
    units_total = _whole_units(total, places)
    amount = Fraction(abs(units_total), 10**places)
    quotas = [amount * w / weight_sum for w in exact]
    parts = round_to_total(quotas, amount, tie_break=tie_break, places=places, weights=exact)
    # `-part if part` keeps a zero part 0.00 rather than -0.00
    return [-part if units_total < 0 and part else part for part in parts]
