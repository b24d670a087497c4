"""Login lockout on two levels (settings: AXES_FAILURE_LIMIT, AXES_USER_FAILURE_LIMIT).

django-axes locks the (username, IP) pair after AXES_FAILURE_LIMIT failures; on its own that
lets anyone guess one account's password without end from many addresses. This handler also
counts the username's failures from every address and locks the username when they reach
the higher AXES_USER_FAILURE_LIMIT; the user and the administrators are then told.

Axes compares one number with one limit, so ``get_failures`` gives the larger of the pair's
count and the username's count scaled to the pair's limit:
floor(user_total * pair_limit / user_limit) >= pair_limit exactly when
user_total >= user_limit. Example with 5 and 20: 19 failures from 19 addresses give 4 (not
locked), the 20th gives 5 (locked)."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.dispatch import receiver
from django.utils import timezone

from .models import User
from .roles import Role
from .services import notify_many


def username_failures(username: str | None) -> int:
    if not username:
        return 0
    total = AccessAttempt.objects.filter(username=username).aggregate(
        total=Sum("failures_since_start")
    )["total"]
    return total or 0


class LoginLockHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        pair = super().get_failures(request, credentials)
        user_total = username_failures(get_client_username(request, credentials))
        scaled = user_total * settings.AXES_FAILURE_LIMIT // settings.AXES_USER_FAILURE_LIMIT
        return max(pair, scaled)


@receiver(user_locked_out)
def notify_account_locked(sender, request, username, ip_address, **kwargs):
    """When a username is locked from every address, its owner and the administrators hear
    of it (once per hour per account): someone is guessing that password."""
    if username_failures(username) < settings.AXES_USER_FAILURE_LIMIT:
        return  # one address locked out: axes' page tells that client, nobody else need know
    user = User.objects.filter(username=username).first()
    if user is None:
        return
    admins = User.objects.filter(is_active=True).filter(is_superuser=True) | User.objects.filter(
        is_active=True, role=Role.ADMIN
    )
    recipients = {user.pk, *admins.values_list("pk", flat=True)}
    stamp = timezone.localtime().strftime("%Y%m%d%H")
    notify_many(
        [
            {
                "recipient_id": pk,
                "kind": "login_locked",
                "key": f"login-locked:{user.pk}:{stamp}",
                "params": {"username": username},
            }
            for pk in recipients
        ]
    )
