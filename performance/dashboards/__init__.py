"""The read side of the dashboards (SPEC §5, issue 7): the numbers behind every chart, per
role, built from the nightly snapshots and scorecards, the targets and the actuals of
``targets.selectors`` — each source read once, set-based, so a dashboard runs a small number of
queries whatever the size of the data.

A ``Scope`` is what the reader may see narrowed by the filters (period, team, rep); a
``Chart`` is one figure with the table of the numbers behind it (the table view and the
CSV/XLSX export show exactly these rows). ``build(scope, key)`` builds one chart, ``charts_for``
the charts of the reader's dashboard.

The charts live in one module per dashboard — ``rep``, ``manager``, ``director``,
``backoffice`` (legal, finance, after-sales) and ``funnel`` (shared by the sales dashboards).
Each chart is three functions: ``<key>_rows(data)`` computes its numbers as typed rows (frozen
dataclasses, testable without drawing), ``draw_<key>(rows)`` draws the figure from them, and
``chart_<key>(data)`` puts the two together with the title and header.
"""

from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import QueryDict
from django.template.loader import render_to_string
from django.utils.translation import get_language

from salescrm.models import Notification

from . import backoffice, director, funnel, manager, market, rep, territories
from .data import Data, company_months
from .director import BENCHMARKS
from .figures import Chart, Figure
from .scope import Scope, dashboard_kind, default_month, scope_for

__all__ = [
    "BENCHMARKS",
    "CHARTS",
    "DASHBOARDS",
    "Chart",
    "Data",
    "Figure",
    "Scope",
    "build",
    "cache_key",
    "charts_for",
    "company_months",
    "dashboard_kind",
    "default_month",
    "export_query",
    "rendered_charts",
    "scope_for",
    "unread_alerts",
]

DASHBOARDS: dict[str, list[str]] = {
    "rep": ["target_progress", "funnel", "follow_ups", "scorecard", "commission"],
    "manager": [
        "target_by_rep",
        "funnel",
        "diagnosis",
        "leaderboard",
        "activity",
        "receivables",
        "complaints",
        "channels",
        "forecast",
    ],
    "director": [
        "by_team",
        "trend",
        "benchmarks",
        "rates",
        "product_lines",
        "channels",
        "forecast",
        "funnel",
        "diagnosis",
        "leaderboard",
        "receivables",
        "territories",
        "market",
    ],
    "legal": ["approvals"],
    "finance": ["approvals", "receivables"],
    "service": ["complaints"],
}


CHARTS: dict[str, Callable[[Data], Chart]] = {
    **rep.CHARTS,
    **funnel.CHARTS,
    **manager.CHARTS,
    **director.CHARTS,
    **backoffice.CHARTS,
    **territories.CHARTS,
    **market.CHARTS,
}


def chart_keys(scope: Scope) -> list[str]:
    return DASHBOARDS.get(scope.kind, [])


def charts_for(scope: Scope) -> list[Chart]:
    data = Data(scope)
    return [CHARTS[key](data) for key in chart_keys(scope)]


def cache_key(scope: Scope) -> str:
    """Per reader (the scope is theirs), filters, day and language."""
    parts = [
        scope.user.pk,
        scope.kind,
        scope.period,
        scope.month,
        scope.team.pk if scope.team else "",
        scope.rep.pk if scope.rep else "",
        scope.territory.pk if scope.territory else "",
        scope.today,
        get_language(),
    ]
    return "dashboard:" + ":".join(str(part) for part in parts)


def export_query(scope: Scope) -> str:
    """The scope's filters as a query string (what the export links repeat)."""
    query = QueryDict(mutable=True)
    query["period"] = scope.period
    query["month"] = f"{scope.month:%Y-%m}"
    if scope.team:
        query["team"] = scope.team.pk
    if scope.rep:
        query["rep"] = scope.rep.pk
    if scope.territory:
        query["territory"] = scope.territory.pk
    return query.urlencode()


def rendered_charts(scope: Scope) -> tuple[list[Chart], str]:
    """The reader's charts and their cards' HTML (figure, table, export links), kept in the
    cache for ``settings.DASHBOARD_CACHE_SECONDS`` (default 300; 0 = no cache): the snapshots
    and scorecards change nightly, and a review meeting reloads the same page many times, so
    the live parts (follow-ups, receivables, complaints, the open leads of the forecast's
    pipeline view) may lag by that much."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    key = cache_key(scope)
    cached = cache.get(key) if seconds else None
    if cached is None:
        charts = charts_for(scope)
        query = export_query(scope)
        html = "".join(
            render_to_string(
                "performance/includes/dashboard_chart.html", {"chart": chart, "query": query}
            )
            for chart in charts
        )
        for chart in charts:
            chart.draw = None  # a closure cannot be cached; the figure is in the HTML
        cached = (charts, html)
        if seconds:
            cache.set(key, cached, seconds)
    return cached


def build(scope: Scope, key: str) -> Chart | None:
    """One chart of the reader's dashboard (None when their dashboard has no such chart)."""
    if key not in chart_keys(scope):
        return None
    return CHARTS[key](Data(scope))


def unread_alerts(user, limit: int = 5) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).unread()[:limit])
