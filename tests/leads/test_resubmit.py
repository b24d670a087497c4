"""A lead form or a follow-up sent twice (back and resubmit) saves once and shows the saved
lead."""

import re

import pytest

from leads.models import Activity, Channel, Lead

from .factories import LeadFactory

pytestmark = pytest.mark.django_db

ALREADY_SAVED = "Already saved: this form had been submitted before."


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def token_of(response) -> str:
    match = re.search(r'name="submission_token" value="([0-9a-f-]{36})"', response.content.decode())
    assert match, "the form carries no one-time token"
    return match.group(1)


def shown(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_resubmitted_follow_up_is_logged_once_and_shows_the_lead(rep, login):
    lead = LeadFactory(owner=rep)
    client = login(rep)
    token = token_of(client.get(lead.get_absolute_url()))
    data = {
        "kind": "phone",
        "occurred_at": "2026-01-05T10:00",
        "outcome": "called",
        "submission_token": token,
    }
    url = f"/leads/{lead.pk}/follow-up/"
    assert client.post(url, data).status_code == 302
    again = client.post(url, data, follow=True)
    assert again.redirect_chain[-1][0] == lead.get_absolute_url()
    assert ALREADY_SAVED in shown(again)
    assert Activity.objects.filter(lead=lead, kind="phone").count() == 1


def test_resubmitted_new_lead_is_created_once_and_shows_it(rep, login):
    client = login(rep)
    token = token_of(client.get("/leads/new/"))
    data = {
        "name": "赵六",
        "phone": "13900002222",
        "channel": Channel.objects.get(code="website").pk,
        "submission_token": token,
    }
    assert client.post("/leads/new/", data).status_code == 302
    again = client.post("/leads/new/", data, follow=True)
    lead = Lead.objects.get(phone="13900002222")
    assert again.redirect_chain[-1][0] == lead.get_absolute_url()
    assert ALREADY_SAVED in shown(again)


def test_resubmitted_lead_without_phone_is_not_created_twice(rep, login):
    """No phone or e-mail to catch it as a duplicate: only the token does."""
    client = login(rep)
    token = token_of(client.get("/leads/new/"))
    data = {
        "name": "微信客户",
        "wechat": "wx-123",
        "channel": Channel.objects.get(code="website").pk,
        "submission_token": token,
    }
    client.post("/leads/new/", data)
    client.post("/leads/new/", data)
    assert Lead.objects.filter(name="微信客户").count() == 1


def test_editing_a_lead_twice_with_the_same_form_saves_both_times(rep, login):
    lead = LeadFactory(owner=rep, name="旧名")
    client = login(rep)
    data = {
        "name": "新名",
        "phone": lead.phone,
        "channel": lead.channel_id,
        "submission_token": token_of(client.get(f"/leads/{lead.pk}/edit/")),
    }
    assert client.post(f"/leads/{lead.pk}/edit/", data).status_code == 302
    assert client.post(f"/leads/{lead.pk}/edit/", data).status_code == 302
    lead.refresh_from_db()
    assert lead.name == "新名"


def test_resubmitted_coaching_comment_is_added_once(rep, manager, login):
    import datetime as dt

    from leads.models import ActivityPlan, CoachingComment

    plan = ActivityPlan.objects.create(rep=rep, week_start=dt.date(2026, 3, 2), calls=20)
    client = login(manager)
    token = token_of(client.get(f"/leads/plans/{plan.pk}/"))
    data = {"action": "comment", "body": "多打老客户", "submission_token": token}
    assert client.post(f"/leads/plans/{plan.pk}/", data).status_code == 302
    again = client.post(f"/leads/plans/{plan.pk}/", data, follow=True)
    assert ALREADY_SAVED in shown(again)
    assert CoachingComment.objects.filter(plan=plan).count() == 1
