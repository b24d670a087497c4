"""Contract pages: list, drafting form, detail, print, history and the lifecycle actions
(submit, recall, sign, archive, hand off).

Views stay thin: fetch scoped to the user, bind a form, call one service, message, redirect.
"""

from operator import itemgetter

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers import exports, forms, policy, selectors, services
from customers.models import (
    ApprovalStep,
    Contract,
    ContractLine,
    Customer,
    Instalment,
    Payment,
    Refund,
)
from customfields import values as custom_values
from salescrm.access import get_visible_or_404, role_required
from salescrm.exports import export_response
from salescrm.models import User
from salescrm.pagination import CappedPaginator
from salescrm.permissions import Action, action_required
from salescrm.submissions import AlreadySubmitted, already_saved
from salescrm.timeutil import local_today

from .common import PAGE_SIZE, _fail, _page


def _contract_list(request):
    """The contracts the reader sees, narrowed by status and a filter per custom field."""
    contracts = Contract.objects.visible_to(request.user).select_related("customer", "owner")
    status = request.GET.get("status", "")
    if status in Contract.Status.values:
        contracts = contracts.filter(status=status)
    else:
        status = ""
    definitions = custom_values.fields_for("contract")
    contracts, custom_filters = custom_values.filter_list(
        contracts, "contract", request.GET, definitions
    )
    return contracts, {
        "status": status,
        "statuses": Contract.Status.choices,
        "custom_fields": definitions,
        "custom_filters": custom_filters,
    }


def contract_list(request):
    contracts, context = _contract_list(request)
    # 100 k contracts: the count stops at COUNT_CAP rows (salescrm/pagination.py)
    page = CappedPaginator(contracts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "customers/contract_list.html", {"page": page, **context})


def contract_export(request):
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    contracts, context = _contract_list(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return export_response(
        filename=f"contracts-{stamp}",
        header=exports.contract_header(context["custom_fields"]),
        rows=exports.contract_rows(
            contracts.order_by("-created_at", "-id").iterator(chunk_size=2000),
            context["custom_fields"],
        ),
        fmt=fmt,
    )


def _contract_form(request, *, customer, contract=None):
    initial_lines = initial_plan = None
    if contract is not None:
        initial_lines = [
            {
                "product": line.product_id,
                "quantity": line.quantity,
                "discount_rate": line.discount_rate,
            }
            for line in contract.lines.all()
        ]
        initial_plan = [
            {"due_on": i.due_on, "amount": i.amount} for i in contract.instalments.all()
        ]
    data = request.POST if request.method == "POST" else None
    terms = forms.ContractTermsForm(data, instance=contract)
    lines = forms.ContractLineFormSet(data, prefix="lines", initial=initial_lines)
    plan = forms.InstalmentFormSet(data, prefix="plan", initial=initial_plan)
    if data is not None and terms.is_valid() and lines.is_valid() and plan.is_valid():
        values = {name: terms.cleaned_data[name] for name in forms.ContractTermsForm.Meta.fields}
        values["custom"] = terms.cleaned_data["custom"]
        try:
            if contract is None:
                contract = services.contract_create(
                    customer=customer,
                    actor=request.user,
                    lines=lines.rows(),
                    instalments=plan.rows(),
                    submission_token=terms.cleaned_data["submission_token"],
                    **values,
                )
                messages.success(
                    request, _("Contract %(number)s drafted.") % {"number": contract.number}
                )
            else:
                was_approved = contract.status == Contract.Status.APPROVED
                contract = services.contract_update(
                    contract=contract,
                    actor=request.user,
                    lines=lines.rows(),
                    instalments=plan.rows(),
                    **values,
                )
                messages.success(
                    request,
                    _("Contract saved; the change restarts the approval chain.")
                    if was_approved
                    else _("Contract saved."),
                )
        except AlreadySubmitted as exc:
            return already_saved(request, exc.obj or customer)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            return redirect(contract)
    return render(
        request,
        "customers/contract_form.html",
        {
            "customer": customer,
            "contract": contract,
            "terms": terms,
            "lines": lines,
            "plan": plan,
        },
    )


@action_required(Action.CONTRACT_DRAFT)
def contract_create(request, customer_pk):
    customer = get_visible_or_404(
        Customer.objects.select_related("owner"), request.user, pk=customer_pk
    )
    return _contract_form(request, customer=customer)


@action_required(Action.CONTRACT_DRAFT)
def contract_edit(request, pk):
    contract, perms = policy.contract_for(
        request.user, pk, Contract.objects.select_related("customer")
    )
    if not perms.edit:
        try:
            policy.check_edit(request.user, contract)
        except ValidationError as exc:
            if contract.status in (Contract.Status.DRAFT, Contract.Status.APPROVED):
                _fail(request, exc)
            else:
                messages.error(
                    request,
                    _("The terms are locked while the contract is under review or signed."),
                )
        return redirect(contract)
    return _contract_form(request, customer=contract.customer, contract=contract)


def contract_detail(request, pk):
    contract, perms = policy.contract_for(
        request.user, pk, Contract.objects.select_related("customer", "service_user")
    )
    context = selectors.contract_detail(request.user, contract, perms)
    decision_form = forms.DecisionForm()
    decision_form.fields["on_behalf_of"].queryset = User.objects.filter(
        pk__in=[r.pk for r in context["deputy_for"]]
    )
    context["decision_form"] = decision_form
    context["sign_form"] = forms.SignForm(initial={"signed_on": local_today()})
    context["handoff_form"] = forms.HandOffForm()
    return render(request, "customers/contract_detail.html", context)


def contract_print(request, pk):
    contract = get_visible_or_404(
        Contract.objects.select_related("customer", "owner"), request.user, pk=pk
    )
    return render(
        request,
        "customers/contract_print.html",
        {
            "contract": contract,
            "lines": contract.lines.select_related("product"),
            "instalments": contract.instalments.all(),
            "steps": contract.steps.filter(
                round=contract.approval_round, decision="approved"
            ).select_related("decided_by", "on_behalf_of"),
        },
    )


@role_required(*policy.HISTORY_READERS)
def contract_history(request, pk):
    """The audit trail a director reads: every recorded change of the contract, its lines,
    instalments, approval steps, payments and refunds (django-simple-history)."""
    contract = get_object_or_404(Contract, pk=pk)
    rows = []
    sources = [
        (Contract.history.filter(id=contract.pk), _("Contract")),
        (ContractLine.history.filter(contract_id=contract.pk), _("Line")),
        (Instalment.history.filter(contract_id=contract.pk), _("Instalment")),
        (ApprovalStep.history.filter(contract_id=contract.pk), _("Approval step")),
        (Payment.history.filter(contract_id=contract.pk), _("Payment")),
        (Refund.history.filter(contract_id=contract.pk), _("Refund")),
    ]
    for queryset, label in sources:
        for record in queryset.select_related("history_user").order_by("-history_date")[:200]:
            rows.append(
                {
                    "at": record.history_date,
                    "what": label,
                    "type": record.get_history_type_display(),
                    "who": record.history_user,
                    "record": record,
                }
            )
    rows.sort(key=itemgetter("at"), reverse=True)
    return render(
        request,
        "customers/contract_history.html",
        {"contract": contract, "page": _page(request, rows, 100)},
    )


def _contract_action(request, pk, action):
    contract, _perms = policy.contract_for(request.user, pk)
    try:
        action(contract)
    except ValidationError as exc:
        _fail(request, exc)
    return redirect(contract)


@require_POST
@action_required(Action.CONTRACT_SUBMIT)
def contract_submit(request, pk):
    def act(contract):
        services.contract_submit(contract=contract, actor=request.user)
        messages.success(request, _("Submitted for approval."))

    return _contract_action(request, pk, act)


@require_POST
@action_required(Action.CONTRACT_RECALL)
def contract_recall(request, pk):
    def act(contract):
        services.contract_recall(contract=contract, actor=request.user)
        messages.success(request, _("Recalled: the contract is a draft again."))

    return _contract_action(request, pk, act)


@require_POST
@action_required(Action.CONTRACT_SIGN)
def contract_sign(request, pk):
    form = forms.SignForm(request.POST)

    def act(contract):
        if not form.is_valid():
            raise ValidationError(_("Give the signing date."))
        services.contract_mark_signed(contract=contract, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Marked as signed."))

    return _contract_action(request, pk, act)


@require_POST
@action_required(Action.CONTRACT_ARCHIVE)
def contract_archive(request, pk):
    def act(contract):
        services.contract_archive(contract=contract, actor=request.user)
        messages.success(request, _("Archived with the sales management department."))

    return _contract_action(request, pk, act)


@require_POST
@action_required(Action.CONTRACT_HAND_OFF)
def contract_hand_off(request, pk):
    form = forms.HandOffForm(request.POST)

    def act(contract):
        if not form.is_valid():
            raise ValidationError(_("Choose an active after-sales user."))
        services.contract_hand_off(contract=contract, actor=request.user, **form.cleaned_data)
        messages.success(request, _("Handed off to after-sales."))

    return _contract_action(request, pk, act)
