"""The breakdown arithmetic: every level sums exactly to its parent (largest remainder)."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from targets.allocation import allocate, quarter_sums, split_year, spread_difference, take_from

D = Decimal


def test_one_million_and_one_cent_over_twelve_even_months():
    months = split_year(D("1000000.01"), [1] * 12)
    # quarters: 250000.01, 250000.00 x3; inside Q1 the odd cent goes to January
    assert months[:3] == [D("83333.34"), D("83333.34"), D("83333.33")]
    assert months[3:6] == [D("83333.34"), D("83333.33"), D("83333.33")]
    assert quarter_sums(months) == [D("250000.01"), D("250000.00"), D("250000.00"), D("250000.00")]
    assert sum(months) == D("1000000.01")


def test_one_million_and_one_cent_over_seven_reps_with_unequal_weights():
    shares = allocate(
        D("1000000.01"), [D("1.0"), D("1.0"), D("0.8"), D("0.8"), D("0.5"), D("1.2"), D("0.7")]
    )
    # 100000001 cents, weights sum 6.0; exact quotas in cents and their remainders:
    # 1.0 -> 16666666.833, 0.8 -> 13333333.467, 0.5 -> 8333333.417, 1.2 -> 20000000.200,
    # 0.7 -> 11666666.783. Floors leave 4 cents: to .833, .833, .783 and the first .467.
    assert shares == [
        D("166666.67"),
        D("166666.67"),
        D("133333.34"),
        D("133333.33"),
        D("83333.33"),
        D("200000.00"),
        D("116666.67"),
    ]
    assert sum(shares) == D("1000000.01")


def test_counts_split_to_the_unit():
    assert allocate(D("10"), [1, 1, 1], places=0) == [D("4"), D("3"), D("3")]


def test_ties_go_to_the_larger_weight_first():
    assert allocate(D("0.01"), [1, 2]) == [D("0.00"), D("0.01")]


def test_equal_remainders_give_the_cent_to_the_larger_weight_then_the_earlier_position():
    # quotas 0.5 and 1.5 cents: the same half-cent remainder; the larger weight takes it
    assert allocate(D("0.02"), [1, 3]) == [D("0.00"), D("0.02")]
    assert allocate(D("0.02"), [3, 1]) == [D("0.02"), D("0.00")]
    # equal weights and remainders (0.5 cent each): the earlier position
    assert allocate(D("0.01"), [2, 2]) == [D("0.01"), D("0.00")]


def test_zero_weight_gets_nothing():
    assert allocate(D("100.00"), [0, 1, 3]) == [D("0.00"), D("25.00"), D("75.00")]


@pytest.mark.parametrize(
    "total,weights,message",
    [
        (D("1.001"), [1], "decimal places"),
        (D("1"), [0, 0], "positive"),
        (D("1"), [1, -1], "negative"),
        (D("1"), [], "nothing"),
    ],
)
def test_bad_input_is_refused_with_a_reason(total, weights, message):
    with pytest.raises(ValueError, match=message):
        allocate(total, weights)


def test_moving_money_between_two_reps_keeps_the_total():
    values = [D("1000.00"), D("2000.00"), D("3000.00")]
    assert spread_difference(values, {0: D("1500.00"), 1: D("1500.00")}) == [
        D("1500.00"),
        D("1500.00"),
        D("3000.00"),
    ]


def test_a_raise_is_taken_from_the_others_in_proportion():
    values = [D("1000.00"), D("1000.00"), D("3000.00")]
    # +100 for the first rep: the others give 100 in proportion 1000:3000 = 25 and 75
    assert spread_difference(values, {0: D("1100.00")}) == [D("1100.00"), D("975.00"), D("2925.00")]


def test_frozen_positions_do_not_absorb():
    values = [D("10.00"), D("10.00"), D("10.00")]
    assert spread_difference(values, {0: D("13.00")}, frozen=frozenset({1})) == [
        D("13.00"),
        D("10.00"),
        D("7.00"),
    ]


def test_nobody_left_to_absorb_is_refused():
    with pytest.raises(ValueError):
        spread_difference([D("1.00"), D("2.00")], {0: D("2.00")}, frozen=frozenset({1}))


def test_taking_more_than_there_is_is_refused():
    with pytest.raises(ValueError):
        take_from([D("1.00"), D("2.00")], D("3.01"))


money = st.decimals(
    min_value=0, max_value=D("99999999.99"), places=2, allow_nan=False, allow_infinity=False
)
weight = st.decimals(
    min_value=0, max_value=D("1000"), places=4, allow_nan=False, allow_infinity=False
)


@settings(max_examples=300)
@given(
    total=money,
    month_weights=st.lists(weight, min_size=12, max_size=12).filter(any),
    team_weights=st.lists(weight, min_size=1, max_size=6).filter(any),
    rep_weights=st.lists(
        st.lists(weight, min_size=1, max_size=30).filter(any), min_size=6, max_size=6
    ),
)
def test_every_level_sums_to_its_parent(total, month_weights, team_weights, rep_weights):
    months = split_year(total, month_weights)
    assert len(months) == 12
    assert sum(months) == total
    assert sum(quarter_sums(months)) == total
    for month in months:
        assert month >= 0 and month == month.quantize(D("0.01"))
        teams = allocate(month, team_weights)
        assert sum(teams) == month
        for team_total, reps in zip(teams, rep_weights, strict=False):
            shares = allocate(team_total, reps)
            assert sum(shares) == team_total
            assert all(share >= 0 for share in shares)


@settings(max_examples=300)
@given(
    total=st.integers(min_value=0, max_value=10**6),
    weights=st.lists(weight, min_size=1, max_size=40).filter(any),
)
def test_counts_sum_to_the_unit_and_stay_within_one_of_the_quota(total, weights):
    shares = allocate(D(total), weights, places=0)
    assert sum(shares) == total
    weight_sum = sum(weights)
    for share, w in zip(shares, weights, strict=True):
        assert share == share.to_integral_value()
        assert abs(share - D(total) * w / weight_sum) < 1


@settings(max_examples=300)
@given(
    values=st.lists(money, min_size=2, max_size=30),
    index=st.integers(min_value=0, max_value=29),
    data=st.data(),
)
def test_an_edit_keeps_the_total_and_nobody_goes_negative(values, index, data):
    index %= len(values)
    total = sum(values)
    new = data.draw(st.decimals(min_value=0, max_value=total, places=2))
    others = total - values[index]
    if new - values[index] > others:
        return  # the others cannot give that much; covered by the refusal test
    result = spread_difference(values, {index: new})
    assert sum(result) == total
    assert result[index] == new
    assert all(v >= 0 for v in result)


def test_seasonality_is_last_years_monthly_share_in_percent():
    import datetime as dt

    import pandas as pd

    from targets.allocation import seasonality_from_history

    # 1,000,000 over the year: 100,000 in March, 300,000 in July (two owners), 600,000 in
    # December; a negative month (refunds) counts as zero
    frame = pd.DataFrame(
        {
            "owner_id": [1, 1, 2, 1, 2],
            "month": [
                dt.date(2025, 3, 1),
                dt.date(2025, 7, 1),
                dt.date(2025, 7, 1),
                dt.date(2025, 12, 1),
                dt.date(2025, 5, 1),
            ],
            "value": [
                D("100000.00"),
                D("120000.00"),
                D("180000.00"),
                D("600000.00"),
                D("-5000.00"),
            ],
        }
    )
    weights = seasonality_from_history(frame)
    assert weights == [D("0.00")] * 2 + [D("10.00")] + [D("0.00")] * 3 + [D("30.00")] + [
        D("0.00")
    ] * 4 + [D("60.00")]


def test_seasonality_without_history_is_none_so_the_split_is_even():
    import pandas as pd

    from targets.allocation import seasonality_from_history

    assert (
        seasonality_from_history(pd.DataFrame({"owner_id": [], "month": [], "value": []})) is None
    )
    months = split_year(D("1200.00"), [1] * 12)
    assert months == [D("100.00")] * 12
