"""Cadence compliance (服务频次达标率) as a KPI the schemes can weigh (performance.kpis
catalogue).

Each night ``success.service_cadence`` stores, per owner and tier, the customers *due* for
service (customers for a whole cadence window) and those *served* (contacted inside it; see
``services.cadence.served_on_cadence``). The KPI over a period sums those nightly rows:
customers served on cadence ÷ customers due, over the nights of the period, × 100 — each
customer counts once per night, so a customer contacted one day late is off cadence on that
night only. Per rep (the customer's owner); a team's or the company's figure is its reps'
served over their due (``performance.kpis.rollup``), never an average of rates. One query
whatever the number of reps.

Worked example (strategic, every 14 days; contacts on 1 June): A contacted again on 15 June
(the due day), B on 16 June (a day late). Nights 14–16 June: A served 3 of 3, B 2 of 3 (on
the 15th B's window 2–15 June holds no contact); both together 5 of 6 = 83.33 %.
"""

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from performance.kpis import HIGHER, HUNDRED, Kpi, Ratio, register_kpi

from .models import CadenceCompliance


def cadence_compliance(start: dt.date, end: dt.date) -> dict[int, Ratio]:
    rows = (
        CadenceCompliance.objects.filter(business_date__range=(start, end))
        .values("owner_id")
        .annotate(due=Sum("due"), served=Sum("served"))
        .values_list("owner_id", "served", "due")
        .order_by()
    )
    return {owner: Ratio(Decimal(served), Decimal(due)) for owner, served, due in rows if due}


CADENCE_COMPLIANCE = Kpi(
    "cadence_compliance",
    _("Service cadence compliance"),
    "%",
    HIGHER,
    _("service levels per tier and contacts logged (customer success)"),
    _(
        "customers contacted within their tier's cadence ÷ customers due for service, "
        "summed over the nights of the period × 100"
    ),
    cadence_compliance,
    HUNDRED,
)


def register() -> None:
    register_kpi(
        CADENCE_COMPLIANCE, no_value_reason=_("no customers due for service in the period")
    )
