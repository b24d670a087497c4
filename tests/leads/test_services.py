import datetime as dt

import pytest
from django.db import IntegrityError
from django.utils import timezone

from customers.services import customer_from_lead
from leads.models import Activity, Assignment, Lead, StageChange
from leads.services import (
    DuplicateLead,
    LeadError,
    activity_log,
    lead_change_stage,
    lead_create,
    lead_update,
)

from .factories import LeadFactory, channel

pytestmark = pytest.mark.django_db


def test_rep_creates_a_lead_they_own_with_normalised_identity(rep):
    lead = lead_create(
        actor=rep,
        name="王小明",
        phone="+86 138-0013-8000",
        email="Wang@Example.com",
        channel=channel("exhibition"),
    )
    assert (lead.owner, lead.team.name, lead.phone, lead.email) == (
        rep,
        "Team A",
        "13800138000",
        "wang@example.com",
    )
    assert lead.stage == "new"
    assert list(StageChange.objects.filter(lead=lead).values_list("from_stage", "to_stage")) == [
        ("", "new")
    ]
    assert Assignment.objects.get(lead=lead).reason == "created"


def test_same_phone_in_another_format_is_a_duplicate(rep, teammate):
    first = lead_create(actor=rep, name="王小明", phone="13800138000", channel=channel())
    with pytest.raises(DuplicateLead) as caught:
        lead_create(actor=teammate, name="小明", phone="+86 138 0013 8000", channel=channel())
    assert caught.value.existing == first
    assert Lead.objects.count() == 1


def test_same_email_in_other_case_is_a_duplicate(rep):
    lead_create(actor=rep, name="A", email="li@example.com", channel=channel())
    with pytest.raises(DuplicateLead):
        lead_create(actor=rep, name="B", email="LI@EXAMPLE.COM", channel=channel())


def test_database_refuses_a_second_lead_with_the_same_phone(rep):
    LeadFactory(owner=rep, phone="13800138000")
    with pytest.raises(IntegrityError):
        LeadFactory(owner=rep, phone="13800138000")


def test_editing_a_lead_onto_anothers_phone_is_refused(rep):
    lead_create(actor=rep, name="A", phone="13800138000", channel=channel())
    other = lead_create(actor=rep, name="B", phone="13900139000", channel=channel())
    with pytest.raises(DuplicateLead):
        lead_update(lead=other, actor=rep, phone="138 0013 8000")
    other.refresh_from_db()
    assert other.phone == "13900139000"


def test_stage_changes_are_recorded_with_who_and_when(rep):
    lead = lead_create(actor=rep, name="A", phone="13800138000", channel=channel())
    lead_change_stage(lead=lead, actor=rep, to_stage="needs_analysis")
    lead_change_stage(lead=lead, actor=rep, to_stage="trial")
    rows = list(
        StageChange.objects.filter(lead=lead).values_list("from_stage", "to_stage", "changed_by")
    )
    assert rows == [
        ("", "new", rep.pk),
        ("new", "needs_analysis", rep.pk),
        ("needs_analysis", "trial", rep.pk),
    ]


def test_lost_needs_a_reason(rep, lost_reason):
    lead = lead_create(actor=rep, name="A", phone="13800138000", channel=channel())
    with pytest.raises(LeadError):
        lead_change_stage(lead=lead, actor=rep, to_stage="lost")
    lead_change_stage(lead=lead, actor=rep, to_stage="lost", lost_reason=lost_reason)
    lead.refresh_from_db()
    assert (lead.stage, lead.lost_reason) == ("lost", lost_reason)


def test_won_lead_cannot_go_back(rep):
    lead = lead_create(actor=rep, name="A", phone="13800138000", channel=channel())
    lead_change_stage(lead=lead, actor=rep, to_stage="won")
    with pytest.raises(LeadError):
        lead_change_stage(lead=lead, actor=rep, to_stage="negotiation")
    lead.refresh_from_db()
    assert lead.stage == "won"
    assert lead.won_at is not None


def test_first_follow_up_moves_a_new_lead_to_contacted(rep):
    lead = lead_create(actor=rep, name="A", phone="13800138000", channel=channel())
    when = timezone.now() - dt.timedelta(hours=2)
    activity = activity_log(
        lead=lead,
        actor=rep,
        kind=Activity.Kind.PHONE,
        occurred_at=when,
        outcome="接通",
        feedback="想了解周末班",
        next_follow_up_on=dt.date(2030, 1, 10),
    )
    lead.refresh_from_db()
    assert activity.lead == lead
    assert lead.stage == "contacted"
    assert lead.last_activity_at == when
    assert StageChange.objects.filter(lead=lead, to_stage="contacted", changed_by=rep).count() == 1


def test_an_older_follow_up_does_not_move_the_clock_back(rep):
    lead = lead_create(actor=rep, name="A", phone="13800138000", channel=channel())
    recent = timezone.now() - dt.timedelta(hours=1)
    activity_log(lead=lead, actor=rep, kind="phone", occurred_at=recent)
    activity_log(lead=lead, actor=rep, kind="visit", occurred_at=recent - dt.timedelta(days=3))
    lead.refresh_from_db()
    assert lead.last_activity_at == recent


def test_a_note_is_not_a_follow_up(rep):
    lead = lead_create(actor=rep, name="A", phone="13800138000", channel=channel())
    activity_log(lead=lead, actor=rep, kind="note", outcome="内部备注")
    lead.refresh_from_db()
    assert (lead.stage, lead.last_activity_at) == ("new", None)


def test_follow_up_in_the_future_is_refused(rep):
    lead = lead_create(actor=rep, name="A", phone="13800138000", channel=channel())
    with pytest.raises(LeadError):
        activity_log(
            lead=lead, actor=rep, kind="phone", occurred_at=timezone.now() + dt.timedelta(days=1)
        )
    assert Activity.objects.count() == 0


def test_effective_visits_are_visits_meetings_trials_and_tours(rep):
    lead = lead_create(actor=rep, name="A", phone="13800138000", channel=channel())
    for kind in [
        "phone",
        "wechat",
        "visit",
        "online_meeting",
        "trial_lesson",
        "campus_tour",
        "note",
    ]:
        activity_log(lead=lead, actor=rep, kind=kind)
    assert Activity.objects.effective_visits().count() == 4


def test_convert_marks_the_lead_won(rep):
    lead = lead_create(actor=rep, name="A", phone="13800138000", channel=channel())
    lead_change_stage(lead=lead, actor=rep, to_stage="negotiation")
    customer_from_lead(lead=lead, actor=rep)
    lead.refresh_from_db()
    assert lead.stage == "won"
    assert (
        StageChange.objects.filter(lead=lead, from_stage="negotiation", to_stage="won").count() == 1
    )


def test_a_lead_created_won_for_a_direct_customer_has_its_dates(rep):
    lead = lead_create(
        actor=rep, name="某公司", company="某公司", channel=channel("partner"), stage="won"
    )
    assert lead.stage == "won"
    assert lead.won_at == lead.created_at
    assert list(StageChange.objects.filter(lead=lead).values_list("from_stage", "to_stage")) == [
        ("", "won")
    ]
