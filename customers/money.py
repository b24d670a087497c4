"""Contract arithmetic in Decimal, to the cent (SPEC §3). Pure functions, no ORM.

Rounding rule: a line amount is rounded half-up to the cent once; a contract total is the exact
sum of its rounded line amounts; an instalment plan splits the total by the largest-remainder
method, so the parts always add up to the total exactly.
"""

from decimal import Decimal

from salescrm.money import TieBreak, round_money, split


def to_cents(value) -> Decimal:
    return round_money(value)


def line_amount(*, quantity: int, list_price: Decimal, discount_rate: Decimal) -> Decimal:
    """quantity × list price × (1 − discount rate), rounded half-up to the cent."""
    return to_cents(Decimal(quantity) * Decimal(list_price) * (Decimal(1) - Decimal(discount_rate)))


def split_by_weights(total: Decimal, weights: list) -> list[Decimal]:
    """Split `total` (whole cents) in proportion to `weights` by the largest-remainder method
    (ties: the earlier part, whatever the weights). The parts sum to `total` exactly."""
    return split(total, weights, tie_break=TieBreak.EARLIER)


def split_evenly(total: Decimal, count: int) -> list[Decimal]:
    return split_by_weights(total, [1] * count)


def unused_value(*, amount: Decimal, lessons_total: int | None, lessons_delivered: int) -> Decimal:
    """What the undelivered lessons of a line are worth: remaining lessons × the unit price
    after discount (the line amount divided by its lessons), rounded half-up to the cent."""
    if not lessons_total:
        return Decimal("0.00")
    remaining = max(lessons_total - lessons_delivered, 0)
    return to_cents(Decimal(amount) * remaining / lessons_total)
