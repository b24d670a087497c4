"""What team rhythm shows on other apps' pages (salescrm.panels): the open action items in
My day, the allowance line on a commission statement, the bulletin and the leaders' rhythm
figures at the top of the dashboard."""

from django.template.loader import render_to_string

from salescrm.panels import page_panel
from salescrm.permissions import Action, may
from salescrm.roles import LEADERS, Role
from salescrm.timeutil import local_today, month_start

from . import selectors
from .models import ActionItem, Bulletin, CalendarFeed, MonthlyAttendance


@page_panel("leads:my_day", order=5)
def calendar_link(request, **context) -> str:
    """A way from My day to the week ahead in the calendar."""
    return render_to_string("rhythm/panels/calendar_link.html", {}, request=request)


@page_panel("profile", order=20)
def calendar_feed(request, **context) -> str:
    """The profile's calendar feed part: create, replace or revoke the private address."""
    if not may(request.user, Action.CALENDAR_FEED_MANAGE):
        return ""
    feed = CalendarFeed.objects.filter(user=request.user).first()
    return render_to_string("rhythm/panels/calendar_feed.html", {"feed": feed}, request=request)


@page_panel("leads:my_day", order=10)
def action_items(request, **context) -> str:
    """The reader's open action items from meetings, overdue first (one query)."""
    today = local_today()
    items = list(
        ActionItem.objects.open()
        .filter(owner=request.user)
        .select_related("meeting")
        .order_by("due_on", "id")[:50]
    )
    return render_to_string(
        "rhythm/panels/action_items.html", {"items": items, "today": today}, request=request
    )


@page_panel("performance:statement_detail", order=10)
def allowance_line(request, *, person=None, month=None, **context) -> str:
    """The person's allowance and its attendance deduction for the statement's month, as a
    line of its own, linked to the days counted (one query)."""
    if person is None or month is None:
        return ""
    figures = (
        MonthlyAttendance.objects.visible_to(request.user)
        .filter(person=person, month=month_start(month))
        .first()
    )
    if figures is None:
        return ""
    return render_to_string(
        "rhythm/panels/allowance_line.html", {"figures": figures}, request=request
    )


@page_panel("dashboard", order=10)
def bulletin_and_rhythm(request, **context) -> str:
    """The latest bulletin of the reader's team (the company's for those who see every
    team) and, for leaders, today's team rhythm (a constant number of queries)."""
    user = request.user
    bulletins = Bulletin.objects.visible_to(user).select_related("team").order_by("-day")
    if user.sees_all or not user.team_id:
        bulletin = bulletins.filter(team__isnull=True).first()
    else:
        bulletin = bulletins.filter(team_id=user.team_id).first()
    teams = selectors.team_rhythm(user, local_today()) if user.has_role(*LEADERS) else []
    if bulletin is None and not teams:
        return ""
    return render_to_string(
        "rhythm/panels/dashboard.html",
        {"bulletin": bulletin, "teams": teams, "by_team": user.role != Role.MANAGER},
        request=request,
    )
