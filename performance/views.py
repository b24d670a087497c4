from django.shortcuts import render

from salescrm.navigation import items_for


def dashboard(request):
    """The role-aware home after login. Until the dashboards are built it shows, per role,
    the sections the user can open."""
    return render(
        request,
        "performance/dashboard.html",
        {"sections": [item for item in items_for(request.user) if item["section"]]},
    )
