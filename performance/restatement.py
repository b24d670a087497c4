"""Late rows and restatement, shared by every monthly statement that must never change once
paid (rep commission statements here, partner settlements in channels).

The guarantee: each night one set-based query on the history tables names the earlier months
whose open statements may be out of date (``stale_months``); those are recomputed. A closed
statement is never touched; a row (a payment, a refund, a contract of a plan paid on signed
amounts) dated in a month closed for its owner — their statement of it is closed, or they
have none in a month finance has paid for everyone (``ClosedFor``) — and entered late, marked
signed late or re-dated there goes on the *first* month after it that is not closed for them
(``home_month``, ``homed_rows``), so a row is on exactly one statement whichever months are
recomputed, and nothing is lost.

A row already on a closed statement is never counted again as a row of a later month (even
when its date is moved there); when its value changes after the close (amount edited, a
refund no longer confirmed) the difference between its value now and what the closed lines
stated of it goes on the owner's first open statement after the last closed one it is on, as
a *correction* (``corrections``): counted in that statement's base like any row, so it earns
the band where it lands and a negative one takes back from the top band. Once that statement
is closed the correction line is itself stated, so the difference is carried exactly once.

Worked example (a rep, tiers 0 → 3 %, 80 % → 5 % of a 100,000 target): October closed with a
payment of 50,000 (1,500.00 at 3 %, no October target). The payment is then corrected to
40,000. November collects 95,000: 80,000 × 3 % + 15,000 × 5 % = 3,150.00, and the correction
−10,000 takes back from the top band: −10,000 × 5 % = −500.00; total 2,650.00, the tier
formula on November's net base of 85,000. Had the payment only been re-dated into November,
November would not count it (October already paid it)."""

import datetime as dt
from collections.abc import Container, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    DateField,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Trunc

from customers.models import Contract, Payment, Refund
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


class ClosedFor:
    """The (owner, month) pairs a row cannot go on, from the (owner, month, status) of every
    statement up to the month being computed: the owner's statement of the month is closed,
    or the owner has none in a *finished* month, one with a closed statement and no open one
    (finance has paid the month for everyone; an owner who had no statement there, say not
    yet active or with no rows, gets none later, and a row of theirs dated there arriving
    late goes on their first month after it that is not closed, as if they had been paid).
    While a statement of the month is still open, or none was computed, the month is not
    finished: a row dated there stays there, on a new statement of its owner."""

    def __init__(self, rows):
        self.pairs = {(owner, month) for owner, month, _status in rows}
        self.closed = {(owner, month) for owner, month, status in rows if status == "closed"}
        open_months = {month for _owner, month, status in rows if status != "closed"}
        self.finished = {month for _owner, month in self.closed} - open_months

    def __contains__(self, pair) -> bool:
        return pair in self.closed or (pair[1] in self.finished and pair not in self.pairs)

    def closed_then(self, closed_statements, *, owner_field: str, owner: str) -> Q:
        """The condition, for ``homed_rows``, that a row's month (``dated_month``) is closed
        for its owner (path `owner`): a statement of `closed_statements` (closed ones, whose
        owner is `owner_field`) for that owner and month, or a finished month."""
        return Exists(
            closed_statements.filter(
                **{owner_field: OuterRef(owner)}, month=OuterRef("dated_month")
            )
        ) | Q(dated_month__in=sorted(self.finished))


def home_month(closed: Container[tuple[int, dt.date]], owner: int, dated: dt.date) -> dt.date:
    """The month whose statement a row of `owner` dated in month `dated` belongs on: its own
    month, or when that one is closed (`closed` holds the (owner, month) pairs closed) the
    first month after it that is not."""
    home = dated
    while (owner, home) in closed:
        home = next_month_start(home)
    return home


def lines_stating(lines, field: str):
    """The lines of `lines` that state a row of `field` ("payment", "refund", "contract"):
    every payment and refund line names its contract too, so a contract's own lines are
    the ones naming neither a payment nor a refund."""
    lines = lines.filter(**{f"{field}__isnull": False})
    if field == "contract":
        lines = lines.filter(payment__isnull=True, refund__isnull=True)
    return lines


def homed_rows(
    rows,
    *,
    field: str,
    closed_lines,
    date: str,
    owner: str,
    fields: tuple[str, ...],
    first: dt.date,
    last: dt.date,
    closed_then: Q,
    closed: Container[tuple[int, dt.date]],
) -> Iterator[tuple[dt.date, list]]:
    """The rows of `rows` (one model's rows that count, named by lines as `field`: "payment",
    "refund", "contract") that may be at home on a statement from `first` to `last`, each as
    (home month, [its `owner`, then its `fields`]); two queries:

    - the rows dated (`date`) from `first` to `last`;
    - the *late* ones: dated before `first` in a month closed for their owner (`closed_then`,
      a condition on the row and on ``dated_month``, the first of its date's month);

    both without the rows a line of `closed_lines` (lines of closed statements) states: a row
    already paid is never counted again, even when its date has moved to a later month (a
    change of its value is a ``corrections`` matter). The home is ``home_month`` of the
    row's owner and month in `closed`; the caller keeps the rows at home where it computes."""
    rows = rows.annotate(dated_month=Trunc(date, "month", output_field=DateField())).filter(
        ~Exists(lines_stating(closed_lines, field).filter(**{f"{field}_id": OuterRef("pk")}))
    )
    in_span = rows.filter(**{f"{date}__range": (first, last)})
    late = rows.filter(**{f"{date}__lt": first}).filter(closed_then)
    for query in (in_span, late):
        for dated, *values in query.order_by().values_list("dated_month", owner, *fields):
            yield home_month(closed, values[0], dated), values


@dataclass(frozen=True, slots=True)
class RowKind:
    """A kind of source row a statement line names (its ``field``): the model, its date, its
    amount and the sign it counts with, which rows count at all, and the path to its contract.
    Rep statements and partner settlements each add their own paths (owner, bases)."""

    model: type
    date: str
    amount: str
    sign: int
    counts: Q
    contract: str


ROW_KINDS = {
    "payment": RowKind(Payment, "received_on", "amount", 1, Q(), "contract_id"),
    "refund": RowKind(
        Refund, "confirmed_on", "amount", -1, Q(status=Refund.Status.CONFIRMED), "contract_id"
    ),
    "contract": RowKind(
        Contract,
        "signed_on",
        "total_amount",
        1,
        Q(status__in=Contract.SIGNED_STATES, signed_on__isnull=False),
        "pk",
    ),
}


@dataclass(frozen=True, slots=True)
class Correction:
    """A row on a closed statement whose value has changed since (its amount edited, a refund
    no longer confirmed, a contract no longer signed): ``difference`` = what the row counts
    for now − what the closed lines already stated of it; it goes, once, on the owner's first
    open statement after ``last_closed`` (``home_month``)."""

    owner: int
    pk: int
    contract_id: int | None
    day: dt.date | None  # the row's date now
    difference: Decimal
    last_closed: dt.date  # the month of the last closed statement the row is on


def corrections(
    closed_lines,
    *,
    owner: str,
    month: str,
    field: str,
) -> list[Correction]:
    """The corrections of the rows named by `field` ("payment", "refund", "contract": its
    ``ROW_KINDS`` entry)
    on `closed_lines` (a line queryset narrowed to closed statements; ``base`` is the signed
    part of the row a line states, so the bases of a row's lines, correction lines included,
    add up to what has been stated of it): one per (owner, row) whose current value differs
    from what was stated. Only rows edited at least once are looked at (their history has an
    update). `owner` and `month` are the line's paths to its statement's owner and month; a
    row that no longer counts (``RowKind.counts``) is worth 0. Two queries, whatever the
    number of rows."""
    kind = ROW_KINDS[field]
    model, counts, sign = kind.model, kind.counts, kind.sign
    edited = model.history.model.objects.filter(id=OuterRef(f"{field}_id"), history_type="~")
    stated = (
        lines_stating(closed_lines, field)
        .filter(Exists(edited))
        .order_by()
        .values(owner, f"{field}_id")
        .annotate(stated=Sum("base"), last_month=Max(month))
    )
    current = {
        pk: (contract_id, day, sign * value if counted else Decimal(0))
        for pk, contract_id, day, value, counted in model.objects.filter(
            pk__in=stated.values(f"{field}_id")
        )
        .annotate(counted=ExpressionWrapper(counts or Value(True), output_field=BooleanField()))
        .order_by()
        .values_list("pk", kind.contract, kind.date, kind.amount, "counted")
    }
    out = []
    for row in stated:
        pk = row[f"{field}_id"]
        contract_id, day, value = current[pk]
        if value != row["stated"]:
            out.append(
                Correction(
                    owner=row[owner],
                    pk=pk,
                    contract_id=contract_id,
                    day=day,
                    difference=value - row["stated"],
                    last_closed=row["last_month"],
                )
            )
    return out
