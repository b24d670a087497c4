"""The pipeline board (issue 18): the user's leads by stage, moved through the same stage
service and rules as the lead page."""

import pytest
from django.utils import timezone

from leads.models import Lead, LostReason, StageChange
from salescrm.roles import Role
from tests.factories import UserFactory
from tests.leads.factories import LeadFactory


@pytest.fixture
def reason(db):
    return LostReason.objects.get(name_en="Price too high")


def _cards(response):
    return {
        column["stage"]: [lead.name for lead in column["cards"]]
        for column in response.context["columns"]
    }


def test_rep_sees_own_leads_by_stage(login, rep, teammate, outsider):
    LeadFactory(owner=rep, name="甲", stage="new")
    LeadFactory(owner=rep, name="乙", stage="trial")
    LeadFactory(owner=teammate, name="队友的", stage="new")
    LeadFactory(owner=outsider, name="别组的", stage="new")
    response = login(rep).get("/leads/board/")
    assert response.status_code == 200
    cards = _cards(response)
    assert list(cards) == [value for value, _label in Lead.Stage.choices]
    assert cards["new"] == ["甲"] and cards["trial"] == ["乙"]
    assert 'draggable="true"' in response.content.decode()


def test_manager_sees_the_team_not_other_teams(login, manager, rep, teammate, outsider):
    LeadFactory(owner=rep, name="甲", stage="new")
    LeadFactory(owner=teammate, name="队友的", stage="new")
    LeadFactory(owner=outsider, name="别组的", stage="new")
    cards = _cards(login(manager).get("/leads/board/"))
    assert sorted(cards["new"]) == ["甲", "队友的"]


@pytest.mark.parametrize("role", [Role.LEGAL, Role.FINANCE, Role.SERVICE])
def test_back_office_has_no_board(db, login, role):
    user = UserFactory(username=f"bo_{role}", role=role)
    assert login(user).get("/leads/board/").status_code == 403


def test_moving_from_the_board_uses_the_stage_service(login, rep):
    lead = LeadFactory(owner=rep, stage="new")
    response = login(rep).post(
        f"/leads/{lead.pk}/stage/", {"to_stage": "contacted", "next": "board"}
    )
    assert response.status_code == 302 and response["Location"] == "/leads/board/"
    lead.refresh_from_db()
    assert lead.stage == "contacted"
    assert (
        StageChange.objects.filter(lead=lead, from_stage="new", to_stage="contacted").count() == 1
    )


def test_lost_without_a_reason_is_refused_on_the_board(login, rep, reason):
    lead = LeadFactory(owner=rep, stage="trial")
    client = login(rep)
    response = client.post(f"/leads/{lead.pk}/stage/", {"to_stage": "lost", "next": "board"})
    assert response["Location"] == "/leads/board/"
    lead.refresh_from_db()
    assert lead.stage == "trial"
    page = client.get("/leads/board/").content.decode()
    assert "请选择丢单原因。" in page
    client.post(
        f"/leads/{lead.pk}/stage/", {"to_stage": "lost", "lost_reason": reason.pk, "next": "board"}
    )
    lead.refresh_from_db()
    assert (lead.stage, lead.lost_reason) == ("lost", reason)


def test_a_won_lead_does_not_move(login, rep):
    lead = LeadFactory(owner=rep, stage="won", won_at=timezone.now())
    response = login(rep).post(f"/leads/{lead.pk}/stage/", {"to_stage": "new", "next": "board"})
    assert response["Location"] == "/leads/board/"
    lead.refresh_from_db()
    assert lead.stage == "won"


def test_another_reps_lead_cannot_be_moved(login, rep, outsider):
    lead = LeadFactory(owner=outsider, stage="new")
    response = login(rep).post(
        f"/leads/{lead.pk}/stage/", {"to_stage": "contacted", "next": "board"}
    )
    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.stage == "new"


def test_board_queries_are_bounded_and_columns_capped(login, rep, django_assert_max_num_queries):
    for n in range(40):
        LeadFactory(owner=rep, name=f"学员{n}", stage="new")
    client = login(rep)
    with django_assert_max_num_queries(25):
        response = client.get("/leads/board/")
    new = response.context["columns"][0]
    assert (len(new["cards"]), new["total"], new["more"]) == (30, 40, 10)
