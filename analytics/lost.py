"""The lost-deal analysis page (issue 20): the leads lost in the period by reason and by the
stage, product line, channel, rep or month they were lost at, with the amount lost. Built
like the dashboards' charts: typed rows computed apart from the figure, the table and export
cells being the rows' fields in order."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.models import Channel, Lead, LostReason
from performance.dashboards import Scope
from performance.dashboards.figures import NOT_A_COLUMN, Chart, Figure, cells
from performance.dashboards.scope import ZERO, money, percent
from performance.lost import lost_totals
from salescrm.models import ProductLine, User

DIMENSION_LABELS = {
    "stage": gettext_lazy("Stage lost at"),
    "product_line": gettext_lazy("Product line"),
    "channel": gettext_lazy("Channel"),
    "rep": gettext_lazy("Rep"),
    "month": gettext_lazy("Month lost"),
}


@dataclass(frozen=True, slots=True)
class LostDealRow:
    group: str  # the stage, product line, channel, rep or month (YYYY-MM)
    reason: str
    leads: int
    amount: Decimal
    share_of_group: Decimal | None  # of the group's amount lost, %
    is_total: bool = field(default=False, metadata=NOT_A_COLUMN)


def _names(by: str, values: set) -> dict:
    """The label of each dimension value (one query, none for stages and months)."""
    if by == "stage":
        return {value: str(Lead.Stage(value).label) for value in values if value}
    if by == "month":
        return {value: f"{value:%Y-%m}" for value in values if value}
    model = {"product_line": ProductLine, "channel": Channel, "rep": User}[by]
    return {row.pk: str(row) for row in model.objects.filter(pk__in=values - {None})}


def lost_deal_rows(scope: Scope, by: str) -> list[LostDealRow]:
    """Per group (in its natural order: the funnel's stages, months, names) the reasons by
    amount lost (largest first), each with its share of the group's amount; a total row."""
    totals = lost_totals(scope.start, scope.end, by, scope.owned("owner_id"))
    names = _names(by, {value for value, *_rest in totals})
    reasons = {reason.pk: str(reason) for reason in LostReason.objects.all()}
    groups: dict = defaultdict(list)
    for value, reason_id, leads, amount in totals:
        groups[value].append((reasons.get(reason_id, "—"), leads, money(amount)))
    if by == "stage":
        order = {stage: i for i, stage in enumerate(Lead.Stage.values)}
        keys = sorted(groups, key=lambda v: order.get(v, len(order)))
    elif by == "month":
        keys = sorted(groups)
    else:
        keys = sorted(groups, key=lambda v: names.get(v, "—"))
    rows = []
    for key in keys:
        group_amount = sum((amount for _r, _l, amount in groups[key]), ZERO)
        for reason, leads, amount in sorted(groups[key], key=lambda r: (-r[2], -r[1], r[0])):
            rows.append(
                LostDealRow(
                    names.get(key, "—"), reason, leads, amount, percent(amount, group_amount)
                )
            )
    if rows:
        rows.append(
            LostDealRow(
                _("Total"),
                "",
                sum(row.leads for row in rows),
                sum((row.amount for row in rows), ZERO),
                None,
                is_total=True,
            )
        )
    return rows


def draw_lost_deals(rows: list[LostDealRow], by: str) -> Figure:
    """The amount lost per group, stacked by reason (one trace per reason)."""
    shown = [row for row in rows if not row.is_total]
    groups = list(dict.fromkeys(row.group for row in shown))
    reasons = sorted({row.reason for row in shown})
    amounts = {(row.group, row.reason): row.amount for row in shown}
    figure = Figure()
    for reason in reasons:
        figure.add_bar(
            x=groups,
            y=[amounts.get((group, reason), ZERO) for group in groups],
            name=reason,
        )
    figure.layout["barmode"] = "stack"
    return figure.axes(x=str(DIMENSION_LABELS[by]), y=_("Amount lost (¥)"))


def chart_lost_deals(scope: Scope, by: str) -> Chart:
    rows = lost_deal_rows(scope, by)
    return Chart(
        "lost_deals",
        _("Lost deals by reason"),
        [
            str(DIMENSION_LABELS[by]),
            _("Lost reason"),
            _("Leads lost"),
            _("Amount lost (¥)"),
            _("Share of the group's amount lost (%)"),
        ],
        [cells(row) for row in rows],
        partial(draw_lost_deals, rows, by),
        note=_(
            "A lead counts when it is lost now and its last move to lost happened in the period; the amount lost is its budget (0 when none was recorded)."
        ),
        period=scope.label,
        empty=_("The leads lost in this period had no budget recorded: no amount to plot."),
    )
