import datetime as dt
import uuid
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from salescrm.access import get_visible_or_404, role_required
from salescrm.exports import export_response
from salescrm.models import SavedFilter, User
from salescrm.pagination import CappedPaginator, keyset_page, next_cursor_after
from salescrm.panels import attach_row_notes
from salescrm.permissions import Action, action_required, may
from salescrm.roles import SALES, Role
from salescrm.scoping import managed_team_ids
from salescrm.submissions import AlreadySubmitted, already_saved, saved_before
from salescrm.timeutil import local_today, monday_of, validate_business_date

from .exports import lead_header, lead_rows
from .filters import LeadFilter
from .forms import (
    ActivityForm,
    ActivityPlanForm,
    AssignForm,
    CaptureForm,
    CoachingCommentForm,
    ImportForm,
    LeadForm,
    MergeForm,
    StageForm,
    duplicate_error,
)
from .importing import ImportFileError, import_folder, leads_import
from .models import ActivityPlan, CoachingComment, Lead, LeadSettings
from .selectors import ACTUAL_FIELDS, plan_actuals
from .services import (
    DuplicateLead,
    LeadError,
    activity_log,
    activity_plan_save,
    can_manage,
    capture_team,
    coaching_comment_add,
    lead_assign,
    lead_capture,
    lead_change_stage,
    lead_claim,
    lead_create,
    lead_merge,
    lead_update,
)

PAGE_SIZE = 50
CAPTURE_RATE = "10/h"


# --- lists ---------------------------------------------------------------------------------


def _filtered(request):
    leads = Lead.objects.visible_to(request.user).with_list_data()
    return LeadFilter(request.GET or None, queryset=leads, user=request.user)


def _keyset_descending(lead_filter):
    """True/False when the list is in (created_at, id) order descending/ascending — the orders
    with keyset pages — else None."""
    sort = lead_filter.form.cleaned_data.get("sort") if lead_filter.is_bound else None
    if not sort:
        return True
    return {"-created": True, "created": False}.get(sort[0]) if len(sort) == 1 else None


def lead_list(request):
    """First pages numbered (a count capped at COUNT_CAP), deeper pages by keyset."""
    lead_filter = _filtered(request)
    leads = lead_filter.qs
    descending = _keyset_descending(lead_filter)
    page = None
    if descending is not None and request.GET.get("after"):
        if descending is False:
            leads = leads.order_by("created_at", "id")
        page = keyset_page(leads, request.GET["after"], PAGE_SIZE, descending=descending)
    if page is None:
        if descending is not None:  # the id breaks ties, as in the keyset pages
            leads = leads.order_by(
                *(("-created_at", "-id") if descending else ("created_at", "id"))
            )
        page = CappedPaginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
        page.next_cursor = next_cursor_after(page) if descending is not None else None
    if lead_filter.is_bound and lead_filter.errors:
        messages.warning(request, _("Some filters were not valid and were ignored."))
    attach_row_notes("leads:lead_row", request, page.object_list)
    context = {
        "filter": lead_filter,
        "page": page,
        "may_assign": may(request.user, Action.LEAD_ASSIGN),
        "may_update": may(request.user, Action.LEAD_UPDATE),
        "grade_choices": Lead.Grade.choices,
        "saved_filters": SavedFilter.objects.filter(user=request.user, page="leads"),
        **_select_options(lead_filter),
    }
    return render(request, "leads/lead_list.html", context)


def _select_options(lead_filter) -> dict:
    """The owner and channel choices as (value, label) strings for a plain loop in the
    template: a director's owner filter lists every rep (300 in bench/), and Django's select
    widget renders a template per option (~2/3 of the list's time before, issue 21)."""
    form = lead_filter.form

    def chosen(name):
        value = form[name].value()
        return str(value) if value not in (None, "") else ""

    return {
        "owner_options": [
            (str(u.pk), str(u))
            for u in lead_filter.filters["owner"].queryset.only(
                "pk", "username", "first_name", "last_name"
            )
        ],
        "channel_options": [(str(c.pk), str(c)) for c in lead_filter.filters["channel"].queryset],
        "selected_owner": chosen("owner"),
        "selected_channel": chosen("channel"),
    }


def lead_export(request):
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return export_response(
        filename=f"leads-{stamp}",
        header=lead_header(),
        rows=lead_rows(_filtered(request).qs.iterator(chunk_size=2000)),
        fmt=fmt,
    )


def my_day(request):
    today = local_today()
    # A rep sees their own leads; a manager the whole team's, to follow up on the follow-ups.
    if request.user.role == Role.MANAGER:
        mine = Lead.objects.visible_to(request.user).with_list_data()
    else:
        mine = Lead.objects.filter(owner=request.user).with_list_data()
    week_ago = timezone.now() - dt.timedelta(days=7)
    sections = [
        ("due", _("Follow-ups due today"), mine.follow_up_due_on(today).order_by("-score")),
        (
            "overdue",
            _("Overdue follow-ups"),
            mine.follow_up_overdue(today).order_by("next_follow_up_on"),
        ),
        (
            "untouched",
            _("A and B leads not touched for 7 days"),
            mine.open().prospects().untouched_since(week_ago).order_by("grade", "-score"),
        ),
    ]
    return render(
        request,
        "leads/my_day.html",
        {
            "today": today,
            "sections": [(key, title, qs[:PAGE_SIZE]) for key, title, qs in sections],
        },
    )


@role_required(*SALES)
def pool(request):
    leads = Lead.objects.pool_for(request.user).with_list_data().order_by("-score", "created_at")
    page = Paginator(leads, PAGE_SIZE).get_page(request.GET.get("page"))
    settings_row = LeadSettings.load()
    return render(request, "leads/pool.html", {"page": page, "settings": settings_row})


# --- one lead ------------------------------------------------------------------------------


def _lead_for_write(request, pk):
    return get_visible_or_404(Lead.objects.select_related("owner", "team"), request.user, pk=pk)


def lead_detail(request, pk, *, activity_form=None, stage_form=None):
    lead = _accessible(request, pk)
    activities = lead.activities.select_related("actor").order_by("-occurred_at", "-id")
    timeline = Paginator(activities, PAGE_SIZE).get_page(request.GET.get("page"))
    visible = Lead.objects.visible_to(request.user).filter(pk=lead.pk).exists()
    can_write = visible and may(request.user, Action.LEAD_UPDATE)
    manages = can_manage(request.user, lead.team_id) and may(request.user, Action.LEAD_ASSIGN)
    context = {
        "lead": lead,
        "timeline": timeline,
        "stage_changes": lead.stage_changes.select_related("changed_by"),
        "assignments": lead.assignments.select_related("from_owner", "to_owner", "changed_by"),
        "grade_overrides": lead.grade_overrides.select_related("changed_by"),
        "can_write": can_write,
        "can_claim": may(request.user, Action.LEAD_CLAIM)
        and lead.owner_id is None
        and lead.is_open
        and request.user.team_id == lead.team_id,
        "activity_form": activity_form or ActivityForm(user=request.user, lead=lead),
        "stage_form": stage_form or StageForm(initial={"to_stage": lead.stage}),
        "assign_form": AssignForm(manager=request.user, initial={"to_owner": lead.owner_id})
        if manages
        else None,
        "merge_form": MergeForm() if manages else None,
    }
    return render(request, "leads/lead_detail.html", context)


def _accessible(request, pk):
    qs = Lead.objects.accessible_to(request.user).select_related(
        "owner", "team", "channel", "campaign", "product_line", "lost_reason", "created_by"
    )
    try:
        return qs.get(pk=pk)
    except Lead.DoesNotExist:
        raise Http404 from None


@action_required(Action.LEAD_CREATE)
def lead_create_view(request):
    if request.method == "POST" and (lead := saved_before(request)) is not None:
        return already_saved(request, lead)
    form = LeadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            lead = lead_create(actor=request.user, **form.cleaned_data)
        except AlreadySubmitted as exc:
            return already_saved(request, exc.obj or "leads:lead_list")
        except DuplicateLead as duplicate:
            form.add_error(None, duplicate_error(duplicate.existing, request.user))
        else:
            messages.success(request, _("Lead created."))
            return redirect(lead)
    return render(request, "leads/lead_form.html", {"form": form})


@action_required(Action.LEAD_UPDATE)
def lead_edit(request, pk):
    lead = _lead_for_write(request, pk)
    form = LeadForm(request.POST or None, instance=lead, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            fields = dict(form.cleaned_data)
            fields.pop("submission_token")  # an edit saves the same values however often
            lead_update(lead=lead, actor=request.user, **fields)
        except DuplicateLead as duplicate:
            form.add_error(None, duplicate_error(duplicate.existing, request.user))
        else:
            messages.success(request, _("Lead saved."))
            return redirect(lead)
    return render(request, "leads/lead_form.html", {"form": form, "lead": lead})


@require_POST
@action_required(Action.FOLLOW_UP_LOG)
def activity_add(request, pk):
    lead = _lead_for_write(request, pk)
    form = ActivityForm(request.POST, user=request.user, lead=lead)
    if form.is_valid():
        fields, extras = form.split_extensions()
        try:
            activity_log(lead=lead, actor=request.user, extras=extras, **fields)
        except AlreadySubmitted:
            return already_saved(request, lead)
        except LeadError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Follow-up logged."))
            return redirect(lead)
    return lead_detail(request, pk, activity_form=form)


@require_POST
@action_required(Action.LEAD_CHANGE_STAGE)
def stage_change(request, pk):
    lead = _lead_for_write(request, pk)
    form = StageForm(request.POST)
    from_board = request.POST.get("next") == "board"  # the pipeline board's move menu
    if form.is_valid():
        try:
            lead_change_stage(
                lead=lead,
                actor=request.user,
                to_stage=form.cleaned_data["to_stage"],
                lost_reason=form.cleaned_data["lost_reason"],
            )
        except LeadError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Stage changed."))
            return redirect("leads:board") if from_board else redirect(lead)
    if from_board:
        errors = [str(e) for errs in form.errors.values() for e in errs]
        messages.error(request, f"{lead.name}: {' '.join(errors)}")
        return redirect("leads:board")
    return lead_detail(request, pk, stage_form=form)


@require_POST
@action_required(Action.LEAD_ASSIGN)
def lead_assign_view(request, pk):
    lead = _accessible(request, pk)
    form = AssignForm(request.POST, manager=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose a member of your team."))
        return redirect(lead)
    try:
        lead_assign(lead=lead, actor=request.user, to_owner=form.cleaned_data["to_owner"])
    except LeadError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Lead reassigned."))
    return redirect(lead)


@require_POST
@action_required(Action.LEAD_MERGE)
def lead_merge_view(request, pk):
    keep = get_visible_or_404(Lead, request.user, pk=pk)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the number of the duplicate lead."))
        return redirect(keep)
    drop = get_visible_or_404(Lead, request.user, pk=form.cleaned_data["duplicate"])
    try:
        lead_merge(keep=keep, drop=drop, actor=request.user)
    except LeadError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The duplicate was merged into this lead."))
    return redirect(keep)


@require_POST
@action_required(Action.LEAD_CLAIM)
def lead_claim_view(request, pk):
    lead = _accessible(request, pk)
    try:
        lead_claim(lead=lead, actor=request.user)
    except LeadError as exc:
        messages.error(request, str(exc))
        return redirect("leads:pool")
    messages.success(request, _("The lead is yours now."))
    return redirect(lead)


# --- public web-to-lead form ----------------------------------------------------------------


@login_not_required
@csrf_exempt  # embeddable on the institution's sites; an anonymous form has no session to forge
@xframe_options_exempt
@ratelimit(key="ip", rate=CAPTURE_RATE, method="POST", block=False)
def capture(request):
    if request.method == "POST" and getattr(request, "limited", False):
        return render(request, "leads/capture_limited.html", status=429)
    form = CaptureForm(request.POST or None)
    if request.method == "POST":
        if form.is_spam:
            # Bots get the same thank-you as people and nothing is stored.
            return redirect("leads:capture_done")
        if form.is_valid():
            data = form.cleaned_data
            lead_capture(
                name=data["name"],
                phone=data["phone"],
                email=data["email"],
                company=data["company"],
                region=data["region"] or (data["territory"].name if data["territory"] else ""),
                territory=data["territory"],
                product_line=data["product_line"],
                message=data["message"],
            )
            return redirect("leads:capture_done")
    status = 400 if request.method == "POST" else 200
    return render(request, "leads/capture.html", {"form": form}, status=status)


@login_not_required
@xframe_options_exempt
def capture_done(request):
    return render(request, "leads/capture_done.html")


# --- import ---------------------------------------------------------------------------------


def _import_path(token: str, suffix: str) -> Path:
    folder = import_folder()
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{token}{suffix}"


def _import_team(user: User):
    return user.team if user.team_id else capture_team()


@action_required(Action.LEAD_IMPORT)
def lead_import(request):
    uploads = request.session.setdefault("lead_imports", {})
    if request.method == "POST" and request.POST.get("token") in uploads:
        token = request.POST["token"]
        entry = uploads[token]
        return _run_import(request, token, entry, dry_run=False)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        token = uuid.uuid4().hex
        suffix = ".xlsx" if upload.name.lower().endswith(".xlsx") else ".csv"
        path = _import_path(token, suffix)
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        entry = {"path": str(path), "name": upload.name[:200]}
        uploads[token] = entry
        request.session.modified = True
        return _run_import(request, token, entry, dry_run=True)
    return render(request, "leads/import.html", {"form": form})


def _run_import(request, token, entry, *, dry_run):
    try:
        report = leads_import(
            path=Path(entry["path"]),
            filename=entry["name"],
            actor=request.user,
            team=_import_team(request.user),
            dry_run=dry_run,
        )
    except ImportFileError as exc:
        form = ImportForm()
        messages.error(request, str(exc))
        return render(request, "leads/import.html", {"form": form}, status=400)
    _import_path(token, "-rejected.csv").write_text(report.rejected_csv(), encoding="utf-8")
    if not dry_run:
        request.session["lead_imports"].pop(token, None)
        request.session.setdefault("lead_import_reports", []).append(token)
        request.session.modified = True
        messages.success(request, _("%(count)d leads imported.") % {"count": report.created})
    return render(
        request,
        "leads/import_report.html",
        {"report": report, "token": token, "rejected": report.rejected[:500]},
    )


def lead_import_rejected(request, token):
    owned = set(request.session.get("lead_imports", {})) | set(
        request.session.get("lead_import_reports", [])
    )
    path = _import_path(token, "-rejected.csv") if token in owned else None
    if path is None or not path.exists():
        raise Http404
    response = HttpResponse(path.read_bytes(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rejected-rows.csv"'
    return response


# --- activity plans --------------------------------------------------------------------------


@role_required(*SALES)
def activity_plans(request):
    """A rep's own weeks; a manager's (director's) team view of plan vs actual for one week."""
    user = request.user
    try:
        week = dt.date.fromisoformat(request.GET.get("week", ""))
        validate_business_date(week)
        week = monday_of(week)
    except (ValueError, ValidationError):
        week = monday_of(local_today())
    if user.role == Role.REP:
        plans = list(ActivityPlan.objects.filter(rep=user).select_related("rep")[:26])
        actuals = plan_actuals([user.pk], min([p.week_start for p in plans], default=week), week)
        rows = [
            {"rep": user, "plan": plan, "actual": actuals.get((user.pk, plan.week_start), {})}
            for plan in plans
        ]
        return render(
            request, "leads/activity_plans.html", {"rows": rows, "own": True, "week": week}
        )
    reps = User.objects.filter(is_active=True, role=Role.REP).select_related("team")
    if not user.sees_all:
        reps = reps.filter(team_id__in=managed_team_ids(user))
    reps = list(reps.order_by("team__name", "username")[:200])
    plans = {
        plan.rep_id: plan
        for plan in ActivityPlan.objects.filter(rep__in=reps, week_start=week).prefetch_related(
            Prefetch("comments", queryset=CoachingComment.objects.select_related("author"))
        )
    }
    actuals = plan_actuals([rep.pk for rep in reps], week, week)
    rows = [
        {"rep": rep, "plan": plans.get(rep.pk), "actual": actuals.get((rep.pk, week), {})}
        for rep in reps
    ]
    return render(
        request,
        "leads/activity_plans.html",
        {
            "rows": rows,
            "own": False,
            "week": week,
            "previous_week": week - dt.timedelta(days=7),
            "next_week": week + dt.timedelta(days=7),
            "fields": ACTUAL_FIELDS,
        },
    )


@action_required(Action.ACTIVITY_PLAN_SAVE)
def activity_plan_create(request):
    form = ActivityPlanForm(
        request.POST or None, instance=ActivityPlan(rep=request.user), rep=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = activity_plan_save(actor=request.user, **form.cleaned_data)
        except LeadError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Weekly plan saved."))
            return redirect(plan)
    return render(request, "leads/activity_plan_form.html", {"form": form})


def activity_plan_detail(request, pk):
    plan = get_visible_or_404(ActivityPlan.objects.select_related("rep"), request.user, pk=pk)
    is_rep = plan.rep_id == request.user.pk
    coach = not is_rep and may(request.user, Action.COACHING_COMMENT_ADD)
    plan_form = (
        ActivityPlanForm(
            request.POST if is_rep and request.POST.get("action") == "plan" else None,
            instance=plan,
            rep=plan.rep,
        )
        if is_rep and may(request.user, Action.ACTIVITY_PLAN_SAVE)
        else None
    )
    comment_form = (
        CoachingCommentForm(
            request.POST if coach and request.POST.get("action") == "comment" else None
        )
        if coach
        else None
    )
    if request.method == "POST":
        if plan_form is not None and plan_form.is_bound and plan_form.is_valid():
            try:
                activity_plan_save(actor=request.user, plan=plan, **plan_form.cleaned_data)
            except LeadError as exc:
                plan_form.add_error(None, str(exc))
            else:
                messages.success(request, _("Weekly plan saved."))
                return redirect(plan)
        if comment_form is not None and comment_form.is_bound and comment_form.is_valid():
            try:
                coaching_comment_add(plan=plan, actor=request.user, **comment_form.cleaned_data)
            except AlreadySubmitted:
                return already_saved(request, plan)
            messages.success(request, _("Coaching comment added."))
            return redirect(plan)
        if not (plan_form and plan_form.is_bound) and not (comment_form and comment_form.is_bound):
            raise PermissionDenied
    actual = plan_actuals([plan.rep_id], plan.week_start, plan.week_start).get(
        (plan.rep_id, plan.week_start), dict.fromkeys(ACTUAL_FIELDS, 0)
    )
    rows = [
        (label, getattr(plan, name), actual.get(name, 0))
        for name, label in (
            ("calls", _("Calls")),
            ("visits", _("Visits")),
            ("new_leads", _("New leads")),
            ("trial_lessons", _("Trial lessons")),
        )
    ]
    return render(
        request,
        "leads/activity_plan_detail.html",
        {
            "plan": plan,
            "rows": rows,
            "comments": plan.comments.select_related("author"),
            "plan_form": plan_form,
            "comment_form": comment_form,
        },
    )
