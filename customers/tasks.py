"""Nightly jobs of the customers app (SPEC §3, §5). Each takes the business date (the Shanghai
day that has just ended), calls one set-based service and is idempotent."""

import datetime as dt

from salescrm.nightly import nightly_job
from salescrm.timeutil import start_of_day

from . import services


@nightly_job("customers.overdue_instalments", order=20)
def overdue_instalments(business_date: dt.date) -> dict:
    # An instalment due on the business date is overdue from the next day on.
    return services.instalments_mark_overdue(as_of=business_date + dt.timedelta(days=1))


@nightly_job("customers.complaint_escalation", order=21)
def complaint_escalation(business_date: dt.date) -> dict:
    return services.complaints_escalate(now=start_of_day(business_date + dt.timedelta(days=1)))


@nightly_job("customers.tier_reevaluation", order=22)
def tier_reevaluation(business_date: dt.date) -> dict:
    """Monthly: runs when the business date is the first day of a month."""
    if business_date.day != 1:
        return {"skipped": "not the first day of the month"}
    return services.tiers_reevaluate(as_of=business_date)
