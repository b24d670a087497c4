"""Nightly jobs of the leads app (run by `run_nightly`, see salescrm.nightly)."""

import datetime as dt

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
