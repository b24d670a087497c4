"""Days to collect (issue 20, 回款周期): per rep and team of the period, days sales outstanding
(DSO) and the average collection cycle.

- Receivable at the period's end: the instalments of the contracts signed by then, less the
  payments received by then (refunds left out: they return money, they are not collected).
- DSO = receivable at the end ÷ signed amount of the period × days of the period (none when
  nothing was signed).
- Average collection cycle = the payments received in the period, each weighted by its amount:
  Σ amount × (received on − contract signed on) ÷ Σ amount, in days.
A team's figures add its reps' amounts first (never an average of the reps' ratios). Three
grouped queries and one of the period's payments."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.db.models import Sum
from django.utils.translation import gettext as _

from customers.models import Contract, Instalment, Payment
from performance.dashboards import Scope
from performance.dashboards.figures import NOT_A_COLUMN, Chart, Figure, cells
from performance.dashboards.scope import ZERO, money
from salescrm.money import round_places


@dataclass(frozen=True, slots=True)
class CollectionRow:
    rep: str  # a rep, or a team's total
    team: str
    signed: Decimal
    receivable: Decimal
    dso: Decimal | None  # days
    collected: Decimal
    collection_days: Decimal | None  # amount-weighted average days from signing to payment
    is_total: bool = field(default=False, metadata=NOT_A_COLUMN)


@dataclass
class _Sums:
    signed: Decimal = ZERO
    billed: Decimal = ZERO
    paid_by_end: Decimal = ZERO
    collected: Decimal = ZERO
    weighted_days: Decimal = ZERO

    def add(self, other: "_Sums") -> None:
        for name in ("signed", "billed", "paid_by_end", "collected", "weighted_days"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _sums(scope: Scope) -> dict[int, _Sums]:
    start, end = scope.start, scope.end
    owned = scope.owned("contract__owner_id")
    sums: dict[int, _Sums] = defaultdict(_Sums)
    for owner, total in (
        Contract.objects.filter(scope.owned("owner_id"))
        .signed_between(start, end)
        .values("owner_id")
        .annotate(total=Sum("total_amount"))
        .values_list("owner_id", "total")
    ):
        sums[owner].signed = total
    for owner, total in (
        Instalment.objects.filter(
            owned,
            contract__status__in=Contract.SIGNED_STATES,
            contract__signed_on__lte=end,
        )
        .values("contract__owner_id")
        .annotate(total=Sum("amount"))
        .values_list("contract__owner_id", "total")
    ):
        sums[owner].billed = total
    for owner, total in (
        Payment.objects.filter(
            owned,
            contract__status__in=Contract.SIGNED_STATES,
            contract__signed_on__lte=end,
            received_on__lte=end,
        )
        .values("contract__owner_id")
        .annotate(total=Sum("amount"))
        .values_list("contract__owner_id", "total")
    ):
        sums[owner].paid_by_end = total
    for owner, amount, received_on, signed_on in Payment.objects.filter(
        owned, received_on__range=(start, end), contract__signed_on__isnull=False
    ).values_list("contract__owner_id", "amount", "received_on", "contract__signed_on"):
        sums[owner].collected += amount
        sums[owner].weighted_days += amount * max((received_on - signed_on).days, 0)
    return sums


def _row(rep: str, team: str, sums: _Sums, days: int, is_total=False) -> CollectionRow:
    receivable = money(sums.billed - sums.paid_by_end)
    return CollectionRow(
        rep=rep,
        team=team,
        signed=money(sums.signed),
        receivable=receivable,
        dso=round_places(receivable / sums.signed * days, 1) if sums.signed else None,
        collected=money(sums.collected),
        collection_days=round_places(sums.weighted_days / sums.collected, 1)
        if sums.collected
        else None,
        is_total=is_total,
    )


def collection_rows(scope: Scope) -> list[CollectionRow]:
    """The reps in scope by team (teams by name, reps by name), each team followed by its
    total."""
    sums = _sums(scope)
    days = (scope.end - scope.start).days + 1
    teams: dict = defaultdict(list)
    for rep in scope.reps:
        teams[str(rep.team or _("No team"))].append(rep)
    rows = []
    for team in sorted(teams):
        total = _Sums()
        for rep in sorted(teams[team], key=str):
            own = sums.get(rep.pk, _Sums())
            total.add(own)
            rows.append(_row(str(rep), team, own, days))
        rows.append(_row(_("Team total"), team, total, days, is_total=True))
    return rows


def draw_collection(rows: list[CollectionRow]) -> Figure:
    reps = [row for row in rows if not row.is_total]
    names = [row.rep for row in reps]
    figure = Figure()
    figure.add_bar(x=names, y=[row.dso for row in reps], name=_("DSO (days)"))
    figure.add_bar(
        x=names, y=[row.collection_days for row in reps], name=_("Average collection cycle (days)")
    )
    return figure.axes(x=_("Rep"), y=_("Days"))


def chart_collection(scope: Scope) -> Chart:
    rows = collection_rows(scope)
    return Chart(
        "collection",
        _("Days sales outstanding and collection cycle"),
        [
            _("Rep"),
            _("Team"),
            _("Signed amount (¥)"),
            _("Receivable at the period's end (¥)"),
            _("DSO (days)"),
            _("Collected in the period (¥)"),
            _("Average collection cycle (days)"),
        ],
        [cells(row) for row in rows],
        partial(draw_collection, rows),
        note=_(
            "DSO = receivable at the period's end ÷ signed amount of the period × days of the period. Average collection cycle: days from signing to each payment received in the period, weighted by the amount."
        ),
        period=scope.label,
        empty=_("Nothing signed and nothing collected in this period."),
    )
