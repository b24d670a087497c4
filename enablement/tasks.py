"""Nightly job of the enablement app (run by `run_nightly`, see salescrm.nightly)."""

import datetime as dt

from salescrm.nightly import nightly_job

from .experiments import experiments_measure


@nightly_job("enablement.experiments", order=60)
def measure_experiments(business_date: dt.date) -> dict:
    """Each running script experiment's arms measured from the stage history (one query per
    experiment and its members, none per rep); the figures and the verdict are replaced."""
    return experiments_measure(business_date)
