"""The enablement pages. Each view fetches what the reader may see, binds a form, calls one
service and redirects; refusals of a service come back as the form's error."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from salescrm.access import get_visible_or_404, role_required
from salescrm.errors import BusinessRuleError
from salescrm.permissions import Action, action_required, may
from salescrm.roles import LEADERS, SALES
from salescrm.submissions import AlreadySubmitted, already_saved
from salescrm.timeutil import local_today, month_end, month_start

from . import selectors, services
from .experiments import experiment_create
from .forms import (
    AttendanceForm,
    DecisionForm,
    ExperimentForm,
    LibraryFilter,
    MonthForm,
    OnboardingForm,
    PlanItemForm,
    ProbationForm,
    PromotionDecisionForm,
    PromotionOpenForm,
    ScriptForm,
    SessionForm,
    VersionTextForm,
)
from .models import (
    EnablementSettings,
    Experiment,
    ExperimentMember,
    OnboardingItem,
    OnboardingPlan,
    PromotionCase,
    Script,
    ScriptVersion,
    TrainingPlanItem,
    TrainingSession,
)
from .promotion import eligible_reps, last_closed_quarters

PAGE_SIZE = 30


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --- the library ------------------------------------------------------------------------------


@role_required(*SALES)
def library(request):
    form = LibraryFilter(request.GET or None)
    entries = (
        Script.objects.published()
        .select_related("published_version", "product_line")
        .order_by("stage", "kind", "title")
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            entries = entries.filter(
                Q(title__icontains=data["q"]) | Q(published_version__body__icontains=data["q"])
            )
        if data["stage"]:
            entries = entries.filter(Q(stage=data["stage"]) | Q(stage=""))
        if data["kind"]:
            entries = entries.filter(kind=data["kind"])
        if data["product_line"]:
            entries = entries.filter(
                Q(product_line=data["product_line"]) | Q(product_line__isnull=True)
            )
    elif request.GET:
        messages.warning(request, _("A filter value was not understood and is ignored."))
    mine = Script.objects.filter(created_by=request.user, published_version__isnull=True).order_by(
        "-created_at"
    )[:20]
    return render(
        request,
        "enablement/library.html",
        {"form": form, "page": _page(request, entries), "drafts": mine},
    )


@action_required(Action.SCRIPT_WRITE)
def script_create(request):
    form = ScriptForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            script = services.script_create(actor=request.user, **form.cleaned_data)
        except AlreadySubmitted as exc:
            return already_saved(request, exc.obj or "enablement:library")
        except BusinessRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Entry saved; it is published once a manager approves it."))
            return redirect(script)
    return render(request, "enablement/script_form.html", {"form": form})


def _script_for(request, pk):
    if not request.user.has_role(*SALES):
        raise PermissionDenied
    return get_object_or_404(
        Script.objects.visible_to(request.user).select_related("product_line", "created_by"),
        pk=pk,
    )


def script_detail(request, pk, *, revise_form=None):
    script = _script_for(request, pk)
    versions = script.versions.select_related("author", "decided_by", "contract")
    if not may(request.user, Action.SCRIPT_APPROVE):
        versions = versions.filter(
            Q(status__in=[ScriptVersion.Status.PUBLISHED, ScriptVersion.Status.SUPERSEDED])
            | Q(author=request.user)
        )
    published = script.published_version
    initial = {}
    if published is not None:
        initial = {
            name: getattr(published, name)
            for name in (
                "body",
                "objection",
                "evidence",
                "customer",
                "problem",
                "solution",
                "result",
                "contract",
            )
        }
    return render(
        request,
        "enablement/script_detail.html",
        {
            "script": script,
            "versions": versions,
            "revise_form": revise_form
            or (
                VersionTextForm(initial=initial, user=request.user)
                if may(request.user, Action.SCRIPT_WRITE)
                else None
            ),
            "decision_form": DecisionForm() if may(request.user, Action.SCRIPT_APPROVE) else None,
            "uses": script.usages.count(),
        },
    )


@require_POST
@action_required(Action.SCRIPT_WRITE)
def script_revise(request, pk):
    script = _script_for(request, pk)
    form = VersionTextForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.script_revise(actor=request.user, script=script, **form.cleaned_data)
        except AlreadySubmitted:
            return already_saved(request, script)
        except BusinessRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("New version saved; it waits for approval."))
            return redirect(script)
    return script_detail(request, pk, revise_form=form)


@require_POST
@action_required(Action.SCRIPT_APPROVE)
def version_decide(request, pk):
    version = get_object_or_404(ScriptVersion.objects.select_related("script"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect(version.script)
    try:
        services.version_decide(actor=request.user, version=version, **form.cleaned_data)
    except BusinessRuleError as exc:
        messages.error(request, str(exc))
    else:
        if form.cleaned_data["approve"]:
            messages.success(request, _("Version published."))
        else:
            messages.success(request, _("Version rejected."))
    if request.POST.get("next") == "approvals":
        return redirect("enablement:approvals")
    return redirect(version.script)


@action_required(Action.SCRIPT_APPROVE)
def approvals(request):
    pending = (
        ScriptVersion.objects.filter(status=ScriptVersion.Status.PENDING)
        .select_related("script", "author", "script__product_line")
        .order_by("created_at")
    )
    return render(
        request,
        "enablement/approvals.html",
        {"page": _page(request, pending), "decision_form": DecisionForm()},
    )


@role_required(*SALES)
def usage(request):
    form = MonthForm(request.GET or None)
    month = month_start(local_today())
    if form.is_valid() and form.cleaned_data["month"]:
        month = form.cleaned_data["month"]
    elif request.GET and not form.is_valid():
        messages.warning(request, _("A filter value was not understood and is ignored."))
    goal = EnablementSettings.load().usage_goal_percent
    first, last = month, month_end(month)
    return render(
        request,
        "enablement/usage.html",
        {
            "form": form,
            "month": month,
            "goal": goal,
            "reps": selectors.usage_by_rep(request.user, first, last, goal),
            "scripts": selectors.usage_by_script(request.user, first, last),
        },
    )


# --- experiments ------------------------------------------------------------------------------


@role_required(*SALES)
def experiments(request):
    rows = Experiment.objects.visible_to(request.user).select_related(
        "script_a", "script_b", "team"
    )
    form = None
    if may(request.user, Action.EXPERIMENT_MANAGE):
        form = ExperimentForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                experiment = experiment_create(actor=request.user, **form.cleaned_data)
            except AlreadySubmitted as exc:
                return already_saved(request, exc.obj or "enablement:experiments")
            except BusinessRuleError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request, _("Experiment started; the reps were split into two arms.")
                )
                return redirect(experiment)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request, "enablement/experiments.html", {"page": _page(request, rows), "form": form}
    )


@role_required(*SALES)
def experiment_detail(request, pk):
    experiment = get_object_or_404(
        Experiment.objects.visible_to(request.user).select_related("script_a", "script_b", "team"),
        pk=pk,
    )
    members = experiment.members.select_related("rep", "rep__team")
    return render(
        request,
        "enablement/experiment_detail.html",
        {
            "experiment": experiment,
            "members_a": [m for m in members if m.arm == ExperimentMember.Arm.A],
            "members_b": [m for m in members if m.arm == ExperimentMember.Arm.B],
            "confidence": 100 - float(experiment.alpha) * 100,
        },
    )


# --- onboarding -------------------------------------------------------------------------------


@role_required(*SALES)
def onboarding(request):
    plans = OnboardingPlan.objects.visible_to(request.user).select_related(
        "rep", "rep__team", "mentor"
    )
    form = None
    if may(request.user, Action.ONBOARDING_MANAGE):
        form = OnboardingForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                plan = services.onboarding_plan_start(actor=request.user, **form.cleaned_data)
            except AlreadySubmitted as exc:
                return already_saved(request, exc.obj or "enablement:onboarding")
            except BusinessRuleError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Onboarding plan started."))
                return redirect(plan)
    elif request.method == "POST":
        raise PermissionDenied
    return render(
        request, "enablement/onboarding.html", {"page": _page(request, plans), "form": form}
    )


def _plan_for(request, pk):
    return get_object_or_404(
        OnboardingPlan.objects.visible_to(request.user).select_related(
            "rep", "mentor", "decided_by", "template"
        ),
        pk=pk,
    )


@role_required(*SALES)
def onboarding_detail(request, pk, *, probation_form=None):
    plan = _plan_for(request, pk)
    items = plan.items.select_related("signed_off_by")
    return render(
        request,
        "enablement/onboarding_detail.html",
        {
            "plan": plan,
            "items": items,
            "ramp": selectors.ramp_progress(plan),
            "can_sign": may(request.user, Action.ONBOARDING_SIGN_OFF)
            and request.user.pk != plan.rep_id,
            "probation_form": probation_form
            or (ProbationForm() if may(request.user, Action.ONBOARDING_MANAGE) else None),
        },
    )


@require_POST
@action_required(Action.ONBOARDING_SIGN_OFF)
def onboarding_sign_off(request, pk):
    item = get_object_or_404(
        OnboardingItem.objects.filter(plan__in=OnboardingPlan.objects.visible_to(request.user)),
        pk=pk,
    )
    try:
        services.onboarding_sign_off(actor=request.user, item=item)
    except BusinessRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Item signed off."))
    return redirect(item.plan)


@require_POST
@action_required(Action.ONBOARDING_MANAGE)
def probation_decide(request, pk):
    plan = _plan_for(request, pk)
    form = ProbationForm(request.POST)
    if form.is_valid():
        try:
            services.probation_decide(actor=request.user, plan=plan, **form.cleaned_data)
        except BusinessRuleError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Probation decision recorded."))
            return redirect(plan)
    return onboarding_detail(request, pk, probation_form=form)


# --- training ---------------------------------------------------------------------------------


@role_required(*SALES)
def training(request):
    sessions = TrainingSession.objects.select_related("course")
    today = local_today()
    form = None
    if may(request.user, Action.TRAINING_RECORD):
        form = SessionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                session = services.training_session_create(actor=request.user, **form.cleaned_data)
            except AlreadySubmitted:
                return already_saved(request, "enablement:training")
            except BusinessRuleError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Session saved."))
                return redirect("enablement:session_detail", session.pk)
    elif request.method == "POST":
        raise PermissionDenied
    plan_items = (
        TrainingPlanItem.objects.visible_to(request.user)
        .select_related("rep", "course")
        .order_by("due_on")[:50]
    )
    return render(
        request,
        "enablement/training.html",
        {
            "page": _page(request, sessions),
            "form": form,
            "plan_items": plan_items,
            "plan_form": PlanItemForm(user=request.user)
            if may(request.user, Action.TRAINING_RECORD)
            else None,
            "completion": selectors.training_completion_by_team(
                request.user, today.replace(month=1, day=1), today.replace(month=12, day=31)
            ),
            "year": today.year,
        },
    )


@require_POST
@action_required(Action.TRAINING_RECORD)
def training_plan_add(request):
    form = PlanItemForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            services.training_plan_add(actor=request.user, **form.cleaned_data)
        except BusinessRuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Added to the training plan."))
    else:
        messages.error(request, _("Check the rep, the course and the due date."))
    return redirect("enablement:training")


@role_required(*SALES)
def session_detail(request, pk):
    session = get_object_or_404(TrainingSession.objects.select_related("course"), pk=pk)
    form = None
    if may(request.user, Action.TRAINING_RECORD):
        form = AttendanceForm(request.POST or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                services.attendance_record(actor=request.user, session=session, **form.cleaned_data)
            except BusinessRuleError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, pgettext("training", "Attendance recorded."))
                return redirect("enablement:session_detail", session.pk)
    elif request.method == "POST":
        raise PermissionDenied
    attendances = session.attendances.visible_to(request.user).select_related("rep")
    return render(
        request,
        "enablement/session_detail.html",
        {"session": session, "attendances": attendances, "form": form},
    )


# --- promotion --------------------------------------------------------------------------------


@role_required(*LEADERS)
def promotion(request):
    today = local_today()
    first, second = last_closed_quarters(today)
    cases = PromotionCase.objects.visible_to(request.user).select_related(
        "rep", "opened_by", "decided_by"
    )
    if request.method == "POST":
        if not may(request.user, Action.PROMOTION_DECIDE):
            raise PermissionDenied
        form = PromotionOpenForm(request.POST)
        if form.is_valid():
            try:
                services.promotion_open(actor=request.user, rep=form.cleaned_data["rep"])
            except BusinessRuleError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Team-lead application opened."))
        else:
            messages.error(request, _("Choose a rep of the list."))
        return redirect("enablement:promotion")
    return render(
        request,
        "enablement/promotion.html",
        {
            "eligible": eligible_reps(today=today, visible_to=request.user),
            "first": first,
            "second": second,
            "cases": _page(request, cases),
            "decision_form": PromotionDecisionForm(),
            "opened": set(
                PromotionCase.objects.filter(second_quarter=second).values_list("rep_id", flat=True)
            ),
        },
    )


@require_POST
@action_required(Action.PROMOTION_DECIDE)
def promotion_decide(request, pk):
    case = get_visible_or_404(PromotionCase, request.user, pk=pk)
    form = PromotionDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.promotion_decide(actor=request.user, case=case, **form.cleaned_data)
        except BusinessRuleError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Decision recorded."))
    else:
        messages.error(request, _("Give the decision and its reason."))
    return redirect("enablement:promotion")
