"""seed_demo's customer-success data: renewals in every stage, account plans with reviews,
categorised complaints, survey answers through the link, feedback; seeding twice adds
nothing; the demo pipeline's renewal rate is the KPI's."""

import datetime as dt
import random

import pytest
from django.db import transaction

from customers.models import Complaint
from performance import kpis
from salescrm.demo import DemoContext, registered_seeders
from salescrm.org_demo import seed_organisation
from success import selectors
from success.demo import seed_success
from success.models import AccountPlan, Feedback, RenewalOpportunity, SurveyInvitation

TODAY = dt.date(2026, 11, 22)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        ctx = DemoContext(today=TODAY, rng=random.Random(2026), log=lambda s: None)
        seed_organisation(ctx)
        for _order, _name, seeder in registered_seeders():
            seeder(ctx)
        yield ctx
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_the_demo_has_customer_success_data(demo):
    stages = set(RenewalOpportunity.objects.values_list("stage", flat=True))
    assert stages == set(RenewalOpportunity.Stage.values)
    assert AccountPlan.objects.exists()
    assert AccountPlan.objects.filter(reviews__actions__isnull=False).exists()
    assert not Complaint.objects.filter(category="").exists()
    assert Complaint.objects.filter(cause="internal_process").exists()
    assert SurveyInvitation.objects.filter(survey__isnull=False, survey__recorded_by=None).exists()
    assert Feedback.objects.count() >= 8
    # action items both open and done; survey e-mails in each outcome, none left to send
    assert AccountPlan.objects.filter(reviews__actions__done_at__isnull=False).exists()
    assert AccountPlan.objects.filter(reviews__actions__done_at__isnull=True).exists()
    deliveries = set(SurveyInvitation.objects.values_list("delivery", flat=True))
    assert {"sent", "failed"} <= deliveries and "pending" not in deliveries


@pytest.mark.django_db
def test_seeding_twice_adds_nothing(demo):
    counts = [
        m.objects.count() for m in (RenewalOpportunity, AccountPlan, SurveyInvitation, Feedback)
    ]
    seed_success(demo)
    assert [
        m.objects.count() for m in (RenewalOpportunity, AccountPlan, SurveyInvitation, Feedback)
    ] == counts


@pytest.mark.django_db
def test_the_demo_pipeline_rate_is_the_kpi(demo):
    for start, end in [
        (dt.date(2026, 7, 1), dt.date(2026, 9, 30)),
        (dt.date(2026, 1, 1), dt.date(2026, 6, 30)),
    ]:
        rate = selectors.renewal_rate(start, end)
        ratios = kpis.KPI_BY_CODE["renewal_rate"].compute(start, end).values()
        assert rate.denominator > 0
        assert (rate.numerator, rate.denominator) == (
            int(sum(r.numerator for r in ratios)),
            int(sum(r.denominator for r in ratios)),
        )
