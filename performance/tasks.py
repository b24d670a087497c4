"""The performance app's nightly jobs (SPEC §5). Each takes the business date, computes from
the source rows up to the end of that Shanghai day, and replaces its rows; salescrm.nightly
runs each under its lock, in one transaction, with a JobRun record.

The dashboard facts run before the scorecards and the anomaly alerts: they hold the night's
KPI ratios of the month and the quarter, which those two read instead of computing them again
(and compute themselves when the facts are missing)."""

from salescrm.nightly import nightly_job

from . import facts, services


@nightly_job("performance.funnel_snapshot", order=40)
def funnel_snapshot(business_date):
    return services.funnel_snapshot_replace(day=business_date)


@nightly_job("performance.dashboard_facts", order=44)
def dashboard_facts(business_date):
    return facts.dashboard_facts_compute(day=business_date)


@nightly_job("performance.scorecards", order=45)
def scorecards(business_date):
    return services.scorecards_compute(day=business_date)


@nightly_job("performance.commission", order=50)
def commission(business_date):
    return services.commission_compute(day=business_date)


@nightly_job("performance.kpi_anomalies", order=55)
def kpi_anomalies(business_date):
    return services.kpi_anomalies_notify(day=business_date)
