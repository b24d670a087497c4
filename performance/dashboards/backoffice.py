"""The charts read from the customers' side — receivables by ageing, open complaints, the
approval inbox — shown to finance, after-sales and legal, and to the managers and the director
beside their sales charts."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from customers import ageing
from customers.models import ApprovalStep, Complaint, Instalment
from salescrm.models import User
from salescrm.timeutil import local_now

from .data import Data
from .figures import NOT_A_COLUMN, Chart, Figure, cells
from .scope import ZERO, money

# --- receivables -----------------------------------------------------------------------------

# the ageing buckets, in the order of ReceivablesRow's fields
BUCKETS = [(bucket.key, bucket.label) for bucket in ageing.BUCKETS]


@dataclass(frozen=True, slots=True)
class ReceivablesRow:
    rep: str
    current: Decimal
    d1_30: Decimal
    d31_60: Decimal
    d61_90: Decimal
    d90_plus: Decimal
    outstanding: Decimal
    is_total: bool = field(default=False, metadata=NOT_A_COLUMN)


def receivables_rows(data: Data) -> list[ReceivablesRow]:
    """Per contract owner in scope, the unpaid instalments by ageing, and a total row."""
    scope = data.scope
    totals = list(
        Instalment.objects.filter(scope.owned("contract__owner_id")).ageing_totals(
            scope.today, group_by="contract__owner"
        )
    )
    names = {rep.pk: str(rep) for rep in scope.reps}
    if scope.whole_company:
        # contracts of managers and former reps too: one query for their names
        others = {row["contract__owner"] for row in totals} - set(names)
        names |= {user.pk: str(user) for user in User.objects.filter(pk__in=others)}
    rows = [
        ReceivablesRow(
            names[row["contract__owner"]],
            *(money(row[bucket]) for bucket, _label in BUCKETS),
            outstanding=money(row["total"]),
        )
        for row in totals
        if row["contract__owner"] in names
    ]
    if rows:
        rows.append(
            ReceivablesRow(
                _("Total"),
                *(sum((getattr(r, bucket) for r in rows), ZERO) for bucket, _label in BUCKETS),
                outstanding=sum((r.outstanding for r in rows), ZERO),
                is_total=True,
            )
        )
    return rows


def draw_receivables(rows: list[ReceivablesRow]) -> Figure:
    reps = [row for row in rows if not row.is_total]
    figure = Figure()
    for bucket, label in BUCKETS:
        figure.add_bar(
            x=[row.rep for row in reps],
            y=[float(getattr(row, bucket)) for row in reps],
            name=str(label),
        )
    figure.layout["barmode"] = "stack"
    return figure.axes(x=_("Rep"), y=_("Outstanding (¥)"))


def chart_receivables(data: Data) -> Chart:
    rows = receivables_rows(data)
    return Chart(
        "receivables",
        _("Receivables by ageing"),
        [_("Rep")] + [str(label) for _n, label in BUCKETS] + [_("Outstanding")],
        [cells(row) for row in rows],
        partial(draw_receivables, rows),
        note=_("Unpaid instalments of signed contracts as of %(day)s.") % {"day": data.scope.today},
        period=_("As of %(day)s") % {"day": data.scope.today},
    )


# --- complaints ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ComplaintRow:
    severity: str
    open: int
    late_response: int  # past the 24 h response deadline
    late_resolution: int  # past the 48 h resolution deadline


def complaint_rows(data: Data) -> list[ComplaintRow]:
    """Open complaints of the customers in scope per severity (only the severities that have
    some), with how many are past their deadlines now."""
    now = local_now()
    counts = {
        severity: (open_, late_response, late_resolution)
        for severity, open_, late_response, late_resolution in Complaint.objects.filter(
            data.scope.owned("customer__owner_id")
        )
        .open()
        .values("severity")
        .annotate(
            open_=Count("id"),
            late_response=Count(
                "id",
                filter=Q(
                    first_response_at__isnull=True,
                    opened_at__lt=now - dt.timedelta(hours=Complaint.RESPONSE_HOURS),
                ),
            ),
            late_resolution=Count(
                "id", filter=Q(opened_at__lt=now - dt.timedelta(hours=Complaint.RESOLUTION_HOURS))
            ),
        )
        .values_list("severity", "open_", "late_response", "late_resolution")
    }
    return [
        ComplaintRow(str(label), *counts[value])
        for value, label in Complaint.Severity.choices
        if value in counts
    ]


def draw_complaints(rows: list[ComplaintRow]) -> Figure:
    severities = [row.severity for row in rows]
    figure = Figure()
    figure.add_bar(x=severities, y=[row.open for row in rows], name=pgettext("complaint", "Open"))
    figure.add_bar(
        x=severities,
        y=[row.late_response for row in rows],
        name=_("Past the 24 h response deadline"),
    )
    figure.add_bar(
        x=severities,
        y=[row.late_resolution for row in rows],
        name=_("Past the 48 h resolution deadline"),
    )
    return figure.axes(x=_("Severity"), y=_("Complaints"))


def chart_complaints(data: Data) -> Chart:
    rows = complaint_rows(data)
    return Chart(
        "complaints",
        _("Open complaints and deadlines"),
        [
            _("Severity"),
            pgettext("complaint", "Open"),
            _("Past the 24 h response deadline"),
            _("Past the 48 h resolution deadline"),
        ],
        [cells(row) for row in rows],
        partial(draw_complaints, rows),
        period=_("Open now"),
    )


# --- approvals -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApprovalRow:
    step: str
    waiting: int  # contracts waiting at this step, whoever may decide
    waiting_for_reader: int


def approval_rows(data: Data) -> list[ApprovalRow]:
    """Every approval step with the contracts waiting there and those the reader may decide;
    no rows when nothing waits anywhere."""
    mine = dict(
        ApprovalStep.objects.actionable_by(data.scope.user, data.scope.today)
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    waiting = dict(
        ApprovalStep.objects.current()
        .values("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    rows = [
        ApprovalRow(str(label), waiting.get(value, 0), mine.get(value, 0))
        for value, label in ApprovalStep.Kind.choices
    ]
    return rows if any(row.waiting for row in rows) else []


def draw_approvals(rows: list[ApprovalRow]) -> Figure:
    steps = [row.step for row in rows]
    figure = Figure()
    figure.add_bar(x=steps, y=[row.waiting for row in rows], name=_("Waiting at this step"))
    figure.add_bar(x=steps, y=[row.waiting_for_reader for row in rows], name=_("Waiting for you"))
    return figure.axes(x=_("Approval step"), y=_("Contracts"))


def chart_approvals(data: Data) -> Chart:
    rows = approval_rows(data)
    return Chart(
        "approvals",
        _("Contracts waiting for approval"),
        [_("Step"), _("Waiting at this step"), _("Waiting for you")],
        [cells(row) for row in rows],
        partial(draw_approvals, rows),
        period=_("Waiting now"),
    )


CHARTS = {
    "receivables": chart_receivables,
    "complaints": chart_complaints,
    "approvals": chart_approvals,
}
