"""The analytics app's reads that are not charts: the list of alert analyses."""

import datetime as dt

from django.db.models import Count, F, Q

from salescrm.models import User

from .models import AlertAnalysis


def analyses_for(
    user, today: dt.date, *, status: str = "", kind: str = "", owner: User | None = None
):
    """The analyses `user` sees (a rep their own, a manager their teams', the director all),
    filtered by status on business date `today` (open: not answered and
    not yet past its due date; late: not answered after it; answered), kind and owner."""
    rows = AlertAnalysis.objects.visible_to(user).select_related("owner", "owner__team")
    if status == AlertAnalysis.Status.ANSWERED:
        rows = rows.filter(answered_at__isnull=False)
    elif status == AlertAnalysis.Status.LATE:
        rows = rows.late(today)
    elif status == AlertAnalysis.Status.OPEN:
        rows = rows.unanswered().filter(due_on__gte=today)
    if kind:
        rows = rows.filter(kind=kind)
    if owner is not None:
        rows = rows.filter(owner=owner)
    # the unanswered first, soonest due first; then the answered, latest first
    return rows.order_by(F("answered_at").desc(nulls_first=True), "due_on", "-id")


def counts_for(user, today: dt.date) -> dict[str, int]:
    """How many of the analyses `user` sees are open, late and answered (one query)."""
    return AlertAnalysis.objects.visible_to(user).aggregate(
        open=Count("pk", filter=Q(answered_at__isnull=True, due_on__gte=today)),
        late=Count("pk", filter=Q(answered_at__isnull=True, due_on__lt=today)),
        answered=Count("pk", filter=Q(answered_at__isnull=False)),
    )
