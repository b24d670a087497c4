"""The renewal flag follows the rule of the renewal rate: a contract is a renewal when it
starts within the renewal window (30 days) before or after the end of a signed course of the
same customer."""

import datetime as dt

import pytest

from customers import services
from customers.models import Contract

from .factories import make_contract

pytestmark = pytest.mark.django_db


def test_only_a_contract_starting_within_the_window_around_the_end_is_a_renewal(
    signed_contract, rep
):
    # the signed course ends 2026-06-30; window 30 days: starts from 05-31 to 07-30 renew it;
    # 05-30 runs in parallel with it, 07-31 is a customer coming back
    flags = {}
    for starts_on in ["2026-05-30", "2026-05-31", "2026-07-30", "2026-07-31"]:
        day = dt.date.fromisoformat(starts_on)
        made = make_contract(
            rep, customer=signed_contract.customer, starts_on=day, ends_on=dt.date(2026, 12, 31)
        )
        flags[starts_on] = made.is_renewal
    assert flags == {
        "2026-05-30": False,
        "2026-05-31": True,
        "2026-07-30": True,
        "2026-07-31": False,
    }


def test_the_flag_is_set_again_when_the_contract_is_signed(rep):
    first = make_contract(rep, starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 6, 30))
    second = make_contract(
        rep,
        customer=first.customer,
        starts_on=dt.date(2026, 7, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    assert second.is_renewal is False  # the first is not signed yet
    Contract.objects.filter(pk=first.pk).update(status="signed", signed_on=dt.date(2026, 1, 1))
    Contract.objects.filter(pk=second.pk).update(status="approved")
    signed = services.contract_mark_signed(
        contract=second, actor=rep, signed_on=dt.date(2026, 6, 20)
    )
    assert signed.is_renewal is True
    assert Contract.objects.get(pk=second.pk).is_renewal is True
