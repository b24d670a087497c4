"""The sources of a dashboard, each read once for all its charts."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from functools import cached_property

from django.db.models import Max, Q

from salescrm.timeutil import (
    month_end,
    month_start,
    quarter_start,
)

from ..models import FunnelSnapshot
from .scope import HISTORY_MONTHS, ZERO, Scope, add_months


def company_months(metric: str, first: dt.date, last: dt.date) -> list[tuple]:
    """(owner_id, month, value) of every rep from ``targets.selectors.monthly_actuals``, shared
    by all readers for ``DASHBOARD_CACHE_SECONDS`` (each reader's scope is applied after): the
    three-year history is the same for everyone, and its new-customer query is the costliest
    of a dashboard (seconds on the bench dataset)."""
    from django.conf import settings
    from django.core.cache import cache

    from targets import selectors

    seconds = getattr(settings, "DASHBOARD_CACHE_SECONDS", 300)
    key = f"dashboard-months:{metric}:{first}:{last}"
    rows = cache.get(key) if seconds else None
    if rows is None:
        frame = selectors.monthly_actuals(metric, first, last)
        rows = [(int(o), m, v) for o, m, v in frame.itertuples(index=False, name=None)]
        if seconds:
            cache.set(key, rows, seconds)
    return rows


class Data:
    """The sources of a dashboard, each read once (lazily) for all its charts."""

    def __init__(self, scope: Scope):
        self.scope = scope

    def _frame_by_month(self, metric: str, first: dt.date, last: dt.date) -> dict:
        wanted = None if self.scope.whole_company else set(self.scope.rep_ids)
        result: dict = defaultdict(lambda: defaultdict(int))
        for owner, month, value in company_months(metric, first, last):
            if wanted is None or owner in wanted:
                result[month][owner] += value
        return result

    @cached_property
    def history_start(self) -> dt.date:
        return add_months(self.scope.month.replace(month=1), -HISTORY_MONTHS + 12)

    @cached_property
    def signed(self) -> dict:
        """{month: {rep_id: amount}} from three years back to the end of the year."""
        return self._frame_by_month(
            "signed_amount", self.history_start, self.scope.month.replace(month=12)
        )

    @cached_property
    def collected(self) -> dict:
        return self._frame_by_month(
            "collected_amount",
            add_months(self.scope.month.replace(month=1), -12),
            self.scope.month.replace(month=12),
        )

    @cached_property
    def enrolments(self) -> dict:
        return self._frame_by_month(
            "new_customers", self.history_start, self.scope.month.replace(month=12)
        )

    def total(self, source: dict, first: dt.date, last: dt.date, rep_id=None):
        result = ZERO
        month = month_start(first)
        while month <= last:
            values = source.get(month, {})
            result += (
                sum(values.values(), ZERO) if rep_id is None else Decimal(values.get(rep_id, 0))
            )
            month = add_months(month, 1)
        return result

    @cached_property
    def targets(self) -> dict:
        """{(metric, rep_id, month): value} of the published rep-level targets, from January
        of the year to the end of the quarter after the period (one query)."""
        from targets.models import Target, TargetPlan

        last = add_months(quarter_start(self.scope.end), 3)
        rows = (
            Target.objects.filter(
                self.scope.owned("rep_id"),
                level=Target.Level.REP,
                plan__status=TargetPlan.Status.PUBLISHED,
                plan__metric__in=["signed_amount", "new_customers"],
                month__gte=self.scope.month.replace(month=1),
                month__lte=month_end(add_months(last, 2)),
            )
            .order_by()
            .values_list("plan__metric", "rep_id", "month", "value")
        )
        result: dict = defaultdict(Decimal)
        for metric, rep_id, month, value in rows:
            result[(metric, rep_id, month_start(month))] += value
        return result

    def target(self, metric: str, first: dt.date, last: dt.date, rep_id=None) -> Decimal:
        return sum(
            (
                value
                for (m, rep, month), value in self.targets.items()
                if m == metric and first <= month <= last and (rep_id is None or rep == rep_id)
            ),
            ZERO,
        )

    @cached_property
    def funnel(self) -> list[FunnelSnapshot]:
        """The snapshot rows of the latest day up to the period's end: the scope's teams
        (whole teams, for the comparison in the diagnosis), or the rep's own rows."""
        scope = self.scope
        if scope.kind == "rep":
            rows = FunnelSnapshot.objects.filter(rep=scope.user)
        elif scope.whole_company:
            rows = FunnelSnapshot.objects.all()
        else:
            rows = FunnelSnapshot.objects.filter(
                Q(team_id__in=scope.team_ids) | Q(rep_id__in=scope.rep_ids)
            )
        latest = rows.filter(day__lte=scope.end).aggregate(day=Max("day"))["day"]
        if latest is None:
            return []
        self.funnel_day = latest
        return list(rows.filter(day=latest).order_by())
