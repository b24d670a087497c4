"""Thin views: fetch scoped to the user, bind a form, call one service, message, redirect."""

import datetime as dt
from operator import itemgetter

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from leads.models import Activity, Lead, StageChange
from salescrm.access import get_visible_or_404, role_required
from salescrm.models import User
from salescrm.permissions import Action, action_required, may
from salescrm.roles import Role
from salescrm.submissions import AlreadySubmitted, already_saved
from salescrm.timeutil import local_today

from . import ageing, forms, policy, services
from .models import (
    ApprovalDeputy,
    ApprovalStep,
    Complaint,
    Contract,
    ContractLine,
    Customer,
    DunningRecord,
    Instalment,
    Payment,
    Refund,
    money_sum,
)

PAGE_SIZE = 25


def _fail(request, exc: ValidationError):
    for message in exc.messages:
        messages.error(request, message)


def _page(request, queryset, size=PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


def approval_badge(user) -> int:
    """The count shown beside "Approval inbox" in the navigation."""
    return ApprovalStep.objects.actionable_by(user, local_today()).count()


# --- customers ---------------------------------------------------------------------------


@require_POST
@action_required(Action.LEAD_CONVERT)
def customer_from_lead_view(request, pk):
    """The lead page's "Convert to customer" button (mounted under the leads URLs)."""
    lead = get_visible_or_404(Lead.objects.select_related("owner", "team"), request.user, pk=pk)
    try:
        customer = services.customer_from_lead(lead=lead, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(lead)
    messages.success(request, _("The lead is now a customer."))
    return redirect(customer)


def customer_list(request):
    customers = Customer.objects.visible_to(request.user).select_related("owner")
    filters = forms.CustomerFilterForm(request.GET)
    if not filters.is_valid():
        messages.warning(request, _("Some filters were not valid and were ignored."))
    query = filters.cleaned_data.get("q", "")
    if query:
        customers = customers.filter(Q(name__icontains=query) | Q(phone__icontains=query))
    tier = filters.cleaned_data.get("tier", "")
    if tier:
        customers = customers.filter(
            Q(tier_override=tier) | Q(tier_override__isnull=True, tier=tier)
        )
    customers = customers.annotate(contract_count=Count("contracts")).order_by("-created_at", "-id")
    return render(
        request,
        "customers/customer_list.html",
        {"page": _page(request, customers), "query": query, "tier": tier},
    )


@action_required(Action.CUSTOMER_CREATE)
def customer_create(request):
    form = forms.CustomerCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            customer = services.customer_create(actor=request.user, **form.cleaned_data)
        except AlreadySubmitted as exc:
            return already_saved(request, exc.obj or "customers:customer_list")
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Customer created."))
            return redirect(customer)
    return render(request, "customers/form.html", {"form": form, "title": _("New customer")})


def _timeline(customer) -> list[dict]:
    """Visits and follow-ups (logged on the customer's lead), stage changes, contracts,
    payments and complaints, newest first: one query per source."""
    events = []
    for a in (
        Activity.objects.filter(lead=customer.lead_id)
        .select_related("actor")
        .order_by("-occurred_at")[:50]
    ):
        events.append(
            {
                "at": a.occurred_at,
                "kind": a.get_kind_display(),
                "text": " · ".join(filter(None, [a.outcome, a.feedback, a.next_step])),
                "who": a.actor,
            }
        )
    for s in (
        StageChange.objects.filter(lead=customer.lead_id)
        .select_related("changed_by")
        .order_by("-changed_at")[:20]
    ):
        events.append(
            {
                "at": s.changed_at,
                "kind": _("Stage"),
                "text": s.get_to_stage_display(),
                "who": s.changed_by,
            }
        )
    for c in customer.contracts.order_by("-created_at")[:20]:
        events.append(
            {
                "at": c.created_at,
                "kind": _("Contract"),
                "text": f"{c.number} · {c.get_status_display()} · ¥{c.total_amount}",
                "url": c.get_absolute_url(),
            }
        )
    for p in (
        Payment.objects.filter(contract__customer=customer)
        .select_related("contract")
        .order_by("-received_on")[:30]
    ):
        at = dt.datetime.combine(p.received_on, dt.time(12), tzinfo=customer.created_at.tzinfo)
        events.append(
            {
                "at": at,
                "kind": _("Payment"),
                "text": f"{p.contract.number} · ¥{p.amount}",
                "url": p.get_absolute_url(),
            }
        )
    for c in customer.complaints.order_by("-opened_at")[:20]:
        events.append(
            {
                "at": c.opened_at,
                "kind": _("Complaint"),
                "text": f"{c.get_severity_display()} · {c.subject}",
                "url": c.get_absolute_url(),
            }
        )
    return sorted(events, key=itemgetter("at"), reverse=True)


def _workable_leads(user):
    return Lead.objects.visible_to(user).values("pk")


def customer_detail(request, pk):
    customer = get_visible_or_404(
        Customer.objects.select_related("owner", "lead__channel"), request.user, pk=pk
    )
    contracts = customer.contracts.with_collected().select_related("owner").order_by("-created_at")
    context = {
        "customer": customer,
        "contacts": customer.contacts.all(),
        "referrals": customer.referrals.select_related("lead"),
        "contracts": contracts,
        "timeline": _timeline(customer),
        "tier_changes": customer.tier_changes.select_related("changed_by")[:10],
        "surveys": customer.surveys.select_related("contract")[:10],
        "activity_form": forms.ActivityForm(),
        "tier_form": forms.TierOverrideForm(initial={"tier": customer.tier_override or ""}),
        "can_override": may(request.user, Action.TIER_OVERRIDE),
        # the same rule as the drafting service: the owner or the manager of their team
        "can_draft": may(request.user, Action.CONTRACT_DRAFT)
        and policy.acts_for_owner(request.user, customer.owner),
        # the same rows the follow-up service accepts: the customer's lead is the actor's
        # own or their team's
        "can_log": may(request.user, Action.FOLLOW_UP_LOG)
        and Customer.objects.filter(
            pk=customer.pk, lead__in=_workable_leads(request.user)
        ).exists(),
    }
    return render(request, "customers/customer_detail.html", context)


@require_POST
@action_required(Action.FOLLOW_UP_LOG)
def activity_add(request, pk):
    customer = get_visible_or_404(Customer, request.user, pk=pk)
    form = forms.ActivityForm(request.POST)
    if form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            services.customer_activity_log(customer=customer, actor=request.user, **data)
            messages.success(request, _("Follow-up logged."))
        except AlreadySubmitted:
            return already_saved(request, customer)
        except ValidationError as exc:
            _fail(request, exc)
    else:
        messages.error(
            request,
            _("Please correct the follow-up: %(errors)s") % {"errors": form.errors.as_text()},
        )
    return redirect(customer)


@action_required(Action.CONTACT_ADD)
def contact_create(request, pk):
    customer = get_visible_or_404(Customer.objects.select_related("owner"), request.user, pk=pk)
    form = forms.ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_add(customer=customer, actor=request.user, **form.cleaned_data)
        except AlreadySubmitted:
            return already_saved(request, customer)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Contact added."))
            return redirect(customer)
    return render(
        request,
        "customers/form.html",
        {
            "form": form,
            "title": _("New contact"),
            "back": customer.get_absolute_url(),
            "subtitle": customer.name,
        },
    )


@action_required(Action.REFERRAL_ADD)
def referral_create(request, pk):
    customer = get_visible_or_404(Customer.objects.select_related("owner"), request.user, pk=pk)
    form = forms.ReferralForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_add(
                customer=customer,
                actor=request.user,
                lead=form.cleaned_data["lead"],
                submission_token=form.cleaned_data["submission_token"],
            )
        except AlreadySubmitted:
            return already_saved(request, customer)
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Referral recorded."))
            return redirect(customer)
    return render(
        request,
        "customers/form.html",
        {
            "form": form,
            "title": _("Record a referral"),
            "back": customer.get_absolute_url(),
            "subtitle": customer.name,
        },
    )


@require_POST
@action_required(Action.TIER_OVERRIDE)
def tier_override(request, pk):
    customer = get_visible_or_404(Customer.objects.select_related("owner"), request.user, pk=pk)
    form = forms.TierOverrideForm(request.POST)
    if form.is_valid():
        try:
            services.customer_set_tier_override(
                customer=customer, actor=request.user, **form.cleaned_data
            )
            messages.success(request, _("Tier saved."))
        except ValidationError as exc:
            _fail(request, exc)
    else:
        messages.error(request, _("Give the reason for the override."))
    return redirect(customer)


def customer_ledger(request, pk):
    """收款台账 of one customer: every instalment with paid, outstanding and ageing."""
    customer = get_visible_or_404(Customer, request.user, pk=pk)
    today = local_today()
    instalments = (
        Instalment.objects.filter(
            contract__customer=customer, contract__status__in=Contract.SIGNED_STATES
        )
        .with_ageing(today)
        .select_related("contract")
        .order_by("due_on", "pk")
    )
    payments = Payment.objects.filter(contract__customer=customer).select_related(
        "contract", "instalment", "recorded_by"
    )
    totals = instalments.aggregate(due=money_sum("amount"), paid=money_sum("paid_amount"))
    return render(
        request,
        "customers/customer_ledger.html",
        {
            "customer": customer,
            "instalments": instalments,
            "payments": payments,
            "totals": totals,
            "today": today,
        },
    )


# --- contracts ---------------------------------------------------------------------------


def contract_list(request):
    contracts = Contract.objects.visible_to(request.user).select_related("customer", "owner")
    status = request.GET.get("status", "")
    if status in Contract.Status.values:
        contracts = contracts.filter(status=status)
    return render(
        request,
        "customers/contract_list.html",
        {
            "page": _page(request, contracts),
            "status": status,
            "statuses": Contract.Status.choices,
        },
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


def _contract_context(request, contract, perms):
    user = request.user
    steps = list(
        contract.steps.select_related("decided_by", "on_behalf_of").order_by("-round", "position")
    )
    current = policy.current_step(contract)
    deputy_for = (
        policy.deputised_reviewers(user, current, contract.owner, local_today())
        if current is not None
        else []
    )
    decision_form = forms.DecisionForm()
    decision_form.fields["on_behalf_of"].queryset = User.objects.filter(
        pk__in=[r.pk for r in deputy_for]
    )
    return {
        "contract": contract,
        "perms": perms,
        "lines": contract.lines.select_related("product__product_line"),
        "instalments": contract.instalments.with_ageing(local_today()).prefetch_related(
            Prefetch("dunning", queryset=DunningRecord.objects.select_related("actor"))
        ),
        "payments": contract.payments.select_related("instalment", "recorded_by"),
        "refunds": contract.refunds.select_related("requested_by", "decided_by"),
        "steps": steps,
        "current_step": current,
        "decision_form": decision_form,
        "sign_form": forms.SignForm(initial={"signed_on": local_today()}),
        "handoff_form": forms.HandOffForm(),
        "collected": contract.payments.aggregate(s=money_sum("amount"))["s"],
    }


def contract_detail(request, pk):
    contract, perms = policy.contract_for(
        request.user, pk, Contract.objects.select_related("customer", "service_user")
    )
    return render(
        request, "customers/contract_detail.html", _contract_context(request, contract, perms)
    )


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


# --- money -------------------------------------------------------------------------------


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


# --- service -----------------------------------------------------------------------------


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
        {"complaint": complaint, "form": forms.ComplaintTextForm()},
    )


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
