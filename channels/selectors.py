"""Read models of the channels app: the event funnel, the campaign report and the partner
review. Each is a fixed number of grouped queries, whatever the number of rows."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import Coalesce

from customers.models import Complaint, Contract, ContractLine, Payment, Refund
from leads.models import Campaign, Lead, StageChange
from salescrm.money import round_money, round_percent, share_percent
from salescrm.timeutil import add_months, local_today, quarter_start

from .models import (
    CampaignCost,
    Event,
    EventRegistration,
    JointOffer,
    LeadOffer,
    Partner,
    PartnerLead,
    PartnerSettlement,
)

ZERO = Decimal("0.00")
# a lead "had a trial lesson" once it reached the trial stage or any stage after it
TRIAL_OR_LATER = [
    Lead.Stage.TRIAL,
    Lead.Stage.PROPOSAL,
    Lead.Stage.NEGOTIATION,
    Lead.Stage.WON,
]


def per(amount, count) -> Decimal | None:
    return round_money(Decimal(amount) / count) if count else None


# --- campaigns that take members ---------------------------------------------------------------


def open_campaigns(today: dt.date | None = None):
    """The campaigns that still take members (the lists' "Add to campaign"): not ended (one
    ending today still does) and not marked for retirement; the newest first."""
    today = today or local_today()
    return (
        Campaign.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .exclude(goal__retired_on__isnull=False)
        .order_by("-starts_on", "name")
    )


# --- events ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventFunnel:
    registered: int
    attended: int
    trial: int
    signed: int
    amount: Decimal
    cost: Decimal

    @property
    def attended_rate(self):
        return share_percent(self.attended, self.registered)

    @property
    def trial_rate(self):
        return share_percent(self.trial, self.attended)

    @property
    def signed_rate(self):
        return share_percent(self.signed, self.trial)

    @property
    def cost_per_attendee(self):
        return per(self.cost, self.attended)

    @property
    def cost_per_signed(self):
        return per(self.cost, self.signed)


def _trial_q(prefix: str) -> Q:
    reached = StageChange.objects.filter(lead=OuterRef(f"{prefix}pk"), to_stage__in=TRIAL_OR_LATER)
    return Q(**{f"{prefix}stage__in": TRIAL_OR_LATER}) | Q(Exists(reached))


def event_funnel(event: Event) -> EventFunnel:
    """Registered → attended → trial lesson → signed → amount. Trial, signed and amount are
    counted among the attendees: an attendee had a trial lesson once their lead reached the
    trial stage (or later); signed once their customer signed a contract on or after the
    event's day; the amount is those contracts' total."""
    day = event.starts_at.date()
    registrations = EventRegistration.objects.filter(event=event)
    attended = registrations.filter(checked_in_at__isnull=False)
    lead_ids = attended.values("lead_id")
    trial = Lead.objects.filter(pk__in=lead_ids).filter(_trial_q("")).count()
    contracts = Contract.objects.filter(customer__lead__in=lead_ids, signed_on__gte=day)
    signed = contracts.aggregate(
        customers=Count("customer", distinct=True), amount=Coalesce(Sum("total_amount"), ZERO)
    )
    return EventFunnel(
        registered=registrations.count(),
        attended=attended.count(),
        trial=trial,
        signed=signed["customers"],
        amount=signed["amount"],
        cost=event.cost,
    )


def events_with_counts(queryset):
    return (
        queryset.select_related("campaign", "channel")
        .annotate(
            registered=Count("registrations"),
            attended=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)),
        )
        .order_by("-starts_at", "-pk")
    )


# --- campaigns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    leads: int
    attendees: int
    won: int
    signed_amount: Decimal
    cost: Decimal
    goal_leads: int
    goal_attendees: int
    goal_signed_amount: Decimal
    budget: Decimal
    retired_on: dt.date | None

    @property
    def roi(self) -> Decimal | None:
        """(signed amount − cost) ÷ cost, as a percentage; None without a cost."""
        if not self.cost:
            return None
        return round_percent((self.signed_amount - self.cost) * 100 / self.cost)

    @property
    def cost_per_lead(self):
        return per(self.cost, self.leads)

    @property
    def cost_per_won(self):
        return per(self.cost, self.won)

    @property
    def over_budget(self) -> bool:
        return bool(self.budget) and self.cost > self.budget


def campaign_rows(campaigns) -> list[CampaignRow]:
    """The report of each campaign. Cost = the campaign's own cost figure (admin) + its cost
    lines + its events' costs. Signed amount = contracts signed by customers whose lead came
    from the campaign. Five grouped queries for any number of campaigns."""
    campaigns = list(campaigns.select_related("goal", "channel"))
    ids = [c.pk for c in campaigns]
    leads = dict(
        Lead.objects.filter(campaign__in=ids)
        .values("campaign")
        .annotate(n=Count("pk"))
        .values_list("campaign", "n")
    )
    won = dict(
        Lead.objects.filter(campaign__in=ids, stage=Lead.Stage.WON)
        .values("campaign")
        .annotate(n=Count("pk"))
        .values_list("campaign", "n")
    )
    attendees = dict(
        EventRegistration.objects.filter(event__campaign__in=ids, checked_in_at__isnull=False)
        .values("event__campaign")
        .annotate(n=Count("pk"))
        .values_list("event__campaign", "n")
    )
    signed = dict(
        Contract.objects.filter(customer__lead__campaign__in=ids, signed_on__isnull=False)
        .values("customer__lead__campaign")
        .annotate(total=Sum("total_amount"))
        .values_list("customer__lead__campaign", "total")
    )
    lines = dict(
        CampaignCost.objects.filter(campaign__in=ids)
        .values("campaign")
        .annotate(total=Sum("amount"))
        .values_list("campaign", "total")
    )
    events = dict(
        Event.objects.filter(campaign__in=ids)
        .values("campaign")
        .annotate(total=Sum("cost"))
        .values_list("campaign", "total")
    )
    rows = []
    for c in campaigns:
        goal = getattr(c, "goal", None)
        rows.append(
            CampaignRow(
                campaign=c,
                leads=leads.get(c.pk, 0),
                attendees=attendees.get(c.pk, 0),
                won=won.get(c.pk, 0),
                signed_amount=signed.get(c.pk) or ZERO,
                cost=c.cost + (lines.get(c.pk) or ZERO) + (events.get(c.pk) or ZERO),
                goal_leads=goal.goal_leads if goal else 0,
                goal_attendees=goal.goal_attendees if goal else 0,
                goal_signed_amount=goal.goal_signed_amount if goal else ZERO,
                budget=goal.budget if goal else ZERO,
                retired_on=goal.retired_on if goal else None,
            )
        )
    return rows


# --- partner review -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerReviewRow:
    partner: Partner
    leads: int
    won: int
    signed: Decimal
    collected: Decimal
    refunds: Decimal
    complaints: int
    commission: Decimal

    @property
    def conversion(self):
        return share_percent(self.won, self.leads)

    @property
    def cost_per_won(self):
        return per(self.commission, self.won)


def _by_partner(queryset, path: str, value) -> dict:
    return dict(queryset.values(path).annotate(v=value).values_list(path, "v"))


def partner_review_rows(partners, quarter: dt.date) -> list[PartnerReviewRow]:
    """Each partner's quarter: leads credited in it, of those won, signed and collected
    amounts, confirmed refunds, complaints of its customers, commission paid (its closed
    settlements of the quarter's months). Seven grouped queries."""
    first = quarter_start(quarter)
    last = add_months(first, 3) - dt.timedelta(days=1)
    partners = list(partners.select_related("tier", "manager"))
    ids = [p.pk for p in partners]
    link = "customer__lead__partner_link__partner"
    credited = PartnerLead.objects.filter(partner__in=ids, credited_at__date__range=(first, last))
    leads = _by_partner(credited, "partner", Count("pk"))
    won = _by_partner(credited.filter(lead__stage=Lead.Stage.WON), "partner", Count("pk"))
    signed = _by_partner(
        Contract.objects.filter(**{f"{link}__in": ids}, signed_on__range=(first, last)),
        link,
        Sum("total_amount"),
    )
    collected = _by_partner(
        Payment.objects.filter(**{f"contract__{link}__in": ids}, received_on__range=(first, last)),
        f"contract__{link}",
        Sum("amount"),
    )
    refunds = _by_partner(
        Refund.objects.filter(
            **{f"contract__{link}__in": ids},
            status=Refund.Status.CONFIRMED,
            confirmed_on__range=(first, last),
        ),
        f"contract__{link}",
        Sum("amount"),
    )
    complaints = _by_partner(
        Complaint.objects.filter(**{f"{link}__in": ids}, opened_at__date__range=(first, last)),
        link,
        Count("pk"),
    )
    commission = _by_partner(
        PartnerSettlement.objects.filter(
            partner__in=ids,
            month__range=(first, last),
            status=PartnerSettlement.Status.CLOSED,  # paid: finance closes a paid settlement
        ),
        "partner",
        Sum("total"),
    )
    return [
        PartnerReviewRow(
            partner=p,
            leads=leads.get(p.pk, 0),
            won=won.get(p.pk, 0),
            signed=signed.get(p.pk) or ZERO,
            collected=collected.get(p.pk) or ZERO,
            refunds=refunds.get(p.pk) or ZERO,
            complaints=complaints.get(p.pk, 0),
            commission=commission.get(p.pk) or ZERO,
        )
        for p in partners
    ]


# --- joint offers -----------------------------------------------------------------------------


@dataclass
class OfferRow:
    offer: JointOffer
    leads: int = 0
    signed_customers: int = 0
    signed: Decimal = ZERO
    collected: Decimal = ZERO
    discount: Decimal = ZERO


def offer_rows(offers, first: dt.date | None = None, last: dt.date | None = None) -> list[OfferRow]:
    """Per joint offer: the leads that carry it (chosen between `first` and `last` when
    given), the customers of those leads who signed, their contracts' signed amount (signed
    between the dates) and the payments received on those contracts (between the dates),
    and the discount the offer gives on those contracts (``JointOffer.discount_on`` of each
    contract's lines in the offer's product lines). Five queries for any number of offers."""
    offers = list(offers.select_related("partner").prefetch_related("product_lines"))
    rows = {offer.pk: OfferRow(offer) for offer in offers}
    links = LeadOffer.objects.filter(offer__in=rows)
    if first and last:
        links = links.filter(chosen_at__date__range=(first, last))
    for offer_id, count in links.values("offer").annotate(n=Count("pk")).values_list("offer", "n"):
        rows[offer_id].leads = count
    path = "customer__lead__offer_link__offer"
    contracts = Contract.objects.filter(
        **{f"{path}__in": rows}, status__in=Contract.SIGNED_STATES, signed_on__isnull=False
    )
    if first and last:
        contracts = contracts.filter(signed_on__range=(first, last))
    signed = list(contracts.values_list("pk", path, "customer_id", "total_amount"))
    offer_of = {pk: offer_id for pk, offer_id, _customer, _amount in signed}
    customers: dict[int, set] = {}
    for _pk, offer_id, customer, amount in signed:
        rows[offer_id].signed += amount
        customers.setdefault(offer_id, set()).add(customer)
    for offer_id, people in customers.items():
        rows[offer_id].signed_customers = len(people)
    lines_of = {offer.pk: {line.pk for line in offer.product_lines.all()} for offer in offers}
    eligible: dict[int, Decimal] = {}
    for contract, product_line, amount in (
        ContractLine.objects.filter(contract__in=offer_of)
        .values("contract", "product__product_line")
        .annotate(total=Sum("amount"))
        .values_list("contract", "product__product_line", "total")
    ):
        wanted = lines_of[offer_of[contract]]
        if not wanted or product_line in wanted:
            eligible[contract] = eligible.get(contract, ZERO) + amount
    for contract, offer_id in offer_of.items():
        rows[offer_id].discount += rows[offer_id].offer.discount_on(eligible.get(contract, ZERO))
    payments = Payment.objects.filter(contract__in=offer_of)
    if first and last:
        payments = payments.filter(received_on__range=(first, last))
    for contract, amount in (
        payments.values("contract").annotate(total=Sum("amount")).values_list("contract", "total")
    ):
        rows[offer_of[contract]].collected += amount
    return list(rows.values())


def contract_offer(contract) -> tuple[JointOffer, Decimal] | None:
    """The joint offer a contract's customer came with, and the discount it gives on the
    contract (two queries), or None."""
    link = (
        LeadOffer.objects.filter(lead__customer__contracts=contract)
        .select_related("offer", "offer__partner")
        .first()
    )
    if link is None:
        return None
    offer = link.offer
    wanted = set(offer.product_lines.values_list("pk", flat=True))
    lines = (
        contract.lines.all()
        if not wanted
        else contract.lines.filter(product__product_line__in=wanted)
    )
    eligible = lines.aggregate(total=Sum("amount"))["total"] or ZERO
    return offer, offer.discount_on(eligible)


def running_offers(day: dt.date | None = None):
    """The joint offers a lead can take today: running, within their dates, of a partner
    whose partnership has not ended."""
    day = day or local_today()
    return (
        JointOffer.objects.filter(
            status=JointOffer.Status.ACTIVE, valid_from__lte=day, valid_until__gte=day
        )
        .exclude(partner__status=Partner.Status.ENDED)
        .select_related("partner")
        .order_by("partner__name", "title")
    )
