"""Redis down (cache and broker on a closed port): the pages people use keep working, slower
and saying so, and nothing they submit is lost. A closed port refuses at once, so these
tests are quick."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.cache import cache

from leads.models import Lead, LeadSettings, ScoringRule
from leads.services import lead_create
from salescrm.celery import app
from tests.factories import UserFactory
from tests.leads.factories import channel

pytestmark = pytest.mark.django_db

DOWN = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings, client):
    """The cache and the broker both on a closed port, with the production dashboard cache
    and the worker (not inline tasks) the production settings use."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower(), (
        "make test runs with REDIS_URL set"
    )
    # Before the settings change: Celery's conf reads Django's settings through.
    saved = (app.conf.broker_url, app.conf.task_always_eager)
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": DOWN}}
    settings.DASHBOARD_CACHE_SECONDS = 300
    settings.CELERY_BROKER_URL = DOWN
    app.conf.broker_url = DOWN
    app.conf.task_always_eager = False
    app._after_fork()  # drop the pooled connections to the real broker
    yield
    app.conf.broker_url, app.conf.task_always_eager = saved
    app._after_fork()


def warnings(response):
    return [m.message for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]


@pytest.mark.parametrize(
    "user_fixture", ["rep", "manager", "director", "legal", "finance", "service_user"]
)
def test_dashboard_answers_with_a_notice_when_the_cache_is_down(
    redis_down, login, request, user_fixture
):
    user = request.getfixturevalue(user_fixture)
    response = login(user).get("/dashboard/")
    assert response.status_code == 200
    assert warnings(response) == [
        "The cache server is unreachable: the dashboard is computed afresh on every visit "
        "and may load slowly."
    ]


def test_admin_dashboard_answers_with_a_notice_when_the_cache_is_down(redis_down, login):
    admin_user = UserFactory(username="root", role="admin", is_superuser=True, is_staff=True)
    response = login(admin_user).get("/dashboard/")
    assert response.status_code == 200
    assert len(warnings(response)) == 1


def test_public_capture_is_stored_when_the_cache_is_down(redis_down, client, team, rep):
    LeadSettings.objects.filter(pk=1).update(capture_team=team)
    response = client.post(
        "/leads/capture/",
        {"name": "李雷", "phone": "138 1234 5678", "email": "", "message": "想学Python"},
        REMOTE_ADDR="203.0.113.5",
    )
    assert response.status_code == 302
    assert response["Location"] == "/leads/capture/thanks/"
    lead = Lead.objects.get()
    assert (lead.name, lead.phone, lead.owner) == ("李雷", "13812345678", rep)


def test_rate_limit_lets_enquiries_through_while_the_cache_is_down(redis_down, client, team, rep):
    """Fails open on purpose (settings.RATELIMIT_FAIL_OPEN): the 11th post of an hour would be
    refused with a working cache (tests/leads/test_capture.py)."""
    LeadSettings.objects.filter(pk=1).update(capture_team=team)
    for n in range(11):
        response = client.post(
            "/leads/capture/",
            {"name": f"访客{n}", "phone": f"1380000{n:04d}", "email": "", "message": ""},
            REMOTE_ADDR="203.0.113.5",
        )
        assert response.status_code == 302
    assert Lead.objects.count() == 11


def test_scoring_rule_saved_in_admin_regrades_inline_with_a_warning_when_the_broker_is_down(
    redis_down, client, rep, django_capture_on_commit_callbacks
):
    ScoringRule.objects.exclude(criterion="budget_confirmed").update(is_active=False)
    ScoringRule.objects.filter(criterion="budget_confirmed").update(points=15, is_active=True)
    lead = lead_create(
        actor=rep, name="A", phone="13800138000", channel=channel(), budget=Decimal("1")
    )
    assert lead.grade == "B"
    rule = ScoringRule.objects.get(criterion="budget_confirmed")
    admin_user = UserFactory(username="root", role="admin", is_superuser=True, is_staff=True)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/leads/scoringrule/{rule.pk}/change/",
            {"criterion": "budget_confirmed", "points": "20", "is_active": "on"},
        )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.points == 20
    lead.refresh_from_db()
    assert (lead.score, lead.grade) == (20, "A")
    assert warnings(response) == [
        "The task queue is unreachable, so the leads were re-graded while you waited. "
        "Tell the administrator if this persists."
    ]


def test_dashboard_has_no_notice_while_the_cache_answers(settings, client, rep, login):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    settings.DASHBOARD_CACHE_SECONDS = 300
    cache.clear()
    try:
        response = login(rep).get("/dashboard/")
    finally:
        cache.clear()  # the suite's Redis outlives this test's rows
    assert response.status_code == 200
    assert warnings(response) == []
