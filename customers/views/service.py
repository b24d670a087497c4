"""After-sales service pages: complaints and satisfaction surveys.

Views stay thin: fetch scoped to the user, bind a form, call one service, message, redirect.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers import forms, policy, services
from customers.models import (
    Complaint,
    Customer,
)
from salescrm.access import get_visible_or_404
from salescrm.permissions import Action, action_required, may
from salescrm.submissions import AlreadySubmitted, already_saved
from salescrm.timeutil import local_today

from .common import _fail, _page


def complaint_list(request):
    complaints = Complaint.objects.visible_to(request.user).select_related("customer", "contract")
    if request.GET.get("open") != "0":
        complaints = complaints.open()
    return render(
        request,
        "customers/complaint_list.html",
        {
            "page": _page(request, complaints),
            "show_all": request.GET.get("open") == "0",
            "may_list_refunds": request.user.has_role(*policy.REFUND_READERS),
        },
    )


@action_required(Action.COMPLAINT_OPEN)
def complaint_create(request, pk):
    customer = get_visible_or_404(Customer, request.user, pk=pk)
    form = forms.ComplaintForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            complaint = services.complaint_open(
                customer=customer, actor=request.user, **form.cleaned_data
            )
        except AlreadySubmitted as exc:
            return already_saved(request, exc.obj or customer)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Complaint recorded."))
            return redirect(complaint)
    return render(
        request,
        "customers/form.html",
        {
            "form": form,
            "title": _("New complaint"),
            "back": customer.get_absolute_url(),
            "subtitle": customer.name,
        },
    )


def complaint_detail(request, pk):
    complaint = get_visible_or_404(
        Complaint.objects.select_related("customer", "contract", "opened_by"), request.user, pk=pk
    )
    return render(
        request,
        "customers/complaint_detail.html",
        {
            "complaint": complaint,
            "form": forms.ComplaintTextForm(),
            "route_form": forms.ComplaintRouteForm(instance=complaint),
        },
    )


@require_POST
@action_required(Action.COMPLAINT_ROUTE)
def complaint_route(request, pk):
    complaint = get_visible_or_404(Complaint, request.user, pk=pk)
    form = forms.ComplaintRouteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(complaint)
    try:
        services.complaint_route(complaint=complaint, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Complaint routed."))
    except ValidationError as exc:
        _fail(request, exc)
    return redirect(complaint)


@require_POST
@action_required(Action.COMPLAINT_CONFIRM)
def complaint_close_loop(request, pk, action):
    """The customer's answer to the resolution: confirmed (closed) or reopened with why."""
    complaint = get_visible_or_404(Complaint, request.user, pk=pk)
    try:
        if action == "confirm":
            services.complaint_confirm(complaint=complaint, actor=request.user)
            messages.success(request, _("The customer confirmed the resolution."))
        else:
            form = forms.ComplaintTextForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Write the text first."))
                return redirect(complaint)
            services.complaint_reopen(
                complaint=complaint, actor=request.user, reason=form.cleaned_data["text"]
            )
            messages.success(request, _("Complaint reopened."))
    except ValidationError as exc:
        _fail(request, exc)
    return redirect(complaint)


@require_POST
def complaint_update(request, pk, action):
    may_act = Action.COMPLAINT_RESPOND if action == "respond" else Action.COMPLAINT_RESOLVE
    if not may(request.user, may_act):
        raise PermissionDenied
    complaint = get_visible_or_404(Complaint, request.user, pk=pk)
    form = forms.ComplaintTextForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the text first."))
        return redirect(complaint)
    try:
        if action == "respond":
            services.complaint_respond(
                complaint=complaint, actor=request.user, response=form.cleaned_data["text"]
            )
        else:
            services.complaint_resolve(
                complaint=complaint, actor=request.user, resolution=form.cleaned_data["text"]
            )
        messages.success(request, _("Complaint updated."))
    except ValidationError as exc:
        _fail(request, exc)
    return redirect(complaint)


@action_required(Action.SURVEY_RECORD)
def survey_create(request, pk):
    customer = get_visible_or_404(Customer, request.user, pk=pk)
    form = forms.SurveyForm(
        request.POST or None, customer=customer, initial={"answered_on": local_today()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_record(customer=customer, actor=request.user, **form.cleaned_data)
        except AlreadySubmitted:
            return already_saved(request, customer)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Survey recorded."))
            return redirect(customer)
    return render(
        request,
        "customers/form.html",
        {
            "form": form,
            "title": _("Satisfaction survey"),
            "back": customer.get_absolute_url(),
            "subtitle": customer.name,
        },
    )
