"""Money with thousands separators and two decimals, one date format per language (issue 18)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from salescrm.templatetags.salescrm_tags import money
from tests.customers.factories import ProductFactory, make_contract


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("106861.66"), "106,861.66"),
        (Decimal("556.685"), "556.69"),
        (Decimal("999.994"), "999.99"),
        (Decimal("999.995"), "1,000.00"),
        (Decimal("-1234.5"), "-1,234.50"),
        (0, "0.00"),
        (1234567, "1,234,567.00"),
        ("88.1", "88.10"),
        (None, ""),
        ("", ""),
        ("n/a", "n/a"),
    ],
)
def test_money_filter(value, shown):
    assert money(value) == shown


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_money_and_dates_are_the_same_in_both_languages(language):
    template = Template(
        "{% load salescrm_tags %}¥{{ amount|money }} {{ day }} {{ day|date }} {{ at|date:'DATETIME_FORMAT' }}"
    )
    context = Context(
        {
            "amount": Decimal("106861.66"),
            "day": dt.date(2026, 4, 11),
            "at": dt.datetime(2026, 4, 11, 14, 30),
        }
    )
    with translation.override(language):
        assert template.render(context) == "¥106,861.66 2026-04-11 2026-04-11 2026-04-11 14:30"


def test_the_contract_page_shows_money_with_separators(rep, login):
    product = ProductFactory(list_price=Decimal("106861.66"))
    contract = make_contract(rep, lines=[(product, 1, "0")])
    page = login(rep).get(contract.get_absolute_url()).content.decode()
    assert "¥106,861.66" in page
    assert "¥106861.66" not in page
