"""The Content-Security-Policy on every page, no inline script left for it to block, and a
password-reset page that promises a mail only when one can be sent."""

import re

import pytest
from django.core import mail
from django.test import override_settings

pytestmark = pytest.mark.django_db

# A <script> with content (JSON data blocks excepted) or an on...= handler attribute.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>\s*\S")
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_every_response_carries_a_strict_policy(client, rep, login):
    for response in (client.get("/accounts/login/"), login(rep).get("/dashboard/")):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self';" in policy
        assert "object-src 'none'" in policy
        assert "unsafe-eval" not in policy


@pytest.mark.parametrize("who", ["rep", "manager", "director", "finance", "service_user"])
def test_dashboards_have_no_inline_script(who, request, login):
    page = login(request.getfixturevalue(who)).get("/dashboard/").content.decode()
    assert INLINE_SCRIPT.findall(page) == []
    assert HANDLER.findall(page) == []


@pytest.mark.parametrize(
    "url", ["/leads/", "/notifications/", "/targets/progress/", "/leads/new/", "/accounts/profile/"]
)
def test_pages_have_no_inline_script(url, manager, login):
    response = login(manager).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert INLINE_SCRIPT.findall(page) == []
    assert HANDLER.findall(page) == []


def test_without_a_mail_server_the_reset_page_says_whom_to_ask(client, rep):
    page = client.get("/accounts/password_reset/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Ask an administrator to set a new password" in page.content.decode()
    response = client.post(
        "/accounts/password_reset/", {"email": rep.email}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "a message with a reset link is on its way" not in response.content.decode()
    assert mail.outbox == []
    login_page = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/accounts/password_reset/"' not in login_page


@override_settings(PASSWORD_RESET_BY_EMAIL=True)
def test_with_a_mail_server_the_reset_mail_is_sent(client, rep):
    assert 'href="/accounts/password_reset/"' in client.get("/accounts/login/").content.decode()
    response = client.post("/accounts/password_reset/", {"email": rep.email})
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [[rep.email]]


def test_no_template_holds_an_inline_script_or_handler():
    """The policy blocks them in the browser, silently: a confirmation written as
    onclick="return confirm(...)" would simply not ask. Use data- attributes instead
    (data-confirm, data-autosubmit, data-print: static/js/salescrm.js)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    templates = [
        path
        for path in root.glob("**/templates/**/*.html")
        if ".venv" not in path.parts and "staticfiles" not in path.parts
    ]
    assert len(templates) > 50
    offending = {}
    for path in templates:
        text = path.read_text(encoding="utf-8")
        found = INLINE_SCRIPT.findall(text) + HANDLER.findall(text)
        found += re.findall(r"javascript:", text, re.IGNORECASE)
        if found:
            offending[str(path.relative_to(root))] = found
    assert offending == {}
