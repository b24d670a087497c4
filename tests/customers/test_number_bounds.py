"""Every number typed into a contract, a payment or a lead has a bound that the form, the
model and the database agree on (README "Accepted ranges"): a quantity of a billion is refused
with a message instead of saving a ¥12.8 trillion contract that breaks every page after it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from customers import services
from customers.models import Contract, ContractLine, Instalment, Payment
from leads.models import Lead

from .factories import CustomerFactory, ProductFactory, make_contract
from .test_views import contract_post, messages_of

pytestmark = pytest.mark.django_db


def form_errors(response, formset="lines"):
    return [form.errors for form in response.context[formset].forms]


@pytest.mark.parametrize("quantity", ["1000000000", "99999999999999999999", "10001"])
def test_contract_form_refuses_a_quantity_above_ten_thousand(rep, login, quantity):
    customer = CustomerFactory(owner=rep)
    product = ProductFactory(list_price="12800.00")
    response = login(rep).post(
        f"/customers/{customer.pk}/contracts/new/",
        contract_post(product, **{"lines-0-quantity": quantity}),
    )
    assert response.status_code == 200
    assert form_errors(response)[0]["quantity"] == ["确保该值小于或等于10000。"]
    assert Contract.objects.count() == 0


def test_contract_form_refuses_lines_adding_up_beyond_the_contract_limit(rep, login):
    customer = CustomerFactory(owner=rep)
    product = ProductFactory(list_price="10000.00")
    response = login(rep).post(
        f"/customers/{customer.pk}/contracts/new/",
        contract_post(product, **{"lines-0-quantity": "10000", "lines-0-discount_rate": "0"}),
    )
    assert response.status_code == 200
    assert messages_of(response) == [
        "各行合计为 100000000.00；一份合同的总额最多为 99,999,999.99。"
        "请减少数量，或把订单拆成几份合同。"
    ]
    assert Contract.objects.count() == 0


def test_a_contract_at_the_limit_is_accepted(rep):
    product = ProductFactory(list_price="9999.99", lessons=None)
    contract = make_contract(rep, lines=[(product, 10000, "0")])
    assert contract.total_amount == Decimal("99999900.00")


def test_the_service_refuses_a_quantity_above_the_limit(rep):
    with pytest.raises(ValidationError) as caught:
        make_contract(rep, lines=[(ProductFactory(list_price="1.00"), 10001, "0")])
    assert caught.value.messages == ["The quantity can be at most 10,000."]
    assert Contract.objects.count() == 0


def test_the_database_refuses_a_line_or_total_beyond_the_limits(rep):
    contract = make_contract(rep)
    line = contract.lines.get()
    for queryset, values in [
        (ContractLine.objects.filter(pk=line.pk), {"quantity": 10001}),
        (ContractLine.objects.filter(pk=line.pk), {"amount": Decimal("100000000.00")}),
        (Contract.objects.filter(pk=contract.pk), {"total_amount": Decimal("100000000.00")}),
        (Instalment.objects.filter(contract=contract), {"amount": Decimal("100000000.00")}),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            queryset.update(**values)


def test_instalment_amount_above_the_limit_is_a_field_error(rep, login):
    customer = CustomerFactory(owner=rep)
    product = ProductFactory(list_price="1000.00")
    response = login(rep).post(
        f"/customers/{customer.pk}/contracts/new/",
        contract_post(product, **{"plan-0-amount": "100000000.00"}),
    )
    assert response.status_code == 200
    assert form_errors(response, "plan")[0]["amount"] == ["确保该值小于或等于99999999.99。"]
    assert Contract.objects.count() == 0


def test_payment_above_the_limit_is_refused_with_a_field_error(signed_contract, rep, login):
    instalment = signed_contract.instalments.first()
    response = login(rep).post(
        f"/customers/instalments/{instalment.pk}/pay/",
        {
            "amount": "100000000.00",
            "received_on": "2026-01-10",
            "method": "cash",
            "reference": "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == ["确保该值小于或等于99999999.99。"]
    assert Payment.objects.count() == 0


def test_lead_budget_above_the_limit_is_refused(rep, login):
    from leads.models import Channel

    response = login(rep).post(
        "/leads/new/",
        {
            "name": "王小明",
            "phone": "13800138000",
            "channel": str(Channel.objects.first().pk),
            "budget": "100000000",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["budget"] == ["确保该值小于或等于99999999.99。"]
    assert Lead.objects.count() == 0


def test_a_received_payment_date_in_the_past_century_is_refused_by_the_service(
    signed_contract, rep
):
    with pytest.raises(ValidationError):
        services.payment_record(
            instalment=signed_contract.instalments.first(),
            actor=rep,
            amount=Decimal("10.00"),
            received_on=dt.date(1900, 1, 1),
            method="cash",
        )
    assert Payment.objects.count() == 0
