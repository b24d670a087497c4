"""The one rounding rule for money and percentages (salescrm/money.py): half-up."""

from decimal import Decimal as D

from customers import money
from salescrm.money import (
    TieBreak,
    floor_money,
    round_money,
    round_percent,
    round_places,
    split,
)


def test_half_a_cent_rounds_up_never_to_the_even_cent():
    # 55,668.50 × 1 % = 556.685: half-even would give 556.68
    assert round_money(D("55668.50") * D("0.01")) == D("556.69")
    assert round_money(D("0.125")) == D("0.13")
    assert round_money(D("-0.005")) == D("-0.01")  # away from zero, as a clerk rounds


def test_percentages_and_ratios_round_half_up_to_their_places():
    assert round_percent(D("12.345")) == D("12.35")
    assert round_places(D("0.12345"), 4) == D("0.1235")
    assert round_places(D("2.5"), 0) == D("3")


def test_the_first_step_of_a_split_takes_every_part_down_to_the_cent():
    assert floor_money(D("3.339")) == D("3.33")
    assert floor_money(D("-0.001")) == D("-0.01")


# --- the one largest-remainder split, with its named tie rules ------------------------------


def test_the_earlier_tie_rule_gives_an_equal_remainder_to_the_earlier_position():
    # quotas 0.5 and 1.5 cents: the same half-cent remainder
    assert split(D("0.02"), [1, 3], tie_break=TieBreak.EARLIER) == [
        D("0.01"),
        D("0.01"),
    ]


def test_the_larger_weight_tie_rule_gives_an_equal_remainder_to_the_larger_weight():
    assert split(D("0.02"), [1, 3], tie_break=TieBreak.LARGER_WEIGHT) == [
        D("0.00"),
        D("0.02"),
    ]
    # equal weights too: the earlier position
    assert split(D("0.01"), [2, 2], tie_break=TieBreak.LARGER_WEIGHT) == [
        D("0.01"),
        D("0.00"),
    ]


def test_remainders_equal_in_exact_arithmetic_are_a_tie_even_at_different_magnitudes():
    # 10.00 over weights 10, 1, 1: quotas 8.333…, 0.8333…, 0.8333…, every remainder exactly a
    # third of a cent; the earlier position takes the cent (28-digit Decimal division used to
    # make the smaller quotas' remainders look larger and gave it to the second part)
    assert money.split_by_weights(D("10.00"), [10, 1, 1]) == [
        D("8.34"),
        D("0.83"),
        D("0.83"),
    ]


def test_a_negative_total_splits_as_the_mirror_of_its_opposite():
    assert split(D("-100.00"), [1, 1, 1], tie_break=TieBreak.EARLIER) == [
        D("-33.34"),
        D("-33.33"),
        D("-33.33"),
    ]


def test_a_share_in_percent_is_rounded_half_up_and_absent_without_a_whole():
    from salescrm.money import share_percent

    assert share_percent(2, 3) == D("66.67")
    assert share_percent(1, 8) == D("12.50")
    assert share_percent(1, 800) == D("0.13")  # 0.125 half-up
    assert share_percent(0, 5) == D("0.00")
    assert share_percent(3, 0) is None
