"""The wording of the performance app's alerts, in the reader's language (salescrm.notices)."""

from django.utils.translation import gettext as _

from salescrm.notices import notice_text

from .kpis import KPI_BY_CODE


@notice_text("kpi_anomaly")
def _kpi_anomaly(params):
    kpi = KPI_BY_CODE[params["kpi"]]
    figures = {**params, "kpi": str(kpi.label), "unit": str(kpi.unit)}
    return (
        _("%(rep)s: %(kpi)s %(change)s %% against last month") % figures,
        _(
            "%(kpi)s of %(rep)s: %(current)s %(unit)s in %(span)s against %(previous)s %(unit)s in %(previous_span)s (%(change)s %%)."
        )
        % figures,
    )
