"""Webhooks against a real HTTP receiver started by the test (a thread serving on a free local
port): the signature verifies, a 500 is retried, an endpoint failing N times in a row is
disabled with a notice to the administrators, and a logged delivery can be replayed (from
admin too). Tasks run inline here (CELERY_TASK_ALWAYS_EAGER: a retry runs at once); the
delivery test marked `worker` goes through Redis to a real Celery worker."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import override_settings
from django.urls import reverse

from api.models import WebhookDelivery, WebhookEndpoint
from api.services import webhook_replay
from api.webhooks import verify
from leads import services as lead_services
from leads.models import Channel
from salescrm.models import Notification
from salescrm.roles import Role
from tests.factories import UserFactory


class Receiver:
    """Records every POST; answers with the next status of `statuses` (then 200)."""

    def __init__(self):
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append(
                    {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                )
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def endpoint(db, receiver):
    return WebhookEndpoint.objects.create(
        name="ERP", url=receiver.url, events=["lead.created", "lead.stage_changed"]
    )


def _new_lead(rep, phone="13900002222"):
    channel = Channel.objects.get_or_create(code="website", defaults={"name": "官网表单"})[0]
    return lead_services.lead_create(actor=rep, name="李四", phone=phone, channel=channel)


@pytest.mark.django_db
def test_a_delivery_is_signed_and_logged(
    rep, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        lead = _new_lead(rep)
    assert len(receiver.requests) == 1
    sent = receiver.requests[0]
    headers, body = sent["headers"], sent["body"]
    assert headers["x-salescrm-event"] == "lead.created"
    assert verify(
        endpoint.secret, headers["x-salescrm-timestamp"], body, headers["x-salescrm-signature"]
    )
    # a changed body, another secret or another timestamp does not verify
    assert not verify(
        endpoint.secret,
        headers["x-salescrm-timestamp"],
        body + b" ",
        headers["x-salescrm-signature"],
    )
    assert not verify(
        "other", headers["x-salescrm-timestamp"], body, headers["x-salescrm-signature"]
    )
    assert not verify(
        endpoint.secret,
        str(int(headers["x-salescrm-timestamp"]) + 1),
        body,
        headers["x-salescrm-signature"],
    )
    document = json.loads(body)
    assert document["event"] == "lead.created"
    assert document["data"]["lead"] == lead.pk and document["data"]["owner"] == rep.pk
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)
    assert delivery.response_ms is not None and str(delivery.pk) == headers["x-salescrm-delivery"]


@pytest.mark.django_db
def test_nothing_is_sent_for_an_unwanted_event_or_a_rolled_back_change(
    rep, endpoint, receiver, django_capture_on_commit_callbacks
):
    from django.db import transaction

    endpoint.events = ["payment.recorded"]
    endpoint.save()
    with django_capture_on_commit_callbacks(execute=True):
        _new_lead(rep)
    assert receiver.requests == [] and WebhookDelivery.objects.count() == 0
    endpoint.events = ["lead.created"]
    endpoint.save()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                _new_lead(rep, phone="13900003333")
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
    assert callbacks == [] and receiver.requests == []


@pytest.mark.django_db
def test_a_500_is_retried(rep, endpoint, receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [500]
    with django_capture_on_commit_callbacks(execute=True):
        _new_lead(rep)
    assert len(receiver.requests) == 2  # the 500, then the retry
    first, second = receiver.requests
    assert first["body"] == second["body"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 2, 200)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1 - 1  # a success resets the count


@pytest.mark.django_db
@override_settings(WEBHOOK_MAX_ATTEMPTS=3, WEBHOOK_DISABLE_AFTER_FAILURES=4)
def test_an_endpoint_failing_n_times_in_a_row_is_disabled_and_admins_told(
    rep, endpoint, receiver, django_capture_on_commit_callbacks
):
    admin = UserFactory(username="admin_w", role=Role.ADMIN, is_staff=True)
    receiver.statuses = [500] * 10
    with django_capture_on_commit_callbacks(execute=True):
        _new_lead(rep)  # three failed attempts: given up, still active (3 < 4)
    endpoint.refresh_from_db()
    first = WebhookDelivery.objects.get()
    assert (first.status, first.attempts, first.response_status) == ("failed", 3, 500)
    assert (endpoint.is_active, endpoint.consecutive_failures) == (True, 3)
    assert not Notification.objects.filter(kind="webhook_disabled").exists()
    with django_capture_on_commit_callbacks(execute=True):
        _new_lead(rep, phone="13900004444")  # the fourth failure in a row disables it
    endpoint.refresh_from_db()
    assert (endpoint.is_active, endpoint.consecutive_failures) == (False, 4)
    assert len(receiver.requests) == 4  # nothing more once disabled
    assert Notification.objects.filter(kind="webhook_disabled", recipient=admin).count() == 1
    assert WebhookDelivery.objects.filter(status="failed").count() == 2


@pytest.mark.django_db
def test_replay_sends_the_same_event_again(
    rep, endpoint, receiver, django_capture_on_commit_callbacks
):
    admin = UserFactory(username="admin_r", role=Role.ADMIN, is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        _new_lead(rep)
    original = WebhookDelivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        copy = webhook_replay(delivery=original, actor=admin)
    assert copy.replay_of == original and copy.pk != original.pk
    assert len(receiver.requests) == 2
    bodies = [json.loads(r["body"]) for r in receiver.requests]
    assert bodies[0]["data"] == bodies[1]["data"] and bodies[1]["id"] == copy.pk
    copy.refresh_from_db()
    assert copy.status == "succeeded"


@pytest.mark.django_db
def test_replay_is_for_administrators_only(rep, manager, endpoint, receiver):
    from salescrm.permissions import ActionRefused

    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="lead.created", payload={})
    for user in (rep, manager):
        with pytest.raises(ActionRefused):
            webhook_replay(delivery=delivery, actor=user)


@pytest.mark.django_db
def test_replay_from_admin(rep, endpoint, receiver, client, django_capture_on_commit_callbacks):
    admin = UserFactory(username="admin_a", role=Role.ADMIN, is_staff=True, is_superuser=True)
    with django_capture_on_commit_callbacks(execute=True):
        _new_lead(rep)
    original = WebhookDelivery.objects.get()
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            reverse("admin:api_webhookdelivery_changelist"),
            {"action": "replay", "_selected_action": [original.pk]},
        )
    assert answer.status_code == 302
    assert len(receiver.requests) == 2
    assert WebhookDelivery.objects.filter(replay_of=original, status="succeeded").count() == 1


@pytest.mark.django_db
def test_admin_registers_only_https_endpoints(client):
    admin = UserFactory(username="admin_h", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:api_webhookendpoint_add")
    data = {"name": "ERP", "events": ["lead.created"], "is_active": "on", "secret": "s" * 40}
    refused = client.post(url, {**data, "url": "http://erp.example.com/hook"})
    assert refused.status_code == 200 and WebhookEndpoint.objects.count() == 0
    accepted = client.post(url, {**data, "url": "https://erp.example.com/hook"})
    assert accepted.status_code == 302
    assert WebhookEndpoint.objects.get().events == ["lead.created"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_after_commit(real_broker, rep, receiver):
    import time

    WebhookEndpoint.objects.create(name="ERP", url=receiver.url, events=["lead.created"])
    _new_lead(rep, phone="13900005555")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not receiver.requests:
        time.sleep(0.2)
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0]["body"])["event"] == "lead.created"
    while time.monotonic() < deadline:
        if WebhookDelivery.objects.get().status == "succeeded":
            break
        time.sleep(0.2)
    assert WebhookDelivery.objects.get().status == "succeeded"
