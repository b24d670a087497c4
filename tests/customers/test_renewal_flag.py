"""The renewal flag follows the rule of the renewal rate: a contract is a renewal when it
starts within the renewal window (30 days) before or after the end of a signed course of the
same customer."""

import datetime as dt

import pytest

from customers import services
from customers.models import Contract

from .factories import make_contract

pytestmark = pytest.mark.django_db


def test_a_contract_starting_long_after_the_course_ended_is_not_a_renewal(signed_contract, rep):
    # the signed course ends 2026-06-30: 07-30 is the last start of a renewal, 07-31 is not
    last_day = make_contract(rep, customer=signed_contract.customer, starts_on=dt.date(2026, 7, 30))
    too_late = make_contract(rep, customer=signed_contract.customer, starts_on=dt.date(2026, 7, 31))
    assert (last_day.is_renewal, too_late.is_renewal) == (True, False)


def test_a_course_bought_while_the_first_still_runs_is_not_a_renewal(signed_contract, rep):
    # 05-31 is 30 days before the 06-30 end: a renewal; 05-30 runs in parallel
    parallel = make_contract(
        rep,
        customer=signed_contract.customer,
        starts_on=dt.date(2026, 5, 30),
        ends_on=dt.date(2026, 8, 31),
    )
    early_renewal = make_contract(
        rep,
        customer=signed_contract.customer,
        starts_on=dt.date(2026, 5, 31),
        ends_on=dt.date(2026, 8, 31),
    )
    assert (parallel.is_renewal, early_renewal.is_renewal) == (False, True)


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
