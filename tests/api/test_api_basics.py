"""The API's own rules: tokens (hashed, scoped, expiring, revocable), cursor pages, filters,
the per-token rate, and lead writes through the lead services."""

import datetime as dt

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from api.models import ApiToken, token_digest
from api.services import token_create, token_revoke
from leads.models import Activity, Lead, StageChange

pytestmark = pytest.mark.django_db


def test_a_token_is_stored_hashed_and_shown_once(rep):
    token, raw = token_create(user=rep, name="ERP sync", scope="read")
    assert raw.startswith("scrm_") and len(raw) > 40
    assert token.digest == token_digest(raw) and raw not in token.digest
    assert ApiToken.objects.filter(digest__contains=raw[5:20]).count() == 0
    assert token.prefix == raw[:12]


def test_no_credentials_is_401_and_a_wrong_token_too(world):
    assert APIClient().get("/api/v1/leads/").status_code == 401
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer scrm_not-a-real-token")
    assert client.get("/api/v1/leads/").status_code == 401


def test_last_used_is_recorded(api, rep, world):
    client = api(rep, "read")
    assert client.get("/api/v1/leads/").status_code == 200
    token = ApiToken.objects.get(user=rep, scope="read")
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused(rep, world):
    token, raw = token_create(user=rep, name="x", scope="read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/leads/").status_code == 200
    token_revoke(token=token, actor=rep)
    assert client.get("/api/v1/leads/").status_code == 401


def test_an_expired_token_is_refused(rep, world, clock):
    token, raw = token_create(user=rep, name="x", scope="read", expires_on=dt.date(2026, 11, 17))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/leads/").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=token.expires_at - dt.timedelta(days=2))
    assert client.get("/api/v1/leads/").status_code == 401


def test_token_expiry_bounds(rep):
    # tomorrow and 366 days ahead are accepted; today and 367 days ahead are not
    token_create(user=rep, name="a", scope="read", expires_on=dt.date(2026, 11, 17))
    token_create(user=rep, name="b", scope="read", expires_on=dt.date(2027, 11, 17))
    from salescrm.errors import BusinessRuleError

    with pytest.raises(BusinessRuleError):
        token_create(user=rep, name="c", scope="read", expires_on=dt.date(2026, 11, 16))
    with pytest.raises(BusinessRuleError):
        token_create(user=rep, name="d", scope="read", expires_on=dt.date(2027, 11, 18))


def test_only_the_owner_or_an_admin_revokes(rep, teammate, manager):
    from salescrm.errors import BusinessRuleError
    from tests.factories import UserFactory

    token, _raw = token_create(user=rep, name="x", scope="read")
    for other in (teammate, manager):
        with pytest.raises(BusinessRuleError):
            token_revoke(token=token, actor=other)
    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    token_revoke(token=token, actor=admin)
    token.refresh_from_db()
    assert token.revoked_by == admin


def test_a_read_token_cannot_write(api, rep, world):
    client = api(rep, "read")
    lead = world["mine"]["lead"]
    answer = client.patch(f"/api/v1/leads/{lead.pk}/", {"company": "X"}, format="json")
    assert answer.status_code == 403
    lead.refresh_from_db()
    assert lead.company == ""
    # the same call with a write token goes through
    answer = api(rep, "write").patch(f"/api/v1/leads/{lead.pk}/", {"company": "X"}, format="json")
    assert answer.status_code == 200


def test_lead_create_normalises_and_refuses_a_duplicate_like_capture(api, rep, outsider, world):
    client = api(rep)
    answer = client.post(
        "/api/v1/leads/",
        {"name": "张三", "phone": "+86 139-0000-1111", "channel": "website"},
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["phone"] == "13900001111"
    assert answer.json()["owner"] == rep.username
    # the same phone, written another way: 409 naming the lead the rep can open
    again = client.post(
        "/api/v1/leads/",
        {"name": "张三", "phone": "139 0000 1111", "channel": "website"},
        format="json",
    )
    assert again.status_code == 409
    assert again.json()["existing"] == answer.json()["id"]
    # another team's rep is told it exists, not which lead it is
    other = api(outsider).post(
        "/api/v1/leads/",
        {"name": "张三", "phone": "13900001111", "channel": "website"},
        format="json",
    )
    assert other.status_code == 409, other.json()
    assert other.json()["existing"] is None
    assert Lead.objects.filter(phone="13900001111").count() == 1


def test_stage_move_and_activity_log_go_through_the_services(api, rep, world):
    client = api(rep)
    lead = world["mine"]["lead"]
    answer = client.post(f"/api/v1/leads/{lead.pk}/stage/", {"to_stage": "trial"}, format="json")
    assert answer.status_code == 200 and answer.json()["stage"] == "trial"
    assert StageChange.objects.filter(lead=lead, to_stage="trial", changed_by=rep).count() == 1
    lost = client.post(f"/api/v1/leads/{lead.pk}/stage/", {"to_stage": "lost"}, format="json")
    assert lost.status_code == 400  # the service's rule: a lost lead needs a reason
    assert "丢单原因" in str(lost.json())  # the default language
    logged = client.post(
        f"/api/v1/leads/{lead.pk}/activities/",
        {"kind": "visit", "outcome": "met", "next_follow_up_on": "2026-11-20"},
        format="json",
    )
    assert logged.status_code == 201, logged.json()
    assert Activity.objects.filter(lead=lead, kind="visit", actor=rep).count() == 1
    listed = client.get(f"/api/v1/leads/{lead.pk}/activities/")
    assert [row["kind"] for row in listed.json()["results"]] == ["visit", "phone"]


def test_roles_the_matrix_refuses_get_403(api, finance, world):
    lead = world["mine"]["lead"]
    answer = api(finance).post(
        f"/api/v1/leads/{lead.pk}/stage/", {"to_stage": "trial"}, format="json"
    )
    assert answer.status_code == 403
    lead.refresh_from_db()
    assert lead.stage != "trial"


def test_cursor_pages_walk_every_lead_once(api, director, rep, world):
    from tests.leads.factories import LeadFactory

    LeadFactory.create_batch(5, owner=rep)
    client = api(director, "read")
    seen, url = [], "/api/v1/leads/?page_size=3"
    while url:
        body = client.get(url).json()
        seen += [row["id"] for row in body["results"]]
        url = body["next"]
    # the two world leads, the two customers' won leads and the five made here
    assert len(seen) == 9 == len(set(seen))
    assert seen == sorted(seen, reverse=True)


def test_filters_use_the_lead_list_filter(api, rep, world):
    client = api(rep, "read")
    lead = world["mine"]["lead"]
    assert [r["id"] for r in client.get("/api/v1/leads/?stage=contacted").json()["results"]] == [
        lead.pk
    ]
    assert client.get("/api/v1/leads/?stage=lost").json()["results"] == []
    assert client.get("/api/v1/leads/?stage=nonsense").status_code == 400


@override_settings(API_THROTTLE_RATE="3/min")
def test_the_rate_is_per_token(api, rep, world):
    from django.core.cache import cache

    cache.clear()
    first, second = api(rep, "read"), api(rep, "read")
    codes = [first.get("/api/v1/notifications/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    assert second.get("/api/v1/notifications/").status_code == 200
    cache.clear()


def test_session_auth_works_for_the_browser_and_needs_csrf(rep, world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(rep)
    assert client.get("/api/v1/leads/").status_code == 200
    answer = client.patch(
        f"/api/v1/leads/{world['mine']['lead'].pk}/", {"company": "X"}, format="json"
    )
    assert answer.status_code == 403


def test_unknown_api_addresses_answer_json_404(api, rep, world):
    answer = api(rep).get("/api/v1/nothing-here/")
    assert answer.status_code == 404 and answer["Content-Type"] == "application/json"
    assert api(rep).get("/api/v1/leads/99999999999999999999/").status_code == 404


def test_schema_and_docs_are_served(rep, client):
    client.force_login(rep)
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    assert "/api/v1/leads/" in schema.json()["paths"]
    docs = client.get(reverse("api:docs"))
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "<script>" not in html  # the CSP forbids inline scripts: the init script is a file


def test_profile_page_creates_shows_once_and_revokes(rep, client):
    client.force_login(rep)
    answer = client.post(reverse("token_create"), {"name": "ERP", "scope": "write"})
    assert answer.status_code == 302 and answer["Location"] == reverse("token_created")
    page = client.get(reverse("token_created"))
    token = ApiToken.objects.get(user=rep)
    raw = page.context["raw"]
    assert token.digest == token_digest(raw) and raw in page.content.decode()
    # shown once: a reload goes back to the profile, and the session no longer holds it
    assert client.get(reverse("token_created")).status_code == 302
    assert raw not in str(dict(client.session))
    profile = client.get(reverse("profile")).content.decode()
    assert "ERP" in profile and raw not in profile
    client.post(reverse("token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_another_users_token_cannot_be_revoked_from_the_page(rep, teammate, client):
    token, _raw = token_create(user=teammate, name="x", scope="read")
    client.force_login(rep)
    assert client.post(reverse("token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_schema_validates_against_openapi_3_without_warnings(tmp_path):
    """drf-spectacular's own check: the document is valid OpenAPI 3 (its JSON schema), and the
    generation left no warning (an unresolved type, an enum name clash) behind."""
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text(encoding="utf-8")
    assert "/api/v1/documents/{id}/download/:" in text
    assert "multipart/form-data" in text
