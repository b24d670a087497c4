"""The largest values the models accept render on every page that shows them: a contract of
¥99,999,999.99 with a line of 10,000 units at ¥99,999,999.99, its payment, the lead's budget,
a yearly target of ¥9,999,999,999.99 and a statement at those amounts all answer 200 for
every role that sees them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from customers.models import Contract, ContractLine, Instalment, Payment, Product
from leads.models import Lead
from performance.models import CommissionLine, CommissionPlan, CommissionStatement
from salescrm.models import ProductLine
from tests.performance.factories import contract, instalment, nightly_facts, payment, targets

pytestmark = pytest.mark.django_db


@pytest.fixture
def extreme(rep, team, manager):
    signed = contract(rep, "99999999.99", "2026-10-05")
    product = Product.objects.create(
        name="至尊课程",
        product_line=ProductLine.objects.get_or_create(code="courses", defaults={"name": "课程"})[
            0
        ],
        list_price=Decimal("99999999.99"),
        lessons=10_000,
    )
    ContractLine.objects.create(
        contract=signed,
        product=product,
        quantity=10_000,
        list_price=Decimal("99999999.99"),
        discount_rate=Decimal("0.9999"),
        amount=Decimal("99999999.99"),
        lessons_total=10_000 * 10_000,
    )
    due = instalment(signed, "99999999.99", "2026-10-10")
    payment(signed, "99999999.98", "2026-10-12", instalment_=due)
    due.paid_amount = Decimal("99999999.98")
    due.save(update_fields=["paid_amount"])
    lead = signed.customer.lead
    lead.budget = Decimal("99999999.99")
    lead.save(update_fields=["budget"])
    targets(
        "signed_amount",
        [
            ("company", None, None, "2026-10", "9999999999.99"),
            ("team", team, None, "2026-10", "9999999999.99"),
            ("rep", team, rep, "2026-10", "9999999999.99"),
        ],
        created_by=manager,
    )
    plan = CommissionPlan.objects.create(name="v1", effective_from=dt.date(2026, 1, 1))
    statement = CommissionStatement.objects.create(
        rep=rep,
        month=dt.date(2026, 10, 1),
        plan=plan,
        team=rep.team,
        base_kind="collected",
        base_amount=Decimal("99999999.99"),
        target_amount=Decimal("9999999999.99"),
        commission=Decimal("99999999.99"),
        team_bonus=Decimal("0"),
        total=Decimal("99999999.99"),
        computed_at=timezone.now(),
    )
    CommissionLine.objects.create(
        statement=statement,
        position=1,
        kind="payment",
        occurred_on=dt.date(2026, 10, 12),
        description="回款",
        base=Decimal("99999999.99"),
        rate=Decimal("100"),
        amount=Decimal("99999999.99"),
    )
    nightly_facts(day=dt.date(2026, 10, 31))
    return {"contract": signed, "lead": lead, "statement": statement}


def pages(extreme):
    signed, lead, statement = extreme["contract"], extreme["lead"], extreme["statement"]
    return [
        "/customers/",
        "/customers/contracts/",
        signed.get_absolute_url(),
        f"/customers/contracts/{signed.pk}/print/",
        signed.customer.get_absolute_url(),
        "/customers/receivables/",
        "/leads/",
        f"/leads/{lead.pk}/",
        "/dashboard/?month=2026-10",
        "/dashboard/?month=2026-10&period=quarter",
        "/dashboard/?month=2026-10&period=year",
        "/targets/progress/?month=10",
        "/performance/statements/",
        f"/performance/statements/{statement.pk}/",
        "/performance/scorecards/",
    ]


@pytest.mark.parametrize("who", ["rep", "manager", "director", "finance"])
def test_the_largest_accepted_values_render_on_every_page(request, extreme, login, who):
    client = login(request.getfixturevalue(who))
    failures = {}
    for url in pages(extreme):
        status = client.get(url).status_code
        if status not in (200, 403):
            failures[url] = status
    assert failures == {}


def test_the_owner_sees_the_extreme_amounts_on_the_contract_page(extreme, login, rep):
    page = login(rep).get(extreme["contract"].get_absolute_url()).content.decode()
    assert "99999999.99" in page or "99,999,999.99" in page


def test_the_values_above_are_the_largest_the_database_accepts(extreme):
    """One step beyond each extreme is refused, so no larger value can reach these pages."""
    signed, lead = extreme["contract"], extreme["lead"]
    beyond = [
        (Contract.objects.filter(pk=signed.pk), {"total_amount": Decimal("100000000.00")}),
        (ContractLine.objects.filter(contract=signed), {"quantity": 10_001}),
        (ContractLine.objects.filter(contract=signed), {"list_price": Decimal("100000000.00")}),
        (Instalment.objects.filter(contract=signed), {"amount": Decimal("100000000.00")}),
        (Payment.objects.filter(contract=signed), {"amount": Decimal("100000000.00")}),
        (Lead.objects.filter(pk=lead.pk), {"budget": Decimal("100000000.00")}),
    ]
    accepted = []
    for queryset, values in beyond:
        try:
            with transaction.atomic():
                queryset.update(**values)
        except IntegrityError:
            continue
        accepted.append(values)
    assert accepted == []
