"""Webhooks: what is sent and how it is signed.

A delivery's body is JSON ``{"id", "event", "created_at", "data"}``. Its headers carry
``X-SalesCRM-Event``, ``X-SalesCRM-Delivery`` (the log row id), ``X-SalesCRM-Timestamp`` (Unix
seconds) and ``X-SalesCRM-Signature: sha256=<hex>``, the HMAC-SHA256 with the endpoint's secret
of ``"<timestamp>.<body>"``; a receiver recomputes it and refuses old timestamps (replays).
Deliveries are logged and queued by ``api.services.webhook_emit`` when the transaction that
caused them commits, and sent by the Celery task ``api.tasks.deliver_webhook`` (which reads this
module) with retries and exponential back-off."""

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from .models import WebhookDelivery


def max_attempts() -> int:
    """Attempts of one delivery before it is given up (the first try plus retries)."""
    return settings.WEBHOOK_MAX_ATTEMPTS


def disable_after() -> int:
    """Failed attempts in a row after which an endpoint is disabled."""
    return settings.WEBHOOK_DISABLE_AFTER_FAILURES


TIMEOUT_SECONDS = 10


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (and the tests): recompute and compare in constant time."""
    try:
        expected = sign(secret, int(timestamp), body)
    except ValueError:
        return False
    return hmac.compare_digest(expected, signature)


def body_of(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": delivery.created_at,
        "data": delivery.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def headers_for(delivery: WebhookDelivery, body: bytes, now: float | None = None) -> dict:
    timestamp = int(now if now is not None else time.time())
    return {
        "Content-Type": "application/json",
        "User-Agent": "SalesCRM-Webhooks/1",
        "X-SalesCRM-Event": delivery.event,
        "X-SalesCRM-Delivery": str(delivery.pk),
        "X-SalesCRM-Timestamp": str(timestamp),
        "X-SalesCRM-Signature": sign(delivery.endpoint.secret, timestamp, body),
    }


def backoff_seconds(attempt: int) -> int:
    """30 s, 60 s, 120 s, 240 s … after the 1st, 2nd, 3rd, 4th failed attempt (base
    WEBHOOK_BACKOFF_SECONDS)."""
    return settings.WEBHOOK_BACKOFF_SECONDS * 2 ** (attempt - 1)
