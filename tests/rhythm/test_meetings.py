"""Meetings: the generated agenda, attendance, action items in the owner's My day."""

import datetime as dt

import pytest
from django.urls import reverse

from rhythm.models import ActionItem, Bulletin, Meeting, MeetingAttendee
from rhythm.services import (
    action_item_add,
    action_item_done,
    meeting_schedule,
    meeting_take_attendance,
)
from salescrm.errors import BusinessRuleError
from salescrm.models import Notification
from salescrm.timeutil import SHANGHAI

pytestmark = pytest.mark.django_db
MORNING = dt.datetime(2026, 10, 13, 8, 30, tzinfo=SHANGHAI)


@pytest.fixture
def meeting(manager, rep, teammate, team, clock):
    clock.set(MORNING)
    Bulletin.objects.create(
        day=dt.date(2026, 10, 12),
        team=team,
        built_at=MORNING,
        figures={
            "signed": "12000.00",
            "contracts": 2,
            "collected": "8000.00",
            "new_prospect_cards": 3,
            "trial_lessons": 4,
            "month_signed": "50000.00",
            "month_target": "100000.00",
            "achievement": "50.00",
            "leaders": [{"name": "王伟", "signed": "30000.00", "rank": 1, "move": 1}],
        },
    )
    return meeting_schedule(actor=manager, kind="morning", title="", starts_at=MORNING, team=team)


def test_a_morning_meeting_invites_the_team_and_reads_yesterdays_bulletin(
    meeting, manager, rep, teammate
):
    assert meeting.title == "早会"
    assert set(meeting.attendees.values_list("person__username", flat=True)) == {
        manager.username,
        rep.username,
        teammate.username,
    }
    assert "2026-10-12" in meeting.agenda
    assert "¥12,000.00" in meeting.agenda
    assert "王伟 ¥30,000.00 ▲1" in meeting.agenda


def test_a_manager_schedules_only_for_the_team_they_lead(manager, other_team, clock):
    clock.set(MORNING)
    with pytest.raises(BusinessRuleError):
        meeting_schedule(
            actor=manager, kind="morning", title="", starts_at=MORNING, team=other_team
        )
    with pytest.raises(BusinessRuleError):
        meeting_schedule(actor=manager, kind="morning", title="", starts_at=MORNING, team=None)
    assert not Meeting.objects.exists()


def test_attendance_is_taken_per_invitee_and_strangers_are_ignored(
    meeting, manager, rep, teammate, outsider
):
    changed = meeting_take_attendance(
        actor=manager,
        meeting=meeting,
        statuses={
            rep.pk: "present",
            teammate.pk: "late",
            outsider.pk: "present",
            manager.pk: "bogus",
        },
    )
    assert changed == 2
    assert dict(meeting.attendees.values_list("person__username", "status")) == {
        manager.username: "invited",
        rep.username: "present",
        teammate.username: "late",
    }


def test_another_teams_manager_cannot_run_the_meeting(meeting, other_manager, rep):
    with pytest.raises(BusinessRuleError):
        meeting_take_attendance(actor=other_manager, meeting=meeting, statuses={rep.pk: "absent"})
    assert MeetingAttendee.objects.get(meeting=meeting, person=rep).status == "invited"


def test_an_action_item_notifies_and_shows_in_the_owners_my_day(meeting, manager, rep, client):
    item = action_item_add(
        actor=manager,
        meeting=meeting,
        owner=rep,
        description="回访三位试听客户",
        due_on=dt.date(2026, 10, 14),
    )
    assert Notification.objects.filter(recipient=rep, kind="action_item").count() == 1
    client.force_login(rep)
    page = client.get(reverse("leads:my_day")).content.decode()
    assert "回访三位试听客户" in page
    client.force_login(manager)
    assert "回访三位试听客户" not in client.get(reverse("leads:my_day")).content.decode()
    action_item_done(actor=rep, item=item)
    client.force_login(rep)
    assert "回访三位试听客户" not in client.get(reverse("leads:my_day")).content.decode()


def test_an_action_item_needs_an_invitee_and_a_due_date_not_before_the_meeting(
    meeting, manager, rep, outsider
):
    with pytest.raises(BusinessRuleError):
        action_item_add(
            actor=manager,
            meeting=meeting,
            owner=outsider,
            description="x",
            due_on=dt.date(2026, 10, 14),
        )
    with pytest.raises(BusinessRuleError):
        action_item_add(
            actor=manager, meeting=meeting, owner=rep, description="x", due_on=dt.date(2026, 10, 12)
        )
    action_item_add(
        actor=manager, meeting=meeting, owner=rep, description="x", due_on=dt.date(2026, 10, 13)
    )
    assert ActionItem.objects.count() == 1


def test_only_the_owner_or_the_meetings_leader_marks_done(meeting, manager, rep, teammate):
    item = action_item_add(
        actor=manager, meeting=meeting, owner=rep, description="x", due_on=dt.date(2026, 10, 14)
    )
    with pytest.raises(BusinessRuleError):
        action_item_done(actor=teammate, item=item)
    assert ActionItem.objects.get(pk=item.pk).done_at is None
    first = action_item_done(actor=rep, item=item).done_at
    assert action_item_done(actor=manager, item=item).done_at == first  # done twice is done once


def test_a_business_review_agenda_reads_the_numbers(manager, team, clock):
    clock.set(MORNING)
    meeting = meeting_schedule(
        actor=manager, kind="monthly_review", title="", starts_at=MORNING, team=team
    )
    assert "2026-10-01" in meeting.agenda and "2026-10-12" in meeting.agenda
    assert "¥0.00" in meeting.agenda


def test_a_loss_review_lists_the_lost_deals(manager, rep, team, clock):
    from leads.models import Lead, LostReason, StageChange
    from tests.leads.factories import LeadFactory

    clock.set(MORNING)
    reason, _created = LostReason.objects.get_or_create(name="价格太高")
    lead = LeadFactory(owner=rep, name="李雷", stage=Lead.Stage.LOST, lost_reason=reason)
    StageChange.objects.create(
        lead=lead, from_stage="proposal", to_stage="lost", changed_by=rep, changed_at=MORNING
    )
    meeting = meeting_schedule(
        actor=manager, kind="loss_review", title="", starts_at=MORNING, team=team
    )
    assert "李雷" in meeting.agenda and "价格太高" in meeting.agenda
