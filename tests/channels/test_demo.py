"""seed_demo's channels data (issue 16, "Done when"): partners of each kind with a year of
history (settlements, tiers, reviews), past events with attendance and results, campaigns
with costs, joint offers carried by leads; seeding twice adds nothing."""

import datetime as dt
import random

import pytest
from django.db import transaction

from channels.demo import seed_channels
from channels.models import (
    CampaignCost,
    Event,
    EventRegistration,
    JointOffer,
    LeadOffer,
    Partner,
    PartnerSettlement,
    PartnerTierChange,
)
from channels.selectors import event_funnel, offer_rows
from salescrm.demo import DemoContext, registered_seeders
from salescrm.org_demo import seed_organisation

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
def test_the_demo_has_a_year_of_channels(demo):
    assert set(Partner.objects.values_list("kind", flat=True)) == set(Partner.Kind.values)
    months = set(PartnerSettlement.objects.values_list("month", flat=True))
    assert len(months) >= 12
    assert PartnerSettlement.objects.filter(status="closed").exists()
    assert PartnerSettlement.objects.filter(status="open").exists()
    assert PartnerTierChange.objects.values("quarter").distinct().count() == 4
    past = Event.objects.filter(starts_at__date__lt=TODAY)
    assert past.count() >= 5
    assert EventRegistration.objects.filter(event__in=past, checked_in_at__isnull=False).exists()
    funnels = [event_funnel(event) for event in past]
    assert any(funnel.signed for funnel in funnels)
    assert CampaignCost.objects.exists()


@pytest.mark.django_db
def test_the_demo_has_joint_offers_with_results(demo):
    assert set(JointOffer.objects.values_list("partner__kind", flat=True)) == {"company"}
    kinds = set(JointOffer.objects.values_list("kind", flat=True))
    assert kinds == set(JointOffer.Kind.values)
    assert JointOffer.objects.filter(valid_until__lt=TODAY).exists()  # one has expired
    assert LeadOffer.objects.exists()
    rows = offer_rows(JointOffer.objects.all())
    assert any(row.signed_customers and row.discount for row in rows)
    for offer in JointOffer.objects.all():  # the demo's offers obey their own rules
        assert offer.problems(list(offer.product_lines.all())) == []


@pytest.mark.django_db
def test_seeding_twice_adds_nothing(demo):
    models = (Partner, PartnerSettlement, Event, EventRegistration, JointOffer, LeadOffer)
    counts = [model.objects.count() for model in models]
    seed_channels(demo)
    assert [model.objects.count() for model in models] == counts
