"""Rounding of money and percentages, in one place (every app rounds through here).

The rule: an amount of money is rounded **half-up to the cent** once, where it is stored or
shown; a percentage or a ratio is rounded half-up to its places the same way. Decimal's own
default (half-even, "banker's rounding") is never used: 556.685 is 556.69, not 556.68.

Splitting an amount into parts that must add up exactly (instalments, target breakdowns,
statement lines) first takes every part *down* to the cent (``floor_money``) and hands the
cents left over to the largest remainders; those functions live with their callers.
"""

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

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


def floor_money(value) -> Decimal:
    """`value` down to the cent (towards −∞): the first step of a largest-remainder split."""
    return Decimal(value).quantize(CENT, rounding=ROUND_FLOOR)
