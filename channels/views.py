import datetime as dt
import io

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from customers.models import Customer
from leads.models import Campaign, Lead
from salescrm.access import get_visible_or_404, role_required
from salescrm.exports import export_response
from salescrm.forms import BusinessMonthField, SelectedIdsForm
from salescrm.permissions import Action, action_required
from salescrm.roles import SALES, Role
from salescrm.timeutil import add_months, local_today, quarter_start

from . import selectors, services
from .forms import (
    CampaignChoiceForm,
    CampaignCostForm,
    CampaignGoalForm,
    CheckInSearchForm,
    ChooseOfferForm,
    CreditLeadForm,
    EventForm,
    JointOfferForm,
    OfferClaimForm,
    PaidForm,
    PartnerContactForm,
    PartnerForm,
    PortalLeadForm,
    RegistrationForm,
    RetireForm,
    ReviewForm,
)
from .models import (
    Event,
    EventRegistration,
    JointOffer,
    LeadOffer,
    Partner,
    PartnerLead,
    PartnerReview,
    PartnerSettlement,
    ReferralReward,
)

PAGE_SIZE = 50
REGISTER_RATE = "10/h"
# Who reads the channel pages: the sales side, and finance for settlements and rewards.
READERS = (*SALES, Role.FINANCE)


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _refused(request, error: ValidationError):
    for message in error.messages:
        messages.error(request, message)


# --- partners ----------------------------------------------------------------------------------


@role_required(*READERS)
def partner_list(request):
    partners = Partner.objects.visible_to(request.user).select_related("tier", "manager", "plan")
    return render(request, "channels/partner_list.html", {"page": _page(request, partners)})


@action_required(Action.PARTNER_MANAGE)
def partner_create(request):
    form = PartnerForm(request.POST or None, initial={"since": local_today()})
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_save(actor=request.user, partner=form.save(commit=False))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Partner saved."))
            return redirect(partner)
    return render(request, "channels/partner_form.html", {"form": form})


def _partner(request, pk):
    return get_visible_or_404(
        Partner.objects.select_related("tier", "plan", "manager"), request.user, pk=pk
    )


@role_required(*READERS)
def partner_detail(request, pk, *, contact_form=None, credit_form=None):
    partner = _partner(request, pk)
    leads = (
        PartnerLead.objects.filter(partner=partner)
        .select_related("lead", "lead__owner")
        .order_by("-credited_at")
    )
    return render(
        request,
        "channels/partner_detail.html",
        {
            "partner": partner,
            "contacts": partner.contacts.all(),
            "tier_changes": partner.tier_changes.select_related("from_tier", "to_tier")[:8],
            "reviews": partner.reviews.select_related("decided_by")[:8],
            "settlements": partner.settlements.all()[:12],
            "offer_rows": selectors.offer_rows(partner.offers.all()),
            "leads": _page(request, leads),
            "contact_form": contact_form or PartnerContactForm(),
            "credit_form": credit_form or CreditLeadForm(),
        },
    )


@require_POST
@action_required(Action.PARTNER_MANAGE)
def partner_contact_add(request, pk):
    partner = _partner(request, pk)
    form = PartnerContactForm(request.POST)
    if form.is_valid():
        try:
            services.partner_contact_add(actor=request.user, partner=partner, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Contact added."))
            return redirect(partner)
    return partner_detail(request, pk, contact_form=form)


@require_POST
@action_required(Action.PARTNER_MANAGE)
def partner_credit(request, pk):
    partner = _partner(request, pk)
    form = CreditLeadForm(request.POST)
    if form.is_valid():
        lead = (
            Lead.objects.visible_to(request.user).filter(phone=form.cleaned_data["phone"]).first()
        )
        if lead is None:
            form.add_error("phone", _("None of the leads you can see has this phone."))
        else:
            try:
                services.partner_credit_lead(actor=request.user, partner=partner, lead=lead)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("The lead is credited to this partner."))
                return redirect(partner)
    return partner_detail(request, pk, credit_form=form)


def _quarter(request) -> dt.date:
    field = BusinessMonthField(required=False)
    try:
        month = field.clean(request.GET.get("quarter"))
    except ValidationError:
        messages.warning(request, _("Some filters were not valid and were ignored."))
        month = None
    if month is None:
        # the last finished quarter: the one a review looks back on
        return quarter_start(quarter_start(local_today()) - dt.timedelta(days=1))
    return quarter_start(month)


@role_required(*READERS)
def partner_review(request):
    quarter = _quarter(request)
    partners = Partner.objects.visible_to(request.user).prefetch_related(
        Prefetch(
            "reviews",
            queryset=PartnerReview.objects.filter(quarter=quarter),
            to_attr="quarter_reviews",
        )
    )
    page = _page(request, partners)
    rows = selectors.partner_review_rows(
        Partner.objects.filter(pk__in=[p.pk for p in page]), quarter
    )
    reviews = {p.pk: (p.quarter_reviews[0] if p.quarter_reviews else None) for p in page}
    last = add_months(quarter, 3) - dt.timedelta(days=1)
    offer_rows = selectors.offer_rows(
        JointOffer.objects.filter(partner__in=[p.pk for p in page]), quarter, last
    )
    return render(
        request,
        "channels/partner_review.html",
        {
            "quarter": quarter,
            "offer_rows": offer_rows,
            "rows": [(row, reviews.get(row.partner.pk)) for row in rows],
            "page": page,
            "form": ReviewForm(),
        },
    )


@require_POST
@action_required(Action.PARTNER_REVIEW)
def partner_review_decide(request, pk):
    partner = _partner(request, pk)
    quarter = _quarter(request)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            services.partner_review_record(
                actor=request.user, partner=partner, quarter=quarter, **form.cleaned_data
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Review saved for %(partner)s.") % {"partner": partner})
    return redirect(f"{reverse('channels:partner_review')}?quarter={quarter:%Y-%m}")


# --- settlements -------------------------------------------------------------------------------


@role_required(*READERS)
def settlement_list(request):
    settlements = PartnerSettlement.objects.visible_to(request.user).select_related("partner")
    field = BusinessMonthField(required=False)
    try:
        month = field.clean(request.GET.get("month"))
    except ValidationError:
        messages.warning(request, _("Some filters were not valid and were ignored."))
        month = None
    if month:
        settlements = settlements.filter(month=month)
    return render(
        request,
        "channels/settlement_list.html",
        {"page": _page(request, settlements), "month": month},
    )


def _settlement_lines(settlement):
    return settlement.lines.select_related("contract", "payment", "refund").order_by(
        "occurred_on", "id"
    )


@role_required(*READERS)
def settlement_detail(request, pk):
    settlement = get_visible_or_404(
        PartnerSettlement.objects.select_related("partner", "plan", "closed_by"),
        request.user,
        pk=pk,
    )
    if request.GET.get("export") in ("csv", "xlsx"):
        header = [
            _("date"),
            _("kind"),
            _("contract"),
            _("payment"),
            _("refund"),
            _("base"),
            _("rate"),
            _("commission"),
        ]
        rows = [
            [
                line.occurred_on,
                line.get_kind_display(),
                line.contract.number if line.contract else "",
                line.payment_id or "",
                line.refund_id or "",
                line.base,
                line.rate,
                line.amount,
            ]
            for line in _settlement_lines(settlement)
        ]
        return export_response(
            filename=f"settlement-{settlement.pk}-{settlement.month:%Y-%m}",
            header=header,
            rows=rows,
            fmt=request.GET["export"],
        )
    return render(
        request,
        "channels/settlement_detail.html",
        {"settlement": settlement, "lines": _settlement_lines(settlement)},
    )


@require_POST
@action_required(Action.PARTNER_SETTLEMENT_CLOSE)
def settlement_close(request, pk):
    settlement = get_visible_or_404(PartnerSettlement, request.user, pk=pk)
    try:
        services.settlement_close(actor=request.user, settlement=settlement)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Settlement closed."))
    return redirect(settlement)


# --- events ------------------------------------------------------------------------------------


@role_required(*SALES)
def event_list(request):
    events = selectors.events_with_counts(Event.objects.visible_to(request.user))
    return render(request, "channels/event_list.html", {"page": _page(request, events)})


@action_required(Action.EVENT_MANAGE)
def event_create(request):
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_save(actor=request.user, event=form.save(commit=False))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Event saved."))
            return redirect(event)
    return render(request, "channels/event_form.html", {"form": form})


def _event(request, pk):
    return get_visible_or_404(
        Event.objects.select_related("campaign", "channel"), request.user, pk=pk
    )


@role_required(*SALES)
def event_detail(request, pk):
    event = _event(request, pk)
    registrations = event.registrations.select_related("lead", "lead__owner").order_by("name", "id")
    return render(
        request,
        "channels/event_detail.html",
        {
            "event": event,
            "funnel": selectors.event_funnel(event),
            "page": _page(request, registrations),
            "public_url": request.build_absolute_uri(event.public_url()),
        },
    )


@role_required(*SALES)
def event_qr(request, pk):
    event = _event(request, pk)
    buffer = io.BytesIO()
    segno.make(request.build_absolute_uri(event.public_url()), error="m").save(
        buffer, kind="svg", scale=8, border=2
    )
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@action_required(Action.EVENT_CHECK_IN)
def event_check_in(request, pk):
    """The door list: a phone-width page, search by name or phone, one tap per attendee."""
    event = _event(request, pk)
    if request.method == "POST":
        registration = EventRegistration.objects.filter(
            event=event, pk=_int(request.POST.get("registration"))
        ).first()
        if registration is None:
            messages.error(request, _("This person is not registered for this event."))
        else:
            try:
                services.event_check_in(actor=request.user, registration=registration)
            except ValidationError as error:
                _refused(request, error)
            else:
                messages.success(request, _("%(name)s checked in.") % {"name": registration.name})
        query = request.POST.get("q", "")[:40]
        return redirect(f"{request.path}?q={query}" if query else request.path)
    form = CheckInSearchForm(request.GET or None)
    registrations = event.registrations.order_by("checked_in_at", "name", "id")
    if form.is_valid() and form.cleaned_data["q"]:
        query = form.cleaned_data["q"].strip().replace("\x00", "")
        registrations = registrations.filter(name__icontains=query) | registrations.filter(
            phone__contains=query
        )
    return render(
        request,
        "channels/event_check_in.html",
        {
            "event": event,
            "form": form,
            "page": _page(request, registrations),
            "checked_in": event.registrations.filter(checked_in_at__isnull=False).count(),
            "registered": event.registrations.count(),
        },
    )


def _int(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


@require_POST
@action_required(Action.EVENT_MANAGE)
def event_follow_ups(request, pk):
    event = _event(request, pk)
    try:
        count = services.event_make_follow_ups(actor=request.user, event=event)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request, _("%(count)s follow-ups made for the leads' owners.") % {"count": count}
        )
    return redirect(event)


@login_not_required
@csrf_exempt  # linked from posters and QR codes: a public form has no session to forge
@xframe_options_exempt
@ratelimit(key="ip", rate=REGISTER_RATE, method="POST", block=False)
def event_register(request, key):
    event = get_object_or_404(Event, public_key=key)
    if request.method == "POST" and getattr(request, "limited", False):
        return render(request, "leads/capture_limited.html", status=429)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST":
        if form.is_spam:
            return redirect("channels:event_registered", key=key)
        if form.is_valid():
            data = form.cleaned_data
            try:
                outcome, _registration = services.event_register(
                    event=event,
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    company=data["company"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if outcome == services.FULL:
                    form.add_error(None, _("Sorry, this event is full."))
                elif outcome == services.CLOSED:
                    form.add_error(None, _("Registration for this event has closed."))
                elif outcome == services.ALREADY:
                    return render(
                        request,
                        "channels/event_registered.html",
                        {"event": event, "already": True},
                    )
                else:
                    return redirect("channels:event_registered", key=key)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "channels/event_register.html", {"form": form, "event": event}, status=status
    )


@login_not_required
@xframe_options_exempt
def event_registered(request, key):
    event = get_object_or_404(Event, public_key=key)
    return render(request, "channels/event_registered.html", {"event": event})


# --- campaigns ---------------------------------------------------------------------------------


@role_required(*SALES)
def campaign_list(request):
    """Every campaign side by side (the newest first), or the ones ticked (?ids=)."""
    campaigns = Campaign.objects.select_related("channel").order_by("-starts_on", "name")
    chosen = [number for number in map(_int, request.GET.getlist("ids")[:20]) if number]
    if chosen:
        campaigns = campaigns.filter(pk__in=chosen)
    page = _page(request, campaigns)
    rows = selectors.campaign_rows(Campaign.objects.filter(pk__in=[c.pk for c in page]))
    order = {c.pk: index for index, c in enumerate(page)}
    rows.sort(key=lambda row: order[row.campaign.pk])
    return render(
        request, "channels/campaign_list.html", {"page": page, "rows": rows, "chosen": chosen}
    )


def _campaign(pk):
    return get_object_or_404(Campaign.objects.select_related("channel"), pk=pk)


@role_required(*SALES)
def campaign_detail(request, pk, *, goal_form=None, cost_form=None, retire_form=None):
    campaign = _campaign(pk)
    (row,) = selectors.campaign_rows(Campaign.objects.filter(pk=campaign.pk))
    initial = {
        "goal_leads": row.goal_leads,
        "goal_attendees": row.goal_attendees,
        "goal_signed_amount": row.goal_signed_amount,
        "budget": row.budget,
    }
    return render(
        request,
        "channels/campaign_detail.html",
        {
            "campaign": campaign,
            "row": row,
            "costs": campaign.costs.all()[:100],
            "members": campaign.members.count(),
            "events": selectors.events_with_counts(campaign.events.all())[:50],
            "goal_form": goal_form or CampaignGoalForm(initial=initial),
            "cost_form": cost_form or CampaignCostForm(initial={"spent_on": local_today()}),
            "retire_form": retire_form or RetireForm(),
        },
    )


def _campaign_post(request, pk, *, form_class, save, done, form_name):
    """The campaign page's small forms (goals, a cost line, retirement): bind, call the
    service, and on a refusal show the page again with the form and its errors."""
    campaign = _campaign(pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(actor=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, done)
            return redirect("channels:campaign_detail", pk=pk)
    return campaign_detail(request, pk, **{form_name: form})


@require_POST
@action_required(Action.CAMPAIGN_MANAGE)
def campaign_goal(request, pk):
    return _campaign_post(
        request,
        pk,
        form_class=CampaignGoalForm,
        save=services.campaign_goal_save,
        done=_("Goals saved."),
        form_name="goal_form",
    )


@require_POST
@action_required(Action.CAMPAIGN_MANAGE)
def campaign_cost(request, pk):
    return _campaign_post(
        request,
        pk,
        form_class=CampaignCostForm,
        save=services.campaign_cost_add,
        done=_("Cost line added."),
        form_name="cost_form",
    )


@require_POST
@action_required(Action.CAMPAIGN_RETIRE)
def campaign_retire(request, pk):
    return _campaign_post(
        request,
        pk,
        form_class=RetireForm,
        save=services.campaign_retire,
        done=_("The campaign is marked for retirement."),
        form_name="retire_form",
    )


# --- referral rewards --------------------------------------------------------------------------


@role_required(*READERS)
def referral_rewards(request):
    rewards = ReferralReward.objects.visible_to(request.user).select_related(
        "referrer", "contract", "contract__customer", "decided_by"
    )
    return render(
        request,
        "channels/referral_rewards.html",
        {
            "page": _page(request, rewards),
            "leaders": selectors_leaderboard(),
            "paid_form": PaidForm(initial={"paid_on": local_today()}),
        },
    )


def selectors_leaderboard():
    return list(services.referral_leaderboard())


@require_POST
@action_required(Action.REFERRAL_REWARD_APPROVE)
def referral_reward_decide(request, pk):
    reward = get_visible_or_404(ReferralReward, request.user, pk=pk)
    try:
        services.referral_reward_decide(
            actor=request.user, reward=reward, approve=request.POST.get("approve") == "1"
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Decision saved."))
    return redirect("channels:referral_rewards")


@require_POST
@action_required(Action.REFERRAL_REWARD_PAY)
def referral_reward_pay(request, pk):
    reward = get_visible_or_404(ReferralReward, request.user, pk=pk)
    form = PaidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the day the reward was paid."))
    else:
        try:
            services.referral_reward_pay(actor=request.user, reward=reward, **form.cleaned_data)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Recorded as paid."))
    return redirect("channels:referral_rewards")


# --- the partner portal ------------------------------------------------------------------------


def _portal_partner(request) -> Partner:
    partner = services.partner_of(request.user) if request.user.has_role(Role.PARTNER) else None
    if partner is None:
        raise Http404
    return partner


def portal_home(request):
    partner = _portal_partner(request)
    leads = (
        PartnerLead.objects.filter(partner=partner)
        .select_related("lead")
        .only("credited_at", "lead__name", "lead__stage")
        .order_by("-credited_at")
    )
    return render(
        request,
        "channels/portal_home.html",
        {
            "partner": partner,
            "page": _page(request, leads),
            "settlements": PartnerSettlement.objects.filter(partner=partner)[:24],
        },
    )


@action_required(Action.PARTNER_LEAD_SUBMIT)
def portal_lead_create(request):
    partner = _portal_partner(request)
    form = PortalLeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            outcome, _lead = services.portal_lead_submit(actor=request.user, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if outcome == services.KNOWN:
                messages.info(
                    request, _("Already known: this person is already in contact with us.")
                )
            else:
                messages.success(request, _("Thank you: the lead is registered in your name."))
            return redirect("channels:portal_home")
    return render(request, "channels/portal_lead_form.html", {"form": form, "partner": partner})


def portal_settlement(request, pk):
    partner = _portal_partner(request)
    settlement = get_object_or_404(PartnerSettlement, partner=partner, pk=pk)
    return render(
        request,
        "channels/portal_settlement.html",
        {"settlement": settlement, "lines": _settlement_lines(settlement), "now": timezone.now()},
    )


# --- joint offers (异业合作) ------------------------------------------------------------------


def _offer(request, pk):
    return get_visible_or_404(JointOffer.objects.select_related("partner"), request.user, pk=pk)


@action_required(Action.PARTNER_MANAGE)
def offer_create(request, pk):
    partner = _partner(request, pk)
    form = JointOfferForm(
        request.POST or None,
        partner=partner,
        initial={"valid_from": local_today(), "valid_until": local_today() + dt.timedelta(days=90)},
    )
    return _offer_form(request, form, partner)


@action_required(Action.PARTNER_MANAGE)
def offer_edit(request, pk):
    offer = _offer(request, pk)
    form = JointOfferForm(request.POST or None, instance=offer, partner=offer.partner)
    return _offer_form(request, form, offer.partner)


def _offer_form(request, form, partner):
    if request.method == "POST" and form.is_valid():
        try:
            offer = services.offer_save(
                actor=request.user,
                offer=form.save(commit=False),
                product_lines=form.cleaned_data["product_lines"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Joint offer saved."))
            return redirect(offer)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "channels/offer_form.html", {"form": form, "partner": partner}, status=status
    )


@role_required(*READERS)
def offer_detail(request, pk):
    offer = _offer(request, pk)
    (row,) = selectors.offer_rows(JointOffer.objects.filter(pk=offer.pk))
    links = (
        LeadOffer.objects.filter(offer=offer)
        .select_related("lead", "lead__owner")
        .order_by("-chosen_at")
    )
    return render(
        request,
        "channels/offer_detail.html",
        {
            "offer": offer,
            "row": row,
            "page": _page(request, links),
            "refusal": offer.refusal_on(local_today()),
            "public_url": request.build_absolute_uri(offer.public_url()),
        },
    )


@role_required(*READERS)
def offer_qr(request, pk):
    offer = _offer(request, pk)
    buffer = io.BytesIO()
    segno.make(request.build_absolute_uri(offer.public_url()), error="m").save(
        buffer, kind="svg", scale=8, border=2
    )
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@require_POST
@action_required(Action.LEAD_UPDATE)
def lead_offer_choose(request, pk):
    """From the lead's page: the joint offer that brought it."""
    lead = get_visible_or_404(Lead, request.user, pk=pk)
    form = ChooseOfferForm(request.POST, offers=selectors.running_offers())
    if not form.is_valid():
        messages.error(request, _("Choose a running joint offer."))
    else:
        try:
            services.offer_choose(actor=request.user, offer=form.cleaned_data["offer"], lead=lead)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("The lead now carries this joint offer."))
    return redirect(lead)


@login_not_required
@csrf_exempt
@xframe_options_exempt
@ratelimit(key="ip", rate=REGISTER_RATE, method="POST", block=False)
def offer_capture(request, offer_key):
    """The public page of a joint offer (a link or QR code the partner company hands out)."""
    offer = get_object_or_404(JointOffer.objects.select_related("partner"), public_key=offer_key)
    if request.method == "POST" and getattr(request, "limited", False):
        return render(request, "leads/capture_limited.html", status=429)
    refusal = offer.refusal_on(local_today())
    form = OfferClaimForm(request.POST or None)
    if request.method == "POST" and not refusal:
        if form.is_spam:
            return redirect("channels:offer_claimed", offer_key=offer_key)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.offer_capture(
                    offer=offer,
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    company=data["company"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return redirect("channels:offer_claimed", offer_key=offer_key)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "channels/offer_capture.html",
        {"form": form, "offer": offer, "refusal": refusal},
        status=status,
    )


@login_not_required
@xframe_options_exempt
def offer_claimed(request, offer_key):
    offer = get_object_or_404(JointOffer.objects.select_related("partner"), public_key=offer_key)
    return render(request, "channels/offer_claimed.html", {"offer": offer})


# --- adding leads and customers to a campaign (the lists' bulk action, issue 18) ----------


@require_POST
@action_required(Action.CAMPAIGN_ADD_MEMBERS)
def campaign_add(request):
    """The lead or customer list's "Add to campaign": a confirmation with the campaign to
    choose, then services.campaign_members_add with every id posted (one the user may not
    see refuses the whole request), and a summary."""
    kind = "customer" if request.POST.get("kind") == "customer" else "lead"
    model = Customer if kind == "customer" else Lead
    back = "customers:list" if kind == "customer" else "leads:list"
    ticked = SelectedIdsForm(request.POST)
    if not ticked.is_valid():
        messages.error(request, " ".join(ticked.errors["ids"]))
        return redirect(back)
    ids = sorted(set(ticked.cleaned_data["ids"]))
    form = CampaignChoiceForm(request.POST if request.POST.get("confirm") == "1" else None)
    if not form.is_valid():
        records = list(model.objects.visible_to(request.user).filter(pk__in=ids).order_by("pk"))
        context = {"form": form, "kind": kind, "records": records, "back": back}
        return render(request, "channels/campaign_add.html", context)
    campaign = form.cleaned_data["campaign"]
    records = list(model.objects.filter(pk__in=ids).only("pk"))
    try:
        added, already = services.campaign_members_add(
            actor=request.user,
            campaign=campaign,
            **({"customers": records} if kind == "customer" else {"leads": records}),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    messages.success(
        request,
        _("%(added)d added to %(campaign)s; %(already)d were already on its list.")
        % {"added": added, "campaign": campaign.name, "already": already},
    )
    return redirect(back)
