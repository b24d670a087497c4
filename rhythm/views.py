"""The pages of team rhythm: attendance, reports, meetings, bulletins. Each fetches scoped
to the reader, calls one service, messages and redirects."""

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from leads.models import Lead
from leads.services import lead_reschedule
from salescrm.access import get_visible_or_404, role_required
from salescrm.bounds import MAX_ID
from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, action_required, may
from salescrm.roles import LEADERS, SALES, Role
from salescrm.timeutil import (
    SHANGHAI,
    local_now,
    local_today,
    monday_of,
    month_end,
    month_start,
    validate_business_date,
)

from . import selectors, services
from .calendar import calendar_ics, calendar_items
from .forms import (
    ATTENDANCE_STATUSES,
    ActionItemForm,
    AttendanceRecordForm,
    CommentForm,
    MeetingForm,
    MeetingNotesForm,
    MonthFilterForm,
    ReportFilterForm,
    ReportForm,
)
from .models import (
    ActionItem,
    AttendanceDay,
    Bulletin,
    CalendarFeed,
    Meeting,
    MonthlyAttendance,
    Report,
    RhythmSettings,
)
from .services.reports import TEXT_FIELDS, cutoff_passed, report_figures

PAGE_SIZE = 30
ATTENDING = (Role.REP, Role.MANAGER, Role.DIRECTOR)


def _error(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


# --- attendance ------------------------------------------------------------------------------


@role_required(*SALES)
def attendance(request):
    """The reader's check-in for today and month; the figures of the people they see."""
    form = MonthFilterForm(request.GET or None)
    month = (form.is_valid() and form.cleaned_data.get("month")) or month_start(local_today())
    today_row = AttendanceDay.objects.filter(person=request.user, day=local_today()).first()
    figures = (
        MonthlyAttendance.objects.visible_to(request.user)
        .filter(month=month)
        .select_related("person", "person__team")
        .order_by("person__team__sort_key", "person__username")
    )
    page = Paginator(figures, PAGE_SIZE).get_page(request.GET.get("page"))
    meetings = selectors.meeting_attendance(
        [row.person_id for row in page], month, month_end(month)
    )
    for row in page:
        row.meeting_rate = meetings.get(row.person_id)
    return render(
        request,
        "rhythm/attendance.html",
        {
            "form": form,
            "month": month,
            "today_row": today_row,
            "page": page,
            "days": selectors.month_days(request.user, month)
            if request.user.has_role(*ATTENDING)
            else [],
            "can_check_in": may(request.user, Action.ATTENDANCE_CHECK_IN),
            "can_record": may(request.user, Action.ATTENDANCE_RECORD),
        },
    )


@require_POST
@action_required(Action.ATTENDANCE_CHECK_IN)
def check_in(request):
    row = services.attendance_check_in(actor=request.user)
    messages.success(
        request,
        _("Checked in at %(time)s.") % {"time": f"{row.checked_in_at.astimezone(SHANGHAI):%H:%M}"}
        if row.checked_in_at
        else _("Today is already recorded."),
    )
    return redirect("rhythm:attendance")


@require_POST
@action_required(Action.ATTENDANCE_CHECK_IN)
def check_out(request):
    try:
        row = services.attendance_check_out(actor=request.user)
    except BusinessRuleError as exc:
        _error(request, exc)
    else:
        messages.success(
            request,
            _("Checked out at %(time)s.")
            % {"time": f"{row.checked_out_at.astimezone(SHANGHAI):%H:%M}"},
        )
    return redirect("rhythm:attendance")


@action_required(Action.ATTENDANCE_RECORD)
def attendance_record(request):
    form = AttendanceRecordForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(actor=request.user, **form.cleaned_data)
        except BusinessRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, pgettext("work attendance", "Attendance recorded."))
            return redirect("rhythm:attendance")
    return render(request, "rhythm/attendance_record.html", {"form": form})


def attendance_month(request, pk):
    """One person's month: the figures and every day they were counted from."""
    figures = get_visible_or_404(
        MonthlyAttendance.objects.select_related("person"), request.user, pk=pk
    )
    return render(
        request,
        "rhythm/attendance_month.html",
        {"figures": figures, "days": selectors.month_days(figures.person, figures.month)},
    )


# --- reports ---------------------------------------------------------------------------------


@role_required(*SALES)
def report_list(request):
    """The reports the reader sees for a day (today by default): a rep their own, a manager
    the team's with who has not submitted, the director everyone's."""
    form = ReportFilterForm(request.GET or None)
    day = (form.is_valid() and form.cleaned_data.get("day")) or local_today()
    kind = (form.is_valid() and form.cleaned_data.get("kind")) or Report.Kind.DAILY
    period = monday_of(day) if kind == Report.Kind.WEEKLY else day
    reports = (
        Report.objects.visible_to(request.user)
        .filter(kind=kind, period_start=period)
        .select_related("author", "author__team")
        .prefetch_related("comments__author")
        .order_by("author__team__sort_key", "author__username")
    )
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    leader = request.user.has_role(*LEADERS)
    missing = (
        selectors.missing_daily_reports(request.user, day)
        if leader and kind == Report.Kind.DAILY
        else []
    )
    mine = Report.objects.filter(author=request.user, kind=kind, period_start=period).first()
    return render(
        request,
        "rhythm/report_list.html",
        {
            "form": form,
            "day": day,
            "kind": kind,
            "page": page,
            "missing": missing,
            "cutoff": RhythmSettings.load().report_cutoff,
            "cutoff_passed": cutoff_passed(day),
            "mine": mine,
            "can_submit": may(request.user, Action.REPORT_SUBMIT),
            "can_comment": may(request.user, Action.REPORT_COMMENT),
            "comment_form": CommentForm(),
        },
    )


@action_required(Action.REPORT_SUBMIT)
def report_write(request):
    """Write or edit one's daily or weekly report, pre-filled with the day's figures."""
    source = request.POST if request.method == "POST" else request.GET
    kind = source.get("kind") if source.get("kind") in Report.Kind.values else Report.Kind.DAILY
    filter_form = ReportFilterForm({"day": source.get("period_start") or source.get("day") or ""})
    day = (filter_form.is_valid() and filter_form.cleaned_data.get("day")) or local_today()
    period = monday_of(day) if kind == Report.Kind.WEEKLY else day
    existing = Report.objects.filter(author=request.user, kind=kind, period_start=period).first()
    initial = {"kind": kind, "period_start": period}
    if existing:
        initial.update({field: getattr(existing, field) for field in TEXT_FIELDS})
    form = ReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.report_submit(actor=request.user, **form.cleaned_data)
        except BusinessRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Report submitted."))
            return redirect(report)
    figures = existing.figures if existing else report_figures(request.user, kind, period)
    return render(
        request,
        "rhythm/report_form.html",
        {
            "form": form,
            "kind": kind,
            "kind_label": Report.Kind(kind).label,
            "period": period,
            "figures": figures,
            "existing": existing,
            "locked": existing is not None and existing.comments.exists(),
        },
    )


def report_detail(request, pk):
    report = get_visible_or_404(Report.objects.select_related("author"), request.user, pk=pk)
    return render(
        request,
        "rhythm/report_detail.html",
        {
            "report": report,
            "comments": report.comments.select_related("author"),
            "revisions": report.revisions.all(),
            "can_comment": may(request.user, Action.REPORT_COMMENT)
            and report.author_id != request.user.pk,
            "can_edit": report.author_id == request.user.pk and not report.comments.exists(),
            "comment_form": CommentForm(),
        },
    )


@require_POST
@action_required(Action.REPORT_COMMENT)
def report_comment(request, pk):
    report = get_visible_or_404(Report, request.user, pk=pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the comment."))
    else:
        try:
            services.report_comment(
                actor=request.user, report=report, body=form.cleaned_data["body"]
            )
        except BusinessRuleError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("Comment sent to %(who)s.") % {"who": report.author})
    nxt = request.POST.get("next", "")
    if nxt.startswith("/rhythm/reports/") and "//" not in nxt:
        return redirect(nxt)
    return redirect(report)


# --- meetings --------------------------------------------------------------------------------


@role_required(*SALES)
def meeting_list(request):
    meetings = (
        Meeting.objects.visible_to(request.user)
        .select_related("team", "organiser")
        .order_by("-starts_at", "-id")
    )
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "rhythm/meeting_list.html",
        {"page": page, "can_manage": may(request.user, Action.MEETING_MANAGE)},
    )


@action_required(Action.MEETING_MANAGE)
def meeting_create(request):
    initial = {
        "kind": request.GET.get("kind")
        if request.GET.get("kind") in Meeting.Kind.values
        else Meeting.Kind.MORNING,
        "starts_at": local_now().replace(second=0, microsecond=0, tzinfo=None),
    }
    form = MeetingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        starts_at = data["starts_at"]
        try:
            meeting = services.meeting_schedule(
                actor=request.user,
                kind=data["kind"],
                title=data["title"],
                starts_at=starts_at,
                team=data["team"],
            )
        except BusinessRuleError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Meeting scheduled; the agenda was generated from the numbers.")
            )
            return redirect(meeting)
    return render(request, "rhythm/meeting_form.html", {"form": form})


def _meeting(request, pk):
    return get_visible_or_404(
        Meeting.objects.select_related("team", "organiser"), request.user, pk=pk
    )


def meeting_detail(request, pk, *, action_form=None, notes_form=None):
    meeting = _meeting(request, pk)
    runs = may(request.user, Action.MEETING_MANAGE) and services.meetings.may_run(
        request.user, meeting
    )
    return render(
        request,
        "rhythm/meeting_detail.html",
        {
            "meeting": meeting,
            "attendees": meeting.attendees.select_related("person"),
            "items": meeting.action_items.select_related("owner"),
            "runs": runs,
            "statuses": ATTENDANCE_STATUSES,
            "notes_form": notes_form
            or MeetingNotesForm(initial={"agenda": meeting.agenda, "minutes": meeting.minutes}),
            "action_form": action_form
            or ActionItemForm(
                meeting=meeting, initial={"due_on": local_today() + dt.timedelta(days=1)}
            ),
            "today": local_today(),
        },
    )


@require_POST
@action_required(Action.MEETING_MANAGE)
def meeting_edit(request, pk):
    meeting = _meeting(request, pk)
    form = MeetingNotesForm(request.POST)
    if not form.is_valid():
        return meeting_detail(request, pk, notes_form=form)
    try:
        services.meeting_update(actor=request.user, meeting=meeting, **form.cleaned_data)
    except BusinessRuleError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Agenda and minutes saved."))
    return redirect(meeting)


@require_POST
@action_required(Action.MEETING_MANAGE)
def meeting_attendance(request, pk):
    meeting = _meeting(request, pk)
    statuses = {}
    for key, value in request.POST.items():
        if key.startswith("status_") and key[7:].isdecimal() and len(key) < 30:
            statuses[int(key[7:])] = value
    try:
        changed = services.meeting_take_attendance(
            actor=request.user, meeting=meeting, statuses=statuses
        )
    except BusinessRuleError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Attendance saved (%(n)s changed).") % {"n": changed})
    return redirect(meeting)


@require_POST
@action_required(Action.MEETING_MANAGE)
def action_item_add(request, pk):
    meeting = _meeting(request, pk)
    form = ActionItemForm(request.POST, meeting=meeting)
    if not form.is_valid():
        return meeting_detail(request, pk, action_form=form)
    try:
        services.action_item_add(actor=request.user, meeting=meeting, **form.cleaned_data)
    except BusinessRuleError as exc:
        form.add_error(None, exc)
        return meeting_detail(request, pk, action_form=form)
    messages.success(request, _("Action item added; its owner sees it in My day."))
    return redirect(meeting)


@require_POST
@action_required(Action.ACTION_ITEM_DONE)
def action_item_done(request, pk):
    item = get_visible_or_404(ActionItem.objects.select_related("meeting"), request.user, pk=pk)
    try:
        services.action_item_done(actor=request.user, item=item)
    except BusinessRuleError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("Action item done."))
    nxt = request.POST.get("next", "")
    if nxt in ("my_day", "meeting"):
        return redirect("leads:my_day") if nxt == "my_day" else redirect(item.meeting)
    return redirect(item.meeting)


# --- bulletins -------------------------------------------------------------------------------


def bulletin_list(request):
    form = ReportFilterForm(request.GET or None)
    bulletins = Bulletin.objects.visible_to(request.user).select_related("team")
    day = form.is_valid() and form.cleaned_data.get("day")
    if not day:
        latest = bulletins.order_by("-day").values_list("day", flat=True).first()
        day = latest or local_today()
    return render(
        request,
        "rhythm/bulletin_list.html",
        {
            "form": form,
            "day": day,
            "bulletins": bulletins.filter(day=day).order_by("team__sort_key"),
        },
    )


def bulletin_detail(request, pk):
    bulletin = (
        Bulletin.objects.visible_to(request.user).select_related("team").filter(pk=pk).first()
    )
    if bulletin is None:
        raise Http404
    return render(request, "rhythm/bulletin_detail.html", {"bulletin": bulletin})


# --- calendar (issue 18) -----------------------------------------------------------------

CALENDAR_VIEWS = ("day", "week", "month")


def _calendar_range(view: str, day: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(first, last) shown and (previous, next) anchor days of the period around `day`."""
    if view == "day":
        step = dt.timedelta(days=1)
        return day, day, day - step, day + step
    if view == "week":
        first = monday_of(day)
        return (
            first,
            first + dt.timedelta(days=6),
            first - dt.timedelta(days=7),
            first + dt.timedelta(days=7),
        )
    start, end = month_start(day), month_end(day)
    first = monday_of(start)
    last = monday_of(end) + dt.timedelta(days=6)
    return first, last, month_start(start - dt.timedelta(days=1)), end + dt.timedelta(days=1)


@role_required(*SALES)
def calendar(request):
    """The reader's follow-ups, trial lessons, meetings and course ends by day, week or month.
    On a phone every view is a list of days; the month's grid is for wider screens."""
    today = local_today()
    view = request.GET.get("view") if request.GET.get("view") in CALENDAR_VIEWS else "week"
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
        validate_business_date(day)
    except (ValueError, ValidationError):
        day = today
    # who sees more than their own (a manager, the director) may narrow the page to it
    may_narrow = request.user.has_role(*LEADERS)
    mine_only = request.GET.get("mine") == "1" and may_narrow
    first, last, previous, following = _calendar_range(view, day)
    items = calendar_items(request.user, first, last, mine_only=mine_only)
    by_day: dict[dt.date, list] = {}
    for item in items:
        by_day.setdefault(item.day, []).append(item)
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    context = {
        "view": view,
        "day": day,
        "today": today,
        "first": first,
        "last": last,
        "previous": previous,
        "following": following,
        "mine_only": mine_only,
        "may_narrow": may_narrow,
        "agenda": [(d, by_day[d]) for d in days if d in by_day],
        "weeks": [
            [(d, by_day.get(d, []), d.month == day.month) for d in days[n : n + 7]]
            for n in range(0, len(days), 7)
        ],
        "may_move": may(request.user, Action.LEAD_UPDATE),
        "view_choices": [
            ("day", pgettext("calendar view", "Day")),
            ("week", pgettext("calendar view", "Week")),
            ("month", pgettext("calendar view", "Month")),
        ],
        "weekday_names": [WEEKDAYS_ABBR[n] for n in range(7)],
        "feed": CalendarFeed.objects.filter(user=request.user).first(),
    }
    return render(request, "rhythm/calendar.html", context)


@require_POST
@action_required(Action.LEAD_UPDATE)
def calendar_move(request):
    """Drag-and-drop, the tap menu and the keyboard all post here: a follow-up or trial lesson
    of a lead to another day, through leads.services.lead_reschedule."""
    what = request.POST.get("what", "")
    pk = request.POST.get("pk", "")
    if not (pk.isascii() and pk.isdigit() and 0 < int(pk) <= MAX_ID):
        raise Http404
    lead = get_visible_or_404(Lead, request.user, pk=int(pk))
    try:
        day = dt.date.fromisoformat(request.POST.get("day", ""))
    except ValueError:
        messages.error(request, _("Enter a valid date."))
    else:
        try:
            lead_reschedule(lead=lead, actor=request.user, what=what, day=day)
        except BusinessRuleError as exc:
            messages.error(request, f"{lead.name}: {' '.join(exc.messages)}")
        else:
            messages.success(
                request, _("%(name)s moved to %(day)s.") % {"name": lead.name, "day": day}
            )
    back = request.POST.get("next", "")
    if not back.startswith(reverse("rhythm:calendar")) or not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}
    ):
        back = reverse("rhythm:calendar")
    return HttpResponseRedirect(back)


FEED_ONCE_KEY = "rhythm_calendar_feed_once"


@require_POST
@action_required(Action.CALENDAR_FEED_MANAGE)
def calendar_feed_issue(request):
    """Post/redirect/get, as for API tokens: the new secret address waits in the session for
    the one page that shows it, which removes it (only the token's hash is stored)."""
    token = services.calendar_feed_issue(actor=request.user)
    request.session[FEED_ONCE_KEY] = token
    return redirect("rhythm:calendar_feed_created")


@action_required(Action.CALENDAR_FEED_MANAGE)
def calendar_feed_created(request):
    """The new feed's address, shown once: a reload finds it gone and returns to the profile."""
    token = request.session.pop(FEED_ONCE_KEY, None)
    if not isinstance(token, str):
        return redirect("profile")
    url = request.build_absolute_uri(reverse("rhythm:calendar_feed", args=[token]))
    return render(request, "rhythm/calendar_feed_created.html", {"url": url})


@require_POST
@action_required(Action.CALENDAR_FEED_MANAGE)
def calendar_feed_revoke(request):
    if services.calendar_feed_revoke(actor=request.user):
        messages.success(request, _("Your calendar feed address no longer works."))
    return redirect("profile")


@login_not_required
def calendar_feed(request, token):
    """The ICS a phone calendar subscribes to: no login, the token is the key. A wrong or
    revoked token is a 404, the same as an address that never existed."""
    user = services.calendar_feed_user(token)
    if user is None:
        raise Http404
    with translation.override(user.language or settings.LANGUAGE_CODE):
        body = calendar_ics(
            user, today=local_today(), base_url=request.build_absolute_uri("/").rstrip("/")
        )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response
