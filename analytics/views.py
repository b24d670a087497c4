from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from performance import dashboards
from salescrm.access import role_required
from salescrm.exports import export_response
from salescrm.roles import SALES

from .forms import LostDealFilterForm
from .lost import chart_lost_deals


@role_required(*SALES)
def lost_deals(request):
    """The lost-deal analysis of the reader's scope: reasons by stage, product line, channel,
    rep or month with the amount lost; a table, a chart and CSV/XLSX exports."""
    form = LostDealFilterForm(request.GET or None, user=request.user)
    scope = dashboards.scope_for(request.user, **form.filters())
    by = form.dimension()
    chart = chart_lost_deals(scope, by)
    if request.GET.get("export") in ("csv", "xlsx"):
        return export_response(
            filename=f"lost-deals-{by}-{scope.label}",
            header=chart.header,
            rows=chart.rows,
            fmt=request.GET["export"],
        )
    if form.is_bound and form.errors:
        messages.warning(request, _("Some filters were not valid for you and were ignored."))
    query = QueryDict(dashboards.export_query(scope), mutable=True)
    query["by"] = by
    return render(
        request,
        "analytics/lost_deals.html",
        {"form": form, "scope": scope, "chart": chart, "query": query.urlencode()},
    )
