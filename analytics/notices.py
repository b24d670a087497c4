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
