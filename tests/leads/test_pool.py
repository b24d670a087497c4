import datetime as dt

import pytest

from leads.models import Assignment, Lead, LeadSettings
from leads.services import LeadError, lead_claim
from leads.tasks import reclaim_pool
from salescrm.models import Notification
from salescrm.timeutil import SHANGHAI

from .factories import LeadFactory

pytestmark = pytest.mark.django_db

# Business day 2026-06-30 ends at 2026-07-01 00:00 Shanghai; 15 idle days before that is
# 2026-06-16 00:00, and the reminder (3 days earlier) covers leads idle since 2026-06-19.
DAY = dt.date(2026, 6, 30)


def at(day, hour=10):
    return dt.datetime(2026, 6, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def idle_leads(rep):
    return {
        "stale": LeadFactory(owner=rep, created_at=at(1), last_activity_at=at(15, 23)),
        "never_touched": LeadFactory(owner=rep, created_at=at(10)),
        "warning": LeadFactory(owner=rep, created_at=at(1), last_activity_at=at(17)),
        "fresh": LeadFactory(owner=rep, created_at=at(1), last_activity_at=at(25)),
        "won": LeadFactory(owner=rep, created_at=at(1), stage="won", won_at=at(2)),
        "claimed_recently": LeadFactory(owner=rep, created_at=at(1), assigned_at=at(20)),
    }


def test_idle_leads_return_to_the_team_pool_once(rep, idle_leads):
    first = reclaim_pool(DAY)
    second = reclaim_pool(DAY)
    assert first == {"reclaimed": 2, "reminded": 1}
    assert second == {"reclaimed": 0, "reminded": 0}
    pool = set(Lead.objects.filter(owner__isnull=True).values_list("pk", flat=True))
    assert pool == {idle_leads["stale"].pk, idle_leads["never_touched"].pk}
    assert Lead.objects.get(pk=idle_leads["stale"].pk).team.name == "Team A"
    assert Assignment.objects.filter(reason="reclaim", from_owner=rep).count() == 2
    reminder = Notification.objects.get(recipient=rep)
    assert reminder.url == f"/leads/{idle_leads['warning'].pk}/"


@pytest.fixture
def pool(team):
    return [LeadFactory(owner=None, team=team, created_at=at(1)) for _ in range(3)]


def test_rep_claims_from_the_pool_up_to_the_daily_cap(rep, pool):
    LeadSettings.objects.filter(pk=1).update(daily_claim_cap=2)
    lead_claim(lead=pool[0], actor=rep)
    lead_claim(lead=pool[1], actor=rep)
    with pytest.raises(LeadError):
        lead_claim(lead=pool[2], actor=rep)
    assert Lead.objects.filter(owner=rep).count() == 2
    assert Lead.objects.get(pk=pool[2].pk).owner is None


def test_a_claimed_lead_cannot_be_claimed_again(rep, teammate, pool):
    lead_claim(lead=pool[0], actor=rep)
    with pytest.raises(LeadError):
        lead_claim(lead=pool[0], actor=teammate)
    assert Lead.objects.get(pk=pool[0].pk).owner == rep


def test_outsider_cannot_claim_from_another_teams_pool(outsider, pool):
    with pytest.raises(LeadError):
        lead_claim(lead=pool[0], actor=outsider)
    assert Lead.objects.get(pk=pool[0].pk).owner is None


def test_previous_owner_cannot_reclaim_within_the_block(rep, teammate, idle_leads):
    reclaim_pool(DAY)
    stale = idle_leads["stale"]
    with pytest.raises(LeadError):
        lead_claim(lead=stale, actor=rep)
    lead_claim(lead=stale, actor=teammate)
    assert Lead.objects.get(pk=stale.pk).owner == teammate
