"""Survey links e-mailed to the customer through a real SMTP server (aiosmtpd, started by the
test, as tests/daily/test_alert_emails.py does): in the customer's language, once, with the
outcome on the invitation; "send again" scoped and permission-checked on both sides."""

import datetime as dt
import email
import socket
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

from customers.models import Customer
from success.models import SurveyInvitation
from success.services import survey_emails_send, survey_invitations_create
from success.services.surveys import survey_emails

from .factories import course

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)
Delivery = SurveyInvitation.Delivery


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


def _mail_settings(settings, port):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "crm@example.com"
    settings.PUBLIC_BASE_URL = "https://crm.example.com"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    _mail_settings(settings, port)
    yield inbox
    controller.stop()


@pytest.fixture(autouse=True)
def today(clock):
    clock.set(TODAY)


def _subject(message) -> str:
    return str(make_header(decode_header(message["Subject"])))


def _body(message) -> str:
    return message.get_payload(decode=True).decode()


@pytest.fixture
def three(rep):
    """Three courses ending on the business date: a Chinese customer (language not set), an
    English one, one without an address."""
    rows = {}
    for name, address, language in (
        ("zh", "li@example.com", ""),
        ("en", "smith@example.com", "en"),
        ("none", "", ""),
    ):
        contract = course(rep, "2026-06-14")
        Customer.objects.filter(pk=contract.customer_id).update(email=address, language=language)
        rows[name] = contract
    return rows


def invitation(contract):
    return SurveyInvitation.objects.get(contract=contract)


def test_the_night_e_mails_each_link_once_in_the_customers_language(
    smtp, three, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        survey_invitations_create(as_of=dt.date(2026, 6, 14))
    assert len(callbacks) == 1  # the worker is queued after the night's commit
    by_address = {to[0]: message for to, message in smtp.messages}
    assert set(by_address) == {"li@example.com", "smith@example.com"}
    chinese, english = by_address["li@example.com"], by_address["smith@example.com"]
    assert _subject(chinese) == "我们做得怎么样？两分钟满意度调查"
    assert _subject(english) == "How did we do? A two-minute survey"
    zh = invitation(three["zh"])
    assert "https://crm.example.com/success/survey/?t=" in _body(chinese)
    assert zh.delivery == Delivery.SENT and zh.emailed_to == "li@example.com"
    assert zh.emailed_at is not None
    assert invitation(three["none"]).delivery == Delivery.NO_ADDRESS
    # idempotent: the job again, the task again: nothing more is sent
    with django_capture_on_commit_callbacks(execute=True):
        survey_invitations_create(as_of=dt.date(2026, 6, 14))
    assert survey_emails.apply().get() == {"sent": 0, "failed": 0, "no_address": 0}
    assert len(smtp.messages) == 2


def test_the_link_in_the_mail_opens_the_survey(smtp, three, client):
    survey_invitations_create(as_of=dt.date(2026, 6, 14))
    survey_emails_send(today=TODAY)
    message = {to[0]: m for to, m in smtp.messages}["li@example.com"]
    path = _body(message).split("https://crm.example.com", 1)[1].split()[0]
    response = client.get(path)
    assert response.status_code == 200
    assert 'name="score"' in response.content.decode()


def test_a_server_that_refuses_records_failed_and_staff_send_again(
    settings, three, service_user, login, django_capture_on_commit_callbacks
):
    survey_invitations_create(as_of=dt.date(2026, 6, 14))
    _mail_settings(settings, _free_port())  # nothing listens there
    assert survey_emails_send(today=TODAY) == {"sent": 0, "failed": 2, "no_address": 1}
    failed = invitation(three["zh"])
    assert failed.delivery == Delivery.FAILED and failed.delivery_error
    assert failed.emailed_at is None
    page = login(service_user).get(reverse("success:surveys")).content.decode()
    assert 'data-delivery="failed"' in page and 'data-delivery="no_address"' in page
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _mail_settings(settings, port)
        with django_capture_on_commit_callbacks(execute=True):
            response = login(service_user).post(reverse("success:survey_resend", args=[failed.pk]))
        assert response.status_code == 302
        assert [to for to, _m in inbox.messages] == [["li@example.com"]]
        assert invitation(three["zh"]).delivery == Delivery.SENT
        # e-mailed today already: a second "send again" is refused, nothing sent
        with django_capture_on_commit_callbacks(execute=True):
            login(service_user).post(reverse("success:survey_resend", args=[failed.pk]))
        assert len(inbox.messages) == 1
    finally:
        controller.stop()


def test_no_address_is_a_clear_state_and_cannot_be_sent_again(smtp, three, service_user, login):
    survey_invitations_create(as_of=dt.date(2026, 6, 14))
    survey_emails_send(today=TODAY)
    none = invitation(three["none"])
    response = login(service_user).post(
        reverse("success:survey_resend", args=[none.pk]), follow=True
    )
    text = response.content.decode()
    assert "没有电子邮箱" in text  # the state on the list and the refusal's message
    assert invitation(three["none"]).delivery == Delivery.NO_ADDRESS
    customer_page = login(service_user).get(three["none"].customer.get_absolute_url())
    assert 'id="survey-no-email"' in customer_page.content.decode()


def test_send_again_is_scoped_and_permission_checked(
    smtp,
    three,
    rep,
    manager,
    other_manager,
    service_user,
    login,
    django_capture_on_commit_callbacks,
):
    survey_invitations_create(as_of=dt.date(2026, 6, 14))
    Customer.objects.filter(pk=three["zh"].customer_id).update(email="")
    survey_emails_send(today=TODAY)  # zh: no address
    Customer.objects.filter(pk=three["zh"].customer_id).update(email="li@example.com")
    target = invitation(three["zh"])
    url = reverse("success:survey_resend", args=[target.pk])
    assert login(other_manager).post(url).status_code == 404  # another team's customer
    assert login(rep).post(url).status_code == 403  # the rep the survey scores
    assert login(rep).get(url).status_code == 405
    assert invitation(three["zh"]).delivery == Delivery.NO_ADDRESS
    assert smtp.messages[-1][0] != ["li@example.com"]
    before = len(smtp.messages)
    with django_capture_on_commit_callbacks(execute=True):
        assert login(manager).post(url).status_code == 302
    assert len(smtp.messages) == before + 1
    assert invitation(three["zh"]).delivery == Delivery.SENT


def test_answered_or_expired_links_are_not_sent_again(smtp, three, service_user, login):
    survey_invitations_create(as_of=dt.date(2026, 6, 14))
    survey_emails_send(today=TODAY)
    zh, en = invitation(three["zh"]), invitation(three["en"])
    SurveyInvitation.objects.filter(pk=zh.pk).update(expires_on=TODAY - dt.timedelta(days=1))
    SurveyInvitation.objects.filter(pk=en.pk).update(answered_at=en.emailed_at)
    before = len(smtp.messages)
    for row in (zh, en):
        login(service_user).post(reverse("success:survey_resend", args=[row.pk]))
    assert len(smtp.messages) == before
    assert SurveyInvitation.objects.filter(delivery=Delivery.PENDING).count() == 0


def test_the_mailing_reads_the_batch_in_one_query(smtp, three, django_assert_max_num_queries):
    survey_invitations_create(as_of=dt.date(2026, 6, 14))
    # 1 read, then per message one claim and one update; the address-less one update only
    with django_assert_max_num_queries(1 + 2 * 2 + 1):
        survey_emails_send(today=TODAY)
