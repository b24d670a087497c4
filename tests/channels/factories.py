"""Builders for the channels tests: partners, plans, and partner-credited contracts with
payments and refunds written straight to the tables (the settlement reads only those)."""

import datetime as dt
from decimal import Decimal

from channels.models import (
    AgentCommissionPlan,
    Partner,
    PartnerAccount,
    PartnerLead,
)
from customers.models import Contract, Payment, Refund
from salescrm.roles import Role
from tests.customers.factories import CustomerFactory, ProductFactory, make_contract
from tests.factories import UserFactory

D = Decimal


def make_plan(name="测试方案", *, base="collected", method="marginal", tiers=None):
    plan = AgentCommissionPlan.objects.create(name=name, base=base, method=method)
    for floor, rate in tiers or [("0", "0.05"), ("50000", "0.08"), ("100000", "0.10")]:
        plan.tiers.create(floor=D(floor), rate=D(rate))
    return plan


def make_partner(manager, name="星辰代理", *, plan=None, kind="agent", **fields):
    return Partner.objects.create(
        name=name, kind=kind, manager=manager, plan=plan, since=dt.date(2025, 1, 1), **fields
    )


def partner_user(partner, username):
    user = UserFactory(username=username, role=Role.PARTNER)
    PartnerAccount.objects.create(user=user, partner=partner)
    return user


def credited_contract(partner, owner, *, amount="10000.00", signed_on=None):
    """A contract of a customer whose lead the partner brought; signed on `signed_on`."""
    customer = CustomerFactory(owner=owner)
    PartnerLead.objects.create(lead=customer.lead, partner=partner)
    contract = make_contract(
        owner,
        customer=customer,
        lines=[(ProductFactory(list_price=amount), 1, "0")],
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    if signed_on:
        Contract.objects.filter(pk=contract.pk).update(status="signed", signed_on=signed_on)
        contract.refresh_from_db()
    return contract


def pay(contract, amount, day):
    return Payment.objects.create(
        contract=contract,
        instalment=contract.instalments.first(),
        amount=D(amount),
        received_on=day,
        method="bank_transfer",
        recorded_by=contract.owner,
    )


def refund(contract, amount, day, requested_by):
    return Refund.objects.create(
        contract=contract,
        amount=D(amount),
        reason="退课",
        status="confirmed",
        confirmed_on=day,
        requested_by=requested_by,
    )
