"""Rows for the customer-success tests, written straight to the tables with the dates a test
needs (the services stamp "now")."""

import datetime as dt
from decimal import Decimal

from customers.models import Complaint, ContractLine, SatisfactionSurvey
from leads.models import Activity
from tests.customers.factories import ProductFactory
from tests.performance.factories import at, contract

__all__ = ["at", "contract", "course", "renewal", "contact", "line", "survey", "complaint"]


def course(owner, ends_on: str, *, signed_on="2026-03-01", customer=None, amount="10000"):
    """A signed contract (signed in March unless told) whose course ends on `ends_on`."""
    return contract(owner, amount, signed_on, ends_on=ends_on, customer=customer)


def renewal(owner, customer, *, signed_on: str, starts_on: str):
    return contract(owner, "8000", signed_on, starts_on=starts_on, customer=customer)


def contact(customer, day: str, kind=Activity.Kind.PHONE, time="10:00"):
    return Activity.objects.create(
        lead=customer.lead, actor=customer.owner, kind=kind, occurred_at=at(day, time)
    )


def line(contract_row, *, bought: int, used: int):
    product = ProductFactory(lessons=bought)
    return ContractLine.objects.create(
        contract=contract_row,
        product=product,
        quantity=1,
        list_price=Decimal("1000.00"),
        amount=Decimal("1000.00"),
        lessons_total=bought,
        lessons_delivered=used,
    )


def survey(customer, day: str, score: int, nps: int = 8):
    return SatisfactionSurvey.objects.create(
        customer=customer, score=score, nps=nps, answered_on=dt.date.fromisoformat(day)
    )


def complaint(customer, opener, *, opened: str, cause="", resolved: str | None = None):
    """`opened`: "YYYY-MM-DD" (10:00) or "YYYY-MM-DD HH:MM", Shanghai time."""
    return Complaint.objects.create(
        customer=customer,
        subject="投诉",
        opened_by=opener,
        opened_at=at(*opened.split(" ")),
        cause=cause,
        resolved_at=at(resolved) if resolved else None,
    )
