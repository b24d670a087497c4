from salescrm.nightly import nightly_job
from salescrm.services import notify_many

from . import services
from .coverage import company_data, coverage_alerts, learn_weights
from .models import AnalyticsSettings
from .trends import trend_alerts
from .winprob import train_and_score


@nightly_job("analytics.pipeline_coverage", order=60)
def pipeline_coverage(business_date):
    """Learn the stage weights from the history, then alert every rep whose weighted open
    pipeline is below the admin-set multiple of the month's remaining target, and their
    manager (once per rep and day: a rerun sends nothing new)."""
    weights = learn_weights(business_date)
    ratio = AnalyticsSettings.current().coverage_ratio
    alerts = coverage_alerts(company_data(business_date), ratio, business_date)
    return {"stage_weights": len(weights), "alerts": len(alerts), "sent": notify_many(alerts)}


@nightly_job("analytics.kpi_trends", order=61)
def kpi_trends(business_date):
    """Alert the rep and their manager of every KPI that worsened the admin-set number of
    months in a row (once per rep, KPI and month)."""
    alerts = trend_alerts(business_date, AnalyticsSettings.current().trend_periods)
    return {"alerts": len(alerts), "sent": notify_many(alerts)}


@nightly_job("analytics.alert_analyses", order=62)
def alert_analyses(business_date):
    """Open an analysis for each KPI alert of the night (anomaly, trend), due two working days
    later; tell the manager once about each analysis not written by the end of its due date."""
    return {
        **services.analyses_open(day=business_date),
        **services.late_analyses_notify(day=business_date),
    }


@nightly_job("analytics.improvement_plans", order=63)
def improvement_plans(business_date):
    """Open an improvement plan for each rep who failed the monthly scorecard the admin-set
    number of closed months in a row (once per run of failures)."""
    return services.improvement_plans_open(day=business_date)


@nightly_job("analytics.win_probability", order=59)
def win_probability(business_date):
    """Train the win-probability model on the history up to the business date, back-test it
    on the last quarter and bring every open lead's probability up to date (before the
    pipeline coverage, which weighs the open leads by them)."""
    run = train_and_score(business_date)
    return {
        "status": run.status,
        "closed": run.training_rows,
        "scored": run.scored,
        "written": run.written,
        "auc": str(run.auc) if run.auc is not None else "",
    }
