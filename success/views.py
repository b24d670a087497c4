"""Customer-success pages. Thin: fetch scoped to the reader, bind a form, call one service,
message, redirect. The public survey page is the one view without a login."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers.models import Complaint, Contract, ContractLine, Customer, Payment, Tier
from salescrm.access import get_visible_or_404, role_required
from salescrm.exports import export_response
from salescrm.permissions import Action, action_required, may
from salescrm.roles import Role
from salescrm.submissions import AlreadySubmitted, already_saved
from salescrm.timeutil import local_today, month_end, month_start, quarter_end, quarter_start

from . import forms, selectors, services
from .models import (
    AccountPlan,
    ActionItem,
    RenewalOpportunity,
    ServiceFollowUp,
    ServiceLevel,
    SurveyInvitation,
)

PAGE_SIZE = 25
READERS = (Role.REP, Role.MANAGER, Role.DIRECTOR, Role.SERVICE, Role.ADMIN)
LEADERS = (Role.MANAGER, Role.DIRECTOR, Role.ADMIN)
Stage = RenewalOpportunity.Stage


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _fail(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


# --- renewal pipeline -----------------------------------------------------------------------


@role_required(*READERS)
def renewal_list(request):
    today = local_today()
    visible = RenewalOpportunity.objects.visible_to(request.user)
    form = forms.RenewalFilterForm(request.GET or None)
    rows = visible.select_related("customer", "owner", "contract")
    stage = form.cleaned_data.get("stage") if form.is_valid() else ""
    if stage == "all":
        pass
    elif stage:
        rows = rows.filter(stage=stage)
    else:
        rows = rows.open()
    if form.is_valid() and form.cleaned_data.get("at_risk"):
        rows = rows.at_risk()
    # a running period is read up to today, as the KPI reads it
    month = (month_start(today), min(month_end(today), today))
    quarter = (quarter_start(today), min(quarter_end(today), today))
    context = {
        "form": form,
        "page": _page(request, rows.order_by("course_ends_on", "pk")),
        "counts": selectors.pipeline_counts(visible),
        "rates": [
            (_("This month"), selectors.renewal_rate(*month, opportunities=visible)),
            (_("This quarter"), selectors.renewal_rate(*quarter, opportunities=visible)),
            (
                _("Strategic customers, this quarter"),
                selectors.renewal_rate(*quarter, opportunities=visible, strategic_only=True),
            ),
        ],
        "goal": selectors.RENEWAL_GOAL,
        "today": today,
    }
    return render(request, "success/renewal_list.html", context)


@role_required(*READERS)
def renewal_detail(request, pk, *, form=None):
    opportunity = get_visible_or_404(
        RenewalOpportunity.objects.select_related(
            "customer", "owner", "contract", "renewal_contract"
        ),
        request.user,
        pk=pk,
    )
    lines = ContractLine.objects.filter(contract=opportunity.contract_id).select_related("product")
    complaints = Complaint.objects.open().filter(customer=opportunity.customer_id)[:5]
    return render(
        request,
        "success/renewal_detail.html",
        {
            "opportunity": opportunity,
            "lines": lines,
            "complaints": complaints,
            "form": form or forms.RenewalMoveForm(initial={"stage": opportunity.stage}),
            "may_move": may(request.user, Action.RENEWAL_UPDATE)
            and opportunity.stage != Stage.RENEWED,
        },
    )


@require_POST
@action_required(Action.RENEWAL_UPDATE)
def renewal_move(request, pk):
    opportunity = get_visible_or_404(RenewalOpportunity, request.user, pk=pk)
    form = forms.RenewalMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a stage from the list."))
        return redirect(opportunity)
    try:
        services.renewal_move(
            opportunity=opportunity, actor=request.user, today=local_today(), **form.cleaned_data
        )
        messages.success(request, _("Renewal updated."))
    except ValidationError as exc:
        _fail(request, exc)
    return redirect(opportunity)


# --- service levels and churn ---------------------------------------------------------------


@role_required(*READERS)
def service_levels(request):
    today = local_today()
    night, per_tier, total = selectors.cadence_compliance(request.user)
    overdue = (
        ServiceFollowUp.objects.visible_to(request.user)
        .overdue(today)
        .select_related("customer", "owner")
        .order_by("due_on", "pk")
    )
    return render(
        request,
        "success/service_levels.html",
        {
            "levels": ServiceLevel.objects.select_related("service_owner"),
            "night": night,
            "per_tier": per_tier,
            "total": total,
            "page": _page(request, overdue),
            "today": today,
            "late_complaints": selectors.late_first_responses(
                Complaint.objects.visible_to(request.user), timezone.now()
            )
            .select_related("customer")
            .order_by("opened_at")[:PAGE_SIZE],
        },
    )


@role_required(*LEADERS)
def churn(request):
    today = local_today()
    form = forms.QuarterForm(request.GET or None)
    year = today.year
    if (
        form.is_valid()
        and form.cleaned_data.get("year")
        and form.cleaned_data["year"] <= today.year
    ):
        year = form.cleaned_data["year"]
    elif form.is_bound and not form.is_valid():
        messages.warning(request, _("Some filters were not valid and were ignored."))
    customers = Customer.objects.visible_to(request.user)
    quarters = selectors.churn_by_quarter(year, today, customers=customers)
    names = dict(
        Customer.objects.filter(
            pk__in=[pk for q in quarters for pk in q.churned_ids[:20]]
        ).values_list("pk", "name")
    )
    return render(
        request,
        "success/churn.html",
        {
            "year": year,
            "quarters": [
                (q, [(pk, names.get(pk, pk)) for pk in q.churned_ids[:20]]) for q in quarters
            ],
            "goal": selectors.CHURN_GOAL,
            "process": selectors.process_complaints_by_quarter(year),
            "process_goal": selectors.PROCESS_COMPLAINT_GOAL,
        },
    )


# --- account plans --------------------------------------------------------------------------


@role_required(*READERS)
def plan_list(request):
    plans = AccountPlan.objects.visible_to(request.user).select_related("customer")
    strategic = (
        Customer.objects.visible_to(request.user)
        .filter(selectors.effective_tier_in([Tier.STRATEGIC]))
        .order_by("name")
    )
    return render(
        request,
        "success/plan_list.html",
        {
            "page": _page(request, plans.order_by("-year", "customer__name")),
            "strategic": strategic[:50],
        },
    )


def _plan_actuals(plan: AccountPlan) -> dict:
    low, high = dt.date(plan.year, 1, 1), dt.date(plan.year, 12, 31)
    signed = (
        Contract.objects.filter(customer=plan.customer_id)
        .signed_between(low, high)
        .aggregate(s=Sum("total_amount"))["s"]
    )
    collected = Payment.objects.filter(
        contract__customer=plan.customer_id, received_on__range=(low, high)
    ).aggregate(s=Sum("amount"))["s"]
    return {"signed": signed or 0, "collected": collected or 0}


@role_required(*READERS)
def plan_detail(request, pk):
    plan = get_visible_or_404(AccountPlan.objects.select_related("customer"), request.user, pk=pk)
    reviews = plan.reviews.prefetch_related(
        Prefetch("actions", queryset=ActionItem.objects.select_related("done_by"))
    ).select_related("recorded_by")
    actions = [action for review in reviews for action in review.actions.all()]
    return render(
        request,
        "success/plan_detail.html",
        {
            "plan": plan,
            "reviews": reviews,
            "actuals": _plan_actuals(plan),
            "actions_open": sum(1 for a in actions if a.done_at is None),
            "actions_done": sum(1 for a in actions if a.done_at is not None),
        },
    )


@require_POST
@action_required(Action.BUSINESS_REVIEW_ACTION_DONE)
def action_item_mark(request, pk):
    item = get_visible_or_404(
        ActionItem.objects.select_related("review__plan__customer"), request.user, pk=pk
    )
    form = forms.ActionItemMarkForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say whether the action is done."))
        return redirect(item.review.plan)
    try:
        services.action_item_mark(item=item, actor=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        if form.cleaned_data["done"]:
            messages.success(request, _("Action done; its follow-up is closed."))
        else:
            messages.success(request, _("Action open again; its follow-up is back in My day."))
    return redirect(item.review.plan)


@action_required(Action.ACCOUNT_PLAN_EDIT)
def plan_create(request, pk):
    customer = get_visible_or_404(Customer, request.user, pk=pk)
    form = forms.PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.account_plan_create(
                customer=customer, actor=request.user, **form.cleaned_data
            )
        except AlreadySubmitted as exc:
            return already_saved(request, exc.obj or customer)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Account plan saved."))
            return redirect(plan)
    return render(
        request,
        "success/form.html",
        {
            "form": form,
            "title": _("New account plan"),
            "subtitle": customer.name,
            "back": customer.get_absolute_url(),
        },
    )


@action_required(Action.ACCOUNT_PLAN_EDIT)
def plan_edit(request, pk):
    plan = get_visible_or_404(AccountPlan.objects.select_related("customer"), request.user, pk=pk)
    initial = {name: getattr(plan, name) for name in services.plans.PLAN_FIELDS}
    form = forms.PlanForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "submission_token"}
        try:
            services.account_plan_update(plan=plan, actor=request.user, **data)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Account plan saved."))
            return redirect(plan)
    return render(
        request,
        "success/form.html",
        {
            "form": form,
            "title": _("Edit account plan"),
            "subtitle": str(plan),
            "back": plan.get_absolute_url(),
        },
    )


@action_required(Action.BUSINESS_REVIEW_RECORD)
def review_create(request, pk):
    plan = get_visible_or_404(AccountPlan.objects.select_related("customer"), request.user, pk=pk)
    form = forms.ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.business_review_record(plan=plan, actor=request.user, **form.service_kwargs())
        except AlreadySubmitted:
            return already_saved(request, plan)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Business review recorded."))
            return redirect(plan)
    return render(
        request,
        "success/form.html",
        {
            "form": form,
            "title": _("Quarterly business review"),
            "subtitle": str(plan),
            "back": plan.get_absolute_url(),
        },
    )


# --- surveys --------------------------------------------------------------------------------


@role_required(*READERS)
def survey_list(request):
    invitations = SurveyInvitation.objects.visible_to(request.user).select_related(
        "customer", "contract", "survey"
    )
    show_links = may(request.user, Action.SURVEY_SEND)
    page = _page(request, invitations.order_by("-created_on", "-pk"))
    rows = [
        (
            invitation,
            request.build_absolute_uri(
                f"{reverse('success:survey_answer')}?t={services.token_for(invitation)}"
            )
            if show_links and invitation.answered_at is None
            else "",
        )
        for invitation in page
    ]
    return render(
        request,
        "success/survey_list.html",
        {"page": page, "rows": rows, "today": local_today(), "may_send": show_links},
    )


@require_POST
@action_required(Action.SURVEY_SEND)
def survey_send(request, pk):
    contract = get_visible_or_404(Contract, request.user, pk=pk)
    try:
        services.survey_send(actor=request.user, contract=contract)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        if contract.customer.email.strip():
            messages.success(request, _("Survey created; the link is being e-mailed."))
        else:
            messages.warning(
                request,
                _(
                    "Survey created. The customer has no e-mail address: copy the link from the list."
                ),
            )
    return redirect("success:surveys")


@require_POST
@action_required(Action.SURVEY_SEND)
def survey_resend(request, pk):
    invitation = get_visible_or_404(SurveyInvitation, request.user, pk=pk)
    try:
        services.survey_send_again(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("The survey link is being e-mailed again."))
    return redirect("success:surveys")


@login_not_required
def survey_answer(request):
    """The customer's page: one survey, reached only with its signed token; no menu, no
    link to anything else, no session."""
    token = (request.GET.get("t") or request.POST.get("t") or "")[:500]
    try:
        invitation = services.invitation_for(token)
    except services.SurveyLinkError as exc:
        return render(
            request, "success/survey_public.html", {"message": str(exc)}, status=exc.status
        )
    form = forms.SurveyAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(token=token, **form.cleaned_data)
        except services.SurveyLinkError as exc:
            return render(
                request, "success/survey_public.html", {"message": str(exc)}, status=exc.status
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return render(
                request,
                "success/survey_public.html",
                {"message": _("Thank you for your answer!"), "done": True},
            )
    return render(
        request,
        "success/survey_public.html",
        {"form": form, "token": token, "milestone": invitation.get_milestone_display()},
        status=400 if form.is_bound else 200,
    )


# --- feedback -------------------------------------------------------------------------------


@action_required(Action.FEEDBACK_RECORD)
def feedback_create(request):
    form = forms.FeedbackForm(request.POST or None, initial={"heard_on": local_today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_record(actor=request.user, **form.cleaned_data)
        except AlreadySubmitted:
            return already_saved(request, "success:feedback_create")
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Thank you: the feedback goes to course development."))
            return redirect("success:feedback_create")
    return render(
        request, "success/form.html", {"form": form, "title": _("Feedback for course development")}
    )


@role_required(Role.DIRECTOR, Role.ADMIN)
def feedback_list(request):
    today = local_today()
    form = forms.QuarterForm(request.GET or None)
    day = today
    if form.is_valid() and form.cleaned_data.get("quarter"):
        day = min(form.cleaned_data["quarter"], today)
    elif form.is_bound and not form.is_valid():
        messages.warning(request, _("Some filters were not valid and were ignored."))
    start, end, groups = selectors.feedback_quarter(day)
    if request.GET.get("export") in ("csv", "xlsx"):
        return export_response(
            filename=f"feedback-{start:%Y-%m}",
            header=[_("heard on"), _("product line"), _("kind"), _("source"), _("text"), _("by")],
            rows=selectors.feedback_export_rows(start, end),
            fmt=request.GET["export"],
        )
    quarters = [quarter_start(today)]
    for _i in range(7):
        quarters.append(quarter_start(quarters[-1] - dt.timedelta(days=1)))
    return render(
        request,
        "success/feedback_list.html",
        {"start": start, "end": end, "groups": groups, "quarters": quarters},
    )
