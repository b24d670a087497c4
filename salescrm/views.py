import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import PasswordResetView
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from .access import get_visible_or_404, role_required
from .errors import BusinessRuleError
from .forms import ProfileForm
from .models import Notification, User
from .roles import Role
from .services import (
    notifications_mark_read,
    saved_filter_delete,
    saved_filter_save,
    user_update_language,
)


@login_not_required
def password_reset(request):
    """Django's reset by e-mail when a mail server is configured (DJANGO_EMAIL_URL); else a
    page saying whom to ask, since no message could ever arrive."""
    if settings.PASSWORD_RESET_BY_EMAIL:
        return PasswordResetView.as_view()(request)
    return render(request, "registration/password_reset_unavailable.html")


@login_not_required
@require_GET
def healthz(request):
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503
    )


def _check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # any failure is the answer, not a 500
        return f"error: {type(exc).__name__}"


def _check_broker() -> str:
    url = settings.CELERY_BROKER_URL
    if url.startswith("memory://"):
        return "ok"  # embedded mode: tasks run in-process, there is no broker to lose
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"


@login_not_required
@require_POST
def switch_language(request):
    """Django's set_language, plus: a signed-in user keeps the choice on their profile."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_update_language(user=request.user, language=language)
    next_url = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        request.POST = request.POST.copy()
        request.POST["next"] = "/"
    return set_language(request)


def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("profile")
    return render(request, "salescrm/profile.html", {"form": form})


@role_required(Role.MANAGER, Role.DIRECTOR, Role.ADMIN)
def member_list(request):
    members = (
        User.objects.visible_to(request.user)
        .select_related("team")
        .order_by("team__sort_key", "username")
    )
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    return render(request, "salescrm/member_list.html", {"page": page})


def member_detail(request, pk):
    member = get_visible_or_404(User.objects.select_related("team"), request.user, pk=pk)
    return render(request, "salescrm/member_detail.html", {"member": member})


# The kinds of notification the apps send (salescrm.services.notify callers), for the filter.
# Spelled gettext_lazy, not an alias: makemessages only extracts the names it knows.
NOTIFICATION_KINDS = [
    ("kpi_anomaly", gettext_lazy("KPI anomalies")),
    ("overdue", gettext_lazy("Overdue instalments")),
    ("complaint", gettext_lazy("Complaint deadlines")),
    ("approval", gettext_lazy("Approvals")),
    ("handoff", gettext_lazy("Course hand-offs")),
    ("lead_assigned", gettext_lazy("Leads assigned")),
    ("lead_re_enquiry", gettext_lazy("Re-enquiries")),
    ("lead_pool_reminder", gettext_lazy("Lead pool reminders")),
    ("login_locked", gettext_lazy("Log-in locks")),
    # issue 20 (analytics)
    ("pipeline_coverage", gettext_lazy("Pipeline coverage")),
    ("kpi_trend", gettext_lazy("KPI trends")),
    # team rhythm
    ("report_comment", gettext_lazy("Comments on reports")),
    ("bulletin", gettext_lazy("Sales bulletins")),
    ("action_item", gettext_lazy("Meeting action items")),
    ("webhook_disabled", gettext_lazy("Webhooks disabled")),
]


def notification_list(request):
    """The one alerts inbox: every kind (KPI anomalies, overdue instalments, complaint
    deadlines, approvals, leads), unread or all, filtered by kind."""
    notifications = Notification.objects.filter(recipient=request.user)
    show = request.GET.get("show", "unread")
    if show != "all":
        notifications = notifications.unread()
    kind = request.GET.get("kind", "")
    if kind in dict(NOTIFICATION_KINDS):
        notifications = notifications.filter(kind=kind)
    else:
        kind = ""
    page = Paginator(notifications, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "salescrm/notification_list.html",
        {"page": page, "show": show, "kind": kind, "kinds": NOTIFICATION_KINDS},
    )


@require_POST
def notification_mark_read(request):
    """Mark the chosen notifications (or all) of the signed-in user as read."""
    # Only plain ids that fit a database integer ("²" is a digit to Python, not to int()).
    ids = [
        value
        for value in request.POST.getlist("ids")
        if value.isascii() and value.isdigit() and len(value) <= 18
    ]
    marked = notifications_mark_read(user=request.user, ids=ids or None)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": marked})
    return redirect("notifications")


# Saved filters: the list pages that offer them, and where each lives.
SAVED_FILTER_PAGES = {"leads": "leads:list"}


@require_POST
def saved_filter_save_view(request):
    page = request.POST.get("page", "")
    if page not in SAVED_FILTER_PAGES:
        return redirect("dashboard")
    target = reverse(SAVED_FILTER_PAGES[page])
    try:
        saved = saved_filter_save(
            user=request.user,
            page=page,
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
        )
    except BusinessRuleError as exc:
        messages.error(request, str(exc))
        return redirect(target)
    messages.success(request, _("Filter “%(name)s” saved.") % {"name": saved.name})
    return redirect(f"{target}?{saved.query}" if saved.query else target)


@require_POST
def saved_filter_delete_view(request):
    page = request.POST.get("page", "")
    value = request.POST.get("id", "")
    if value.isascii() and value.isdigit() and len(value) <= 18:
        saved_filter_delete(user=request.user, pk=int(value))
    return redirect(SAVED_FILTER_PAGES.get(page, "dashboard"))
