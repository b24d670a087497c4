"""The nightly jobs of customer success are set-based and idempotent, asserted the way the
brief asks: run twice for one date, the same rows; the same number of queries for one row
and for many. (The renewal job's own test is in test_renewal_pipeline.py.)"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer, Tier
from success.models import CadenceCompliance, ServiceFollowUp, SurveyInvitation
from success.services import cadence_refresh, survey_invitations_create
from tests.customers.factories import CustomerFactory

from .factories import at, contract

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 6, 15)


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def _customers(owner, count):
    for _ in range(count):
        row = CustomerFactory(owner=owner, tier=Tier.STRATEGIC)
        Customer.objects.filter(pk=row.pk).update(created_at=at("2026-01-05"))


def test_the_cadence_job_costs_the_same_for_one_customer_and_many(rep):
    # each run opens the follow-ups of customers never contacted, and writes compliance
    _customers(rep, 1)
    one = _queries(lambda: cadence_refresh(as_of=DAY))
    _customers(rep, 25)
    many = _queries(lambda: cadence_refresh(as_of=DAY + dt.timedelta(days=1)))
    assert many == one


def test_the_cadence_job_twice_gives_the_same_rows(rep, teammate):
    _customers(rep, 3)
    _customers(teammate, 2)
    cadence_refresh(as_of=DAY)
    rows = list(CadenceCompliance.objects.order_by("pk").values("owner", "tier", "due", "served"))
    follow_ups = list(ServiceFollowUp.objects.order_by("pk").values())
    assert cadence_refresh(as_of=DAY)["opened"] == 0
    assert (
        list(CadenceCompliance.objects.order_by("pk").values("owner", "tier", "due", "served"))
        == rows
    )
    assert list(ServiceFollowUp.objects.order_by("pk").values()) == follow_ups


def test_the_survey_job_costs_the_same_for_one_contract_and_many(rep):
    contract(rep, "5000", "2026-05-01", starts_on="2026-06-01", ends_on="2026-06-15")
    survey_invitations_create(as_of=DAY - dt.timedelta(days=30))  # the settings row
    one = _queries(lambda: survey_invitations_create(as_of=DAY))
    for _ in range(15):
        contract(rep, "5000", "2026-05-01", starts_on="2026-06-02", ends_on="2026-06-16")
    many = _queries(lambda: survey_invitations_create(as_of=DAY + dt.timedelta(days=1)))
    assert many == one
    before = list(SurveyInvitation.objects.order_by("pk").values("pk", "milestone"))
    assert survey_invitations_create(as_of=DAY + dt.timedelta(days=1)) == {"invitations": 0}
    assert list(SurveyInvitation.objects.order_by("pk").values("pk", "milestone")) == before
