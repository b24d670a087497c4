from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Value, When
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from performance import dashboards
from performance import services as performance_services
from performance.dashboards.territories import chart_territories
from performance.forms import DashboardFilterForm
from performance.models import MarketGrowth
from performance.views import territory_notice
from salescrm.access import get_visible_or_404, role_required
from salescrm.errors import BusinessRuleError
from salescrm.exports import export_response
from salescrm.pagination import CappedPaginator
from salescrm.permissions import Action, action_required, ensure_may, may
from salescrm.roles import SALES
from salescrm.timeutil import EARLIEST_BUSINESS_DATE, latest_business_year, local_today

from . import selectors, services
from .annual import annual_rows
from .collection import chart_collection
from .coverage import chart_coverage
from .forms import (
    AnalysisFilterForm,
    AnalysisForm,
    ImprovementPlanForm,
    LostDealFilterForm,
    LtvFilterForm,
    MarketGrowthForm,
)
from .lost import chart_lost_deals
from .ltv import chart_ltv
from .models import AlertAnalysis, AnalyticsSettings, ImprovementPlan
from .money import chart_months

PAGE_SIZE = 30


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


# --- alert analyses ------------------------------------------------------------------------


@role_required(*SALES)
def analyses(request):
    """The analyses KPI alerts ask for: a rep's own, a manager's teams', the director's all;
    open, late and answered, filtered by status, kind and rep."""
    form = AnalysisFilterForm(request.GET or None, user=request.user)
    today = local_today()
    rows = selectors.analyses_for(request.user, today, **form.filters())
    page = CappedPaginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for analysis in page:
        analysis.status = analysis.status_on(today)
        analysis.writable = services.may_write(request.user, analysis)
    return render(
        request,
        "analytics/analysis_list.html",
        {
            "form": form,
            "page": page,
            "today": today,
            "counts": selectors.counts_for(request.user, today),
            "can_write": may(request.user, Action.ALERT_ANALYSIS_WRITE),
        },
    )


@role_required(*SALES)
def analysis_detail(request, pk):
    analysis = get_visible_or_404(
        AlertAnalysis.objects.select_related("owner", "answered_by"), request.user, pk=pk
    )
    return render(
        request,
        "analytics/analysis_detail.html",
        {
            "analysis": analysis,
            "status": analysis.status_on(local_today()),
            "can_write": may(request.user, Action.ALERT_ANALYSIS_WRITE)
            and services.may_write(request.user, analysis),
        },
    )


@action_required(Action.ALERT_ANALYSIS_WRITE)
def analysis_write(request, pk):
    """The owner (or their manager) writes the analysis; anyone else: 404."""
    analysis = get_visible_or_404(
        AlertAnalysis.objects.select_related("owner"), request.user, pk=pk
    )
    if not services.may_write(request.user, analysis):
        raise Http404
    initial = {"cause": analysis.cause, "actions": analysis.actions}
    form = AnalysisForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.analysis_write(actor=request.user, analysis=analysis, **form.cleaned_data)
        except BusinessRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Analysis saved."))
            return redirect(analysis)
    return render(
        request,
        "analytics/analysis_form.html",
        {"analysis": analysis, "form": form, "status": analysis.status_on(local_today())},
    )


# --- improvement plans ---------------------------------------------------------------------


@role_required(*SALES)
def improvement_plans(request):
    """The improvement plans the reader sees: a rep their own, a manager their teams', the
    director all; those in progress first."""
    plans = (
        ImprovementPlan.objects.visible_to(request.user)
        .select_related("person", "person__team")
        .annotate(
            in_progress=Case(
                When(outcome=ImprovementPlan.Outcome.PENDING, then=Value(0)), default=Value(1)
            )
        )
        .order_by("in_progress", "-opened_on", "-id")
    )
    page = CappedPaginator(plans, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "analytics/plan_list.html",
        {"page": page, "settings": AnalyticsSettings.current()},
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
def plan_detail(request, pk):
    """The plan, and for the rep's manager or the director the form that edits it."""
    plan = get_visible_or_404(
        ImprovementPlan.objects.select_related("person", "updated_by"), request.user, pk=pk
    )
    can_edit = may(request.user, Action.IMPROVEMENT_PLAN_EDIT) and services.may_edit_plan(
        request.user, plan
    )
    form = None
    if can_edit:
        initial = {
            "goals": plan.goals,
            "review_on": plan.review_on,
            "outcome": plan.outcome,
            "outcome_note": plan.outcome_note,
        }
        form = ImprovementPlanForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                services.improvement_plan_update(actor=request.user, plan=plan, **form.cleaned_data)
            except BusinessRuleError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Improvement plan saved."))
                return redirect(plan)
    elif request.method == "POST":
        ensure_may(request.user, Action.IMPROVEMENT_PLAN_EDIT)
        raise Http404
    return render(
        request, "analytics/plan_detail.html", {"plan": plan, "form": form, "can_edit": can_edit}
    )


# --- annual scorecards ---------------------------------------------------------------------


@role_required(*SALES)
def annual_scorecards(request):
    """The year's scorecards from the frozen quarters and months of the people the reader sees."""
    latest = latest_business_year()
    try:
        year = int(request.GET.get("year") or latest)
    except ValueError:
        year = latest
    if not EARLIEST_BUSINESS_DATE.year <= year <= latest:
        messages.warning(
            request,
            _("Choose a year between %(first)s and %(last)s.")
            % {"first": EARLIEST_BUSINESS_DATE.year, "last": latest},
        )
        year = latest
    rows = annual_rows(request.user, year)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "analytics/annual_scorecards.html",
        {
            "page": page,
            "year": year,
            "years": range(latest, max(EARLIEST_BUSINESS_DATE.year, latest - 5) - 1, -1),
        },
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
