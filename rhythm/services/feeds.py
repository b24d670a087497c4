"""The calendar subscription (ICS feed) of a user: a random token in the address, only its
hash stored, so a leaked database gives no working address."""

import hashlib
import secrets

from django.db import transaction

from salescrm.permissions import Action, ensure_may

from ..models import CalendarFeed


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def calendar_feed_issue(*, actor) -> str:
    """A new feed address token for `actor` (shown once); the previous one stops working."""
    ensure_may(actor, Action.CALENDAR_FEED_MANAGE)
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(user=actor, defaults={"token_hash": token_hash(token)})
    return token


@transaction.atomic
def calendar_feed_revoke(*, actor) -> bool:
    """Stop `actor`'s feed address. True when there was one."""
    ensure_may(actor, Action.CALENDAR_FEED_MANAGE)
    deleted, _rows = CalendarFeed.objects.filter(user=actor).delete()
    return bool(deleted)


def calendar_feed_user(token: str):
    """The active user whose feed address holds `token`, or None."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=token_hash(token), user__is_active=True)
        .first()
    )
    return feed.user if feed else None
