"""Actual values per metric, grouped by rep, for a date range (Shanghai days, inclusive).

THE place where actuals are queried: progress pages here and the performance app read them
through these functions, never through queries of their own. Each is one set-based query.
Team and company values are sums over reps (team = the rep's current team).
"""

import datetime as dt

from django.db.models import Count

from leads.models import Activity


def effective_visits(start: dt.date, end: dt.date) -> dict[int, int]:
    """Visits, online meetings, trial lessons and campus tours logged by each rep (the
    activity's actor) between `start` and `end`."""
    rows = (
        Activity.objects.effective_visits()
        .between(start, end)
        .filter(actor__isnull=False)
        .values("actor_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {row["actor_id"]: row["n"] for row in rows}
