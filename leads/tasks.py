"""Nightly jobs of the leads app (run by `run_nightly`, see salescrm.nightly)."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from salescrm.nightly import nightly_job
from salescrm.timeutil import start_of_day

from .importing import import_files_cleanup
from .models import Lead
from .scoring import engagement_stale, leads_rescore
from .services import leads_reclaim


@nightly_job("leads.score_refresh", order=10)
def refresh_scores(business_date: dt.date) -> dict:
    """Re-score the open leads whose "engaged in the last 14 days" status has changed by the
    end of the business day: the one criterion that changes with time alone."""
    end_of_day = start_of_day(business_date + dt.timedelta(days=1))
    stale = engagement_stale(Lead.objects.open(), now=end_of_day)
    return {"changed": leads_rescore(stale, now=end_of_day)}


@nightly_job("leads.pool_reclaim", order=11)
def reclaim_pool(business_date: dt.date) -> dict:
    return leads_reclaim(business_date=business_date)


@nightly_job("leads.import_files_cleanup", order=12)
def clean_import_files(business_date: dt.date) -> dict:
    """Uploaded lead files are kept one day for the preview, the import and the download of
    rejected rows; older ones are deleted."""
    return {"removed": import_files_cleanup(older_than=start_of_day(business_date))}


@shared_task(
    bind=True,
    name="leads.tasks.rescore_all_leads",
    max_retries=3,
    soft_time_limit=settings.NIGHTLY_JOB_SOFT_TIME_LIMIT,
    time_limit=settings.NIGHTLY_JOB_TIME_LIMIT,
)
def rescore_all_leads(self) -> int:
    """Re-grade every lead after an admin changed the scoring rules or thresholds: minutes for
    a million leads, so in the worker, not in the admin's request. Idempotent (it computes
    each lead's score from the rules as they are when it runs)."""
    try:
        return leads_rescore()
    except OperationalError as error:
        raise self.retry(exc=error, countdown=30 * 2**self.request.retries) from error
