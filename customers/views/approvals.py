"""The approval chain pages: confirming and deciding a step, the approval inbox and deputies.

Views stay thin: fetch scoped to the user, bind a form, call one service, message, redirect.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers import forms, policy, services
from customers.models import (
    ApprovalDeputy,
    ApprovalStep,
    Contract,
)
from salescrm.access import role_required
from salescrm.permissions import Action, action_required, may
from salescrm.roles import Role
from salescrm.timeutil import local_today

from .common import _fail, _page


def _may_open_contract(request, contract_id) -> bool:
    """What contract_detail would show: a deputy from another team loses sight of the contract
    once their step is decided."""
    return Contract.objects.filter(policy.reviewable_q(request.user), pk=contract_id).exists()


@action_required(Action.APPROVAL_DECIDE)
def step_confirm(request, pk):
    """The inbox's approve button leads here: the contract and amount are named before the
    decision, so a click on the wrong row approves nothing. A plain page, no script needed."""
    step, perms = policy.step_for(request.user, pk)
    if not perms.decide:
        messages.info(request, _("This step no longer waits for you."))
        return redirect("customers:approval_inbox")
    return render(
        request,
        "customers/step_confirm.html",
        {
            "step": step,
            "contract": step.contract,
            "form": forms.DecisionForm(
                initial={
                    "decision": "approve",
                    "contract_number": step.contract.number,
                }
            ),
        },
    )


@require_POST
@action_required(Action.APPROVAL_DECIDE)
def step_decide(request, pk):
    step, _perms = policy.step_for(request.user, pk)
    form = forms.DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
    elif form.cleaned_data["contract_number"] not in ("", step.contract.number):
        messages.error(
            request,
            _("The confirmation named contract %(named)s, not %(number)s: nothing was decided.")
            % {"named": form.cleaned_data["contract_number"], "number": step.contract.number},
        )
    else:
        try:
            services.approval_decide(
                step=step,
                actor=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
                on_behalf_of=form.cleaned_data["on_behalf_of"],
            )
            messages.success(request, _("Decision recorded."))
        except ValidationError as exc:
            _fail(request, exc)
    if request.POST.get("next") == "inbox" or not _may_open_contract(request, step.contract_id):
        return redirect("customers:approval_inbox")
    return redirect("customers:contract_detail", pk=step.contract_id)


@role_required(Role.MANAGER, Role.DIRECTOR, Role.LEGAL, Role.FINANCE, Role.ADMIN)
def approval_inbox(request):
    if request.method == "POST" and not may(request.user, Action.APPROVAL_DEPUTY_SET):
        raise PermissionDenied
    today = local_today()
    steps = (
        ApprovalStep.objects.actionable_by(request.user, today)
        .select_related("contract__customer", "contract__owner")
        .order_by("created_at", "pk")
    )
    deputy_form = forms.DeputyForm(request.POST or None, reviewer=request.user)
    if request.method == "POST" and deputy_form.is_valid():
        try:
            services.approval_deputy_set(reviewer=request.user, **deputy_form.cleaned_data)
            messages.success(request, _("Deputy saved."))
            return redirect("customers:approval_inbox")
        except ValidationError as exc:
            _fail(request, exc)
    deputies = ApprovalDeputy.objects.filter(
        Q(reviewer=request.user) | Q(deputy=request.user), ends_on__gte=today
    ).select_related("reviewer", "deputy")
    return render(
        request,
        "customers/approval_inbox.html",
        {
            "page": _page(request, steps),
            "deputy_form": deputy_form,
            "deputies": deputies,
            "decision_form": forms.DecisionForm(),
        },
    )
