"""Writes of the API app: personal tokens (created and revoked on the profile page, revoked by
administrators in admin), webhook deliveries and their replays. Keyword-only, atomic, like
every service (the deliveries of an event join the transaction of the change they announce)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, ensure_may, role_of
from salescrm.roles import Role
from salescrm.timeutil import local_today, start_of_day

from .models import ApiToken, WebhookDelivery, WebhookEndpoint, token_digest
from .tasks import deliver_webhook

MAX_LIVE_TOKENS = 20
MAX_TOKEN_DAYS = 366


@transaction.atomic
def token_create(
    *, user, name: str, scope: str, expires_on: dt.date | None = None, today: dt.date | None = None
) -> tuple[ApiToken, str]:
    """A new personal token; returns the row and the secret, which is shown once and never
    stored (only its SHA-256 is)."""
    ensure_may(user, Action.API_TOKEN_MANAGE)
    name = (name or "").strip()
    if not name:
        raise BusinessRuleError(_("Give the token a name."))
    if scope not in ApiToken.Scope.values:
        raise BusinessRuleError(_("Choose read or read and write."))
    today = today or local_today()
    if expires_on is not None:
        if expires_on <= today:
            raise BusinessRuleError(_("The expiry date must lie in the future."))
        if expires_on > today + dt.timedelta(days=MAX_TOKEN_DAYS):
            raise BusinessRuleError(_("A token lasts at most one year."))
    if ApiToken.objects.live().filter(user=user).count() >= MAX_LIVE_TOKENS:
        raise BusinessRuleError(_("You have 20 live tokens; revoke one first."))
    raw = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        scope=scope,
        prefix=raw[:12],
        digest=token_digest(raw),
        expires_at=start_of_day(expires_on) if expires_on else None,
    )
    return token, raw


@transaction.atomic
def token_revoke(*, token: ApiToken, actor) -> ApiToken:
    """The owner revokes their token; an administrator any token. Revoking twice is a no-op."""
    ensure_may(actor, Action.API_TOKEN_MANAGE)
    if token.user_id != actor.pk and role_of(actor) != Role.ADMIN:
        raise BusinessRuleError(_("Only the token's owner or an administrator can revoke it."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = actor
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token


@transaction.atomic
def webhook_replay(*, delivery: WebhookDelivery, actor) -> WebhookDelivery:
    """Send a logged delivery again (same event and body, a new log row)."""
    ensure_may(actor, Action.WEBHOOK_MANAGE)
    copy = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event=delivery.event,
        payload=delivery.payload,
        replay_of=delivery,
    )
    _send_after_commit(copy)
    return copy


def webhook_emit(*, event: str, data: dict) -> int:
    """Log a delivery of `event` for every active endpoint that wants it and send each once
    the current transaction commits (nothing is sent for a change that is rolled back)."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True)
        if event in (endpoint.events or [])
    ]
    now = timezone.now()
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, payload=data, created_at=now
        )
        _send_after_commit(delivery)
    return len(endpoints)


def _send_after_commit(delivery: WebhookDelivery) -> None:
    transaction.on_commit(lambda: deliver_webhook.delay(delivery.pk))
