"""Factories and a contract builder for the customers tests."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from customers import services
from customers.models import Customer, Product
from leads.models import Channel
from salescrm.models import ProductLine


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"课程 {n}")
    # get_or_create: a transactional test before this one may have flushed the migration's rows
    product_line = factory.LazyFunction(
        lambda: ProductLine.objects.get_or_create(code="courses", defaults={"name": "课程"})[0]
    )
    list_price = Decimal("1000.00")
    lessons = 10


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"客户{n}")
    kind = Customer.Kind.INDIVIDUAL
    lead = factory.SubFactory(
        "tests.customers.factories.LeadForCustomer", owner=factory.SelfAttribute("..owner")
    )


def make_contract(owner, *, customer=None, lines=None, plan=None, total_lines=None, **terms):
    """A draft contract of `owner` through the service (lines: [(product, quantity, discount)])."""
    customer = customer or CustomerFactory(owner=owner)
    if lines is None:
        lines = [(ProductFactory(), 1, "0")]
    terms.setdefault("starts_on", dt.date(2026, 9, 1))
    terms.setdefault("ends_on", dt.date(2026, 12, 31))
    plan = plan or [{"due_on": dt.date(2026, 9, 1), "amount": None}]
    return services.contract_create(
        customer=customer,
        actor=owner,
        lines=[{"product": p, "quantity": q, "discount_rate": Decimal(d)} for p, q, d in lines],
        instalments=plan,
        **terms,
    )


class LeadForCustomer(factory.django.DjangoModelFactory):
    class Meta:
        model = "leads.Lead"

    name = factory.Sequence(lambda n: f"学员{n}")
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    channel = factory.LazyFunction(
        lambda: Channel.objects.get_or_create(code="website", defaults={"name": "官网表单"})[0]
    )
    stage = "won"
    won_at = factory.LazyFunction(timezone.now)
