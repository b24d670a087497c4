"""The sources of a dashboard, each read once for all its charts."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Q, Sum
from django.utils.translation import gettext as _

from leads.models import LostReason
from salescrm.templatetags.salescrm_tags import money as money_text
from salescrm.timeutil import (
    add_months,
    month_end,
    month_start,
    quarter_start,
    year_start,
)
from targets.models import Target, TargetPlan

from ..kpis import Ratio, rollup
from ..lost import lost_totals
from ..models import ChannelFact, FactPeriod, FunnelSnapshot, KpiFact, ProductLineFact
from .scope import HISTORY_MONTHS, ZERO, Scope, money


def company_months(metric: str, first: dt.date, last: dt.date) -> list[tuple]:
    """(owner_id, month, value) of every owner from the monthly dashboard facts of `metric`
    (signed_amount, collected_amount, new_customers), shared by all readers for
    ``DASHBOARD_CACHE_SECONDS`` (each reader's scope is applied after): the three-year history
    is the same for everyone and changes once a night. One query."""
    seconds = getattr(settings, "DASHBOARD_CACHE_SECONDS", 300)
    key = f"dashboard-months:{metric}:{first}:{last}"
    rows = cache.get(key) if seconds else None
    if rows is None:
        rows = list(
            KpiFact.objects.filter(
                period__kind=FactPeriod.Kind.MONTH,
                period__start__range=(first, last),
                measure=metric,
            ).values_list("owner_id", "period__start", "numerator")
        )
        if seconds:
            cache.set(key, rows, seconds)
    return rows


@dataclass
class PeriodFacts:
    """The dashboard facts of one period within the reader's scope: its ``FactPeriod`` (None
    when the nightly job has not computed it) and {measure: {owner: Ratio}}."""

    period: FactPeriod | None
    ratios: dict = field(default_factory=dict)

    def total(self, measure: str, owners: list[int] | None = None) -> Ratio | None:
        """The sum of the owners' ratios (all owners in scope when `owners` is None)."""
        by_owner = self.ratios.get(measure, {})
        return rollup(by_owner, {measure: by_owner if owners is None else owners}).get(measure)

    def note(self) -> str:
        if self.period is None:
            return _("Not computed yet: the nightly job fills this period after its first night.")
        return _("Nightly snapshot of %(start)s to %(cut_off)s.") % {
            "start": self.period.start,
            "cut_off": self.period.cut_off,
        }


class Data:
    """The sources of a dashboard, each read once (lazily) for all its charts."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self._facts: dict = {}

    def facts(self, kind: str, start: dt.date) -> PeriodFacts:
        """The KPI facts of a period in the reader's scope; two queries, once per period."""
        if (kind, start) not in self._facts:
            period = FactPeriod.objects.filter(kind=kind, start=start).first()
            facts = PeriodFacts(period)
            if period is not None:
                facts.ratios = KpiFact.objects.filter(
                    self.scope.owned("owner_id"), period=period
                ).ratios()
            self._facts[(kind, start)] = facts
        return self._facts[(kind, start)]

    def channel_facts(self, kind: str, start: dt.date) -> dict:
        """{(channel_id, campaign_id): [leads, won, signed amount]} of the period in scope."""
        period = self.facts(kind, start).period
        if period is None:
            return {}
        rows = (
            ChannelFact.objects.filter(self.scope.owned("owner_id"), period=period)
            .values("channel_id", "campaign_id")
            .annotate(leads=Sum("leads"), won=Sum("won"), amount=Sum("signed_amount"))
            .values_list("channel_id", "campaign_id", "leads", "won", "amount")
        )
        return {(ch, ca): [leads, won, amount] for ch, ca, leads, won, amount in rows}

    def product_line_facts(self, kind: str, start: dt.date) -> dict:
        """{product_line_id: signed amount} of the period in scope."""
        period = self.facts(kind, start).period
        if period is None:
            return {}
        return dict(
            ProductLineFact.objects.filter(self.scope.owned("owner_id"), period=period)
            .values("product_line_id")
            .annotate(total=Sum("amount"))
            .values_list("product_line_id", "total")
        )

    def _frame_by_month(self, metric: str, first: dt.date, last: dt.date) -> dict:
        wanted = None if self.scope.whole_company else set(self.scope.rep_ids)
        result: dict = defaultdict(lambda: defaultdict(int))
        for owner, month, value in company_months(metric, first, last):
            if wanted is None or owner in wanted:
                result[month][owner] += value
        return result

    @cached_property
    def history_start(self) -> dt.date:
        return add_months(year_start(self.scope.month), -HISTORY_MONTHS + 12)

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
            add_months(year_start(self.scope.month), -12),
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
        """{(metric, rep_id): {month: value}} of the published rep-level targets, from January
        of the year to the end of the quarter after the period (one query)."""
        last = add_months(quarter_start(self.scope.end), 3)
        rows = (
            Target.objects.filter(
                self.scope.owned("rep_id"),
                level=Target.Level.REP,
                plan__status=TargetPlan.Status.PUBLISHED,
                plan__metric__in=["signed_amount", "new_customers"],
                month__gte=year_start(self.scope.month),
                month__lte=month_end(add_months(last, 2)),
            )
            .order_by()
            .values_list("plan__metric", "rep_id", "month", "value")
        )
        result: dict = defaultdict(lambda: defaultdict(Decimal))
        for metric, rep_id, month, value in rows:
            result[(metric, rep_id)][month_start(month)] += value
        return result

    def target(self, metric: str, first: dt.date, last: dt.date, rep_id=None) -> Decimal:
        """The target of `metric` for the months in [first, last]: of one rep, or of everyone
        in scope."""
        if rep_id is None:
            series = [by_month for (m, _rep), by_month in self.targets.items() if m == metric]
        else:
            series = [self.targets.get((metric, rep_id), {})]
        return sum(
            (
                value
                for by_month in series
                for month, value in by_month.items()
                if first <= month <= last
            ),
            ZERO,
        )

    def has_target(self, metric: str, first: dt.date, last: dt.date) -> bool:
        """Whether a published target of `metric` covers any month of [first, last] in scope
        (a quarter no plan reaches has no target, which is not a target of 0)."""
        return any(
            first <= month <= last
            for (m, _rep), by_month in self.targets.items()
            if m == metric
            for month in by_month
        )

    @cached_property
    def top_lost_reasons(self) -> dict[int, str]:
        """{rep_id: "价格太高 2 (¥15,000.00) · 时间不合适 1 (¥0.00)"}: each rep's three most
        frequent reasons of the leads lost in the period (ties: the larger amount, then the
        name), from ``performance.lost``. Two queries."""
        scope = self.scope
        totals = lost_totals(scope.start, scope.end, "rep", scope.owned("owner_id"))
        names = {reason.pk: str(reason) for reason in LostReason.objects.all()}
        by_rep: dict = defaultdict(list)
        for rep_id, reason_id, leads, amount in totals:
            by_rep[rep_id].append((names.get(reason_id, "—"), leads, money(amount)))
        return {
            rep_id: " · ".join(
                f"{name} {leads} (¥{money_text(amount)})"
                for name, leads, amount in sorted(reasons, key=lambda r: (-r[1], -r[2], r[0]))[:3]
            )
            for rep_id, reasons in by_rep.items()
        }

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
