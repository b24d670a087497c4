from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from performance import dashboards
from performance import services as performance_services
from performance.dashboards.territories import chart_territories
from performance.forms import DashboardFilterForm
from performance.models import MarketGrowth
from performance.views import territory_notice
from salescrm.access import role_required
from salescrm.exports import export_response
from salescrm.permissions import Action, action_required
from salescrm.roles import SALES

from .collection import chart_collection
from .coverage import chart_coverage
from .forms import LostDealFilterForm, LtvFilterForm, MarketGrowthForm
from .lost import chart_lost_deals
from .ltv import chart_ltv
from .money import chart_months


def _chart_page(request, form, scope, chart, *, heading, nothing, extra=None):
    """A chart with its table and CSV/XLSX exports (``?export=csv|xlsx``), for the filters."""
    if request.GET.get("export") in ("csv", "xlsx"):
        return export_response(
            filename=f"{chart.key}-{scope.label}",
            header=chart.header,
            rows=chart.rows,
            fmt=request.GET["export"],
        )
    if form.is_bound and form.errors:
        messages.warning(request, _("Some filters were not valid for you and were ignored."))
    territory_notice(request, scope)
    query = QueryDict(dashboards.export_query(scope), mutable=True)
    query.update(extra or {})
    return render(
        request,
        "analytics/chart_page.html",
        {
            "form": form,
            "scope": scope,
            "chart": chart,
            "query": query.urlencode(),
            "heading": heading,
            "nothing": nothing,
        },
    )


@role_required(*SALES)
def lost_deals(request):
    """The lost-deal analysis of the reader's scope: reasons by stage, product line, channel,
    rep or month with the amount lost."""
    form = LostDealFilterForm(request.GET or None, user=request.user)
    scope = dashboards.scope_for(request.user, **form.filters())
    by = form.dimension()
    return _chart_page(
        request,
        form,
        scope,
        chart_lost_deals(scope, by),
        heading=_("Lost deals"),
        nothing=_("No lead was lost in this period."),
        extra={"by": by},
    )


@role_required(*SALES)
def money_over_time(request):
    """Month by month of the year: reps at target, output per head, old customers' signings."""
    form = DashboardFilterForm(request.GET or None, user=request.user)
    scope = dashboards.scope_for(request.user, **form.filters())
    return _chart_page(
        request,
        form,
        scope,
        chart_months(dashboards.Data(scope)),
        heading=_("Money over time"),
        nothing=_("No month of this year yet."),
    )


@role_required(*SALES)
def collection(request):
    """Days sales outstanding and the average collection cycle per rep and team."""
    form = DashboardFilterForm(request.GET or None, user=request.user)
    scope = dashboards.scope_for(request.user, **form.filters())
    return _chart_page(
        request,
        form,
        scope,
        chart_collection(scope),
        heading=_("Days to collect"),
        nothing=_("No rep in this view."),
    )


@role_required(*SALES)
def lifetime_value(request):
    """Customer lifetime value by channel, by product line, or the top customers."""
    form = LtvFilterForm(request.GET or None, user=request.user)
    scope = dashboards.scope_for(request.user, **form.filters())
    view = form.chosen_view()
    return _chart_page(
        request,
        form,
        scope,
        chart_ltv(scope, view),
        heading=_("Customer lifetime value"),
        nothing=_("No customer has signed a contract yet."),
        extra={"view": view},
    )


@role_required(*SALES)
def coverage(request):
    """Weighted open pipeline ÷ remaining target per rep, team and the company."""
    form = DashboardFilterForm(request.GET or None, user=request.user)
    scope = dashboards.scope_for(request.user, **form.filters())
    return _chart_page(
        request,
        form,
        scope,
        chart_coverage(dashboards.Data(scope)),
        heading=_("Pipeline coverage"),
        nothing=_("No rep in this view."),
    )


@action_required(Action.MARKET_GROWTH_RECORD)
def market_growth(request):
    """The market's growth per period, and the form to record one (the director and
    administrators; a second figure for a period replaces the first)."""
    form = MarketGrowthForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            figure = performance_services.market_growth_record(
                actor=request.user, **form.service_fields()
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(
                request,
                _("Market growth of %(period)s recorded: %(growth)s %%.")
                % {"period": figure.period_label, "growth": figure.growth},
            )
            return redirect("analytics:market")
    page = Paginator(
        MarketGrowth.objects.select_related("recorded_by").order_by("-period_start", "period_kind"),
        50,
    ).get_page(request.GET.get("page"))
    status = 400 if request.method == "POST" else 200
    return render(
        request, "analytics/market_growth.html", {"form": form, "page": page}, status=status
    )


@role_required(*SALES)
def territories(request):
    """Leads, conversion, signed and collected by territory, each with its cities and
    districts rolled up into it."""
    form = DashboardFilterForm(request.GET or None, user=request.user)
    scope = dashboards.scope_for(request.user, **form.filters())
    return _chart_page(
        request,
        form,
        scope,
        chart_territories(dashboards.Data(scope)),
        heading=_("By territory"),
        nothing=_("No lead, signed or collected amount in a territory in this period."),
    )
