from django.core.paginator import Paginator
from django.shortcuts import render

from salescrm.access import get_visible_or_404
from salescrm.models import Notification
from salescrm.navigation import items_for

from .forms import PeriodFilterForm
from .models import ScoreCard


def dashboard(request):
    """The role-aware home after login. Until the dashboards are built it shows, per role,
    the sections the user can open."""
    return render(
        request,
        "performance/dashboard.html",
        {"sections": [item for item in items_for(request.user) if item["section"]]},
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
    return render(
        request,
        "performance/scorecard_detail.html",
        {"card": card, "lines": card.lines.all()},
    )


def alerts(request):
    """The KPI anomaly alerts sent to the user (managers get their reps')."""
    rows = Notification.objects.visible_to(request.user).filter(
        recipient=request.user, kind="kpi_anomaly"
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "performance/alert_list.html", {"page": page})
