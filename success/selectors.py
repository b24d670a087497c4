"""What the customer-success pages show beyond one QuerySet: the pipeline's renewal rate,
key-customer churn, cadence compliance, process-caused complaints and feedback per quarter.
Each reads its source once, set-based."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.db.models.functions import TruncQuarter

from customers.models import ApprovalPolicy, Complaint, Contract, Customer, Tier
from rhythm.services.attendance import calendar_overrides, is_working_day
from salescrm.money import share_percent
from salescrm.timeutil import SHANGHAI, day_bounds, quarter_end, quarter_start

from .models import CadenceCompliance, Feedback, RenewalOpportunity, ServiceLevel

RENEWAL_GOAL = Decimal("90")  # strategic-customer renewal ≥ 90 % (seed 003)
CHURN_GOAL = Decimal("5")  # key-customer churn ≤ 5 % (seed 003)
PROCESS_COMPLAINT_GOAL = 3  # complaints caused by internal processes ≤ 3 a quarter


@dataclass(frozen=True)
class Rate:
    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal | None:
        return share_percent(self.numerator, self.denominator)


def effective_tier_in(tiers, prefix=""):
    """Rows whose customer's effective tier (a manager's override, else the computed tier)
    is one of `tiers`; `prefix` is the path to the customer ("customer__")."""
    override, tier = f"{prefix}tier_override", f"{prefix}tier"
    return Q(**{f"{override}__in": tiers}) | Q(
        **{f"{override}__isnull": True, f"{tier}__in": tiers}
    )


def renewal_rate(
    start: dt.date, end: dt.date, *, opportunities=None, strategic_only: bool = False
) -> Rate:
    """The renewal rate read from the pipeline: of the opportunities whose contract (signed
    by `end`) has its course ending in [start, end], the share renewed by `end`. The nightly
    job marks an opportunity renewed by the KPI's own rule (``with_renewed``), with the first
    continuing contract's signing day, so after the night of `end` this equals the KPI
    ``renewal_rate`` for the same period. Example: three courses end in October, one customer
    signs a contract starting 21 days after the end on 5 October, another only in November:
    October's rate is 1 ÷ 3."""
    rows = opportunities if opportunities is not None else RenewalOpportunity.objects.all()
    rows = rows.filter(
        course_ends_on__range=(start, end),
        contract__status__in=Contract.SIGNED_STATES,
        contract__signed_on__lte=end,
    )
    if strategic_only:
        rows = rows.filter(effective_tier_in([Tier.STRATEGIC], "customer__"))
    counts = rows.aggregate(
        due=Count("pk"),
        renewed=Count("pk", filter=Q(stage=RenewalOpportunity.Stage.RENEWED, renewed_on__lte=end)),
    )
    return Rate(counts["renewed"], counts["due"])


def pipeline_counts(opportunities) -> dict[str, int]:
    counts = dict(opportunities.order_by().values_list("stage").annotate(n=Count("pk")))
    return {stage: counts.get(stage, 0) for stage in RenewalOpportunity.Stage.values}


# --- churn ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Churn:
    start: dt.date
    cut_off: dt.date
    base: int
    churned: int
    churned_ids: tuple

    @property
    def rate(self) -> Rate:
        return Rate(self.churned, self.base)


def key_customer_churn(start: dt.date, cut_off: dt.date, *, customers=None) -> Churn:
    """Key-customer churn of a quarter (seed 003: ≤ 5 %). Key customers are strategic and core
    (a manager's override counts). A customer is *held* on a day when a contract of theirs,
    signed by that day, has a course that has not ended more than the renewal window N
    (admin, default 30 days) before it: they are studying, or may still renew. The base is
    the key customers held on the quarter's first day; the churned are those of them not held
    on its last day (today for the running quarter) — no active contract and no renewal
    within the window. Example (N = 30, Q3 = 1 July–30 September): a course ending 31 August
    is still held on 30 September (its window closes that day); one ending 30 August is not,
    unless a contract signed by 30 September continues it or runs on; a renewal signed on
    1 October counts only for Q4."""
    window = dt.timedelta(days=ApprovalPolicy.current().renewal_window_days)

    def held_on(day):
        return Exists(
            Contract.objects.signed_by(day).filter(
                customer=OuterRef("pk"), ends_on__gte=day - window
            )
        )

    rows = customers if customers is not None else Customer.objects.all()
    rows = (
        rows.filter(effective_tier_in([Tier.STRATEGIC, Tier.CORE]))
        .filter(held_on(start))
        .annotate(still=held_on(cut_off))
        .order_by()
        .values_list("pk", "still")
    )
    rows = list(rows)
    churned = tuple(sorted(pk for pk, still in rows if not still))
    return Churn(start, cut_off, len(rows), len(churned), churned)


def churn_by_quarter(year: int, today: dt.date, *, customers=None) -> list[Churn]:
    """The quarters of `year` that have begun, each up to its end or today."""
    result = []
    for month in (1, 4, 7, 10):
        start = dt.date(year, month, 1)
        if start > today:
            break
        result.append(
            key_customer_churn(start, min(quarter_end(start), today), customers=customers)
        )
    return result


# --- cadence compliance ---------------------------------------------------------------------


@dataclass(frozen=True)
class ComplianceRow:
    tier: str
    due: int
    served: int

    @property
    def rate(self) -> Rate:
        return Rate(self.served, self.due)


def cadence_compliance(user) -> tuple[dt.date | None, list[ComplianceRow], Rate]:
    """The latest night's compliance, for the owners `user` sees, per tier and in total."""
    rows = CadenceCompliance.objects.visible_to(user)
    night = rows.aggregate(last=Max("business_date"))["last"]
    if night is None:
        return None, [], Rate(0, 0)
    per_tier = (
        rows.filter(business_date=night)
        .order_by()
        .values("tier")
        .annotate(due=Sum("due"), served=Sum("served"))
    )
    by_tier = {row["tier"]: row for row in per_tier}
    result = [
        ComplianceRow(tier, by_tier[tier]["due"], by_tier[tier]["served"])
        for tier in Tier.values
        if tier in by_tier
    ]
    total = Rate(sum(r.served for r in result), sum(r.due for r in result))
    return night, result, total


# --- complaints -----------------------------------------------------------------------------


def process_complaints_by_quarter(year: int) -> list[tuple[str, int]]:
    """Complaints caused by internal processes opened in each quarter of `year` (goal ≤ 3)."""
    low, high = day_bounds(dt.date(year, 1, 1), dt.date(year, 12, 31))
    counts = dict(
        Complaint.objects.filter(
            cause=Complaint.Cause.INTERNAL_PROCESS, opened_at__gte=low, opened_at__lt=high
        )
        .annotate(quarter=TruncQuarter("opened_at", tzinfo=SHANGHAI))
        .order_by()
        .values_list("quarter")
        .annotate(n=Count("pk"))
    )
    by_month = {(q.date() if isinstance(q, dt.datetime) else q).month: n for q, n in counts.items()}
    return [(f"{year} Q{i + 1}", by_month.get(3 * i + 1, 0)) for i in range(4)]


# --- feedback -------------------------------------------------------------------------------

QUOTES_PER_GROUP = 3


@dataclass(frozen=True)
class FeedbackGroup:
    product_line: str
    kind: str
    count: int
    quotes: tuple

    @property
    def kind_label(self) -> str:
        return str(Feedback.Kind(self.kind).label)


def feedback_quarter(day: dt.date) -> tuple[dt.date, dt.date, list[FeedbackGroup]]:
    """The quarter of `day`: feedback per product line and kind, with counts and the latest
    few quotes of each group (two queries)."""
    start, end = quarter_start(day), quarter_end(day)
    rows = Feedback.objects.filter(heard_on__range=(start, end))
    counts = (
        rows.order_by()
        .values("product_line_id", "product_line__name", "kind")
        .annotate(n=Count("pk"))
        .order_by("-n", "product_line__name", "kind")
    )
    quotes = defaultdict(list)
    for line_id, kind, text in rows.order_by("-heard_on", "-id").values_list(
        "product_line_id", "kind", "text"
    )[:500]:
        if len(quotes[(line_id, kind)]) < QUOTES_PER_GROUP:
            quotes[(line_id, kind)].append(text)
    groups = [
        FeedbackGroup(
            product_line=row["product_line__name"],
            kind=row["kind"],
            count=row["n"],
            quotes=tuple(quotes[(row["product_line_id"], row["kind"])]),
        )
        for row in counts
    ]
    return start, end, groups


def feedback_export_rows(start: dt.date, end: dt.date):
    return (
        Feedback.objects.filter(heard_on__range=(start, end))
        .order_by("heard_on", "id")
        .values_list("heard_on", "product_line__name", "kind", "source", "text", "author__username")
    )


def response_cutoff(
    now: dt.datetime, hours: int, *, working: bool, overrides: dict | None = None
) -> dt.datetime:
    """The earliest opening instant whose first response is not yet late at `now`: a
    complaint opened before it has waited more than `hours` (late), one opened at it or after
    has not. In working hours (``working``) only the time of working days counts — Monday to
    Friday, public holidays off, adjusted working days (调休) worked, from rhythm's working
    calendar (`overrides`: its days near `now`) — so the clock stops over weekends and
    holidays. Example: 24 working hours before Monday 00:00 is Friday 00:00; a complaint
    opened on Saturday has waited 0 hours by then."""
    if not working:
        return now - dt.timedelta(hours=hours)
    if overrides is None:
        overrides = calendar_overrides(
            (now - dt.timedelta(days=120)).date(), now.astimezone(SHANGHAI).date()
        )
    remaining = dt.timedelta(hours=hours)
    cursor = now.astimezone(SHANGHAI)
    for _step in range(120):  # 720 hours at most: 30 working days and the days off
        day = (cursor - dt.timedelta(microseconds=1)).date()
        day_start = dt.datetime.combine(day, dt.time(0), tzinfo=SHANGHAI)
        if is_working_day(day, overrides):
            available = cursor - day_start
            if remaining < available:
                return cursor - remaining
            remaining -= available
            cursor = day_start
            if not remaining:
                # the days off just before waited nothing: the limit is the end of the last
                # working day before them
                while not is_working_day(cursor.date() - dt.timedelta(days=1), overrides):
                    cursor -= dt.timedelta(days=1)
                return cursor
        else:
            cursor = day_start
    return cursor


def complaint_deadline_rule(now: dt.datetime) -> tuple[Q, Q, Q]:
    """The tier's service level in the nightly complaint escalation (registered with
    ``customers.services.register_deadline_rule``): (the complaints of customers whose
    effective tier has a service level; those of them whose first response is late — more
    than the tier's hours; those of them unresolved too long — 48 h as before, counted in
    working hours, and then more than 48, when the level counts working hours). A tier
    without a level keeps the customers rule. Two queries (the levels, the calendar when a
    level counts working hours)."""
    levels = list(
        ServiceLevel.objects.values_list("tier", "response_hours", "response_in_working_hours")
    )
    overrides = None
    if any(working for _tier, _hours, working in levels):
        local_now = now.astimezone(SHANGHAI)
        overrides = calendar_overrides(
            (local_now - dt.timedelta(days=120)).date(), local_now.date()
        )
    resolution_hours = Complaint.RESOLUTION_HOURS
    covered, response_late, resolution_late = Q(pk__in=[]), Q(pk__in=[]), Q(pk__in=[])
    for tier, hours, working in levels:
        of_tier = effective_tier_in([tier], "customer__")
        covered |= of_tier
        cutoff = response_cutoff(now, hours, working=working, overrides=overrides)
        response_late |= of_tier & Q(opened_at__lt=cutoff)
        if working:
            resolve_by = response_cutoff(now, resolution_hours, working=True, overrides=overrides)
            resolution_late |= of_tier & Q(opened_at__lt=resolve_by)
        else:
            resolve_by = now - dt.timedelta(hours=resolution_hours)
            resolution_late |= of_tier & Q(opened_at__lte=resolve_by)
    return covered, response_late, resolution_late


def late_first_responses(complaints, now: dt.datetime):
    """Complaints still without a first response past their tier's response time (admin-set
    per tier: strategic 24 h by default; in working hours when the level says so), the same
    rule the nightly escalation applies. `complaints` is the reader's scope."""
    _covered, late, _unresolved = complaint_deadline_rule(now)
    return complaints.filter(late, first_response_at__isnull=True, resolved_at__isnull=True)
