"""The KPI catalogue (SPEC §5, seeds 000–003): every KPI a scheme can weigh, as a documented
formula over a period with its unit, direction and source.

Each KPI is computed per rep as a numerator and a denominator (``Ratio``), in a constant number
of queries whatever the number of reps: the amounts come from ``targets.selectors`` (the one
place the actual values are queried), the rest from one aggregate query per source. A team's
or the company's value is the sum of its reps' numerators over the sum of their denominators
(team = the rep's current team), so a ratio is never an average of ratios.
"""

import datetime as dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DateField,
    DecimalField,
    Exists,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least, TruncWeek
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.models import Complaint, Contract, Instalment, Payment, Refund, SatisfactionSurvey
from leads.models import Activity, ActivityPlan, Lead
from salescrm.money import round_percent
from salescrm.timeutil import SHANGHAI, day_bounds, month_start
from targets import selectors
from targets.models import Target, TargetPlan

from .commission import round_to_total

HUNDRED = Decimal(100)
ZERO = Decimal(0)
HIGHER, LOWER = "higher", "lower"


@dataclass(frozen=True)
class Ratio:
    numerator: Decimal
    denominator: Decimal | None = None  # None: the KPI is a plain amount or count

    def __add__(self, other: "Ratio") -> "Ratio":
        if self.denominator is None and other.denominator is None:
            return Ratio(self.numerator + other.numerator)
        return Ratio(
            self.numerator + other.numerator,
            (self.denominator or ZERO) + (other.denominator or ZERO),
        )


@dataclass(frozen=True)
class Kpi:
    code: str
    label: str
    unit: str
    direction: str
    source: str
    formula: str
    compute: Callable[[dt.date, dt.date], dict[int, Ratio]]
    scale: Decimal = Decimal(1)  # 100 for a percentage
    rated: bool = False  # rated by the manager (ManagerRating), not computed from rows

    def value(self, ratio: Ratio | None) -> Decimal | None:
        """The KPI's figure: numerator ÷ denominator × scale (None when nothing to divide by)."""
        if ratio is None:
            return ZERO if self.plain else None
        if ratio.denominator is None:
            return ratio.numerator
        if ratio.denominator == 0:
            return None
        return ratio.numerator * self.scale / ratio.denominator

    @property
    def plain(self) -> bool:
        return self.code in PLAIN_KPIS


def _as_ratios(values: dict, denominators: dict | None = None) -> dict[int, Ratio]:
    if denominators is None:
        return {
            owner: Ratio(Decimal(value)) for owner, value in values.items() if owner is not None
        }
    owners = {o for o in set(values) | set(denominators) if o is not None}
    return {o: Ratio(Decimal(values.get(o, 0)), Decimal(denominators.get(o, 0))) for o in owners}


def _grouped(rows: Iterable[tuple]) -> dict:
    totals = defaultdict(Decimal)
    for owner, value in rows:
        totals[owner] += Decimal(value or 0)
    return dict(totals)


# Several KPIs read the same source rows for a period (the signed amount: target
# achievement, average deal size, referral share; the collected amount: itself and the refund
# rate; the surveys: satisfaction and NPS; the instalments: on-time and overdue). While
# compute_all runs, each source query runs once per period; outside it, every call queries.
_shared_sources: ContextVar[dict | None] = ContextVar("kpi_shared_sources", default=None)


def _shared(source):
    @functools.wraps(source)
    def read(start, end):
        memo = _shared_sources.get()
        if memo is None:
            return source(start, end)
        key = (source.__name__, start, end)
        if key not in memo:
            memo[key] = source(start, end)
        return memo[key]

    return read


@_shared
def _signed(start, end) -> dict:
    return selectors.signed_amount(start, end)


@_shared
def _collected(start, end) -> dict:
    return selectors.collected_amount(start, end)


# --- the formulas -------------------------------------------------------------------------


def _signed_amount(start, end):
    return _as_ratios(_signed(start, end))


def _collected_amount(start, end):
    return _as_ratios(_collected(start, end))


def targets_by(metric: str, start: dt.date, end: dt.date, level: str = "rep") -> dict:
    """The published monthly targets of `metric` for the months in [start, end], summed per
    rep (level "rep") or per team (level "team"); one query."""
    key = "rep_id" if level == "rep" else "team_id"
    return _grouped(
        Target.objects.filter(
            level=level,
            plan__metric=metric,
            plan__status=TargetPlan.Status.PUBLISHED,
            month__gte=month_start(start),
            month__lte=end,
        )
        .order_by()
        .values_list(key, "value")
    )


def _target_achievement(start, end):
    targets = targets_by("signed_amount", start, end)
    return _as_ratios(_signed(start, end), targets)


def _new_customers(start, end):
    return _as_ratios(selectors.new_customers(start, end))


def _effective_visits(start, end):
    return _as_ratios(selectors.effective_visits(start, end))


def _renewal_rate(start, end):
    """Of the signed contracts whose course ends in the period (up to the cut-off), the
    share whose customer continued: another contract of theirs, signed by the cut-off, starts
    within the renewal window of that end (``customers.models.continues``, the rule that also
    flags a contract as a renewal). Numerator and denominator count the same contracts, so the
    rate never exceeds 100 %. Example (window 30 days): three courses end on 20 October; by
    31 October one customer signed a contract starting 10 November (21 days after the end),
    one a contract starting in February (a customer coming back, not continuing), one
    nothing: October's rate is 1 ÷ 3 = 33.33 %, whatever else was signed in October. A
    renewal signed after the period's last day does not count for it. Owner: the ending
    contract's."""
    rows = (
        Contract.objects.signed_by(end)
        .filter(ends_on__range=(start, end))
        .with_renewed(by=end)
        .order_by()
        .values_list("owner_id", "renewed")
    )
    renewed, due = defaultdict(int), defaultdict(int)
    for owner, continued in rows:
        due[owner] += 1
        renewed[owner] += continued
    return _as_ratios(renewed, due)


def _week_of(field: str):
    """The Monday of the Shanghai week of a datetime field (weekly activity plans)."""
    return TruncWeek(field, output_field=DateField(), tzinfo=SHANGHAI)


@_shared
def _leads_by_week(start, end) -> list[tuple]:
    """Leads created in the period for a rep, per rep and week: (owner, week, created, won by
    the period's end). One query for the conversion rate and the plan completion."""
    low, high = day_bounds(start, end)
    return list(
        Lead.objects.filter(created_at__gte=low, created_at__lt=high, owner__isnull=False)
        .values_list("owner_id", _week_of("created_at"))
        .annotate(
            created=Count("id"),
            won=Count("id", filter=Q(stage=Lead.Stage.WON, won_at__lt=high)),
        )
        .order_by()
    )


def _lead_conversion(start, end):
    created, won = defaultdict(int), defaultdict(int)
    for owner, _week, count, won_count in _leads_by_week(start, end):
        created[owner] += count
        won[owner] += won_count
    return {owner: Ratio(Decimal(won[owner]), Decimal(created[owner])) for owner in created}


def _average_deal_size(start, end):
    counts = dict(
        Contract.objects.signed_between(start, end)
        .values("owner_id")
        .annotate(n=Count("id"))
        .values_list("owner_id", "n")
    )
    return _as_ratios(_signed(start, end), counts)


def _sales_cycle_days(start, end):
    """Average days from first contact to won, over the leads won in the period. First
    contact: the lead's first logged activity, or its creation when it has none. A lead won
    on the (Shanghai) day of its first contact — a walk-in who paid at once — has no cycle to
    measure and is left out, so it cannot pull a rep's average to zero and win the KPI; a rep
    whose every win was same-day has no value. Example: contact 3 Nov 10:00, won 13 Nov
    10:00 = 10 days; another lead created and won on 5 Nov is not counted."""
    low, high = day_bounds(start, end)
    first_activity = (
        Activity.objects.filter(lead=OuterRef("pk"))
        .order_by()
        .values("lead")
        .annotate(first=Min("occurred_at"))
        .values("first")
    )
    rows = (
        Lead.objects.filter(won_at__gte=low, won_at__lt=high, owner__isnull=False)
        .annotate(first_contact=Coalesce(Subquery(first_activity), "created_at"))
        .order_by()
        .values_list("owner_id", "won_at", "first_contact")
    )
    days, counts = defaultdict(Decimal), defaultdict(Decimal)
    for owner, won_at, first in rows:
        if won_at.astimezone(SHANGHAI).date() <= first.astimezone(SHANGHAI).date():
            continue
        days[owner] += Decimal((won_at - first).total_seconds()) / 86400
        counts[owner] += 1
    return {owner: Ratio(days[owner], counts[owner]) for owner in counts}


def _refunds(start, end) -> dict:
    return _grouped(
        Refund.objects.filter(status=Refund.Status.CONFIRMED, confirmed_on__range=(start, end))
        .order_by()
        .values_list("contract__owner_id", "amount")
    )


def _refund_rate(start, end):
    refunds = _refunds(start, end)
    # collected = payments − refunds, so payments = collected + refunds
    collected = _collected(start, end)
    payments = {
        o: collected.get(o, ZERO) + refunds.get(o, ZERO) for o in set(collected) | set(refunds)
    }
    return _as_ratios(refunds, payments)


@_shared
def _instalments(start, end) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Per owner, the instalments due in the period: (amount due, the part of each paid by
    its due date, the part of each still unpaid at the period's end), summed in the
    database, one query."""
    money = DecimalField(max_digits=14, decimal_places=2)

    def paid(by):
        payments = Payment.objects.filter(instalment=OuterRef("pk"), received_on__lte=by)
        total = payments.values("instalment").annotate(total=Sum("amount")).values("total")
        return Coalesce(Subquery(total, output_field=money), Value(ZERO, output_field=money))

    rows = (
        Instalment.objects.filter(
            due_on__range=(start, end), contract__status__in=Contract.SIGNED_STATES
        )
        .values("contract__owner_id")
        .annotate(
            due=Sum("amount"),
            on_time=Sum(Least("amount", paid(OuterRef("due_on")))),
            overdue=Sum(Greatest(Value(ZERO, output_field=money), F("amount") - paid(end))),
        )
        .order_by()
    )
    return {r["contract__owner_id"]: (r["due"], r["on_time"], r["overdue"]) for r in rows}


def _on_time_collection_rate(start, end):
    instalments = _instalments(start, end)
    return _as_ratios(
        {owner: on_time for owner, (_due, on_time, _o) in instalments.items()},
        {owner: due for owner, (due, _t, _o) in instalments.items()},
    )


def _overdue_ratio(start, end):
    instalments = _instalments(start, end)
    return _as_ratios(
        {owner: overdue for owner, (_due, _t, overdue) in instalments.items()},
        {owner: due for owner, (due, _t, _o) in instalments.items()},
    )


def repeat_purchase():
    """Exists: the contract's customer signed another contract before it (an earlier day, or
    the same day with a smaller id) — a renewal or a new purchase of an old customer (seed
    003: 老客户新签)."""
    return Exists(
        Contract.objects.filter(
            customer=OuterRef("customer"), status__in=Contract.SIGNED_STATES
        ).filter(
            Q(signed_on__lt=OuterRef("signed_on"))
            | Q(signed_on=OuterRef("signed_on"), pk__lt=OuterRef("pk"))
        )
    )


def _old_customer_share(start, end):
    old = dict(
        Contract.objects.signed_between(start, end)
        .filter(repeat_purchase())
        .values("owner_id")
        .annotate(total=Sum("total_amount"))
        .values_list("owner_id", "total")
    )
    return _as_ratios(old, _signed(start, end))


def _referral_share(start, end):
    referred = dict(
        Contract.objects.signed_between(start, end)
        .filter(customer__lead__channel__code="referral")
        .values("owner_id")
        .annotate(total=Sum("total_amount"))
        .values_list("owner_id", "total")
    )
    return _as_ratios(referred, _signed(start, end))


@_shared
def _surveys(start, end) -> list[dict]:
    return list(
        SatisfactionSurvey.objects.filter(answered_on__range=(start, end))
        .values("customer__owner_id")
        .annotate(
            answers=Count("id"),
            score_total=Sum("score"),
            promoters=Count("id", filter=Q(nps__gte=9)),
            detractors=Count("id", filter=Q(nps__lte=6)),
        )
    )


def _satisfaction(start, end):
    return {
        r["customer__owner_id"]: Ratio(Decimal(r["score_total"]), Decimal(r["answers"]))
        for r in _surveys(start, end)
    }


def _nps(start, end):
    return {
        r["customer__owner_id"]: Ratio(
            Decimal(r["promoters"] - r["detractors"]), Decimal(r["answers"])
        )
        for r in _surveys(start, end)
    }


def _complaint_response_24h(start, end):
    low, high = day_bounds(start, end)
    rows = (
        Complaint.objects.filter(opened_at__gte=low, opened_at__lt=high)
        .values("customer__owner_id")
        .annotate(
            opened=Count("id"),
            in_time=Count(
                "id", filter=Q(first_response_at__lte=F("opened_at") + dt.timedelta(hours=24))
            ),
        )
    )
    return {
        r["customer__owner_id"]: Ratio(Decimal(r["in_time"]), Decimal(r["opened"])) for r in rows
    }


def _activity_plan_completion(start, end):
    """Planned (calls + visits + new leads + trial lessons) of the weeks starting in the
    period against what was done in those weeks up to the period's end: phone calls,
    effective visits (trial lessons among them), leads created for the rep. Counted per rep
    and week in the database (weeks start on Monday there too)."""
    plans = list(
        ActivityPlan.objects.filter(week_start__range=(start, end)).values_list(
            "rep_id", "week_start", F("calls") + F("visits") + F("new_leads") + F("trial_lessons")
        )
    )
    if not plans:
        return {}
    planned = _grouped((rep, total) for rep, _week, total in plans)
    first = min(week for _rep, week, _t in plans)
    # up to the end of the last planned week, but never past the cut-off
    last = min(max(week for _rep, week, _t in plans) + dt.timedelta(days=6), end)
    low, high = day_bounds(first, last)
    weeks = {(rep, week) for rep, week, _t in plans}
    done = defaultdict(Decimal)
    activity_rows = (
        Activity.objects.filter(
            occurred_at__gte=low,
            occurred_at__lt=high,
            kind__in=[Activity.Kind.PHONE, *Activity.EFFECTIVE_VISIT_KINDS],
            actor__isnull=False,
        )
        .values_list("actor_id", _week_of("occurred_at"))
        .annotate(n=Count("*"))  # not "id": activity_period_kind_idx alone answers
        .order_by()
    )
    # The period's leads per week: every planned week starts in the period and is counted up
    # to `last` at most, which is the period's end whenever it cuts a week short.
    lead_rows = [
        (owner, week, created) for owner, week, created, _won in _leads_by_week(start, end)
    ]
    for owner, week, count in [*activity_rows, *lead_rows]:
        if (owner, week) in weeks:
            done[owner] += count
    return _as_ratios(done, planned)


# fmt: off
KPIS: list[Kpi] = [
    Kpi("target_achievement", _("Signing achievement rate"), "%", HIGHER,
        _("contracts signed; rep targets of the signed-amount plan"),
        _("signed amount ÷ the rep's signed-amount target of the period × 100"),
        _target_achievement, HUNDRED),
    Kpi("signed_amount", _("New signed amount"), "CNY", HIGHER,
        _("contracts signed (targets.selectors.signed_amount)"),
        _("sum of the amounts of contracts signed in the period"), _signed_amount),
    Kpi("collected_amount", _("Collected amount"), "CNY", HIGHER,
        _("payments and confirmed refunds (targets.selectors.collected_amount)"),
        _("payments received in the period minus refunds confirmed in it"), _collected_amount),
    Kpi("lead_conversion", _("Lead conversion rate"), "%", HIGHER, _("leads"),
        _("leads created in the period that were won by its end ÷ leads created in it × 100"),
        _lead_conversion, HUNDRED),
    Kpi("average_deal_size", _("Average deal size"), "CNY", HIGHER, _("contracts signed"),
        _("signed amount ÷ number of contracts signed in the period"), _average_deal_size),
    Kpi("sales_cycle_days", _("Sales cycle"), _("days"), LOWER, _("leads and their stage changes"),
        _("average days from first contact (the lead's first activity, or its creation) to won, for leads won in the period; leads won on the day of first contact are left out"),
        _sales_cycle_days),
    Kpi("renewal_rate", _("Renewal rate"), "%", HIGHER, _("contracts"),
        _("signed contracts whose course ends in the period and whose customer signed a renewal starting within the renewal window of that end, by the period's end ÷ signed contracts whose course ends in it × 100"),
        _renewal_rate, HUNDRED),
    Kpi("refund_rate", _("Refund rate"), "%", LOWER, _("refunds and payments"),
        _("refunds confirmed in the period ÷ payments received in it × 100"), _refund_rate, HUNDRED),
    Kpi("on_time_collection_rate", _("On-time collection rate"), "%", HIGHER, _("instalments and payments"),
        _("of the instalments due in the period, the amount paid by each due date ÷ the amount due × 100"),
        _on_time_collection_rate, HUNDRED),
    Kpi("overdue_ratio", _("Overdue ratio"), "%", LOWER, _("instalments and payments"),
        _("of the instalments due in the period, the amount still unpaid at its end ÷ the amount due × 100"),
        _overdue_ratio, HUNDRED),
    Kpi("effective_visits", _("Effective visits"), pgettext_lazy("unit", "visits"), HIGHER,
        _("activities (targets.selectors.effective_visits)"),
        _("on-site visits, online meetings, trial lessons and campus tours logged in the period"),
        _effective_visits),
    Kpi("new_customers", _("New customers"), pgettext_lazy("unit", "customers"), HIGHER,
        _("customers (targets.selectors.new_customers)"),
        _("customers who signed their first contract in the period"), _new_customers),
    Kpi("referral_share", _("Referral share of new signed amount"), "%", HIGHER,
        _("contracts signed and the channel of their lead"),
        _("signed amount of customers referred by old customers ÷ signed amount × 100 (goal ≥ 20 %)"),
        _referral_share, HUNDRED),
    Kpi("satisfaction", _("Customer satisfaction"), _("points of 5"), HIGHER, _("satisfaction surveys"),
        _("average satisfaction score (1–5) of surveys answered in the period (goal ≥ 4.5)"),
        _satisfaction),
    Kpi("nps", _("Net promoter score"), pgettext_lazy("unit", "points"), HIGHER, _("satisfaction surveys"),
        _("(promoters 9–10 − detractors 0–6) ÷ answers × 100, surveys answered in the period"),
        _nps, HUNDRED),
    Kpi("complaint_response_24h", _("Complaints answered within 24 h"), "%", HIGHER, _("complaints"),
        _("complaints opened in the period with a first response within 24 hours ÷ complaints opened × 100"),
        _complaint_response_24h, HUNDRED),
    Kpi("activity_plan_completion", _("Activity plan completion"), "%", HIGHER,
        _("weekly activity plans, activities and leads"),
        _("calls, effective visits, new leads and trial lessons done in the weeks planned ÷ planned × 100"),
        _activity_plan_completion, HUNDRED),
    # issue 20 (analytics): seed 003's 老客户新签金额占比
    Kpi("old_customer_share", _("Old customers' share of new signed amount"), "%", HIGHER,
        _("contracts signed and the customer's earlier contracts"),
        _("signed amount of contracts whose customer had signed a contract before (renewals and new purchases alike) ÷ signed amount × 100"),
        _old_customer_share, HUNDRED),
]
# fmt: on

PLAIN_KPIS = {"signed_amount", "collected_amount", "effective_visits", "new_customers"}
KPI_BY_CODE = {kpi.code: kpi for kpi in KPIS}
KPI_CHOICES = [(kpi.code, kpi.label) for kpi in KPIS]


def kpi_choices() -> list[tuple[str, str]]:
    """The catalogue as choices, read when a form is drawn, so the KPIs that apps built on
    this one register (``register_kpi``) are offered too."""
    return list(KPI_CHOICES)


# Why a ratio KPI can have no value in a period: there is nothing to divide by.
NO_VALUE_REASONS = {
    "target_achievement": _("no signed-amount target for the period"),
    "lead_conversion": _("no leads created in the period"),
    "average_deal_size": _("no contracts signed in the period"),
    "sales_cycle_days": _("no leads won in the period"),
    "renewal_rate": _("no signed contracts whose course ends in the period"),
    "refund_rate": _("no payments received in the period"),
    "on_time_collection_rate": _("no instalments due in the period"),
    "overdue_ratio": _("no instalments due in the period"),
    "referral_share": _("no amount signed in the period"),
    "satisfaction": _("no satisfaction surveys answered in the period"),
    "nps": _("no satisfaction surveys answered in the period"),
    "complaint_response_24h": _("no complaints opened in the period"),
    "activity_plan_completion": _("no weekly activity plan in the period"),
    "old_customer_share": _("no amount signed in the period"),
}


def register_kpi(kpi: Kpi, *, no_value_reason=None, plain: bool = False) -> None:
    """Add a KPI defined by an app built on this one (the enablement app's people KPIs, from
    its AppConfig.ready), so that the admin can put it into a scheme with a weight and the
    scorecards compute it like the others. `plain`: an amount or count, not a ratio."""
    if kpi.code in KPI_BY_CODE:
        return
    KPIS.append(kpi)
    KPI_BY_CODE[kpi.code] = kpi
    KPI_CHOICES.append((kpi.code, kpi.label))
    if no_value_reason is not None:
        NO_VALUE_REASONS[kpi.code] = no_value_reason
    if plain:
        PLAIN_KPIS.add(kpi.code)


def _not_computed(start, end) -> dict[int, Ratio]:
    """A KPI rated by the manager has nothing to compute from the source rows: the scorecards
    read its ratings (``performance.ratings``) for the exact period."""
    return {}


def register_rated_kpi(code: str, label, *, formula=None) -> Kpi:
    """A KPI the rep's manager rates on the scheme line's scale (1 … scale); it scores
    rating ÷ scale × 100 and, not rated yet, counts for nothing like a KPI with no data."""
    kpi = Kpi(
        code,
        label,
        pgettext_lazy("unit", "rating"),
        HIGHER,
        _("ratings by the rep's manager or the director"),
        formula or _("the manager's rating ÷ the scale's highest rating × 100"),
        _not_computed,
        HUNDRED,
        rated=True,
    )
    register_kpi(kpi, no_value_reason=_("not rated by the manager yet"))
    return kpi


def rated_codes() -> set[str]:
    return {kpi.code for kpi in KPIS if kpi.rated}


# seed 002: 团队协作、工作态度, beside the computed KPIs
register_rated_kpi("teamwork", _("Teamwork (rated by the manager)"))
register_rated_kpi("attitude", _("Work attitude (rated by the manager)"))


def compute_all(
    start: dt.date, end: dt.date, codes: Iterable[str] | None = None
) -> dict[str, dict[int, Ratio]]:
    """Per KPI code, each rep's Ratio for the period (a constant number of queries)."""
    wanted = list(codes) if codes is not None else list(KPI_BY_CODE)
    token = _shared_sources.set({})
    try:
        return {code: KPI_BY_CODE[code].compute(start, end) for code in wanted}
    finally:
        _shared_sources.reset(token)


def rollup(ratios: dict[int, Ratio], members: dict[int, Iterable[int]]) -> dict[object, Ratio]:
    """Sum the reps' ratios into groups: `members` maps a group key (a team id, "company")
    to its rep ids."""
    result = {}
    for key, reps in members.items():
        parts = [ratios[rep] for rep in reps if rep in ratios]
        if parts:
            total = parts[0]
            for part in parts[1:]:
                total = total + part
            result[key] = total
    return result


# --- scoring -----------------------------------------------------------------------------


def parse_steps(text: str) -> list[tuple[Decimal, Decimal]]:
    """ "80=60, 100=100" -> [(80, 60), (100, 100)], sorted; ValueError with a clear message."""
    steps = []
    for part in filter(None, (p.strip() for p in text.replace(";", ",").split(","))):
        try:
            threshold, score = (Decimal(x.strip()) for x in part.split("="))
        except Exception as exc:
            raise ValueError(f'"{part}" is not of the form achievement=score') from exc
        steps.append((threshold, score))
    if not steps:
        raise ValueError("Give at least one achievement=score step.")
    return sorted(steps)


def attainment(actual: Decimal, target: Decimal, direction: str) -> Decimal | None:
    """How far the actual is towards the target, in % (100 = on target). Lower-is-better KPIs
    invert the ratio. None when it cannot be said (a zero target of a higher-is-better KPI
    is met by anything)."""
    if direction == LOWER:
        if actual <= 0:
            return None  # nothing at all: better than any target
        return target * HUNDRED / actual
    if target <= 0:
        return None
    return actual * HUNDRED / target


def score(
    actual: Decimal | None,
    target: Decimal,
    direction: str,
    rule: str,
    cap: Decimal,
    steps: str = "",
) -> Decimal | None:
    """The KPI's score (0 up to the cap, 100 = target met), rounded to 0.01; None when the
    period has no data for it (e.g. no complaints to answer)."""
    if actual is None:
        return None
    reached = attainment(actual, target, direction)
    if rule == "steps":
        table = parse_steps(steps)
        if reached is None:
            return table[-1][1]
        points = [points for threshold, points in table if reached >= threshold]
        result = points[-1] if points else ZERO
    else:
        result = cap if reached is None else max(ZERO, min(cap, reached))
    return round_percent(result)


@dataclass(frozen=True)
class Weighed:
    """A scorecard line as the total counts it: None for both when the KPI has no value."""

    effective_weight: Decimal | None  # % of the total, the scored lines' add up to 100.00
    weighted_score: Decimal | None  # score × effective weight; the lines add up to the total


def weigh(lines: list[tuple[Decimal | None, Decimal]]) -> tuple[list[Weighed], Decimal]:
    """Each line's effective weight and weighted score, and the total (``weighted_total``).

    A KPI with no value in the period counts for nothing and the others' weights are scaled
    up in proportion. Example: weights 40 / 30 / 30, the last KPI has no value (no
    complaints): effective weights 57.14 / 42.86 / —; scores 120 and 90 give 68.57 + 38.57 =
    107.14 (120 × 4/7 + 90 × 3/7 = 107.142…). Both columns are rounded by largest remainders,
    so the effective weights add up to exactly 100.00 and the weighted scores to exactly the
    total shown."""
    total = weighted_total(lines)
    scored = [index for index, (score, _weight) in enumerate(lines) if score is not None]
    weights = sum((lines[i][1] for i in scored), ZERO)
    result = [Weighed(None, None)] * len(lines)
    if not weights:
        return result, total
    shares = [lines[i][1] * HUNDRED / weights for i in scored]
    effective = round_to_total(shares, HUNDRED)
    parts = round_to_total([lines[i][0] * lines[i][1] / weights for i in scored], total)
    for index, share, part in zip(scored, effective, parts, strict=True):
        result[index] = Weighed(share, part)
    return result, total


def weighted_total(lines: list[tuple[Decimal | None, Decimal]]) -> Decimal:
    """Σ score × weight ÷ Σ weight over the KPIs with data, so a KPI with nothing to measure in
    the period (no complaints, no surveys) neither helps nor hurts. Lines: (score, weight %)."""
    scored = [(s, w) for s, w in lines if s is not None]
    weights = sum((w for _s, w in scored), ZERO)
    if not weights:
        return ZERO
    return round_percent(sum((s * w for s, w in scored), ZERO) / weights)
