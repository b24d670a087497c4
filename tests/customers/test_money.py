"""Totals, discounts and instalments to the cent, including sums that do not divide evenly."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from customers import money
from customers.forms import InstalmentForm
from customers.models import Contract

from .factories import ProductFactory, make_contract

D = Decimal


def test_line_amount_applies_discount_and_rounds_half_up_to_the_cent():
    assert money.line_amount(quantity=3, list_price=D("333.33"), discount_rate=D("0.15")) == D(
        "849.99"
    )
    # 1 × 10.05 × 0.95 = 9.5475 → 9.55
    assert money.line_amount(quantity=1, list_price=D("10.05"), discount_rate=D("0.05")) == D(
        "9.55"
    )
    assert money.line_amount(quantity=2, list_price=D("19999.00"), discount_rate=D("0")) == D(
        "39998.00"
    )


def test_split_that_does_not_divide_evenly_gives_the_cents_to_the_first_parts():
    assert money.split_evenly(D("100.00"), 3) == [D("33.34"), D("33.33"), D("33.33")]
    assert money.split_evenly(D("0.05"), 3) == [D("0.02"), D("0.02"), D("0.01")]


def test_split_of_1000_in_seven_sums_exactly():
    parts = money.split_evenly(D("1000.00"), 7)
    assert parts == [
        D("142.86"),
        D("142.86"),
        D("142.86"),
        D("142.86"),
        D("142.86"),
        D("142.85"),
        D("142.85"),
    ]
    assert sum(parts) == D("1000.00")


def test_split_by_weights_gives_a_tied_cent_to_the_earlier_part_whatever_the_weights():
    # exact parts 0.005 and 0.015: both are half a cent above their floor
    assert money.split_by_weights(D("0.02"), [1, 3]) == [D("0.01"), D("0.01")]
    assert money.split_by_weights(D("0.02"), [3, 1]) == [D("0.02"), D("0.00")]


def test_split_by_weights_uses_largest_remainder():
    assert money.split_by_weights(D("10.00"), [1, 1, 1]) == [D("3.34"), D("3.33"), D("3.33")]
    assert money.split_by_weights(D("999.99"), [30, 30, 40]) == [
        D("300.00"),
        D("300.00"),
        D("399.99"),
    ]


def test_unused_value_is_remaining_lessons_times_discounted_unit_price():
    # 12 lessons for 8,500.00 after discount, 5 delivered → 7 × 708.333… = 4,958.33
    assert money.unused_value(amount=D("8500.00"), lessons_total=12, lessons_delivered=5) == D(
        "4958.33"
    )
    assert money.unused_value(amount=D("8500.00"), lessons_total=None, lessons_delivered=0) == D(
        "0.00"
    )


@pytest.mark.django_db
def test_contract_total_is_the_sum_of_rounded_lines_and_plan_fills_blank_instalments(rep):
    a = ProductFactory(list_price="333.33", lessons=None)
    b = ProductFactory(list_price="10.05", lessons=None)
    contract = make_contract(
        rep,
        lines=[(a, 3, "0.15"), (b, 1, "0.05")],
        plan=[
            {"due_on": dt.date(2026, 9, 1), "amount": D("100.00")},
            {"due_on": dt.date(2026, 10, 1), "amount": None},
            {"due_on": dt.date(2026, 11, 1), "amount": None},
            {"due_on": dt.date(2026, 12, 1), "amount": None},
        ],
    )
    assert contract.total_amount == D("859.54")  # 849.99 + 9.55
    assert list(contract.lines.values_list("amount", flat=True)) == [D("849.99"), D("9.55")]
    # 759.54 over three: 253.18 each
    assert list(contract.instalments.values_list("amount", flat=True)) == [
        D("100.00"),
        D("253.18"),
        D("253.18"),
        D("253.18"),
    ]


@pytest.mark.django_db
def test_plan_that_does_not_add_up_is_refused_and_nothing_is_written(rep):
    with pytest.raises(ValidationError, match="add up to 900.00 but the contract total is 1000.00"):
        make_contract(rep, plan=[{"due_on": dt.date(2026, 9, 1), "amount": D("900.00")}])
    assert Contract.objects.count() == 0


@pytest.mark.django_db
def test_list_price_comes_from_the_product_and_lessons_multiply_by_quantity(rep):
    product = ProductFactory(list_price="4999.00", lessons=24)
    contract = make_contract(rep, lines=[(product, 2, "0.10")])
    line = contract.lines.get()
    assert (line.list_price, line.amount, line.lessons_total) == (D("4999.00"), D("8998.20"), 48)


def test_an_instalment_of_one_cent_passes_the_form():
    # the minimum is Decimal("0.01"): against the float 0.01 the Decimal 0.01 is too small
    form = InstalmentForm(data={"due_on": "2026-01-10", "amount": "0.01"})
    assert form.is_valid(), form.errors
