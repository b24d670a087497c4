"""Sending webhook deliveries (Celery). Each attempt is logged on the delivery row."""

import time
import urllib.error
import urllib.request

from celery import shared_task
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from salescrm.models import User
from salescrm.roles import Role
from salescrm.services import notify_many

from . import webhooks
from .models import WebhookDelivery, WebhookEndpoint


def _post(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=webhooks.TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def attempt(delivery_id: int) -> bool | None:
    """One attempt: True delivered, False failed (try again later), None nothing to do."""
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id).first()
    if delivery is None or delivery.status == WebhookDelivery.Status.SUCCEEDED:
        return None
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.error = "endpoint disabled"
        delivery.save(update_fields=["status", "error"])
        return None
    body = webhooks.body_of(delivery)
    started = time.monotonic()
    status, error = None, ""
    try:
        status = _post(endpoint.url, body, webhooks.headers_for(delivery, body))
    except Exception as exc:  # noqa: BLE001 - any network failure is a failed attempt
        error = f"{type(exc).__name__}: {exc}"[:300]
    elapsed = int((time.monotonic() - started) * 1000)
    ok = status is not None and 200 <= status < 300
    delivery.attempts += 1
    delivery.response_status = status
    delivery.response_ms = elapsed
    delivery.error = error or ("" if ok else f"HTTP {status}")
    delivery.last_attempt_at = timezone.now()
    final_failure = not ok and delivery.attempts >= webhooks.max_attempts()
    if ok:
        delivery.status = WebhookDelivery.Status.SUCCEEDED
    elif final_failure:
        delivery.status = WebhookDelivery.Status.FAILED
    delivery.save()
    if ok:
        WebhookEndpoint.objects.filter(pk=endpoint.pk).update(consecutive_failures=0)
    else:
        _count_failure(endpoint.pk)
    return ok


@transaction.atomic
def _count_failure(endpoint_id: int) -> None:
    """Every failed attempt counts; at WEBHOOK_DISABLE_AFTER_FAILURES in a row the endpoint is
    disabled and every administrator is told."""
    WebhookEndpoint.objects.filter(pk=endpoint_id).update(
        consecutive_failures=F("consecutive_failures") + 1
    )
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    if endpoint.is_active and endpoint.consecutive_failures >= webhooks.disable_after():
        endpoint.is_active = False
        endpoint.disabled_at = timezone.now()
        endpoint.save(update_fields=["is_active", "disabled_at"])
        admins = User.objects.filter(is_active=True).filter(role=Role.ADMIN) | User.objects.filter(
            is_active=True, is_superuser=True
        )
        notify_many(
            [
                {
                    "recipient_id": admin_id,
                    "kind": "webhook_disabled",
                    "key": f"webhook-disabled:{endpoint.pk}:{endpoint.disabled_at:%Y%m%d%H%M%S}",
                    "title": _("Webhook %(name)s disabled after %(count)d failures in a row")
                    % {"name": endpoint.name[:100], "count": endpoint.consecutive_failures},
                    "body": endpoint.url,
                }
                for admin_id in admins.distinct().values_list("pk", flat=True)
            ]
        )


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_webhook(self, delivery_id: int):
    """One attempt; while the delivery is still pending (failed, attempts left) try again
    after an exponential back-off. The attempts are counted on the row, not by Celery. Run
    inline (no broker: the embedded demo, most tests) the retries follow at once."""
    while True:
        ok = attempt(delivery_id)
        if ok is not False:
            return ok
        delivery = WebhookDelivery.objects.filter(pk=delivery_id).only("status", "attempts").first()
        if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
            return ok
        if not self.request.is_eager:
            raise self.retry(countdown=webhooks.backoff_seconds(delivery.attempts))
