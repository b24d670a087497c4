"""The commission arithmetic (SPEC §5, 阶梯式提成): pure functions on Decimals, no ORM.

A plan is a list of tiers on target *achievement* (base ÷ target), each with a lower bound
(inclusive) and a rate; the first tier starts at 0. With the SPEC's example
(0 → 3 %, 80 % → 5 %, 100 % → 7 %, 120 % → 9 %) and a target of 100,000:

- **marginal**: each band's rate on the part of the base inside it. A base of 110,000 earns
  80,000 × 3 % + 20,000 × 5 % + 10,000 × 7 % = 4,100.00.
- **retroactive**: the reached band's rate on the whole base: 110,000 × 7 % = 7,700.00.

A negative base (refunds larger than the month's collections) is charged back at the first
tier's rate, so marginal commission is one continuous, non-decreasing line.

**The statement rule.** The commission of a month is the commission of its *net* base
(payments − refunds), rounded half-up to the cent once; it never depends on the order of the
rows. The lines explain it to the rep:

1. the payments fill the bands from zero, in date order;
2. then each refund, in date order, takes back from the top band down: its line is exactly the
   commission it removes, at the rates it removes it at;
3. the lines are rounded to the cent so that they add up exactly to the total
   (largest remainders);
4. the achievement shown is never negative: a month whose refunds exceed its collections shows
   0.00 % (and its negative base is charged back at the first tier's rate).

Worked example (marginal, target 100,000): a refund of 20,000 confirmed on the 3rd, payments
of 70,000 on the 10th and 60,000 on the 20th. Net base 110,000, commission 4,100.00 as above.

    payment 10th    70,000 × 3 % =  2,100.00
    payment 20th    10,000 × 3 % =    300.00   (fills 3 % up to 80,000)
                    20,000 × 5 % =  1,000.00
                    20,000 × 7 % =  1,400.00
                    10,000 × 9 % =    900.00   (gross 130,000 reached 9 %)
    refund 3rd     −10,000 × 9 % =   −900.00   (the top band goes first)
                   −10,000 × 7 % =   −700.00
    total                           4,100.00

Without the refund the rep would have earned 5,700.00; the refund's lines say exactly the
1,600.00 it costs. (Run in date order, the refund would have read −20,000 × 3 % = −600.00 and
the payments would have refilled the 3 % band: the same total, lines that lie.)

Retroactive: every line — payment or refund — is at the rate of the band the *net* base
reaches (here 7 %: 70,000 × 7 %, 60,000 × 7 %, −20,000 × 7 % = 7,700.00).
"""

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from salescrm import money
from salescrm.money import round_money

MARGINAL, RETROACTIVE = "marginal", "retroactive"


@dataclass(frozen=True)
class Tier:
    floor: Decimal  # achievement at which the tier starts, as a fraction: 0.80 is 80 %
    rate: Decimal  # 0.05 is 5 %


@dataclass(frozen=True)
class Source:
    """One amount that counts towards the base: positive for a payment or a signed contract,
    negative for a refund. ``ref`` is whatever the caller needs to name it on the line."""

    ref: object
    amount: Decimal


@dataclass(frozen=True)
class Line:
    ref: object
    base: Decimal  # the part of the source's amount this line applies the rate to
    rate: Decimal
    amount: Decimal  # base × rate, rounded so that the lines add up to the total


def validate_tiers(tiers: Sequence[Tier]) -> list[str]:
    """Problems with a tier table, as sentences; empty when it is usable."""
    problems = []
    if not tiers:
        return ["A plan needs at least one tier."]
    if tiers[0].floor != 0:
        problems.append("The first tier must start at 0 %.")
    floors = [tier.floor for tier in tiers]
    if any(b <= a for a, b in zip(floors, floors[1:], strict=False)):
        problems.append("Tier thresholds must rise strictly from one tier to the next.")
    if any(tier.rate < 0 for tier in tiers):
        problems.append("Rates cannot be negative.")
    return problems


def achievement(base: Decimal, target: Decimal | None) -> Decimal | None:
    """base ÷ target, or None when there is no (positive) target."""
    if not target or target <= 0:
        return None
    return base / target


def reached_tier(tiers: Sequence[Tier], rate_of: Decimal | None) -> Tier:
    """The tier whose band contains the achievement (lower bounds inclusive); no target
    means the first tier."""
    if rate_of is None:
        return tiers[0]
    return [tier for tier in tiers if rate_of >= tier.floor][-1] if rate_of >= 0 else tiers[0]


def _breaks(tiers: Sequence[Tier], target: Decimal | None) -> list[Decimal]:
    """The base amounts at which the marginal rate changes: each tier's floor × target.
    Without a target there are none: everything earns the first tier's rate."""
    if not target or target <= 0:
        return []
    return [tier.floor * target for tier in tiers[1:]]


def exact_commission(
    base: Decimal, target: Decimal | None, tiers: Sequence[Tier], method: str
) -> Decimal:
    """The commission on `base`, not rounded."""
    if method == RETROACTIVE:
        return base * reached_tier(tiers, achievement(base, target)).rate
    return sum((part * rate for part, rate in _pieces(Decimal(0), base, tiers, target)), Decimal(0))


def commission(
    base: Decimal, target: Decimal | None, tiers: Sequence[Tier], method: str
) -> Decimal:
    """The commission on `base`, rounded half-up to the cent."""
    return round_money(exact_commission(base, target, tiers, method))


def _pieces(start: Decimal, end: Decimal, tiers: Sequence[Tier], target: Decimal | None):
    """Moving the base from `start` to `end`: the signed parts of the move inside each
    marginal band, with the band's rate, in the order they are crossed."""
    breaks = _breaks(tiers, target)
    low, high = sorted((start, end))
    points = [low, *(point for point in breaks if low < point < high), high]
    pieces = [
        (upper - lower, tiers[bisect_right(breaks, lower)].rate)
        for lower, upper in zip(points, points[1:], strict=False)
        if upper != lower
    ]
    if end < start:
        return [(-part, rate) for part, rate in reversed(pieces)]
    return pieces


def statement_lines(
    sources: Sequence[Source], target: Decimal | None, tiers: Sequence[Tier], method: str
) -> tuple[list[Line], Decimal]:
    """The lines of a statement and its total.

    Retroactive: every source at the rate of the band the net base reaches. Marginal: the
    positive sources fill the bands in the given order, then the negative ones (refunds)
    empty them from the top in the given order, so a payment that crosses a threshold gives
    one line per band and a refund's lines are the commission it removes (see the module's
    worked example). The total is the rounded commission of the net base, the same in any
    order; the lines are rounded to add up to it.
    """
    net = sum((source.amount for source in sources), Decimal(0))
    total = commission(net, target, tiers, method)
    parts: dict[tuple[int, Decimal], Decimal] = {}
    if method == RETROACTIVE:
        rate = reached_tier(tiers, achievement(net, target)).rate
        for index, source in enumerate(sources):
            parts[(index, rate)] = parts.get((index, rate), Decimal(0)) + source.amount
    else:
        level = Decimal(0)
        # payments first, refunds after: a refund then takes back the top of what the
        # month's payments earned, wherever its date falls inside the month
        order = sorted(range(len(sources)), key=lambda i: sources[i].amount < 0)
        for index in order:
            source = sources[index]
            for part, rate in _pieces(level, level + source.amount, tiers, target):
                parts[(index, rate)] = parts.get((index, rate), Decimal(0)) + part
            level += source.amount
    rows = [(sources[index].ref, base, rate) for (index, rate), base in parts.items() if base != 0]
    amounts = round_to_total([base * rate for _ref, base, rate in rows], total)
    lines = [
        Line(ref, base, rate, amount)
        for (ref, base, rate), amount in zip(rows, amounts, strict=True)
    ]
    return lines, total


def round_to_total(values: Sequence[Decimal], total: Decimal) -> list[Decimal]:
    """Round each value to the cent so that the results add up exactly to `total`, the sum
    of the values rounded to the cent (largest remainders; ties: the earlier value)."""
    return money.round_to_total(values, total, tie_break=money.TieBreak.EARLIER)
