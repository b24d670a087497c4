"""Actual values per metric, grouped by rep, for a date range (Shanghai days, inclusive).

THE place where actuals are queried: the progress page here and the performance app read them
through these functions, never through queries of their own. Each is set-based (one round
trip to the database). Team and company values are sums over reps (team = the rep's current
team).

- signed amount: contracts signed (status signed or archived) with ``signed_on`` in the range,
  their ``total_amount``, by contract owner;
- collected amount: payments ``received_on`` in the range minus refunds confirmed in the range
  (a confirmed refund is negative collection in the month it is confirmed), by contract owner;
- new customers: customers whose first signed contract was signed in the range, by customer
  owner;
- renewals: signed renewal contracts (``is_renewal``) signed in the range, by contract owner;
- effective visits: visits, online meetings, trial lessons and campus tours logged in the
  range, by the rep who logged them.
"""

import datetime as dt
from decimal import Decimal

import pandas as pd
from django.db.models import Count, DateField, F, Min, Sum
from django.db.models.functions import TruncMonth

from customers.models import Contract, Payment, Refund
from leads.models import Activity
from salescrm.timeutil import SHANGHAI, month_end

from .models import Metric


def _first_signed_customers(start, end):
    """(owner_pk, first_signed) of each customer whose first signed contract falls in
    [start, end]: one GROUP BY over the signed contracts with a HAVING on the first date,
    not a subquery per customer (100,000 customers: ~2 s -> a single scan)."""
    return (
        Contract.objects.filter(status__in=Contract.SIGNED_STATES)
        .values("customer_id", owner_pk=F("customer__owner_id"))
        .annotate(first_signed=Min("signed_on"))
        .filter(first_signed__range=(start, end))
        .order_by()
    )


def _visits(start, end):
    return Activity.objects.effective_visits().between(start, end).filter(actor__isnull=False)


def _collected_rows(start, end, *, by_month=False):
    """Receipts and confirmed refunds (negated) as one UNION query, per owner (and month)."""
    paid_month = {"month": TruncMonth("received_on", output_field=DateField())} if by_month else {}
    refund_month = (
        {"month": TruncMonth("confirmed_on", output_field=DateField())} if by_month else {}
    )
    payments = (
        Payment.objects.filter(received_on__range=(start, end))
        .values(owner_pk=F("contract__owner_id"), **paid_month)
        .annotate(value=Sum("amount"))
        .order_by()
    )
    refunds = (
        Refund.objects.filter(status=Refund.Status.CONFIRMED, confirmed_on__range=(start, end))
        .values(owner_pk=F("contract__owner_id"), **refund_month)
        .annotate(value=-Sum("amount"))
        .order_by()
    )
    return payments.union(refunds, all=True)


def _by_owner(rows, key="owner_pk", value="value") -> dict:
    result: dict = {}
    for row in rows:
        result[row[key]] = result.get(row[key], 0) + row[value]
    return result


def signed_amount(start: dt.date, end: dt.date) -> dict[int, Decimal]:
    rows = (
        Contract.objects.signed_between(start, end)
        .values("owner_id")
        .annotate(value=Sum("total_amount"))
        .order_by()
    )
    return _by_owner(rows, "owner_id")


def collected_amount(start: dt.date, end: dt.date) -> dict[int, Decimal]:
    return _by_owner(_collected_rows(start, end))


def new_customers(start: dt.date, end: dt.date) -> dict[int, int]:
    counts: dict[int, int] = {}
    for row in _first_signed_customers(start, end):
        counts[row["owner_pk"]] = counts.get(row["owner_pk"], 0) + 1
    return counts


def renewals(start: dt.date, end: dt.date) -> dict[int, int]:
    rows = (
        Contract.objects.signed_between(start, end)
        .filter(is_renewal=True)
        .values("owner_id")
        .annotate(value=Count("id"))
        .order_by()
    )
    return _by_owner(rows, "owner_id")


def effective_visits(start: dt.date, end: dt.date) -> dict[int, int]:
    # COUNT(*), not of "id": leads.activity_period_kind_idx alone answers it
    rows = _visits(start, end).values("actor_id").annotate(value=Count("*")).order_by()
    return _by_owner(rows, "actor_id")


ACTUALS = {
    Metric.SIGNED_AMOUNT: signed_amount,
    Metric.COLLECTED_AMOUNT: collected_amount,
    Metric.NEW_CUSTOMERS: new_customers,
    Metric.RENEWALS: renewals,
    Metric.EFFECTIVE_VISITS: effective_visits,
}


def actuals(metric: str, start: dt.date, end: dt.date) -> dict[int, Decimal | int]:
    """The selector of `metric` (one of Metric)."""
    return ACTUALS[metric](start, end)


def first_actual_on(metric: str) -> dt.date | None:
    """The first day the metric has any actual at all (how far the history reaches)."""
    if metric == Metric.COLLECTED_AMOUNT:
        return Payment.objects.aggregate(first=Min("received_on"))["first"]
    if metric == Metric.EFFECTIVE_VISITS:
        first = Activity.objects.effective_visits().aggregate(first=Min("occurred_at"))["first"]
        return first.astimezone(SHANGHAI).date() if first else None
    signed = Contract.objects.filter(status__in=Contract.SIGNED_STATES)
    return signed.aggregate(first=Min("signed_on"))["first"]


def monthly_actuals(metric: str, first_month: dt.date, last_month: dt.date) -> pd.DataFrame:
    """Actuals of `metric` per rep and calendar month from `first_month` to the end of
    `last_month`: a DataFrame with columns owner_id, month (date, first of month), value
    (Decimal for money, int for counts). Months without activity have no row."""
    start, end = first_month.replace(day=1), month_end(last_month)
    month_of = {
        Metric.SIGNED_AMOUNT: TruncMonth("signed_on", output_field=DateField()),
        Metric.RENEWALS: TruncMonth("signed_on", output_field=DateField()),
        Metric.EFFECTIVE_VISITS: TruncMonth(
            "occurred_at", output_field=DateField(), tzinfo=SHANGHAI
        ),
    }
    if metric == Metric.COLLECTED_AMOUNT:
        rows = _collected_rows(start, end, by_month=True)
    elif metric == Metric.SIGNED_AMOUNT:
        rows = (
            Contract.objects.signed_between(start, end)
            .values(owner_pk=F("owner_id"), month=month_of[metric])
            .annotate(value=Sum("total_amount"))
        )
    elif metric == Metric.RENEWALS:
        rows = (
            Contract.objects.signed_between(start, end)
            .filter(is_renewal=True)
            .values(owner_pk=F("owner_id"), month=month_of[metric])
            .annotate(value=Count("id"))
        )
    elif metric == Metric.NEW_CUSTOMERS:
        firsts = pd.DataFrame(
            list(_first_signed_customers(start, end)),
            columns=["customer_id", "owner_pk", "first_signed"],
        )
        firsts["month"] = [day.replace(day=1) for day in firsts["first_signed"]]
        counted = firsts.groupby(["owner_pk", "month"], as_index=False).size()
        rows = counted.rename(columns={"size": "value"}).to_dict("records")
    elif metric == Metric.EFFECTIVE_VISITS:
        rows = (
            _visits(start, end)
            .values(owner_pk=F("actor_id"), month=month_of[metric])
            .annotate(value=Count("id"))
        )
    else:
        raise ValueError(f"unknown metric {metric!r}")
    records = rows if isinstance(rows, list) else list(rows.order_by())
    frame = pd.DataFrame(records, columns=["owner_pk", "month", "value"])
    frame = frame.rename(columns={"owner_pk": "owner_id"})
    if frame.empty:
        return frame[["owner_id", "month", "value"]]
    # The UNION of receipts and refunds may hold two rows for one owner and month.
    grouped = frame.groupby(["owner_id", "month"], as_index=False, sort=True)["value"].agg(
        lambda values: sum(values, start=Decimal(0) if isinstance(values.iloc[0], Decimal) else 0)
    )
    return grouped[["owner_id", "month", "value"]]


def monthly_totals(
    metric: str, first_month: dt.date, last_month: dt.date, owner_ids: list[int] | None = None
) -> dict[dt.date, Decimal | int]:
    """{first of month: value} of `metric` summed over `owner_ids` (None: everyone), for one
    chart line: the database sums by month (12 rows), where ``monthly_actuals`` returns a row
    per rep and month for pandas to sum (3,600 rows for 300 reps, most of the progress page's
    chart time). Same definitions as ``monthly_actuals``; an empty `owner_ids` is no one."""
    if owner_ids is not None and not owner_ids:
        return {}
    start, end = first_month.replace(day=1), month_end(last_month)
    if metric in (Metric.SIGNED_AMOUNT, Metric.RENEWALS, Metric.EFFECTIVE_VISITS):
        if metric == Metric.EFFECTIVE_VISITS:
            rows, owner = _visits(start, end), "actor_id"
            month = TruncMonth("occurred_at", output_field=DateField(), tzinfo=SHANGHAI)
            value = Count("id")
        else:
            rows, owner = Contract.objects.signed_between(start, end), "owner_id"
            month = TruncMonth("signed_on", output_field=DateField())
            if metric == Metric.RENEWALS:
                rows, value = rows.filter(is_renewal=True), Count("id")
            else:
                value = Sum("total_amount")
        if owner_ids is not None:
            rows = rows.filter(**{f"{owner}__in": owner_ids})
        summed = rows.values(month=month).annotate(value=value).order_by()
        return {row["month"]: row["value"] for row in summed}
    frame = monthly_actuals(metric, first_month, last_month)
    if frame.empty:
        return {}
    if owner_ids is not None:
        frame = frame[frame["owner_id"].isin(owner_ids)]
    totals: dict = {}
    for month, value in zip(frame["month"], frame["value"], strict=True):
        totals[month] = totals.get(month, 0) + value
    return totals
