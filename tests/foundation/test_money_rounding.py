"""The one rounding rule for money and percentages (salescrm/money.py): half-up."""

from decimal import Decimal as D

from salescrm.money import floor_money, round_money, round_percent, round_places


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
