"""Customer lifetime value (issue 20): what each customer has brought in up to the period's
end, and its average by channel and by product line.

- A customer's LTV = the amounts of their signed contracts (signed by the period's end) less
  the refunds confirmed by then.
- By channel: the customers who came through the channel (their lead's), their LTV summed and
  averaged per customer.
- By product line: the line amounts of signed contracts for the line's products, summed and
  averaged per customer who bought the line; refunds are kept per contract, not per line, so
  this view shows the signed amounts before refunds.
The customers are those owned by the reps in scope. Two or three grouped queries."""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from customers.models import Contract, ContractLine, Customer, Refund
from leads.models import Channel
from performance.dashboards import Scope
from performance.dashboards.figures import NOT_A_COLUMN, Chart, Figure, cells
from performance.dashboards.scope import ZERO, money
from salescrm.models import ProductLine

VIEWS = {
    "channel": gettext_lazy("By channel"),
    "product_line": gettext_lazy("By product line"),
    "customer": gettext_lazy("Top customers"),
}
TOP_CUSTOMERS = 50
MONEY_FIELD = DecimalField(max_digits=16, decimal_places=2)


@dataclass(frozen=True, slots=True)
class LtvRow:
    group: str  # the channel, product line or customer
    customers: int
    signed: Decimal
    refunded: Decimal | None  # None by product line (refunds are not split by line)
    ltv: Decimal  # signed − refunded (by product line: signed)
    average: Decimal | None  # per customer
    is_total: bool = field(default=False, metadata=NOT_A_COLUMN)


def _customers(scope: Scope):
    """The customers in scope with their signed and refunded amounts to the period's end."""
    end = scope.end

    def total(queryset, group, column):
        return Coalesce(
            Subquery(
                queryset.order_by().values(group).annotate(t=Sum(column)).values("t")[:1],
                output_field=MONEY_FIELD,
            ),
            Value(ZERO),
            output_field=MONEY_FIELD,
        )

    signed = Contract.objects.filter(
        customer=OuterRef("pk"), status__in=Contract.SIGNED_STATES, signed_on__lte=end
    )
    refunded = Refund.objects.filter(
        contract__customer=OuterRef("pk"), status="confirmed", confirmed_on__lte=end
    ).annotate(
        customer_id=Subquery(
            Contract.objects.filter(pk=OuterRef("contract_id")).values("customer_id")
        )
    )
    return Customer.objects.filter(scope.owned("owner_id")).annotate(
        signed=total(signed, "customer_id", "total_amount"),
        refunded=total(refunded, "contract__customer_id", "amount"),
    )


def _row(group, customers, signed, refunded, is_total=False) -> LtvRow:
    ltv = money(signed - (refunded or ZERO))
    return LtvRow(
        group=group,
        customers=customers,
        signed=money(signed),
        refunded=money(refunded) if refunded is not None else None,
        ltv=ltv,
        average=money(ltv / customers) if customers else None,
        is_total=is_total,
    )


def ltv_rows(scope: Scope, view: str) -> list[LtvRow]:
    if view == "product_line":
        return _by_product_line(scope)
    customers = _customers(scope).filter(signed__gt=0)
    if view == "customer":
        rows = customers.order_by("-signed", "pk").values_list("name", "signed", "refunded")
        ranked = sorted(
            ((name, signed, refunded) for name, signed, refunded in rows),
            key=lambda r: -(r[1] - r[2]),
        )[:TOP_CUSTOMERS]
        return [_row(name, 1, signed, refunded) for name, signed, refunded in ranked]
    groups = (
        customers.order_by()
        .values("lead__channel_id")
        .annotate(n=Count("id"), s=Sum("signed"), r=Sum("refunded"))
        .values_list("lead__channel_id", "n", "s", "r")
    )
    names = {c.pk: str(c) for c in Channel.objects.all()}
    rows = sorted(
        (_row(names.get(channel, "—"), n, s, r) for channel, n, s, r in groups),
        key=lambda row: row.group,
    )
    return _with_total(rows)


def _by_product_line(scope: Scope) -> list[LtvRow]:
    lines = (
        ContractLine.objects.filter(
            scope.owned("contract__customer__owner_id"),
            contract__status__in=Contract.SIGNED_STATES,
            contract__signed_on__lte=scope.end,
        )
        .order_by()
        .values("product__product_line_id")
        .annotate(n=Count("contract__customer_id", distinct=True), s=Sum("amount"))
        .values_list("product__product_line_id", "n", "s")
    )
    names = {line.pk: str(line) for line in ProductLine.objects.all()}
    rows = sorted(
        (_row(names.get(line, "—"), n, s, None) for line, n, s in lines),
        key=lambda row: row.group,
    )
    return rows  # a customer may buy several lines: no total of customers


def _with_total(rows: list[LtvRow]) -> list[LtvRow]:
    if not rows:
        return rows
    customers = sum(row.customers for row in rows)
    signed = sum((row.signed for row in rows), ZERO)
    refunded = sum((row.refunded or ZERO for row in rows), ZERO)
    return [*rows, _row(_("Total"), customers, signed, refunded, is_total=True)]


def draw_ltv(rows: list[LtvRow], view: str) -> Figure:
    shown = [row for row in rows if not row.is_total]
    names = [row.group for row in shown]
    figure = Figure()
    if view == "customer":
        figure.add_bar(x=names, y=[row.ltv for row in shown], name=_("Lifetime value (¥)"))
        return figure.axes(x=_("Customer"), y=_("Lifetime value (¥)"))
    figure.add_bar(x=names, y=[row.average for row in shown], name=_("Average per customer (¥)"))
    return figure.axes(x=str(VIEWS[view]), y=_("Average lifetime value per customer (¥)"))


def chart_ltv(scope: Scope, view: str) -> Chart:
    rows = ltv_rows(scope, view)
    return Chart(
        "ltv",
        _("Customer lifetime value"),
        [
            {"channel": _("Channel"), "product_line": _("Product line"), "customer": _("Customer")}[
                view
            ],
            _("Customers"),
            _("Signed amount (¥)"),
            _("Refunded (¥)"),
            _("Lifetime value (¥)"),
            _("Average per customer (¥)"),
        ],
        [cells(row) for row in rows],
        partial(draw_ltv, rows, view),
        note=_(
            "Lifetime value: signed contracts less confirmed refunds, to the period's end. By product line: the signed line amounts (refunds are not split by line)."
        ),
        period=_("To %(day)s") % {"day": scope.end},
    )
