"""Alerts by e-mail (issue 18): a user who opted in gets each alert by mail, in their own
language, once; sent through a real SMTP server (aiosmtpd) that the test starts."""

import email
import socket
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from salescrm.models import Notification
from salescrm.services import notify
from salescrm.tasks import notification_emails


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "crm@example.com"
    yield inbox
    controller.stop()


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def test_opted_in_users_get_their_alerts_in_their_language(smtp, rep, teammate):
    rep.email_alerts, rep.language, rep.email = True, "en", "rep@example.com"
    rep.save()
    teammate.email_alerts, teammate.language = True, "zh-hans"
    teammate.save()
    notify(recipient=rep, kind="lead_assigned", key="a", params={"name": "陈晨"}, url="/leads/1/")
    notify(recipient=teammate, kind="lead_assigned", key="b", params={"name": "王芳"})
    assert notification_emails.apply().get() == 2
    by_address = {to[0]: message for to, message in smtp.messages}
    assert _subject(by_address["rep@example.com"]) == "New lead assigned to you: 陈晨"
    assert "/leads/1/" in by_address["rep@example.com"].get_payload(decode=True).decode()
    assert _subject(by_address[teammate.email]) == "新线索已分配给您：王芳"
    # once: a second run sends nothing more
    assert notification_emails.apply().get() == 0
    assert len(smtp.messages) == 2
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_users_who_did_not_opt_in_get_no_mail(smtp, rep):
    notify(recipient=rep, kind="lead_assigned", key="a", params={"name": "陈晨"})
    assert notification_emails.apply().get() == 0
    assert smtp.messages == []


def test_a_mail_server_that_is_away_leaves_the_alert_for_the_next_run(settings, rep):
    rep.email_alerts = True
    rep.save()
    notify(recipient=rep, kind="lead_assigned", key="a", params={"name": "陈晨"})
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    assert notification_emails.apply().get() == 0
    assert Notification.objects.get(key="a").emailed_at is None


def test_an_alert_for_an_opted_in_user_queues_the_task(rep, django_capture_on_commit_callbacks):
    rep.email_alerts = True
    rep.save()
    with django_capture_on_commit_callbacks() as callbacks:
        notify(recipient=rep, kind="lead_assigned", key="a", params={"name": "陈晨"})
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        notify(recipient=rep, kind="lead_assigned", key="a", params={"name": "陈晨"})  # a repeat
    assert callbacks == []


def test_the_profile_offers_the_choice(login, rep):
    client = login(rep)
    assert 'name="email_alerts"' in client.get("/accounts/profile/").content.decode()
    client.post(
        "/accounts/profile/",
        {
            "first_name": "",
            "last_name": "",
            "email": "r@example.com",
            "phone": "",
            "language": "",
            "email_alerts": "on",
        },
    )
    rep.refresh_from_db()
    assert rep.email_alerts is True
