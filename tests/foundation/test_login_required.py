"""Every URL of the project needs a login, except an explicit allowlist. New apps' URLs are
walked automatically."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

# URL names that answer an anonymous visitor themselves.
PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "healthz",
    "leads:capture",
    "leads:capture_done",
    "success:survey_answer",
    "admin:login",
    # channels: an event's public registration page and its thank-you (issue 16)
    "channels:event_register",
    "channels:event_registered",
    "channels:offer_capture",
    "channels:offer_claimed",
    # rhythm: the calendar feed a phone subscribes to, keyed by its secret token (issue 18)
    "rhythm:calendar_feed",
}

SAMPLES = ["1", "x", "2026-01-01", "00000000-0000-0000-0000-000000000001", "MQ", "set-password"]


def _walk(patterns, prefix="", namespace=None):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name


def _sample_path(pattern: str) -> str | None:
    """A concrete path that resolves for a route or regex pattern."""
    path = pattern.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    path = re.sub(r"\(\?P<\w+>\[0-9\]\{1,18\}\)", "1", path)  # the API's id groups
    path = re.sub(r"<(?:int:)?\w+>", "1", path) if "<int:" in path else path
    path = re.sub(r"<uuid:\w+>", SAMPLES[3], path)
    path = re.sub(r"<[\w:]+>", "x", path)
    # regex groups: first alternative, or a sample value
    path = re.sub(r"\(\?P<\w+>([\w-]+)(\|[^)]*)?\)", lambda m: m.group(1), path)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", "1", path)
    path = re.sub(r"\(\?:[^)]*\)\??", "", path)
    path = "/" + path.lstrip("/")
    try:
        resolve(path)
    except Resolver404:
        return None
    return path


def all_routes():
    return sorted(set(_walk(get_resolver().url_patterns)), key=lambda item: item[0])


def test_the_walk_covers_the_known_urls():
    names = {name for _pattern, name in all_routes()}
    assert {"dashboard", "healthz", "login", "profile", "member_list", "member_detail"} <= names
    assert any(name and name.startswith("admin:") for name in names)


@pytest.mark.django_db
@pytest.mark.parametrize("pattern,name", all_routes())
def test_anonymous_request_is_sent_to_login(client, pattern, name):
    path = _sample_path(pattern)
    if path is None:
        pytest.fail(f"could not build a sample path for {pattern!r}; teach _sample_path")
    if name in PUBLIC:
        return
    response = client.get(path)
    if name and name.startswith("api:") and name != "api:docs":
        # the REST API answers for itself: 401 without a token or session (404 for an
        # address it does not have), in JSON, never a redirect to a login page
        assert response.status_code in (401, 404), (path, response.status_code)
        assert response["Content-Type"].startswith("application/"), path  # JSON, or the schema
        return
    assert response.status_code == 302, (
        f"{path} ({name}) answered {response.status_code} to an anonymous visitor"
    )
    location = response["Location"]
    assert location.startswith("/accounts/login/") or location.startswith("/admin/login/"), location


@pytest.mark.django_db
def test_public_pages_answer_without_login(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").status_code in (200, 503)
