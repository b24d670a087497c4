"""The wording of the analytics app's alerts, in the reader's language (salescrm.notices)."""

from django.utils.translation import gettext as _

from performance.kpis import KPI_BY_CODE
from salescrm.notices import notice_text


@notice_text("alert_analysis_late")
def _alert_analysis_late(params):
    kpi = KPI_BY_CODE.get(params["kpi"])
    figures = {**params, "kpi": str(kpi.label) if kpi else params["kpi"]}
    return (
        _("%(rep)s: the analysis of %(kpi)s (%(month)s) is late") % figures,
        _(
            "The analysis of the %(kpi)s alert of %(month)s was due on %(due)s and has not "
            "been written."
        )
        % figures,
    )


@notice_text("improvement_plan")
def _improvement_plan(params):
    return (
        _("An improvement plan was opened after %(month)s") % params,
        _(
            "The monthly scorecard was below the pass mark of %(pass)s in %(runs)s closed months "
            "in a row up to %(month)s: the manager sets the plan's goals and review date."
        )
        % params,
    )
