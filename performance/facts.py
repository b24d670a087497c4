"""The dashboard facts (issue 7): the nightly snapshot the dashboards read instead of the raw
tables, in the way djangoproject.com's dashboard reads the rows its periodic command fills.

For each month, quarter and year the job computes, per owner, from the source rows up to a
cut-off (the business date while the period runs, its last day once it is over):

- ``KpiFact``: the numerator and denominator of each measure of ``MEASURES`` — the KPI ratios
  of ``performance.kpis`` the director's and manager's charts show (renewal, refund and
  collection rates; satisfaction, referral share and lead conversion for the benchmarks), the
  plain monthly amounts the history charts need (signed, collected, new customers), and the
  measures only the dashboards use: strategic customers renewing, key-customer churn, and
  calls and effective visits against the weekly activity plans;
- ``ChannelFact``: leads created, won, and amount signed per channel and campaign;
- ``ProductLineFact``: amount signed per product line.

Every night the open month, quarter and year are replaced, plus every period of the last
``settings.DASHBOARD_FACTS_HISTORY_MONTHS`` (36) months whose facts do not yet run to its end (the first night, or after
an outage); a period whose facts run to its end is frozen: it is recomputed only when source
rows dated in it (``RESTATING_SOURCES``: payments, refunds, contracts) were recorded, corrected
or deleted since the last night, and each such restatement that changes a figure is kept as a
``FactRestatement`` (which rows, who changed them when, every figure before and after). So a
refund entered late for a finished month counts in that month's facts, its quarter's and its
year's alike, and the months always add up to the quarters and the year; the commission
statements keep their own rule (a closed statement never changes, the late money is on the open
month's). A constant number of queries per period, whatever the number of owners, leads or
contracts.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.db.models import Count, F, Max, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from customers.models import Contract, ContractLine
from leads.models import Activity, ActivityPlan, Lead
from salescrm.timeutil import (
    add_months,
    day_bounds,
    month_start,
    period_end,
    period_start,
)

from . import kpis
from .models import ChannelFact, FactPeriod, FactRestatement, KpiFact, ProductLineFact

ZERO = Decimal(0)

# The KPIs of the catalogue computed per period kind. Months and quarters get every KPI: the
# scorecards and the anomaly alerts read them from here instead of computing them again, and
# the dashboards read the rates, the benchmarks and the monthly history (signed, collected,
# new customers). A year gets what the dashboards show for a year.
RATE_KPIS = ["renewal_rate", "refund_rate", "on_time_collection_rate", "overdue_ratio"]
KPIS_BY_KIND = {
    FactPeriod.Kind.MONTH: sorted(kpis.KPI_BY_CODE),
    FactPeriod.Kind.QUARTER: sorted(kpis.KPI_BY_CODE),
    FactPeriod.Kind.YEAR: RATE_KPIS,
}
# Measures only the dashboards use: calls and visits for every kind, the key customers for
# quarters (the benchmarks are quarterly).
STRATEGIC_RENEWAL, KEY_CHURN, CALLS, VISITS = "strategic_renewal", "key_churn", "calls", "visits"
MEASURES = sorted(
    {code for codes in KPIS_BY_KIND.values() for code in codes}
    | {STRATEGIC_RENEWAL, KEY_CHURN, CALLS, VISITS}
)


def _periods(day: dt.date, history_months: int) -> list[tuple[str, dt.date, dt.date]]:
    """(kind, start, cut-off): the open month, quarter and year up to `day`, then every period
    starting in the `history_months` before the open month whose facts do not run to its end.
    One query."""
    wanted = [(kind, period_start(kind, day), day) for kind in FactPeriod.Kind.values]
    if history_months:
        earliest = add_months(day, -history_months)
        complete = {
            (kind, start)
            for kind, start, end, cut_off in FactPeriod.objects.filter(
                start__gte=earliest, start__lt=month_start(day)
            ).values_list("kind", "start", "end", "cut_off")
            if cut_off >= end
        }
        month = earliest
        while month < month_start(day):
            for kind in FactPeriod.Kind.values:
                start = period_start(kind, month)
                end = period_end(kind, start)
                if start == month and end < day and (kind, start) not in complete:
                    wanted.append((kind, start, end))
            month = add_months(month, 1)
    return wanted


def _key_customers(start: dt.date, end: dt.date) -> tuple[dict, dict]:
    """Per customer owner, the strategic customers renewing and the key customers (strategic
    and core) churning: customers of that tier with a signed contract whose course ended in
    [start, end], and whether they continued it by `end` — the renewal rule of the renewal
    rate (``ContractQuerySet.with_renewed``). Two queries (the window, the rows)."""
    rows = (
        Contract.objects.signed_by(end)
        .filter(ends_on__range=(start, end))
        .with_renewed(by=end)
        .annotate(tier=Coalesce("customer__tier_override", "customer__tier"))
        .filter(tier__in=["strategic", "core"])
        .values_list("customer__owner_id", "tier", "customer_id", "renewed")
    )
    renewed_by: dict = {}
    for owner, tier, customer, renewed in rows:
        key = (owner, tier, customer)
        renewed_by[key] = renewed_by.get(key, False) or renewed
    strategic, churn = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    for (owner, tier, _customer), renewed in renewed_by.items():
        if tier == "strategic":
            strategic[owner][0] += renewed
            strategic[owner][1] += 1
        churn[owner][0] += not renewed
        churn[owner][1] += 1
    as_ratios = {
        owner: kpis.Ratio(Decimal(n), Decimal(d)) for owner, (n, d) in strategic.items() if owner
    }
    churn_ratios = {
        owner: kpis.Ratio(Decimal(n), Decimal(d)) for owner, (n, d) in churn.items() if owner
    }
    return as_ratios, churn_ratios


def _activity(start: dt.date, end: dt.date) -> tuple[dict, dict]:
    """Per rep, phone calls and effective visits logged in [start, end] against those planned
    in the weekly plans starting in it. Two queries."""
    planned = (
        ActivityPlan.objects.filter(week_start__range=(start, end))
        .values("rep_id")
        .annotate(calls=Sum("calls"), visits=Sum("visits"))
        .values_list("rep_id", "calls", "visits")
    )
    low, high = day_bounds(start, end)
    done = (
        Activity.objects.filter(occurred_at__gte=low, occurred_at__lt=high, actor__isnull=False)
        .values("actor_id")
        .annotate(  # "kind", not "id": activity_period_kind_idx alone answers
            calls=Count("kind", filter=Q(kind=Activity.Kind.PHONE)),
            visits=Count("kind", filter=Q(kind__in=Activity.EFFECTIVE_VISIT_KINDS)),
        )
        .values_list("actor_id", "calls", "visits")
    )
    figures: dict = defaultdict(lambda: [0, 0, 0, 0])  # calls, planned, visits, planned
    for rep, calls, visits in planned:
        figures[rep][1] += calls or 0
        figures[rep][3] += visits or 0
    for rep, calls, visits in done:
        figures[rep][0] += calls
        figures[rep][2] += visits
    calls = {rep: kpis.Ratio(Decimal(f[0]), Decimal(f[1])) for rep, f in figures.items()}
    visits = {rep: kpis.Ratio(Decimal(f[2]), Decimal(f[3])) for rep, f in figures.items()}
    return calls, visits


def _channels(start: dt.date, end: dt.date) -> dict:
    """{(owner, channel, campaign): [leads, won, signed amount]}. Two queries."""
    low, high = day_bounds(start, end)
    figures: dict = defaultdict(lambda: [0, 0, ZERO])
    for owner, channel, campaign, count, won in (
        Lead.objects.filter(created_at__gte=low, created_at__lt=high, owner__isnull=False)
        .values("owner_id", "channel_id", "campaign_id")
        .annotate(leads=Count("id"), won=Count("id", filter=Q(stage=Lead.Stage.WON)))
        .values_list("owner_id", "channel_id", "campaign_id", "leads", "won")
    ):
        figures[(owner, channel, campaign)][0] += count
        figures[(owner, channel, campaign)][1] += won
    for owner, channel, campaign, total in (
        Contract.objects.signed_between(start, end)
        .values(
            "owner_id",
            channel=F("customer__lead__channel_id"),
            campaign=F("customer__lead__campaign_id"),
        )
        .annotate(total=Sum("total_amount"))
        .values_list("owner_id", "channel", "campaign", "total")
    ):
        figures[(owner, channel, campaign)][2] += total
    return figures


def _product_lines(start: dt.date, end: dt.date) -> list[tuple]:
    """[(owner, product line, amount)] of the contract lines signed in [start, end]."""
    return list(
        ContractLine.objects.filter(
            contract__status__in=Contract.SIGNED_STATES,
            contract__signed_on__range=(start, end),
        )
        .values("contract__owner_id", "product__product_line_id")
        .annotate(total=Sum("amount"))
        .values_list("contract__owner_id", "product__product_line_id", "total")
    )


def facts_replace(*, kind: str, start: dt.date, cut_off: dt.date) -> dict:
    """Replace the facts of one period with what the source rows say up to the end of
    `cut_off` (the caller holds the transaction)."""
    end = period_end(kind, start)
    ratios = kpis.compute_all(start, cut_off, KPIS_BY_KIND[kind])
    if kind == FactPeriod.Kind.QUARTER:  # the benchmarks are quarterly
        ratios[STRATEGIC_RENEWAL], ratios[KEY_CHURN] = _key_customers(start, cut_off)
    ratios[CALLS], ratios[VISITS] = _activity(start, cut_off)
    channels = _channels(start, cut_off)
    lines = _product_lines(start, cut_off)

    FactPeriod.objects.filter(kind=kind, start=start).delete()  # its facts go with it
    period = FactPeriod.objects.create(
        kind=kind,
        start=start,
        end=end,
        cut_off=cut_off,
        measures=sorted(ratios),
        computed_at=timezone.now(),
    )
    kpi_facts = [
        KpiFact(
            period=period,
            owner_id=owner,
            measure=measure,
            numerator=ratio.numerator,
            denominator=ratio.denominator,
        )
        for measure, by_owner in ratios.items()
        for owner, ratio in by_owner.items()
        if owner is not None
    ]
    channel_facts = [
        ChannelFact(
            period=period,
            owner_id=owner,
            channel_id=channel,
            campaign_id=campaign,
            leads=leads,
            won=won,
            signed_amount=amount,
        )
        for (owner, channel, campaign), (leads, won, amount) in channels.items()
        if owner is not None
    ]
    line_facts = [
        ProductLineFact(period=period, owner_id=owner, product_line_id=line, amount=amount)
        for owner, line, amount in lines
        if owner is not None
    ]
    KpiFact.objects.bulk_create(kpi_facts, batch_size=2000)
    ChannelFact.objects.bulk_create(channel_facts, batch_size=2000)
    ProductLineFact.objects.bulk_create(line_facts, batch_size=2000)
    return {"kpi_facts": len(kpi_facts), "channel_facts": len(channel_facts)}


def kpi_ratios(
    kind: str, start: dt.date, cut_off: dt.date, codes
) -> dict[str, dict[int, kpis.Ratio]]:
    """Per KPI code, each owner's Ratio for the period up to `cut_off`, as
    ``kpis.compute_all`` would return it: read from the facts when tonight's (or a frozen)
    computation of that period and cut-off holds the code, computed for the codes it does not.
    Two queries when the facts have them all."""
    codes = sorted(set(codes))
    period = FactPeriod.objects.filter(kind=kind, start=start, cut_off=cut_off).first()
    stored = set(period.measures) & set(codes) if period else set()
    ratios: dict = {code: {} for code in stored}
    if stored:
        ratios.update(KpiFact.objects.filter(period=period, measure__in=stored).ratios())
    missing = [code for code in codes if code not in stored]
    if missing:
        ratios.update(kpis.compute_all(start, cut_off, missing))
    return ratios


# The source rows that can be dated into a period whose facts are already frozen (entered
# late, or corrected in the admin), with the dates that place a row in a period. Each has a
# history table (simple_history), which says when a row changed and who changed it.
RESTATING_SOURCES = [
    ("payment", "customers.Payment", ["received_on"]),
    ("refund", "customers.Refund", ["confirmed_on"]),
    ("contract", "customers.Contract", ["signed_on", "ends_on"]),
]
_CHANGE = {"+": "created", "~": "changed", "-": "deleted"}


def _restatements_due(day: dt.date) -> dict[tuple[str, dt.date], list[dict]]:
    """{(kind, start): [changed source row]} of the frozen periods before `day` that a source
    row changed since the facts were last computed touches: a row counts for every date any
    version of it held (a payment moved from September to October changes both). Changes
    before the last computation were seen by it; two queries per source, fewer when nothing
    changed."""
    last_run = FactPeriod.objects.aggregate(last=Max("computed_at"))["last"]
    if last_run is None:
        return {}
    frozen = list(
        FactPeriod.objects.filter(cut_off__gte=F("end"), end__lt=day).values_list(
            "kind", "start", "end", "computed_at"
        )
    )
    due: dict = defaultdict(list)
    if not frozen:
        return due
    for label, model_path, date_fields in RESTATING_SOURCES:
        history = apps.get_model(model_path).history.model
        changed = list(
            history.objects.filter(history_date__gt=last_run)
            .order_by("history_date", "history_id")
            .values_list("id", "history_date", "history_user__username", "history_type")
        )
        if not changed:
            continue
        dates: dict = defaultdict(set)
        for row_id, *values in history.objects.filter(
            id__in={row[0] for row in changed}
        ).values_list("id", *date_fields):
            dates[row_id].update(value for value in values if value is not None)
        for row_id, changed_at, by, change in changed:
            for kind, start, end, computed_at in frozen:
                inside = sorted(d for d in dates[row_id] if start <= d <= end)
                if inside and changed_at > computed_at:
                    due[(kind, start)].append(
                        {
                            "row": f"{label} {row_id}",
                            "dates": [d.isoformat() for d in inside],
                            "changed_at": changed_at.isoformat(),
                            "by": by or "",
                            "change": _CHANGE.get(change, change),
                        }
                    )
    return due


def _text(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _figures(period_kind: str, start: dt.date) -> dict[tuple[str, int], list]:
    return {
        (measure, owner): [_text(numerator), _text(denominator)]
        for measure, owner, numerator, denominator in KpiFact.objects.filter(
            period__kind=period_kind, period__start=start
        ).values_list("measure", "owner_id", "numerator", "denominator")
    }


def facts_restate(*, kind: str, start: dt.date, sources: list[dict]) -> FactRestatement | None:
    """Recompute a frozen period's facts to its end and record what changed (None when no
    figure did: a payment's reference corrected, say)."""
    period = FactPeriod.objects.get(kind=kind, start=start)
    before = _figures(kind, start)
    facts_replace(kind=kind, start=start, cut_off=period.end)
    after = _figures(kind, start)
    changes = []
    for measure, owner in sorted(set(before) | set(after)):
        old, new = before.get((measure, owner)), after.get((measure, owner))
        if old != new:
            changes.append({"measure": measure, "owner": owner, "before": old, "after": new})
    if not changes:
        return None
    return FactRestatement.objects.create(
        kind=kind,
        start=start,
        restated_at=timezone.now(),
        previous_computed_at=period.computed_at,
        sources=sources,
        changes=changes,
    )


def dashboard_facts_compute(*, day: dt.date, history_months: int | None = None) -> dict:
    """Replace the facts of the open month, quarter and year up to `day`, and of every earlier
    period (within `history_months`, default ``settings.DASHBOARD_FACTS_HISTORY_MONTHS``)
    whose facts do not run to its end yet; restate the frozen periods whose source rows
    changed since the last computation."""
    if history_months is None:
        history_months = settings.DASHBOARD_FACTS_HISTORY_MONTHS
    counts = {"periods": 0, "kpi_facts": 0, "channel_facts": 0, "restated": 0}
    due = _restatements_due(day)  # before anything is recomputed: it reads the last run's time
    for kind, start, cut_off in _periods(day, history_months):
        written = facts_replace(kind=kind, start=start, cut_off=cut_off)
        counts["periods"] += 1
        counts["kpi_facts"] += written["kpi_facts"]
        counts["channel_facts"] += written["channel_facts"]
    for (kind, start), sources in sorted(due.items()):
        if facts_restate(kind=kind, start=start, sources=sources) is not None:
            counts["restated"] += 1
    return counts
