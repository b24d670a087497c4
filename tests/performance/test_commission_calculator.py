"""The commission arithmetic, by hand (performance/commission.py has no ORM)."""

import random
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from performance.commission import (
    MARGINAL,
    RETROACTIVE,
    Source,
    Tier,
    commission,
    exact_commission,
    round_to_total,
    statement_lines,
    validate_tiers,
)

# SPEC §5: below 80 % → 3 %, 80–100 % → 5 %, 100–120 % → 7 %, above 120 % → 9 %
SPEC_TIERS = [
    Tier(D("0"), D("0.03")),
    Tier(D("0.80"), D("0.05")),
    Tier(D("1.00"), D("0.07")),
    Tier(D("1.20"), D("0.09")),
]
TARGET = D("100000.00")


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("0.00", "0.00"),
        ("50000.00", "1500.00"),  # 50,000 × 3 %
        ("79999.99", "2400.00"),  # 79,999.99 × 3 % = 2,399.9997
        ("80000.00", "2400.00"),  # the 80 % boundary: nothing yet at 5 %
        ("80000.01", "2400.00"),  # 2,400 + 0.01 × 5 % = 2,400.0005
        ("80100.00", "2405.00"),  # 2,400 + 100 × 5 %
        ("99999.99", "3400.00"),  # 2,400 + 19,999.99 × 5 % = 3,399.9995 → half up
        ("100000.00", "3400.00"),  # 2,400 + 20,000 × 5 %
        ("100100.00", "3407.00"),  # 3,400 + 100 × 7 %
        ("110000.00", "4100.00"),  # 3,400 + 10,000 × 7 %
        ("119999.99", "4800.00"),  # 3,400 + 19,999.99 × 7 % = 4,799.9993
        ("120000.00", "4800.00"),
        ("120100.00", "4809.00"),  # 4,800 + 100 × 9 %
        ("150000.00", "7500.00"),  # 4,800 + 30,000 × 9 %
        ("-5000.00", "-150.00"),  # refunds above collections: charged back at the first rate
    ],
)
def test_marginal_commission_at_and_around_each_tier_boundary(base, expected):
    assert commission(D(base), TARGET, SPEC_TIERS, MARGINAL) == D(expected)


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("0.00", "0.00"),
        ("79999.99", "2400.00"),  # × 3 % = 2,399.9997
        ("80000.00", "4000.00"),  # × 5 %: the whole base jumps to the reached rate
        ("80000.01", "4000.00"),  # × 5 % = 4,000.0005
        ("99999.99", "5000.00"),  # × 5 % = 4,999.9995
        ("100000.00", "7000.00"),  # × 7 %
        ("110000.00", "7700.00"),
        ("119999.99", "8400.00"),  # × 7 % = 8,399.9993
        ("120000.00", "10800.00"),  # × 9 %
        ("150000.00", "13500.00"),
        ("-5000.00", "-150.00"),
    ],
)
def test_retroactive_commission_at_and_around_each_tier_boundary(base, expected):
    assert commission(D(base), TARGET, SPEC_TIERS, RETROACTIVE) == D(expected)


def test_without_a_target_everything_earns_the_first_rate():
    assert commission(D("200000.00"), None, SPEC_TIERS, MARGINAL) == D("6000.00")
    assert commission(D("200000.00"), D("0"), SPEC_TIERS, RETROACTIVE) == D("6000.00")


def test_a_payment_crossing_a_threshold_gives_one_line_per_band():
    sources = [Source("P1", D("70000.00")), Source("P2", D("40000.00"))]
    lines, total = statement_lines(sources, TARGET, SPEC_TIERS, MARGINAL)
    assert [(line.ref, line.base, line.rate, line.amount) for line in lines] == [
        ("P1", D("70000.00"), D("0.03"), D("2100.00")),
        ("P2", D("10000.00"), D("0.03"), D("300.00")),
        ("P2", D("20000.00"), D("0.05"), D("1000.00")),
        ("P2", D("10000.00"), D("0.07"), D("700.00")),
    ]
    assert total == D("4100.00")


def test_a_refund_empties_the_bands_from_the_top():
    sources = [Source("P1", D("110000.00")), Source("R1", D("-20000.00"))]
    lines, total = statement_lines(sources, TARGET, SPEC_TIERS, MARGINAL)
    assert [(line.ref, line.base, line.rate, line.amount) for line in lines] == [
        ("P1", D("80000.00"), D("0.03"), D("2400.00")),
        ("P1", D("20000.00"), D("0.05"), D("1000.00")),
        ("P1", D("10000.00"), D("0.07"), D("700.00")),
        ("R1", D("-10000.00"), D("0.07"), D("-700.00")),
        ("R1", D("-10000.00"), D("0.05"), D("-500.00")),
    ]
    assert total == D("2900.00")  # = marginal commission on 90,000: 2,400 + 10,000 × 5 %


def test_retroactive_lines_all_use_the_reached_rate_and_round_to_the_total():
    sources = [
        Source("P1", D("33333.33")),
        Source("P2", D("33333.33")),
        Source("P3", D("33333.34")),
    ]
    lines, total = statement_lines(sources, TARGET, SPEC_TIERS, RETROACTIVE)
    # 100,000 × 7 % = 7,000.00; the three exact amounts are 2,333.3331 / 2,333.3331 / 2,333.3338
    assert [(line.rate, line.amount) for line in lines] == [
        (D("0.07"), D("2333.33")),
        (D("0.07"), D("2333.33")),
        (D("0.07"), D("2333.34")),
    ]
    assert total == D("7000.00")


def test_statement_lines_with_equal_remainders_give_the_cent_to_the_earlier_line():
    # 0.005 and 1.005 are both half a cent above their floor; the total is 1.01
    assert round_to_total([D("0.005"), D("1.005")], D("1.01")) == [D("0.01"), D("1.00")]
    assert round_to_total([D("1.005"), D("0.005")], D("1.01")) == [D("1.01"), D("0.00")]


def test_tier_tables_are_validated():
    assert validate_tiers(SPEC_TIERS) == []
    assert validate_tiers([]) == ["A plan needs at least one tier."]
    assert validate_tiers([Tier(D("0.1"), D("0.03"))]) == ["The first tier must start at 0 %."]
    assert validate_tiers([Tier(D("0"), D("0.03")), Tier(D("0"), D("0.05"))]) == [
        "Tier thresholds must rise strictly from one tier to the next."
    ]


# --- properties over random tier tables ---------------------------------------------------

money = st.decimals(
    min_value=D("-50000"), max_value=D("500000"), places=2, allow_nan=False, allow_infinity=False
)
positive_money = st.decimals(min_value=D("0.01"), max_value=D("200000"), places=2)
rates = st.decimals(min_value=D("0"), max_value=D("0.2"), places=4)


@st.composite
def tier_tables(draw):
    floors = draw(
        st.lists(
            st.decimals(min_value=D("0.01"), max_value=D("3"), places=2), max_size=5, unique=True
        )
    )
    return [Tier(floor, draw(rates)) for floor in [D("0"), *sorted(floors)]]


targets = st.decimals(min_value=D("1000"), max_value=D("300000"), places=2)


@settings(max_examples=200)
@given(tiers=tier_tables(), target=targets, a=money, b=money)
def test_marginal_commission_never_decreases_as_achievement_grows(tiers, target, a, b):
    low, high = sorted((a, b))
    assert exact_commission(low, target, tiers, MARGINAL) <= exact_commission(
        high, target, tiers, MARGINAL
    )


@settings(max_examples=200)
@given(tiers=tier_tables(), target=targets)
def test_marginal_commission_has_no_jump_at_a_tier_boundary(tiers, target):
    step = D("0.01")
    top_rate = max(tier.rate for tier in tiers)
    for tier in tiers[1:]:
        boundary = tier.floor * target
        below = exact_commission(boundary - step, target, tiers, MARGINAL)
        at = exact_commission(boundary, target, tiers, MARGINAL)
        above = exact_commission(boundary + step, target, tiers, MARGINAL)
        assert at - below <= step * top_rate
        assert above - at <= step * top_rate


@settings(max_examples=200)
@given(
    tiers=tier_tables(),
    target=targets,
    amounts=st.lists(
        st.one_of(positive_money, positive_money.map(lambda x: -x)), min_size=1, max_size=12
    ),
    method=st.sampled_from([MARGINAL, RETROACTIVE]),
    seed=st.integers(0, 10_000),
)
def test_a_periods_commission_does_not_depend_on_the_order_of_its_payments(
    tiers, target, amounts, method, seed
):
    sources = [Source(f"S{i}", amount) for i, amount in enumerate(amounts)]
    shuffled = list(sources)
    random.Random(seed).shuffle(shuffled)
    _lines, total = statement_lines(sources, target, tiers, method)
    _other_lines, other_total = statement_lines(shuffled, target, tiers, method)
    assert total == other_total


@settings(max_examples=200)
@given(
    tiers=tier_tables(),
    target=st.one_of(st.none(), targets),
    amounts=st.lists(st.one_of(positive_money, positive_money.map(lambda x: -x)), max_size=12),
    method=st.sampled_from([MARGINAL, RETROACTIVE]),
)
def test_the_lines_of_a_statement_sum_exactly_to_its_total(tiers, target, amounts, method):
    sources = [Source(f"S{i}", amount) for i, amount in enumerate(amounts)]
    lines, total = statement_lines(sources, target, tiers, method)
    assert sum((line.amount for line in lines), D("0")) == total
    assert all(line.amount == line.amount.quantize(D("0.01")) for line in lines)
    # every source's base is accounted for exactly
    assert sum((line.base for line in lines), D("0")) == sum(amounts, D("0"))


# --- a month of dated payments and refunds against the tier formula, written out again ----


def tier_formula(net, target, tiers, method):
    """The SPEC §5 formula written independently of the calculator, unrounded: marginal sums
    each band's rate on the part of the net base inside the band (a negative base at the
    first rate); retroactive applies the rate of the band the net base reaches to all of it."""
    if target is None or net <= 0:
        return net * tiers[0].rate
    lowers = [tier.floor * target for tier in tiers]
    if method == RETROACTIVE:
        return net * [t.rate for t, low in zip(tiers, lowers, strict=True) if net >= low][-1]
    uppers = [*lowers[1:], None]
    earned = D("0")
    for tier, low, high in zip(tiers, lowers, uppers, strict=True):
        top = net if high is None else min(net, high)
        if top > low:
            earned += (top - low) * tier.rate
    return earned


month_rows = st.lists(
    st.tuples(st.integers(1, 28), positive_money, st.booleans()), min_size=1, max_size=10
)


def month_sources(rows):
    """Rows (day of the month, amount, is a refund) as the statement reads them: by date."""
    sources = [
        Source((day, index), -amount if refund else amount)
        for index, (day, amount, refund) in enumerate(rows)
    ]
    return sorted(sources, key=lambda source: source.ref)


@settings(max_examples=150, deadline=None)
@given(
    tiers=tier_tables(),
    target=st.one_of(st.none(), targets),
    rows=month_rows,
    method=st.sampled_from([MARGINAL, RETROACTIVE]),
    seed=st.integers(0, 10_000),
)
def test_a_months_statement_is_the_tier_formula_whatever_the_order_of_its_rows(
    tiers, target, rows, method, seed
):
    dated = month_sources(rows)
    shuffled = list(dated)
    random.Random(seed).shuffle(shuffled)
    lines, total = statement_lines(dated, target, tiers, method)
    _other_lines, other_total = statement_lines(shuffled, target, tiers, method)
    net = sum((source.amount for source in dated), D("0"))
    expected = tier_formula(net, target, tiers, method).quantize(D("0.01"), ROUND_HALF_UP)
    assert total == other_total == expected
    assert sum((line.amount for line in lines), D("0")) == total


@settings(max_examples=150, deadline=None)
@given(tiers=tier_tables(), target=targets, rows=month_rows)
def test_a_refunds_lines_are_the_commission_it_removes_wherever_it_is_dated(tiers, target, rows):
    sources = month_sources(rows)
    lines, _total = statement_lines(sources, target, tiers, MARGINAL)
    paid = sum((s.amount for s in sources if s.amount > 0), D("0"))
    net = sum((s.amount for s in sources), D("0"))
    refunded = {s.ref for s in sources if s.amount < 0}
    removed = sum((line.base * line.rate for line in lines if line.ref in refunded), D("0"))
    assert removed == tier_formula(net, target, tiers, MARGINAL) - tier_formula(
        paid, target, tiers, MARGINAL
    )
