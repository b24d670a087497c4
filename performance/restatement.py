"""Late rows and restatement, shared by every monthly statement that must never change once
paid (rep commission statements here, partner settlements in channels).

The guarantee: each night one set-based query on the history tables names the earlier months
whose open statements may be out of date (``stale_months``); those are recomputed. A closed
statement is never touched; a row dated in a month whose statement for its owner is closed
goes on the *first* month after it whose statement is not closed (``home_month``), so a row
is on exactly one statement whichever months are recomputed, and nothing is lost."""

import datetime as dt
from collections.abc import Container

from django.db.models import DateField, Exists, OuterRef, Q
from django.db.models.functions import Trunc

from salescrm.timeutil import next_month_start


def changed_since_computed(model, date_field: str):
    """A subquery for a statement row (a model with ``month`` and ``computed_at``): a version
    of a `model` row was saved (created, edited or deleted) after the statement was computed,
    and some version of that row is dated in the statement's month or before it (so it is,
    or was, or may be as a late row, one of the month's sources). Read from the row's
    history, which keeps every version."""
    history = model.history.model
    dated_by_then = history.objects.annotate(
        dated=Trunc(date_field, "month", output_field=DateField())
    ).filter(id=OuterRef("id"), dated__lte=OuterRef(OuterRef("month")))
    return Exists(
        history.objects.filter(history_date__gt=OuterRef("computed_at")).filter(
            Exists(dated_by_then)
        )
    )


def stale_months(statements, current: dt.date, changed: Q) -> list[dt.date]:
    """The months before `current` with an open statement (in the `statements` queryset,
    already narrowed to open ones) matching `changed` (``changed_since_computed`` terms).
    One query; it may name a month whose figures turn out unchanged, which only costs a
    recomputation."""
    return sorted(
        statements.filter(month__lt=current)
        .filter(changed)
        .order_by()  # a default order on a related name would join it into the DISTINCT
        .values_list("month", flat=True)
        .distinct()
    )


def home_month(closed: Container[tuple[int, dt.date]], owner: int, dated: dt.date) -> dt.date:
    """The month whose statement a row of `owner` dated in month `dated` belongs on: its own
    month, or when that one is closed (`closed` holds the (owner, month) pairs closed) the
    first month after it that is not."""
    home = dated
    while (owner, home) in closed:
        home = next_month_start(home)
    return home
