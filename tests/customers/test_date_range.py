"""Dates typed into payments and payment plans lie between 2000-01-01 and today + 10 years;
1900-01-01 is a field error, not a stored payment."""

import pytest

from customers.models import Contract, Instalment, Payment
from salescrm.timeutil import latest_business_date

from .factories import CustomerFactory, ProductFactory
from .test_views import contract_post

pytestmark = pytest.mark.django_db


def test_payment_dated_1900_is_a_field_error(signed_contract, rep, login):
    instalment = signed_contract.instalments.first()
    response = login(rep).post(
        f"/customers/instalments/{instalment.pk}/pay/",
        {"amount": "10.00", "received_on": "1900-01-01", "method": "cash", "reference": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["received_on"] == [
        f"请输入 2000-01-01 到 {latest_business_date():%Y-%m-%d} 之间的日期。"
    ]
    assert Payment.objects.count() == 0


def test_instalment_due_in_1900_is_a_field_error(rep, login):
    customer = CustomerFactory(owner=rep)
    response = login(rep).post(
        f"/customers/{customer.pk}/contracts/new/",
        contract_post(ProductFactory(), **{"plan-0-due_on": "1900-01-01"}),
    )
    assert response.status_code == 200
    assert response.context["plan"].forms[0].errors["due_on"] == [
        f"请输入 2000-01-01 到 {latest_business_date():%Y-%m-%d} 之间的日期。"
    ]
    assert Contract.objects.count() == Instalment.objects.count() == 0
