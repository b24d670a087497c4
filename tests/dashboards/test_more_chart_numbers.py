"""The numbers behind the rates, product-line, complaint and approval charts, on small fixed
datasets worked out by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from customers.models import Complaint, ContractLine, Product
from performance import dashboards
from salescrm.models import ProductLine
from tests.customers.conftest import run_chain
from tests.customers.factories import make_contract
from tests.performance.factories import contract, instalment, nightly_facts, payment, refund

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 10)


def build(user, key, month=dt.date(2026, 10, 1)):
    nightly_facts()
    return dashboards.build(dashboards.scope_for(user, month=month, today=TODAY), key)


def test_renewal_refund_and_collection_rates(director, rep):
    first = contract(rep, "10000", "2026-04-01", ends_on="2026-10-15")
    contract(rep, "8000", "2026-04-02", ends_on="2026-10-20")
    contract(rep, "12000", "2026-10-10", is_renewal=True, customer=first.customer)
    paid = instalment(first, "10000", "2026-10-10", sequence=1)
    instalment(first, "5000", "2026-10-25", sequence=2)
    payment(first, "10000", "2026-10-05", instalment_=paid)
    refund(first, "1000", "2026-10-20")
    chart = build(director, "rates")
    # renewals 1 of the 2 contracts ending in October; refunds 1000 of 10000 received;
    # 10000 of the 15000 due paid on time; 5000 of 15000 still unpaid at the month's end
    assert [row[1] for row in chart.rows] == [D("50.0"), D("10.0"), D("66.7"), D("33.3")]


def test_signed_amount_by_product_line_with_shares(director, rep, outsider):
    lines = {line.code: line for line in ProductLine.objects.all()}

    def sell(owner, amount, line, signed_on="2026-10-08"):
        sold = contract(owner, amount, signed_on)
        product = Product.objects.create(
            name=f"课程{line}", product_line=lines[line], list_price=D(amount)
        )
        ContractLine.objects.create(
            contract=sold, product=product, quantity=1, list_price=D(amount), amount=D(amount)
        )

    sell(rep, "8000", "courses")
    sell(rep, "2000", "courses")
    sell(outsider, "30000", "corporate")
    sell(rep, "50000", "online", signed_on="2026-09-30")  # September: not in the period
    chart = build(director, "product_lines")
    amounts = {row[0]: row[1:] for row in chart.rows}
    # 10000 + 30000 = 40000: courses 25 %, corporate 75 %, online 0
    assert amounts == {
        str(lines["courses"]): [D("10000.00"), D("25.0")],
        str(lines["corporate"]): [D("30000.00"), D("75.0")],
        str(lines["online"]): [D("0.00"), D("0.0")],
    }


def test_open_complaints_past_their_deadlines_by_severity(service_user, rep):
    customer = contract(rep, "1000", "2026-10-01").customer
    now = timezone.now()

    def complaint(severity, hours_ago, responded=False, resolved=False):
        Complaint.objects.create(
            customer=customer,
            severity=severity,
            subject="课程安排",
            opened_by=service_user,
            opened_at=now - dt.timedelta(hours=hours_ago),
            first_response_at=now if responded else None,
            resolved_at=now if resolved else None,
        )

    complaint("high", 30)  # no answer after 24 h; not yet 48 h
    complaint("high", 50, responded=True)  # answered, but open after 48 h
    complaint("medium", 1)
    complaint("severe", 100, resolved=True)  # resolved: not open
    chart = build(service_user, "complaints")
    assert chart.rows == [["中", 1, 0, 0], ["高", 2, 1, 1]]


def test_approval_counts_for_legal_at_each_step(rep, manager, legal):
    from customers import services

    submitted = make_contract(rep, non_standard_terms=True)  # non-standard: legal reviews it

    services.contract_submit(contract=submitted, actor=rep)
    waiting = {row[0]: row[1:] for row in build(legal, "approvals").rows}
    assert waiting["销售经理审核"] == [1, 0]
    assert waiting["法务审核"] == [0, 0]
    run_chain(submitted, manager)
    waiting = {row[0]: row[1:] for row in build(legal, "approvals").rows}
    assert waiting["销售经理审核"] == [0, 0]
    assert waiting["法务审核"] == [1, 1]
