"""Each mistake in a payment plan gets its own message: a fully discounted contract is not
"instalments already reach the total", nor is an instalment larger than the total."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from customers.models import Contract

from .factories import CustomerFactory, ProductFactory, make_contract
from .test_views import contract_post, messages_of

pytestmark = pytest.mark.django_db


def test_a_fully_discounted_contract_says_the_total_is_zero(rep):
    with pytest.raises(ValidationError) as caught:
        make_contract(rep, lines=[(ProductFactory(list_price="1000.00"), 1, "1")])
    assert caught.value.messages == [
        "The contract total is 0.00: every line is fully discounted. A contract must be worth "
        "more than zero; lower the discount."
    ]
    assert Contract.objects.count() == 0


def test_an_instalment_larger_than_the_total_says_so(rep):
    with pytest.raises(ValidationError) as caught:
        make_contract(
            rep,
            lines=[(ProductFactory(list_price="1000.00"), 1, "0")],
            plan=[
                {"due_on": dt.date(2026, 9, 1), "amount": "1500.00"},
                {"due_on": dt.date(2026, 10, 1), "amount": None},
            ],
        )
    assert caught.value.messages == [
        "The instalments given add up to 1500.00, more than the contract total of 1000.00; "
        "lower them."
    ]


def test_instalments_that_exactly_reach_the_total_with_empty_ones_keep_their_message(rep):
    with pytest.raises(ValidationError) as caught:
        make_contract(
            rep,
            lines=[(ProductFactory(list_price="1000.00"), 1, "0")],
            plan=[
                {"due_on": dt.date(2026, 9, 1), "amount": "1000.00"},
                {"due_on": dt.date(2026, 10, 1), "amount": None},
            ],
        )
    assert caught.value.messages == [
        "The given instalments already reach the total; remove the empty ones."
    ]


def test_the_contract_page_shows_the_full_discount_message_in_chinese(rep, login):
    customer = CustomerFactory(owner=rep)
    response = login(rep).post(
        f"/customers/{customer.pk}/contracts/new/",
        contract_post(ProductFactory(), **{"lines-0-discount_rate": "1"}),
    )
    assert response.status_code == 200
    assert messages_of(response) == [
        "合同总额为 0.00：每一行都已全额折扣。合同金额必须大于零，请降低折扣。"
    ]
