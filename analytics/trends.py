"""Trend alerts (issue 20, seed 003): a KPI that worsened N months in a row (admin-set, default
3) alerts the rep and their manager, the way the 20 % anomaly does.

Worsened: below the month before for a KPI where higher is better, above it where lower is
better (a month without a figure breaks the run). Read from the nightly monthly facts of the
last N + 1 complete months: one query."""

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _

from performance.kpis import HIGHER, KPI_BY_CODE, Ratio
from performance.models import FactPeriod, KpiFact
from salescrm.models import User
from salescrm.timeutil import add_months, month_start


def declining(values: list, direction: str) -> bool:
    """Whether every value is worse than the one before (None breaks the run)."""
    if len(values) < 2 or any(v is None for v in values):
        return False
    pairs = zip(values, values[1:], strict=False)
    if direction == HIGHER:
        return all(later < earlier for earlier, later in pairs)
    return all(later > earlier for earlier, later in pairs)


def trend_alerts(day: dt.date, periods: int) -> list[dict]:
    """The notifications for the KPIs of active reps that worsened `periods` months in a row
    up to the last month complete on business date `day`; the key names the rep, the KPI and
    that month, so a rerun sends nothing new."""
    last = add_months(month_start(day + dt.timedelta(days=1)), -1)
    months = [add_months(last, -k) for k in range(periods, -1, -1)]  # oldest first
    facts = KpiFact.objects.filter(
        period__kind=FactPeriod.Kind.MONTH,
        period__start__in=months,
        measure__in=list(KPI_BY_CODE),
    ).values_list("owner_id", "measure", "period__start", "numerator", "denominator")
    series: dict = defaultdict(dict)
    for owner, measure, start, numerator, denominator in facts:
        series[(owner, measure)][start] = KPI_BY_CODE[measure].value(Ratio(numerator, denominator))
    reps = {
        rep.pk: rep for rep in User.objects.reps().filter(is_active=True).select_related("team")
    }
    url = reverse("dashboard")
    alerts = []
    for (owner, code), by_month in sorted(series.items()):
        kpi = KPI_BY_CODE[code]
        values = [by_month.get(month) for month in months]
        rep = reps.get(owner)
        if rep is None or not declining(values, kpi.direction):
            continue
        title = _("%(kpi)s of %(rep)s worsened %(n)s months in a row") % {
            "kpi": kpi.label,
            "rep": rep,
            "n": periods,
        }
        body = " → ".join(
            f"{month:%Y-%m} {round(value, 2)}" for month, value in zip(months, values, strict=True)
        )
        for recipient in {rep.pk, rep.team.manager_id if rep.team else None} - {None}:
            alerts.append(
                {
                    "recipient_id": recipient,
                    "kind": "kpi_trend",
                    "key": f"kpi-trend:{rep.pk}:{code}:{last:%Y-%m}",
                    "title": title[:200],
                    "body": body,
                    "url": url,
                }
            )
    return alerts
