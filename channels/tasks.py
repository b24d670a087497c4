"""The nightly jobs of the channels app (salescrm.nightly): set-based and idempotent."""

import datetime as dt

from salescrm.nightly import nightly_job
from salescrm.timeutil import add_months, quarter_start

from .models import PartnerTierChange
from .services import (
    partner_tiers_compute,
    referral_rewards_propose,
    settlement_months_due,
    settlements_compute,
)

# The first run fills in the past year, so a new install (and the demo) has a history.
CATCH_UP_MONTHS = 12


@nightly_job("channels.partner_tiers", order=70)
def partner_tiers(business_date: dt.date) -> dict:
    """Tiers from the last finished quarter (the first run: the last four quarters)."""
    last_finished = add_months(quarter_start(business_date), -3)
    quarters = [last_finished]
    if not PartnerTierChange.objects.exists():
        quarters = [add_months(last_finished, -3 * back) for back in (3, 2, 1, 0)]
    summary = {}
    for quarter in quarters:
        summary = partner_tiers_compute(quarter=quarter)
    return {**summary, "quarters": len(quarters)}


@nightly_job("channels.partner_settlements", order=71)
def partner_settlements(business_date: dt.date) -> dict:
    """The open month and the one before it; earlier months whose open settlements' rows
    changed since they were computed; months of the past year with credited rows and no
    settlement yet (the first run fills in the year). Closed settlements are never touched:
    a late or corrected row of a closed month goes on the partner's next open settlement."""
    months = settlement_months_due(day=business_date, catch_up_months=CATCH_UP_MONTHS)
    totals = {"settlements": 0, "lines": 0, "invalid_plans": 0, "months": len(months)}
    for month in months:
        summary = settlements_compute(month=month)
        for key in summary:
            totals[key] += summary[key]
    return totals


@nightly_job("channels.referral_rewards", order=72)
def referral_rewards(business_date: dt.date) -> dict:
    return referral_rewards_propose(day=business_date)
