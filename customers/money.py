"""Contract arithmetic in Decimal, to the cent (SPEC §3). Pure functions, no ORM.

Rounding rule: a line amount is rounded half-up to the cent once; a contract total is the exact
sum of its rounded line amounts; an instalment plan splits the total by the largest-remainder
method, so the parts always add up to the total exactly.
"""

from decimal import Decimal

from salescrm.money import CENT, floor_money, round_money


def to_cents(value) -> Decimal:
    return round_money(value)


def line_amount(*, quantity: int, list_price: Decimal, discount_rate: Decimal) -> Decimal:
    """quantity × list price × (1 − discount rate), rounded half-up to the cent."""
    return to_cents(Decimal(quantity) * Decimal(list_price) * (Decimal(1) - Decimal(discount_rate)))


def split_by_weights(total: Decimal, weights: list) -> list[Decimal]:
    """Split `total` (whole cents) in proportion to `weights` with the largest-remainder method.

    Every part is first rounded down to the cent; the cents left over go one each to the parts
    with the largest remainders (ties: the earlier part). The parts sum to `total` exactly."""
    if not weights:
        raise ValueError("at least one weight is needed")
    weights = [Decimal(w) for w in weights]
    weight_sum = sum(weights)
    if weight_sum <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative and not all zero")
    total = Decimal(total)
    exact = [total * w / weight_sum for w in weights]
    parts = [floor_money(e) for e in exact]
    leftover_cents = int((total - sum(parts)) / CENT)
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:leftover_cents]:
        parts[i] += CENT
    return parts


def split_evenly(total: Decimal, count: int) -> list[Decimal]:
    return split_by_weights(total, [1] * count)


def unused_value(*, amount: Decimal, lessons_total: int | None, lessons_delivered: int) -> Decimal:
    """What the undelivered lessons of a line are worth: remaining lessons × the unit price
    after discount (the line amount divided by its lessons), rounded half-up to the cent."""
    if not lessons_total:
        return Decimal("0.00")
    remaining = max(lessons_total - lessons_delivered, 0)
    return to_cents(Decimal(amount) * remaining / lessons_total)
