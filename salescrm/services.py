"""Writes on the organisation that more than one entry point uses (admin, seed, views)."""

from django.contrib.auth.models import Group
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import BusinessRuleError
from .models import Notification, SavedFilter, User
from .notices import stored_text
from .permissions import Action, ensure_may
from .roles import Role


@transaction.atomic
def user_set_role(*, user: User, role: str) -> User:
    """Give `user` the role and exactly the matching permission group (groups are created by
    migration salescrm.0002_role_groups_and_permissions)."""
    role = Role(role)
    user.role = role
    user.is_staff = role == Role.ADMIN or user.is_superuser
    user.save(update_fields=["role", "is_staff"])
    role_groups = Group.objects.filter(name__in=Role.values)
    user.groups.remove(*role_groups.exclude(name=role))
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@transaction.atomic
def user_update_language(*, user: User, language: str) -> None:
    ensure_may(user, Action.OWN_SETTINGS)
    user.language = language
    user.save(update_fields=["language"])


def notify_many(rows: list[dict]) -> int:
    """Send notifications in bulk; each row has recipient_id, kind, key and either params (the
    kind's renderer in salescrm.notices words it in each reader's language) or a fixed title
    and body; optionally url. A (recipient, key) already sent is skipped, so nightly jobs can call this on
    every run. Returns how many rows were new."""
    if not rows:
        return 0
    rows = [_with_stored_text(row) for row in rows]
    sent = Notification.objects.filter(key__in={row["key"] for row in rows})
    already = set(sent.values_list("recipient_id", "key"))  # unique together: one row each
    new = [row for row in rows if (row["recipient_id"], row["key"]) not in already]
    if not new:  # the nightly jobs' usual case: every reminder already went out
        return 0
    # ignore_conflicts still: a concurrent run may send the same rows meanwhile
    Notification.objects.bulk_create(
        [Notification(**row) for row in new], ignore_conflicts=True, batch_size=1000
    )
    recipients = {row["recipient_id"] for row in new}
    if User.objects.filter(pk__in=recipients, email_alerts=True).exists():
        from .tasks import enqueue, notification_emails

        enqueue(notification_emails)  # after commit, by the worker
    return sent.count() - len(already)


def _with_stored_text(row: dict) -> dict:
    """A row given as kind + params gets its default-language title and body stored too
    (admin, fallback); the inbox renders it again in the reader's language."""
    if row.get("params") and not row.get("title"):
        title, body = stored_text(row["kind"], row["params"])
        row = {**row, "title": title[:200], "body": body}
    return row


def notify(
    *,
    recipient,
    kind: str,
    key: str,
    params: dict | None = None,
    title: str = "",
    body: str = "",
    url: str = "",
) -> bool:
    row = {"recipient_id": recipient.pk, "kind": kind, "key": key, "url": url}
    row.update({"params": params or {}, "title": title, "body": body})
    return notify_many([row]) == 1


def notifications_mark_read(*, user, ids: list | None = None) -> int:
    """Mark the user's unread notifications (all, or those with `ids`) as read. Other users'
    ids are ignored, not an error: they are simply not the user's."""
    ensure_may(user, Action.OWN_SETTINGS)
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


MAX_SAVED_FILTERS = 30


def _clean_query(query: str) -> str:
    """The list's query string without the page number (a saved filter starts on page 1)."""
    params = QueryDict(query.lstrip("?")[:500], mutable=True)
    params.pop("page", None)
    return params.urlencode()[:500]


@transaction.atomic
def saved_filter_save(*, user: User, page: str, name: str, query: str) -> SavedFilter:
    """Save (or replace) the user's filter `name` of list `page`."""
    ensure_may(user, Action.OWN_SETTINGS)
    name = " ".join("".join(ch if ch.isprintable() else " " for ch in name[:200]).split())[:60]
    query = query.replace("\x00", "")
    if not name:
        raise BusinessRuleError(_("Give the filter a name."))
    mine = SavedFilter.objects.filter(user=user, page=page)
    if not mine.filter(name=name).exists() and mine.count() >= MAX_SAVED_FILTERS:
        raise BusinessRuleError(
            _("You can keep at most %(count)d saved filters per list.")
            % {"count": MAX_SAVED_FILTERS}
        )
    saved, _created = SavedFilter.objects.update_or_create(
        user=user, page=page, name=name, defaults={"query": _clean_query(query)}
    )
    return saved


def saved_filter_delete(*, user: User, pk: int) -> int:
    ensure_may(user, Action.OWN_SETTINGS)
    return SavedFilter.objects.filter(user=user, pk=pk).delete()[0]
