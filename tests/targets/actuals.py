"""A small fixed history of contracts, payments and refunds (year 2026) for the selector and
progress tests; every expected figure in those tests is worked out from this by hand.

rep (team A):     customer X: C1 10,000.00 signed 03-05; C2 5,000.50 renewal signed 03-20;
                  C3 7,000.00 still a draft. Paid on C1: 4,000.00 on 03-10, 6,000.00 on
                  04-02; refund of 1,500.00 on C1 confirmed 04-20.
teammate (team A): customer Z: C5 2,000.00 archived, signed 02-28; customer Y: C4 8,000.00
                  signed 04-01, paid 8,000.00 on 04-15; a refund of 500.00 on C4 only requested.
outsider (team B): customer W: C6 3,000.00 signed 03-31.
"""

import datetime as dt
from decimal import Decimal

from customers.models import Contract, Payment, Refund
from tests.customers.factories import CustomerFactory, ProductFactory, make_contract

D = Decimal


def contract(owner, customer, amount, *, signed_on=None, status="signed", renewal=False):
    product = ProductFactory(list_price=amount, lessons=10)
    made = make_contract(
        owner,
        customer=customer,
        lines=[(product, 1, "0")],
        plan=[{"due_on": dt.date(2026, 1, 10), "amount": None}],
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    if signed_on:
        Contract.objects.filter(pk=made.pk).update(
            status=status, signed_on=signed_on, is_renewal=renewal
        )
    else:
        Contract.objects.filter(pk=made.pk).update(is_renewal=renewal)
    made.refresh_from_db()
    return made


def pay(c, amount, on):
    Payment.objects.create(
        contract=c,
        instalment=c.instalments.first(),
        amount=D(amount),
        received_on=on,
        method="bank_transfer",
        recorded_by=c.owner,
    )


def refund(c, amount, *, confirmed_on=None):
    Refund.objects.create(
        contract=c,
        amount=D(amount),
        reason="课程冲突",
        requested_by=c.owner,
        status="confirmed" if confirmed_on else "requested",
        confirmed_on=confirmed_on,
    )


def build_history(rep, teammate, outsider):
    x = CustomerFactory(owner=rep)
    c1 = contract(rep, x, "10000.00", signed_on=dt.date(2026, 3, 5))
    contract(rep, x, "5000.50", signed_on=dt.date(2026, 3, 20), renewal=True)
    contract(rep, x, "7000.00")
    z = CustomerFactory(owner=teammate)
    contract(teammate, z, "2000.00", signed_on=dt.date(2026, 2, 28), status="archived")
    y = CustomerFactory(owner=teammate)
    c4 = contract(teammate, y, "8000.00", signed_on=dt.date(2026, 4, 1))
    w = CustomerFactory(owner=outsider)
    contract(outsider, w, "3000.00", signed_on=dt.date(2026, 3, 31))
    pay(c1, "4000.00", dt.date(2026, 3, 10))
    pay(c1, "6000.00", dt.date(2026, 4, 2))
    pay(c4, "8000.00", dt.date(2026, 4, 15))
    refund(c1, "1500.00", confirmed_on=dt.date(2026, 4, 20))
    refund(c4, "500.00")
