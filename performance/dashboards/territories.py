"""The director's figures by sales territory (issue 20, seed 004 销售区域): leads, conversion,
signed and collected amounts, each territory with its cities and districts rolled up into it.

Computed live from the source rows (no nightly fact): four queries whatever the number of
leads or territories — the territories, the leads grouped by territory, the signed contracts
grouped by territory, the receipts less refunds grouped by territory.

- leads: leads created in the period placed in the territory (or one of its descendants);
- won: of those leads, the ones won by now; conversion = won ÷ leads, in %, to 0.1;
- signed: contracts signed in the period (``signed_on``), their total, placed by the
  customer's territory, else the customer's source lead's;
- collected: payments received in the period less refunds confirmed in it, placed the same way;
- a figure of a district counts in its city and its province once each (a tree: every place
  has one parent); "No territory" gathers what is placed nowhere.

The reader's scope applies first (a manager: their teams' leads and contracts); the territory
filter then keeps the chosen territory and its descendants.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from customers.models import Contract, Payment, Refund
from leads.models import Lead, Territory
from salescrm.timeutil import day_bounds

from .data import Data
from .figures import NOT_A_COLUMN, Chart, Figure, cells
from .scope import ZERO, Scope, money, percent

NO_TERRITORY = None


@dataclass(frozen=True, slots=True)
class TerritoryRow:
    territory: str  # its path, "浙江省 › 杭州"
    level: str
    responsible: str
    leads: int
    won: int
    conversion: Decimal | None
    signed: Decimal
    collected: Decimal
    depth: int = field(default=0, metadata=NOT_A_COLUMN)
    pk: int | None = field(default=None, metadata=NOT_A_COLUMN)


def _owned(scope: Scope, path: str) -> Q:
    """The reader's scope before the territory filter narrows its reps: the territory chart
    places the rows by where they are, not by who is responsible."""
    return scope.owned_unnarrowed(path)


def territory_figures(scope: Scope) -> dict:
    """{territory_id or None: [leads, won, signed, collected]} of the rows placed directly in
    each territory (not rolled up). Three queries."""
    low, high = day_bounds(scope.start, scope.end)
    figures: dict = defaultdict(lambda: [0, 0, ZERO, ZERO])
    leads = (
        Lead.objects.filter(_owned(scope, "owner_id"), created_at__gte=low, created_at__lt=high)
        .values("territory_id")
        .annotate(leads=Count("id"), won=Count("id", filter=Q(stage=Lead.Stage.WON)))
        .order_by()
        .values_list("territory_id", "leads", "won")
    )
    for territory_id, count, won in leads:
        figures[territory_id][0] += count
        figures[territory_id][1] += won
    placed = Coalesce("customer__territory_id", "customer__lead__territory_id")
    signed = (
        Contract.objects.signed_between(scope.start, scope.end)
        .filter(_owned(scope, "owner_id"))
        .values(place=placed)
        .annotate(value=Sum("total_amount"))
        .order_by()
        .values_list("place", "value")
    )
    for place, value in signed:
        figures[place][2] += value or ZERO
    paid_place = Coalesce(
        "contract__customer__territory_id", "contract__customer__lead__territory_id"
    )
    payments = (
        Payment.objects.filter(
            _owned(scope, "contract__owner_id"), received_on__range=(scope.start, scope.end)
        )
        .values(place=paid_place)
        .annotate(value=Sum("amount"))
        .order_by()
        .values_list("place", "value")
    )
    refunds = (
        Refund.objects.filter(
            _owned(scope, "contract__owner_id"),
            status=Refund.Status.CONFIRMED,
            confirmed_on__range=(scope.start, scope.end),
        )
        .values(place=paid_place)
        .annotate(value=-Sum("amount"))
        .order_by()
        .values_list("place", "value")
    )
    for place, value in payments.union(refunds, all=True):
        figures[place][3] += value or ZERO
    return figures


def rolled_up(figures: dict, parents: dict[int, int | None]) -> dict:
    """Each territory's own figures plus those of its descendants: a row placed in a district
    is added to the district, its city and its province, once each."""
    totals: dict = defaultdict(lambda: [0, 0, ZERO, ZERO])
    for place, values in figures.items():
        node, seen = place, set()
        while node is not None and node not in seen and node in parents:
            seen.add(node)
            for i, value in enumerate(values):
                totals[node][i] += value
            node = parents[node]
    return totals


def territory_rows(data: Data) -> list[TerritoryRow]:
    """One row per territory with a figure (in tree order; within the territory filter, the
    chosen one and its descendants), then "No territory" for the whole scope."""
    scope = data.scope
    territories = list(
        Territory.objects.select_related("parent__parent", "owner_team", "owner_rep")
    )
    parents = {t.pk: t.parent_id for t in territories}
    figures = territory_figures(scope)
    totals = rolled_up(figures, parents)
    wanted = set(scope.territory_ids) if scope.territory is not None else None
    rows = []
    for territory in sorted(territories, key=_tree_key):
        if wanted is not None and territory.pk not in wanted:
            continue
        leads, won, signed, collected = totals.get(territory.pk, [0, 0, ZERO, ZERO])
        if not (leads or signed or collected):
            continue
        rows.append(
            TerritoryRow(
                territory=territory.path,
                level=str(territory.get_kind_display()),
                responsible=str(territory.owner_team or territory.owner_rep or "—"),
                leads=leads,
                won=won,
                conversion=percent(won, leads),
                signed=money(signed),
                collected=money(collected),
                depth=len(_tree_key(territory)),
                pk=territory.pk,
            )
        )
    unplaced = figures.get(NO_TERRITORY)
    if wanted is None and unplaced and any(unplaced):
        leads, won, signed, collected = unplaced
        rows.append(
            TerritoryRow(
                territory=_("No territory"),
                level="—",
                responsible="—",
                leads=leads,
                won=won,
                conversion=percent(won, leads),
                signed=money(signed),
                collected=money(collected),
                depth=0,
            )
        )
    return rows


def _tree_key(territory: Territory) -> tuple:
    names, node = [], territory
    while node is not None:
        names.append(node.name)
        node = node.parent
    return tuple(reversed(names))


def plotted_rows(rows: list[TerritoryRow]) -> list[TerritoryRow]:
    """The top level of the table (the provinces, or the chosen territory): its rows add up to
    the placed totals, so no amount is drawn twice."""
    placed = [row for row in rows if row.pk is not None]
    if not placed:
        return []
    top = min(row.depth for row in placed)
    return [row for row in placed if row.depth == top]


def draw_territories(rows: list[TerritoryRow]) -> Figure:
    shown = plotted_rows(rows)
    names = [row.territory for row in shown]
    figure = Figure()
    figure.add_bar(x=names, y=[float(row.signed) for row in shown], name=_("Signed amount"))
    figure.add_bar(x=names, y=[float(row.collected) for row in shown], name=_("Collected amount"))
    return figure.axes(x=_("Territory"), y=_("Amount (¥)"))


def chart_territories(data: Data) -> Chart:
    rows = territory_rows(data)
    return Chart(
        "territories",
        _("By territory"),
        [
            _("Territory"),
            pgettext("territory", "Level"),
            _("Responsible"),
            _("Leads"),
            _("Won"),
            _("Conversion (%)"),
            _("Signed amount"),
            _("Collected amount"),
        ],
        [cells(row) for row in rows],
        partial(draw_territories, rows),
        period=data.scope.label,
        note=_(
            "Leads created in the period and how many of them are won; contracts signed and "
            "money collected in the period, placed by the customer's territory. A territory "
            "includes its cities and districts."
        ),
        empty=_("No lead, signed or collected amount in a territory in this period."),
    )


CHARTS = {"territories": chart_territories}

__all__ = ["CHARTS", "TerritoryRow", "rolled_up", "territory_figures", "territory_rows"]
