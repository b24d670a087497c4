"""Surveys at milestones, answered through a public link: a signed, single-use, expiring
token that opens this one survey and nothing else. Probed with an expired, a reused and a
tampered token: each gets a clear message and stores nothing."""

import datetime as dt

import pytest
from django.core import signing
from django.urls import reverse

from customers.models import SatisfactionSurvey
from success.models import SurveyInvitation
from success.services import survey_invitations_create, token_for

from .factories import complaint, contract

pytestmark = pytest.mark.django_db
URL = reverse("success:survey_answer")
Milestone = SurveyInvitation.Milestone


@pytest.fixture
def invitation(rep, clock):
    clock.set(dt.date(2026, 6, 15))
    signed = contract(rep, "5000", "2026-05-01", starts_on="2026-06-01", ends_on="2026-12-31")
    return SurveyInvitation.objects.create(
        customer=signed.customer,
        contract=signed,
        milestone=Milestone.COURSE_STARTED,
        created_on=dt.date(2026, 6, 15),
        expires_on=dt.date(2026, 6, 29),
    )


def answer(client, token, **data):
    return client.post(URL, {"t": token, "score": 5, "nps": 9, "comment": "很好", **data})


def test_the_link_opens_the_form_and_stores_the_answer_against_the_contract(client, invitation):
    token = token_for(invitation)
    page = client.get(URL, {"t": token})
    assert page.status_code == 200
    assert b'name="score"' in page.content
    response = answer(client, token)
    assert response.status_code == 200
    survey = SatisfactionSurvey.objects.get()
    assert (survey.contract_id, survey.customer_id, survey.score, survey.nps) == (
        invitation.contract_id,
        invitation.customer_id,
        5,
        9,
    )
    assert (survey.recorded_by, survey.answered_on) == (None, dt.date(2026, 6, 15))
    invitation.refresh_from_db()
    assert invitation.survey == survey and invitation.answered_at is not None


def test_a_reused_link_says_so_and_stores_nothing(client, invitation):
    token = token_for(invitation)
    answer(client, token)
    again = answer(client, token, score=1)
    assert again.status_code == 410
    assert "此调查已提交过" in again.content.decode()
    assert client.get(URL, {"t": token}).status_code == 410
    assert SatisfactionSurvey.objects.count() == 1
    assert SatisfactionSurvey.objects.get().score == 5


def test_the_link_works_on_its_last_day_and_not_after(client, invitation, clock):
    token = token_for(invitation)
    clock.set(dt.date(2026, 6, 29))
    assert client.get(URL, {"t": token}).status_code == 200
    clock.set(dt.date(2026, 6, 30))
    expired = answer(client, token)
    assert expired.status_code == 410
    assert "此调查链接已过期" in expired.content.decode()
    assert client.get(URL, {"t": token}).status_code == 410
    assert SatisfactionSurvey.objects.count() == 0


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),  # signature changed
        lambda token: "x" + token,
        lambda token: "",
        lambda token: "\x00" * 10,
        lambda token: "a" * 400,
    ],
)
def test_a_tampered_link_says_so_and_stores_nothing(client, invitation, tamper):
    bad = tamper(token_for(invitation))
    assert client.get(URL, {"t": bad}).status_code == 400
    response = answer(client, bad)
    assert response.status_code == 400
    assert "此调查链接无效" in response.content.decode()
    assert SatisfactionSurvey.objects.count() == 0
    assert SurveyInvitation.objects.get().answered_at is None


def test_a_forged_id_or_nonce_is_refused(client, invitation, rep):
    other = SurveyInvitation.objects.create(
        customer=invitation.customer,
        contract=invitation.contract,
        milestone=Milestone.MANUAL,
        created_on=dt.date(2026, 6, 15),
        expires_on=dt.date(2026, 6, 29),
    )
    salt = "success.survey-link"
    # a token signed by someone without the key cannot name another invitation ...
    forged = signing.dumps({"i": other.pk, "n": other.nonce}, key="not-the-key", salt=salt)
    # ... and one with the right key but the wrong nonce names nothing
    wrong_nonce = signing.dumps({"i": other.pk, "n": invitation.nonce}, salt=salt)
    for token in (forged, wrong_nonce):
        assert answer(client, token).status_code == 400
    assert SatisfactionSurvey.objects.count() == 0


def test_bad_answers_are_refused_with_the_form(client, invitation):
    token = token_for(invitation)
    for data in ({"score": 9}, {"nps": -1}, {"score": ""}, {"comment": "x" * 3000}):
        response = answer(client, token, **data)
        assert response.status_code == 400
    assert SatisfactionSurvey.objects.count() == 0
    assert SurveyInvitation.objects.get().answered_at is None


def test_the_link_reaches_nothing_else(client, invitation):
    token = token_for(invitation)
    page = client.get(URL, {"t": token}).content.decode()
    assert "<a " not in page  # no menu, no link
    answer(client, token)
    for name in ("dashboard", "success:renewals", "success:surveys", "customers:list"):
        response = client.get(reverse(name), {"t": token})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "_auth_user_id" not in client.session


# --- the nightly milestones -----------------------------------------------------------------


def test_milestones_send_one_survey_each(rep, service_user):
    started = contract(rep, "5000", "2026-05-01", starts_on="2026-06-01", ends_on="2026-12-31")
    ended = contract(rep, "5000", "2026-01-05", starts_on="2026-01-10", ends_on="2026-06-15")
    case = complaint(started.customer, service_user, opened="2026-06-10", resolved="2026-06-14")
    case.contract = started
    case.save()
    # 1 June + 14 days = 15 June: the course-start survey; the course ended on 15 June; the
    # complaint was resolved on 14 June (inside the week that ends on 15 June)
    assert survey_invitations_create(as_of=dt.date(2026, 6, 15)) == {"invitations": 3}
    assert sorted(SurveyInvitation.objects.values_list("contract_id", "milestone")) == sorted(
        [
            (started.pk, "course_started"),
            (ended.pk, "course_ended"),
            (started.pk, "complaint_resolved"),
        ]
    )
    assert set(SurveyInvitation.objects.values_list("expires_on", flat=True)) == {
        dt.date(2026, 6, 29)
    }
    assert survey_invitations_create(as_of=dt.date(2026, 6, 15)) == {"invitations": 0}
    assert survey_invitations_create(as_of=dt.date(2026, 6, 16)) == {"invitations": 0}


def test_a_missed_night_catches_up_within_a_week(rep):
    contract(rep, "5000", "2026-05-01", starts_on="2026-06-01", ends_on="2026-12-31")
    assert survey_invitations_create(as_of=dt.date(2026, 6, 22)) == {"invitations": 0}
    assert survey_invitations_create(as_of=dt.date(2026, 6, 21)) == {"invitations": 1}


def test_the_milestone_job_runs_a_fixed_number_of_queries(rep, django_assert_max_num_queries):
    for _ in range(20):
        contract(rep, "5000", "2026-05-01", starts_on="2026-06-01", ends_on="2026-06-15")
    with django_assert_max_num_queries(8):
        assert survey_invitations_create(as_of=dt.date(2026, 6, 15)) == {"invitations": 40}
