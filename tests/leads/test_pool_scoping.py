"""The lead pool (公海) is per team: a rep of another team neither lists nor opens nor claims
another team's pool leads, while the team's own reps do."""

import pytest

from leads.models import Lead
from leads.services import LeadError, lead_claim

from .factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool_lead(rep):
    return LeadFactory(owner=None, team=rep.team, name="公海学员")


def test_a_rep_of_another_team_does_not_list_the_pool_lead(pool_lead, rep, outsider, login):
    listed = login(outsider).get("/leads/pool/").context["page"].object_list
    assert [lead.pk for lead in listed] == []
    listed = login(rep).get("/leads/pool/").context["page"].object_list
    assert [lead.pk for lead in listed] == [pool_lead.pk]


def test_a_rep_of_another_team_cannot_open_the_pool_lead(pool_lead, rep, outsider, login):
    assert login(outsider).get(f"/leads/{pool_lead.pk}/").status_code == 404
    assert login(rep).get(f"/leads/{pool_lead.pk}/").status_code == 200


def test_a_rep_of_another_team_cannot_claim_the_pool_lead(pool_lead, rep, outsider, login):
    assert login(outsider).post(f"/leads/{pool_lead.pk}/claim/").status_code == 404
    with pytest.raises(LeadError):
        lead_claim(lead=pool_lead, actor=outsider)
    assert Lead.objects.get(pk=pool_lead.pk).owner is None
    lead_claim(lead=pool_lead, actor=rep)
    assert Lead.objects.get(pk=pool_lead.pk).owner == rep
