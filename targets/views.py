from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from salescrm.access import role_required
from salescrm.exports import export_response
from salescrm.models import Team, User
from salescrm.permissions import Action, action_required, may
from salescrm.roles import LEADERS, SALES, Role
from salescrm.scoping import managed_team_ids
from salescrm.submissions import AlreadySubmitted, already_saved, saved_before
from salescrm.timeutil import local_today

from . import progress as progress_module
from . import services, tables
from .forms import GridForm, JoinerForm, LeaverForm, PlanCreateForm, PlanWeightsForm
from .models import AdjustmentLine, Target, TargetPlan

DIRECTORS = (Role.DIRECTOR, Role.ADMIN)


def _get_plan(request, pk):
    return get_object_or_404(TargetPlan.objects.visible_to(request.user), pk=pk)


def _show_errors(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


@role_required(*SALES)
def plan_list(request):
    plans = (
        TargetPlan.objects.visible_to(request.user)
        .annotate(adjustment_count=Count("adjustments"))
        .order_by("-year", "metric")
    )
    page = Paginator(plans, 25).get_page(request.GET.get("page"))
    return render(request, "targets/plan_list.html", {"page": page})


@action_required(Action.TARGET_PLAN_EDIT)
def plan_create(request):
    if request.method == "POST" and (plan := saved_before(request)) is not None:
        return already_saved(request, "targets:plan_weights", pk=plan.pk)
    today = local_today()
    form = PlanCreateForm(request.POST or None, initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, today=today, **form.cleaned_data)
        except AlreadySubmitted as exc:
            if exc.obj is None:
                return already_saved(request, "targets:plan_list")
            return already_saved(request, "targets:plan_weights", pk=exc.obj.pk)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The draft plan was created with default weights."))
            return redirect("targets:plan_weights", pk=plan.pk)
    return render(request, "targets/plan_form.html", {"form": form})


@role_required(*SALES)
def plan_detail(request, pk):
    plan = _get_plan(request, pk)
    error = None
    if plan.is_published:
        table = tables.plan_table(plan, request.user)
    else:
        try:
            table = tables.draft_table(plan, services.plan_breakdown(plan))
        except ValidationError as exc:
            table, error = None, exc.messages
    export = request.GET.get("export")
    if export in ("csv", "xlsx") and table is not None:
        return export_response(
            filename=f"targets-{plan.year}-{plan.metric}",
            header=tables.header(plan.year),
            rows=tables.table_lines(table),
            fmt=export,
        )
    editable_team_ids = {
        row.team_id
        for row in (table.teams if table else [])
        if row.team_id and services.can_edit_team(request.user, row.team_id)
    }
    context = {
        "plan": plan,
        "table": table,
        "error": error,
        "editable_team_ids": editable_team_ids,
        "columns": tables.columns(plan.year),
        "is_director": may(request.user, Action.TARGET_PLAN_EDIT),
    }
    return render(request, "targets/plan_detail.html", context)


@action_required(Action.TARGET_PLAN_EDIT)
def plan_weights(request, pk):
    plan = _get_plan(request, pk)
    if plan.is_published:
        messages.info(request, _("The plan is published; change it through adjustments."))
        return redirect(plan)
    form = PlanWeightsForm(
        request.POST or None,
        plan=plan,
        month_weights=plan.month_weights.order_by("month"),
        team_shares=plan.team_shares.select_related("team"),
        members=plan.members.select_related("rep", "team").order_by(
            "team__sort_key", "rep__username"
        ),
        product_line_shares=plan.product_line_shares.select_related("product_line"),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.plan_update_weights(
                plan=plan,
                actor=request.user,
                annual_value=form.cleaned_data["annual_value"],
                month_weights=form.month_weights(),
                team_weights=form.team_weights(),
                member_weights=form.member_weights(),
                product_line_weights=form.product_line_weights(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The weights were saved."))
            return redirect(plan)
    return render(request, "targets/plan_weights.html", {"plan": plan, "form": form})


@require_POST
@action_required(Action.TARGET_PLAN_EDIT)
def plan_publish(request, pk):
    plan = _get_plan(request, pk)
    try:
        services.plan_publish(plan=plan, actor=request.user)
    except ValidationError as error:
        _show_errors(request, error)
    else:
        messages.success(request, _("The plan was published."))
    return redirect(plan)


def _grid_rows(targets, label):
    rows: dict = {}
    for target in targets:
        owner = label(target)
        rows.setdefault(owner, {"label": str(owner), "targets": []})["targets"].append(target)
    return list(rows.values())


def _adjust(request, *, plan, rows, totals, key, apply, title, back):
    today = local_today()
    shown = [t for row in rows for t in row["targets"]] + list(totals)
    form = GridForm(
        request.POST or None,
        rows=rows,
        places=plan.places,
        today=today,
        initial={"version": services.split_version(shown)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            apply(
                changes=form.changes(key),
                reason=form.cleaned_data["reason"],
                spread=form.cleaned_data["spread"],
                version=form.cleaned_data["version"] or None,
                today=today,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The targets were adjusted; the totals are unchanged."))
            return redirect(back)
    for row in rows:
        row["cells"] = [
            {"target": t, "field": form[f"cell_{t.pk}"] if f"cell_{t.pk}" in form.fields else None}
            for t in row["targets"]
        ]
    context = {"plan": plan, "form": form, "rows": rows, "totals": totals, "title": title}
    return render(request, "targets/plan_adjust.html", context)


@action_required(Action.TARGET_ADJUST_REPS)
def plan_adjust_team(request, pk, team_id):
    plan = _get_plan(request, pk)
    team = get_object_or_404(Team, pk=team_id)
    if not services.can_edit_team(request.user, team.pk):
        raise PermissionDenied
    targets = list(
        Target.objects.filter(plan=plan, team=team)
        .select_related("rep")
        .order_by("level", "rep__username", "month")
    )
    rows = _grid_rows([t for t in targets if t.level == Target.Level.REP], lambda t: t.rep)
    totals = [t for t in targets if t.level == Target.Level.TEAM]

    def apply(**kwargs):
        services.targets_adjust_reps(plan=plan, team=team, actor=request.user, **kwargs)

    return _adjust(
        request,
        plan=plan,
        rows=rows,
        totals=totals,
        key=lambda t: t.rep_id,
        apply=apply,
        title=_("Split of %(team)s") % {"team": team},
        back=plan,
    )


@action_required(Action.TARGET_ADJUST_TEAMS)
def plan_adjust_company(request, pk):
    plan = _get_plan(request, pk)
    targets = list(
        Target.objects.filter(plan=plan, level__in=[Target.Level.COMPANY, Target.Level.TEAM])
        .select_related("team")
        .order_by("level", "team__sort_key", "month")
    )
    rows = _grid_rows([t for t in targets if t.level == Target.Level.TEAM], lambda t: t.team)
    totals = [t for t in targets if t.level == Target.Level.COMPANY]

    def apply(**kwargs):
        services.targets_adjust_teams(plan=plan, actor=request.user, **kwargs)

    return _adjust(
        request,
        plan=plan,
        rows=rows,
        totals=totals,
        key=lambda t: t.team_id,
        apply=apply,
        title=_("Split between the teams"),
        back=plan,
    )


@role_required(*LEADERS)
def plan_history(request, pk):
    plan = _get_plan(request, pk)
    adjustments = plan.adjustments.select_related("actor", "team").prefetch_related(
        Prefetch(
            "lines",
            queryset=AdjustmentLine.objects.select_related("target__team", "target__rep").order_by(
                "target__level", "target__month"
            ),
        )
    )
    if not request.user.has_role(*DIRECTORS):
        # A manager reads the changes made inside their teams and the director's changes of
        # their teams' totals (which touch their rows).
        teams = managed_team_ids(request.user)
        touched = AdjustmentLine.objects.filter(target__team_id__in=teams).values("adjustment_id")
        adjustments = adjustments.filter(Q(team_id__in=teams) | Q(pk__in=touched))
    page = Paginator(adjustments, 20).get_page(request.GET.get("page"))
    return render(request, "targets/plan_history.html", {"plan": plan, "page": page})


@role_required(*SALES)
def target_detail(request, pk):
    target = get_object_or_404(
        Target.objects.visible_to(request.user).select_related("plan", "team", "rep"), pk=pk
    )
    lines = target.history.select_related("adjustment__actor").order_by("-adjustment__created_at")
    page = Paginator(lines, 25).get_page(request.GET.get("page"))
    return render(request, "targets/target_detail.html", {"target": target, "page": page})


def _team_reps(user):
    reps = User.objects.reps().active().filter(team__isnull=False).select_related("team")
    if user.has_role(*DIRECTORS):
        return reps
    return reps.filter(team__in=user.managed_teams.all())


@action_required(Action.TARGET_MEMBER_CHANGE)
def member_leave(request, pk):
    plan = _get_plan(request, pk)
    form = LeaverForm(request.POST or None, reps=_team_reps(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_member_leave(
                today=local_today(),
                year=plan.year,
                rep=data["rep"],
                actor=request.user,
                last_month=data["last_month"],
                reason=data["reason"],
                to_reps=list(data["to_reps"]),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The leaver's remaining targets were moved."))
            return redirect(plan)
    return render(
        request,
        "targets/member_form.html",
        {"plan": plan, "form": form, "title": _("A rep leaves")},
    )


@action_required(Action.TARGET_MEMBER_CHANGE)
def member_join(request, pk):
    plan = _get_plan(request, pk)
    in_plan = plan.members.values("rep_id")
    form = JoinerForm(request.POST or None, reps=_team_reps(request.user).exclude(pk__in=in_plan))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.plan_member_join(
                today=local_today(),
                year=plan.year,
                rep=data["rep"],
                actor=request.user,
                reason=data["reason"],
                weight=data["weight"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The new rep gets targets from next month."))
            return redirect(plan)
    return render(
        request, "targets/member_form.html", {"plan": plan, "form": form, "title": _("A rep joins")}
    )


def _default_month(plan, today) -> int:
    if plan.year == today.year:
        return today.month
    return 12 if plan.year < today.year else 1


@role_required(*SALES)
def progress(request):
    plans = list(TargetPlan.objects.published().order_by("-year", "metric"))
    today = local_today()
    chosen = request.GET.get("plan", "")
    plan = next((p for p in plans if str(p.pk) == chosen), None) or next(
        (p for p in plans if p.year == today.year and p.metric == "signed_amount"),
        plans[0] if plans else None,
    )
    if plan is None:
        return render(request, "targets/progress.html", {"plans": plans, "plan": None})
    kind = (
        request.GET.get("period")
        if request.GET.get("period") in progress_module.PERIODS
        else "month"
    )
    month = request.GET.get("month", "")
    # str.isdigit() also accepts "²", which int() refuses.
    month = (
        int(month)
        if len(month) <= 2 and month.isascii() and month.isdigit() and 1 <= int(month) <= 12
        else _default_month(plan, today)
    )
    result = progress_module.build_progress(
        plan=plan, user=request.user, kind=kind, month=month, as_of=today
    )
    rows = result.sorted_rows()
    if request.GET.get("export") in ("csv", "xlsx"):
        return export_response(
            filename=f"progress-{plan.year}-{plan.metric}-{kind}-{month:02d}",
            header=progress_module.export_header(),
            rows=progress_module.export_lines(rows),
            fmt=request.GET["export"],
        )
    chart = progress_module.chart_data(plan, rows[0]) if rows else None
    context = {
        "plans": plans,
        "plan": plan,
        "progress": result,
        "rows": rows,
        "kind": kind,
        "month": month,
        "months": range(1, 13),
        "chart": chart,
    }
    return render(request, "targets/progress.html", context)
