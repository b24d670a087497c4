import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from leads.models import Assignment, Lead, LeadSettings, RoundRobinCursor
from leads.services import LeadError, lead_assign, lead_capture, lead_create
from salescrm.roles import Role
from tests.factories import TeamFactory, UserFactory

from .factories import LeadFactory, channel


@pytest.fixture
def sales_team(db):
    team = TeamFactory(name="Round robin team")
    reps = [UserFactory(username=f"rr{i}", role=Role.REP, team=team) for i in range(1, 5)]
    reps[3].is_active = False  # left the company: never gets a lead
    reps[3].save()
    LeadSettings.objects.filter(pk=1).update(capture_team=team)
    return team, reps[:3]


def capture(n):
    return lead_capture(name=f"访客{n}", phone=f"1370000{n:04d}", channel=channel())


@pytest.mark.django_db
def test_web_leads_go_round_the_active_reps_in_turn(sales_team):
    _team, (a, b, c) = sales_team
    owners = [capture(n)[0].owner for n in range(7)]
    assert owners == [a, b, c, a, b, c, a]
    assert Assignment.objects.filter(reason="round_robin").count() == 7


@pytest.mark.django_db
def test_round_robin_continues_from_the_stored_pointer(sales_team):
    """After a restart the pointer comes from the database, not from memory."""
    team, (a, b, c) = sales_team
    RoundRobinCursor.objects.update_or_create(team=team, defaults={"last_user": b})
    assert capture(1)[0].owner == c
    assert capture(2)[0].owner == a


@pytest.mark.django_db
def test_a_duplicate_capture_does_not_use_up_a_turn(sales_team):
    _team, (a, b, _c) = sales_team
    assert capture(1)[0].owner == a
    lead, created = capture(1)
    assert (lead.owner, created) == (a, False)
    assert capture(2)[0].owner == b


@pytest.mark.django_db
def test_team_without_active_reps_gets_leads_in_its_pool(db):
    team = TeamFactory(name="Empty team")
    lead = lead_create(
        actor=None, round_robin_team=team, name="A", phone="13800138000", channel=channel()
    )
    assert (lead.owner, lead.team) == (None, team)


@pytest.mark.django_db(transaction=True)
def test_concurrent_captures_are_shared_fairly(lead_defaults, sales_team):
    _team, reps = sales_team
    barrier = threading.Barrier(6)
    errors = []

    def worker(n):
        try:
            barrier.wait(timeout=10)
            capture(n)
        except Exception as exc:  # reported below: a thread must not fail silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    counts = sorted(Lead.objects.filter(owner__in=reps).values_list("owner", flat=True))
    assert [counts.count(rep.pk) for rep in reps] == [2, 2, 2]


@pytest.mark.django_db
def test_manager_reassigns_with_history(manager, rep, teammate):
    lead = LeadFactory(owner=rep)
    lead_assign(lead=lead, actor=manager, to_owner=teammate)
    lead.refresh_from_db()
    assert lead.owner == teammate
    row = Assignment.objects.get(lead=lead)
    assert (row.from_owner, row.to_owner, row.changed_by, row.reason) == (
        rep,
        teammate,
        manager,
        "manual",
    )


@pytest.mark.django_db
def test_rep_cannot_reassign(rep, teammate):
    lead = LeadFactory(owner=rep)
    # refused by the role × action matrix (salescrm.permissions), before any lead rule
    with pytest.raises(PermissionDenied):
        lead_assign(lead=lead, actor=rep, to_owner=teammate)
    lead.refresh_from_db()
    assert lead.owner == rep


@pytest.mark.django_db
def test_manager_cannot_hand_a_lead_to_another_team(manager, rep, outsider):
    lead = LeadFactory(owner=rep)
    with pytest.raises(LeadError):
        lead_assign(lead=lead, actor=manager, to_owner=outsider)
    lead.refresh_from_db()
    assert lead.owner == rep
