"""Money over time (issue 20, seed 003): month by month of the year, the share of reps at
target (成员平均业绩达标率), output per head, and old customers' new signings (老客户新签金额
占比) — any signed contract of a customer who had signed an earlier one, renewals and new
purchases alike (the referral channel alone missed the repeat purchases).

Built like the dashboards' charts (typed rows, the table and export cells the rows' fields in
order). The signed amounts and targets are the dashboards' own (``Data``: the nightly facts
and the published rep targets), so the figures agree with the dashboards; the old customers'
share is one grouped query on the contracts."""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.db.models import Case, DateField, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from customers.models import Contract
from performance.dashboards import Data, Scope
from performance.dashboards.figures import NOT_A_COLUMN, Chart, Figure, cells
from performance.dashboards.scope import ZERO, money, percent
from performance.kpis import repeat_purchase
from salescrm.money import round_money
from salescrm.timeutil import add_months, month_end, year_start


@dataclass(frozen=True, slots=True)
class MonthRow:
    month: str  # YYYY-MM, or "Year to date"
    headcount: Decimal  # reps in scope with a signed-amount target above 0 (average for the year)
    at_target: int  # of them (person-months for the year), those whose signed amount ≥ target
    share_at_target: Decimal | None  # %
    signed: Decimal  # signed amount of the reps in scope
    output_per_head: Decimal | None  # signed ÷ headcount
    old_customer_signed: Decimal  # of it, contracts of customers who had signed before
    old_customer_share: Decimal | None  # %
    is_total: bool = field(default=False, metadata=NOT_A_COLUMN)


def old_customer_signed(scope: Scope, first, last) -> dict:
    """{month: (signed, of which old customers')} of the contracts signed by the reps in scope
    in first..last. A contract is an old customer's when the same customer signed another
    contract before it (an earlier day, or the same day with a smaller id). One query."""
    rows = (
        Contract.objects.filter(
            scope.owned("owner_id"),
            status__in=Contract.SIGNED_STATES,
            signed_on__gte=first,
            signed_on__lte=last,
        )
        .annotate(month=TruncMonth("signed_on", output_field=DateField()))
        .annotate(repeat=repeat_purchase())
        .order_by()
        .values("month")
        .annotate(
            total=Sum("total_amount"),
            old=Sum(Case(When(repeat=True, then="total_amount"), default=Value(ZERO))),
        )
        .values_list("month", "total", "old")
    )
    return {month: (total, old) for month, total, old in rows}


def month_rows(data: Data) -> list[MonthRow]:
    """January of the chosen month's year to the chosen month, and the year to date."""
    scope = data.scope
    first = year_start(scope.month)
    old = old_customer_signed(scope, first, month_end(scope.month))
    rows = []
    month = first
    while month <= scope.month:
        with_target = [
            rep.pk for rep in scope.reps if data.target("signed_amount", month, month, rep.pk) > 0
        ]
        reached = sum(
            1
            for rep_id in with_target
            if data.total(data.signed, month, month, rep_id)
            >= data.target("signed_amount", month, month, rep_id)
        )
        signed = money(data.total(data.signed, month, month))
        old_signed = money(old.get(month, (ZERO, ZERO))[1])
        rows.append(
            MonthRow(
                month=f"{month:%Y-%m}",
                headcount=Decimal(len(with_target)),
                at_target=reached,
                share_at_target=percent(reached, len(with_target)),
                signed=signed,
                output_per_head=round_money(signed / len(with_target)) if with_target else None,
                old_customer_signed=old_signed,
                old_customer_share=percent(old_signed, signed),
            )
        )
        month = add_months(month, 1)
    if rows:
        average = sum((row.headcount for row in rows), ZERO) / len(rows)
        person_months = sum(row.headcount for row in rows)
        reached = sum(row.at_target for row in rows)
        signed = sum((row.signed for row in rows), ZERO)
        old_signed = sum((row.old_customer_signed for row in rows), ZERO)
        rows.append(
            MonthRow(
                month=_("Year to date"),
                headcount=average.quantize(Decimal("0.01")),
                at_target=reached,
                share_at_target=percent(reached, person_months),
                signed=signed,
                output_per_head=round_money(signed / average) if average else None,
                old_customer_signed=old_signed,
                old_customer_share=percent(old_signed, signed),
                is_total=True,
            )
        )
    return rows


def draw_months(rows: list[MonthRow]) -> Figure:
    """The two shares (%) month by month: reps at target and old customers' signings."""
    months = [row for row in rows if not row.is_total]
    labels = [row.month for row in months]
    figure = Figure()
    figure.add_bar(
        x=labels, y=[row.share_at_target for row in months], name=_("Reps at target (%)")
    )
    figure.add_scatter(
        x=labels,
        y=[row.old_customer_share for row in months],
        name=_("Old customers' share of signed (%)"),
        mode="lines+markers",
    )
    return figure.axes(x=_("Month"), y=_("Share (%)"))


def chart_months(data: Data) -> Chart:
    rows = month_rows(data)
    scope = data.scope
    return Chart(
        "money_months",
        _("Reps at target, output per head and old customers' signings"),
        [
            _("Month"),
            _("Reps with a target"),
            _("Reps at target"),
            _("Reps at target (%)"),
            _("Signed amount (¥)"),
            _("Output per head (¥)"),
            _("Old customers' new signings (¥)"),
            _("Old customers' share of signed (%)"),
        ],
        [cells(row) for row in rows],
        partial(draw_months, rows),
        note=_(
            "Reps with a target: reps whose signed-amount target of the month is above 0; at target: signed ≥ target. Output per head: signed ÷ reps with a target (the year: ÷ their monthly average). Old customers' new signings: contracts of customers who had signed a contract before, renewals and new purchases alike."
        ),
        period=f"{year_start(scope.month):%Y-%m} – {scope.month:%Y-%m}",
        empty=_("No rep had a target and nothing was signed in these months."),
    )
