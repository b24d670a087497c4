from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salescrm.access import get_visible_or_404, role_required
from salescrm.cache import cache_reachable
from salescrm.errors import BusinessRuleError
from salescrm.exports import export_response
from salescrm.models import User
from salescrm.navigation import items_for
from salescrm.permissions import Action, action_required
from salescrm.roles import Role

from . import dashboards, services
from .forms import DashboardFilterForm, ManagerRatingForm, PeriodFilterForm
from .market import MARKET_KPIS
from .models import CommissionLine, CommissionStatement, ManagerRating, PeriodKind, ScoreCard

# Managers and finance export statements (SPEC §5); the director and admins see all anyway.
EXPORTERS = (Role.MANAGER, Role.FINANCE, Role.DIRECTOR, Role.ADMIN)


def _dashboard_scope(request):
    form = DashboardFilterForm(request.GET or None, user=request.user)
    return form, dashboards.scope_for(request.user, **form.filters())


def territory_notice(request, scope) -> None:
    """Say what the territory filter shows: the figures of the reps responsible for it."""
    if scope.territory is None:
        return
    if not scope.reps:
        messages.info(
            request,
            _(
                "No one you may see is responsible for %(territory)s or its cities and "
                "districts: the figures are empty. A territory's team or rep is set by an "
                "administrator."
            )
            % {"territory": scope.territory},
        )
        return
    messages.info(
        request,
        _(
            "Territory %(territory)s: the figures of the reps responsible for it or its cities "
            "and districts (%(count)s), within what you may see. The table by territory places "
            "leads and contracts by where they are."
        )
        % {"territory": scope.territory, "count": len(scope.reps)},
    )


def dashboard(request):
    """The role-aware home after login: the reader's charts for the filtered scope, each with
    its table and exports."""
    form, scope = _dashboard_scope(request)
    if form.is_bound and form.errors:
        messages.warning(request, _("Some filters were not valid for you and were ignored."))
    territory_notice(request, scope)
    charts, charts_html = dashboards.rendered_charts(scope)
    if not cache_reachable():
        messages.warning(
            request,
            _(
                "The cache server is unreachable: the dashboard is computed afresh on every "
                "visit and may load slowly."
            ),
        )
    return render(
        request,
        f"performance/dashboard_{scope.kind if scope.kind in dashboards.DASHBOARDS else 'other'}.html",
        {
            "form": form,
            "scope": scope,
            "charts": charts,
            "charts_html": charts_html,
            "alerts": dashboards.unread_alerts(request.user),
            "sections": [item for item in items_for(request.user) if item["section"]],
        },
    )


def dashboard_export(request, key):
    """The numbers behind one chart of the reader's dashboard, as CSV or XLSX, for the same
    filters (scoped exactly as the page)."""
    _form, scope = _dashboard_scope(request)
    chart = dashboards.build(scope, key)
    if chart is None:
        raise Http404
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return export_response(
        filename=f"{key}-{scope.label}", header=chart.header, rows=chart.rows, fmt=fmt
    )


def scorecards(request):
    """Scorecards the user may see: a rep their own, a manager their team's."""
    form = PeriodFilterForm(request.GET or None)
    cards = form.filter(
        ScoreCard.objects.visible_to(request.user).select_related("person", "person__team")
    ).order_by("-period_start", "period_kind", "-total_score", "person__username")
    page = Paginator(cards, 50).get_page(request.GET.get("page"))
    return render(request, "performance/scorecard_list.html", {"page": page, "form": form})


def scorecard_detail(request, pk):
    card = get_visible_or_404(
        ScoreCard.objects.select_related("person", "scheme"), request.user, pk=pk
    )
    lines = card.explained_lines()
    market_missing = (
        card.scheme.market_adjusted
        and any(line.kpi in MARKET_KPIS for line in lines)
        and all(line.market_growth is None for line in lines)
    )
    # the button to rate: on a rep's scorecard of an open period whose scheme has rated lines
    may_rate = (
        any(line.is_rated for line in lines)
        and (card.period_kind, card.period_start) in services.rating_periods()
        and services.may_rate(request.user, card.person)
    )
    return render(
        request,
        "performance/scorecard_detail.html",
        {"card": card, "lines": lines, "market_missing": market_missing, "may_rate": may_rate},
    )


@action_required(Action.MANAGER_RATING_RECORD)
def manager_rating(request, pk):
    """The rep's manager (or the director) rates the rep's manager-rated KPIs for the open
    month or quarter; another team's rep, or anyone not a rep: 404."""
    person = get_object_or_404(User.objects.select_related("team"), pk=pk)
    if not services.may_rate(request.user, person):
        raise Http404
    periods = dict(services.rating_periods())
    kind = request.POST.get("period") or request.GET.get("period") or PeriodKind.MONTH
    if kind not in periods:
        kind = PeriodKind.MONTH
    start = periods[kind]
    items = services.rated_items(kind, start)
    current = {
        r.kpi: r
        for r in ManagerRating.objects.filter(
            person=person, period_kind=kind, period_start=start
        ).select_related("rated_by")
    }
    form = ManagerRatingForm(
        request.POST if request.method == "POST" else None, items=items, current=current
    )
    if request.method == "POST" and items and form.is_valid():
        ratings, comments = form.ratings()
        try:
            services.manager_rating_record(
                actor=request.user,
                person=person,
                period_kind=kind,
                period_start=start,
                ratings=ratings,
                comments=comments,
            )
        except BusinessRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Ratings saved; tonight's scorecards include them."))
            return redirect(f"{request.path}?period={kind}")
    history = list(
        ManagerRating.history.filter(person_id=person.pk, period_kind=kind, period_start=start)
        .select_related("rated_by")
        .order_by("-history_date")[:20]
    )
    label = services.period_label(kind, start)
    return render(
        request,
        "performance/manager_rating.html",
        {
            "person": person,
            "form": form,
            "items": items,
            "current": [current[i.kpi] for i in items if i.kpi in current],
            "history": history,
            "kind": kind,
            "period_label": label,
            "period_choices": [
                (value, services.period_label(value, day), value == kind)
                for value, day in periods.items()
            ],
        },
    )


def statements(request):
    """Commission statements the user may see: a rep their own, a manager their team's,
    finance and the director everyone's."""
    form = PeriodFilterForm(request.GET or None)
    rows = form.filter(
        CommissionStatement.objects.visible_to(request.user).select_related("rep", "team", "plan"),
        date_field="month",
        person_field="rep",
    ).order_by("-month", "rep__username")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "performance/statement_list.html",
        {"page": page, "form": form, "can_export": request.user.has_role(*EXPORTERS)},
    )


def statement_detail(request, pk):
    statement = get_visible_or_404(
        CommissionStatement.objects.select_related("rep", "team", "plan", "closed_by"),
        request.user,
        pk=pk,
    )
    return render(
        request,
        "performance/statement_detail.html",
        {
            "statement": statement,
            "lines": statement.lines.all(),
            "can_close": request.user.has_role(Role.FINANCE)
            and statement.status == CommissionStatement.Status.OPEN,
        },
    )


@require_POST
@action_required(Action.STATEMENT_CLOSE)
def statement_close(request, pk):
    statement = get_visible_or_404(CommissionStatement, request.user, pk=pk)
    try:
        services.statement_close(statement=statement, actor=request.user)
    except services.StatementError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The statement is closed: it will not change any more."))
    return redirect(statement)


@role_required(*EXPORTERS)
def statements_export(request):
    """Every line of the visible statements of one month, as CSV or XLSX."""
    form = PeriodFilterForm(request.GET or None)
    if not form.is_valid() or not form.cleaned_data.get("month"):
        messages.error(request, _("Choose the month to export."))
        return redirect("performance:statements")
    month = form.cleaned_data["month"].replace(day=1)
    lines = (
        CommissionLine.objects.filter(
            statement__in=CommissionStatement.objects.visible_to(request.user).filter(month=month)
        )
        .select_related("statement__rep", "statement__team", "contract")
        .order_by("statement__rep__username", "position")
    )
    header = [
        str(_("Month")),
        str(_("Rep")),
        str(_("Team")),
        str(_("Statement status")),
        str(_("No.")),
        str(_("Kind")),
        str(_("Contract")),
        str(_("Payment")),
        str(_("Refund")),
        str(_("Date")),
        str(_("Description")),
        str(_("Base")),
        str(_("Rate (%)")),
        str(_("Commission")),
    ]
    rows = [
        [
            f"{month:%Y-%m}",
            str(line.statement.rep),
            str(line.statement.team or ""),
            line.statement.get_status_display(),
            line.position,
            line.get_kind_display(),
            line.contract.number if line.contract else "",
            line.payment_id or "",
            line.refund_id or "",
            line.occurred_on,
            line.description,
            line.base,
            line.rate,
            line.amount,
        ]
        for line in lines
    ]
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
    return export_response(filename=f"commission-{month:%Y-%m}", header=header, rows=rows, fmt=fmt)
