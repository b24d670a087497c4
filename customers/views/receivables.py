"""Receivables pages: payments, dunning, lessons delivered, the receivables list and refunds.

Views stay thin: fetch scoped to the user, bind a form, call one service, message, redirect.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers import ageing, forms, policy, services
from customers.models import (
    Contract,
    ContractLine,
    Instalment,
    Payment,
    Refund,
)
from salescrm.access import get_visible_or_404, role_required
from salescrm.models import User
from salescrm.permissions import Action, action_required
from salescrm.submissions import AlreadySubmitted, already_saved
from salescrm.timeutil import local_today

from .common import _fail, _page


def _instalment_form(request, pk, form_class, title, call):
    instalment = get_visible_or_404(
        Instalment.objects.select_related("contract__owner", "contract__customer"),
        request.user,
        pk=pk,
    )
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            call(instalment, form.cleaned_data)
        except AlreadySubmitted:
            return already_saved(request, instalment.contract)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            return redirect(instalment.contract)
    return render(
        request,
        "customers/form.html",
        {
            "form": form,
            "title": title,
            "back": instalment.contract.get_absolute_url(),
            "subtitle": _("%(contract)s · instalment %(no)s · outstanding ¥%(left)s")
            % {
                "contract": instalment.contract.number,
                "no": instalment.sequence,
                "left": instalment.outstanding_amount,
            },
        },
    )


@action_required(Action.PAYMENT_RECORD)
def payment_create(request, pk):
    def call(instalment, data):
        services.payment_record(instalment=instalment, actor=request.user, **data)
        messages.success(request, _("Payment recorded."))

    return _instalment_form(request, pk, forms.PaymentForm, _("Record a payment"), call)


@action_required(Action.DUNNING_RECORD)
def dunning_create(request, pk):
    def call(instalment, data):
        services.dunning_record_add(instalment=instalment, actor=request.user, **data)
        messages.success(request, _("Dunning recorded."))

    return _instalment_form(request, pk, forms.DunningForm, _("Record dunning"), call)


def payment_detail(request, pk):
    payment = get_visible_or_404(
        Payment.objects.select_related("contract__customer", "instalment", "recorded_by"),
        request.user,
        pk=pk,
    )
    return render(request, "customers/payment_detail.html", {"payment": payment})


@action_required(Action.LESSONS_RECORD)
def lessons_create(request, pk):
    line = get_visible_or_404(
        ContractLine.objects.select_related("contract", "product"), request.user, pk=pk
    )
    form = forms.LessonDeliveryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.lessons_record(line=line, actor=request.user, **form.cleaned_data)
        except AlreadySubmitted:
            return already_saved(request, line.contract)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Attendance recorded."))
            return redirect(line.contract)
    return render(
        request,
        "customers/form.html",
        {
            "form": form,
            "title": _("Record lessons delivered"),
            "back": line.contract.get_absolute_url(),
            "subtitle": _("%(product)s · %(done)s of %(total)s delivered")
            % {
                "product": line.product,
                "done": line.lessons_delivered,
                "total": line.lessons_total or 0,
            },
        },
    )


def receivables(request):
    """收款台账 per rep with ageing buckets, and the overdue instalments themselves."""
    today = local_today()
    visible = Instalment.objects.visible_to(request.user)
    per_rep = list(visible.ageing_totals(today, "contract__owner"))
    owners = User.objects.in_bulk([row["contract__owner"] for row in per_rep])
    for row in per_rep:
        row["owner"] = owners.get(row["contract__owner"])
        row["buckets"] = [row[bucket.key] for bucket in ageing.BUCKETS]
    overdue = (
        visible.receivable()
        .filter(due_on__lt=today)
        .with_ageing(today)
        .select_related("contract__customer", "contract__owner")
        .order_by("due_on", "pk")
    )
    bucket = request.GET.get("bucket", "")
    if bucket in ageing.OVERDUE_CODES:
        overdue = overdue.filter(bucket=bucket)
    return render(
        request,
        "customers/receivables.html",
        {
            "per_rep": per_rep,
            "page": _page(request, overdue),
            "today": today,
            "bucket": bucket,
            "buckets": ageing.BUCKETS,
            "overdue_buckets": ageing.OVERDUE,
        },
    )


@action_required(Action.REFUND_REQUEST)
def refund_request(request, pk):
    contract = get_visible_or_404(Contract, request.user, pk=pk)
    proposal = services.refund_proposal(contract)
    form = forms.RefundForm(request.POST or None, initial={"amount": proposal})
    if request.method == "POST" and form.is_valid():
        try:
            services.refund_request(contract=contract, actor=request.user, **form.cleaned_data)
        except AlreadySubmitted:
            return already_saved(request, contract)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Refund requested; finance will confirm it."))
            return redirect(contract)
    return render(
        request,
        "customers/form.html",
        {
            "form": form,
            "title": _("Request a refund"),
            "back": contract.get_absolute_url(),
            "subtitle": _(
                "%(contract)s · proposed from unused lessons: ¥%(amount)s · refundable: ¥%(cap)s"
            )
            % {
                "contract": contract.number,
                "amount": proposal,
                "cap": services.refundable_amount(contract),
            },
        },
    )


@role_required(*policy.REFUND_READERS)
def refund_list(request):
    refunds = Refund.objects.visible_to(request.user).select_related(
        "contract__customer", "requested_by", "decided_by"
    )
    status = request.GET.get("status", Refund.Status.REQUESTED)
    if status in Refund.Status.values:
        refunds = refunds.filter(status=status)
    return render(
        request,
        "customers/refund_list.html",
        {
            "page": _page(request, refunds),
            "status": status,
            "statuses": Refund.Status.choices,
            "form": forms.RefundDecisionForm(),
        },
    )


@require_POST
@action_required(Action.REFUND_DECIDE)
def refund_decide(request, pk):
    refund, _perms = policy.refund_for(request.user, pk)
    form = forms.RefundDecisionForm(request.POST)
    if form.is_valid():
        try:
            services.refund_decide(
                refund=refund,
                actor=request.user,
                confirm=form.cleaned_data["decision"] == "confirm",
                comment=form.cleaned_data["comment"],
            )
            messages.success(request, _("Refund decided."))
        except ValidationError as exc:
            _fail(request, exc)
    return redirect("customers:refunds")
