"""Customer pages: from a lead, list, create, detail with its timeline, contacts, referrals,
the tier override and the customer's ledger.

Views stay thin: fetch scoped to the user, bind a form, call one service, message, redirect.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customers import exports, forms, policy, selectors, services
from customers.models import (
    Contract,
    Customer,
    Instalment,
    Payment,
    money_sum,
)
from customfields import values as custom_values
from leads.models import Lead
from salescrm.access import get_visible_or_404
from salescrm.exports import export_response
from salescrm.permissions import Action, action_required, may
from salescrm.submissions import AlreadySubmitted, already_saved
from salescrm.timeutil import local_today

from .common import _fail, _page


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


def _customer_list(request):
    """The customers the reader sees, narrowed by the list's query string (search, tier and a
    filter per custom field); for the page and its download."""
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
    definitions = custom_values.fields_for("customer")
    customers, custom_filters = custom_values.filter_list(
        customers, "customer", request.GET, definitions
    )
    customers = customers.annotate(contract_count=Count("contracts")).order_by("-created_at", "-id")
    return customers, {
        "query": query,
        "tier": tier,
        "custom_fields": definitions,
        "custom_filters": custom_filters,
    }


def customer_list(request):
    customers, context = _customer_list(request)
    return render(
        request,
        "customers/customer_list.html",
        {"page": _page(request, customers), **context},
    )


def customer_export(request):
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    customers, context = _customer_list(request)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return export_response(
        filename=f"customers-{stamp}",
        header=exports.customer_header(context["custom_fields"]),
        rows=exports.customer_rows(customers.iterator(chunk_size=2000), context["custom_fields"]),
        fmt=fmt,
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


def _workable_leads(user):
    return Lead.objects.visible_to(user).values("pk")


def customer_detail(request, pk):
    customer = get_visible_or_404(
        Customer.objects.select_related("owner", "lead__channel"), request.user, pk=pk
    )
    contracts = (
        customer.contracts.with_collected()
        .with_lessons()
        .select_related("owner")
        .order_by("-created_at")
    )
    context = {
        "customer": customer,
        "contacts": customer.contacts.all(),
        "referrals": customer.referrals.select_related("lead"),
        "contracts": contracts,
        "timeline": selectors.customer_timeline(customer),
        "tier_changes": customer.tier_changes.select_related("changed_by")[:10],
        "surveys": customer.surveys.select_related("contract")[:10],
        # boxes other apps add to the customer's page (renewals, account plans, survey links)
        "activity_form": forms.ActivityForm(),
        "tier_form": forms.TierOverrideForm(initial={"tier": customer.tier_override or ""}),
        "can_override": may(request.user, Action.TIER_OVERRIDE),
        # the same rule as the drafting service: the owner or the manager of their team
        "can_draft": may(request.user, Action.CONTRACT_DRAFT)
        and policy.acts_for_owner(request.user, customer.owner),
        # the same rule as customer_custom_update
        "can_edit_fields": may(request.user, Action.CUSTOMER_CREATE)
        and policy.acts_for_owner(request.user, customer.owner),
        "custom_fields_defined": bool(custom_values.fields_for("customer")),
        # the same rows the follow-up service accepts: the customer's lead is the actor's
        # own or their team's
        "can_log": may(request.user, Action.FOLLOW_UP_LOG)
        and Customer.objects.filter(
            pk=customer.pk, lead__in=_workable_leads(request.user)
        ).exists(),
    }
    return render(request, "customers/customer_detail.html", context)


@action_required(Action.CUSTOMER_CREATE)
def customer_fields_edit(request, pk):
    """The customer's custom field values, on their own form (the customer has no other edit
    page): the owner or their manager."""
    customer = get_visible_or_404(Customer.objects.select_related("owner"), request.user, pk=pk)
    form = forms.CustomValuesForm(request.POST or None, target="customer", record=customer)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_custom_update(
                customer=customer, actor=request.user, custom=form.cleaned_data["custom"]
            )
        except ValidationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Fields saved."))
            return redirect(customer)
    return render(
        request,
        "customers/form.html",
        {
            "form": form,
            "title": _("Custom fields"),
            "subtitle": customer.name,
            "back": customer.get_absolute_url(),
        },
    )


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
