"""Nightly jobs of customer success. Each takes the business date (the Shanghai day that has
just ended), calls one set-based service and is idempotent. They run after the customers
jobs (the tiers of the 1st of the month are re-evaluated first). The one Celery task of the
app, ``success.survey_emails``, is queued by the survey services and so defined beside them
(success/services/surveys.py)."""

import datetime as dt

from salescrm.nightly import nightly_job

from . import services


@nightly_job("success.renewals", order=30)
def renewals(business_date: dt.date) -> dict:
    return services.renewals_refresh(as_of=business_date)


@nightly_job("success.service_cadence", order=31)
def service_cadence(business_date: dt.date) -> dict:
    return services.cadence_refresh(as_of=business_date)


@nightly_job("success.surveys", order=32)
def surveys(business_date: dt.date) -> dict:
    return services.survey_invitations_create(as_of=business_date)
