import datetime as dt

import pytest

from customers import services
from customers.models import ApprovalStep, Contract

from .factories import make_contract


@pytest.fixture
def draft(rep):
    return make_contract(rep)


def run_chain(contract, *reviewers):
    """Approve every step of the current round with the given reviewers, in order."""
    for reviewer in reviewers:
        step = ApprovalStep.objects.current().get(contract=contract)
        services.approval_decide(step=step, actor=reviewer, approve=True)
    contract.refresh_from_db()
    return contract


@pytest.fixture
def signed_contract(rep, manager, finance):
    """A contract of 3,000.00 in three instalments due 2026-01-10 / 02-10 / 03-10, signed."""
    from .factories import ProductFactory

    product = ProductFactory(list_price="1000.00", lessons=10)
    contract = make_contract(
        rep,
        lines=[(product, 3, "0")],
        plan=[
            {"due_on": dt.date(2026, 1, 10), "amount": None},
            {"due_on": dt.date(2026, 2, 10), "amount": None},
            {"due_on": dt.date(2026, 3, 10), "amount": None},
        ],
        starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 6, 30),
    )
    services.contract_submit(contract=contract, actor=rep)
    run_chain(contract, manager, finance)
    services.contract_mark_signed(contract=contract, actor=rep, signed_on=dt.date(2026, 1, 5))
    contract.refresh_from_db()
    assert contract.status == Contract.Status.SIGNED
    return contract


@pytest.fixture(autouse=True)
def english_messages():
    """Service messages are asserted in English (the msgids); the UI default is Chinese."""
    from django.utils import translation

    with translation.override("en"):
        yield
