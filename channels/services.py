"""Writes of the channels app. Every write checks the role × action matrix first."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import (
    Count,
    DateField,
    F,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce, Least, Trunc
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Contract, Customer, Payment, Refund
from leads.models import Activity, Channel, Lead
from leads.services import (
    DuplicateLead,
    capture_channel,
    capture_team,
    find_duplicate,
    lead_create,
)
from performance import commission as calc
from performance.restatement import (
    ROW_KINDS,
    ClosedFor,
    changed_since_computed,
    corrections,
    home_month,
    homed_rows,
    stale_months,
)
from salescrm.errors import BusinessRuleError
from salescrm.money import TieBreak, round_money, round_to_total
from salescrm.permissions import Action, ensure_may
from salescrm.timeutil import (
    add_months,
    local_now,
    local_today,
    month_end,
    month_start,
    quarter_start,
)

from .models import (
    AgentCommissionPlan,
    CampaignCost,
    CampaignGoal,
    CampaignMember,
    Event,
    EventRegistration,
    JointOffer,
    LeadOffer,
    Partner,
    PartnerAccount,
    PartnerLead,
    PartnerReview,
    PartnerSettlement,
    PartnerSettlementLine,
    PartnerTier,
    PartnerTierChange,
    ReferralReward,
    ReferralRewardPolicy,
)

ZERO = Decimal("0.00")
ONE = Decimal(1)  # tiers are on amounts: a "target" of 1 makes a floor an amount


class ChannelError(BusinessRuleError):
    pass


# --- partners and their leads ------------------------------------------------------------------


def partner_of(user) -> Partner | None:
    """The partner a portal login acts for, or None."""
    account = PartnerAccount.objects.select_related("partner").filter(user_id=user.pk).first()
    return account.partner if account else None


@transaction.atomic
def partner_save(*, actor, partner: Partner) -> Partner:
    ensure_may(actor, Action.PARTNER_MANAGE)
    partner.full_clean()
    partner.save()
    return partner


@transaction.atomic
def partner_contact_add(*, actor, partner: Partner, **fields):
    ensure_may(actor, Action.PARTNER_MANAGE)
    contact = partner.contacts.model(partner=partner, **fields)
    contact.full_clean()
    contact.save()
    return contact


def _check_creditable(partner: Partner) -> None:
    if not partner.may_be_credited:
        raise ChannelError(
            _("This partnership has ended: %(partner)s cannot be credited with new leads.")
            % {"partner": partner.name}
        )


@transaction.atomic
def partner_credit_lead(*, actor, partner: Partner, lead: Lead) -> PartnerLead:
    """Credit `lead` to `partner` (staff). A lead is credited to one partner only, the first."""
    ensure_may(actor, Action.PARTNER_MANAGE)
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    _check_creditable(partner)
    existing = PartnerLead.objects.filter(lead=lead).select_related("partner").first()
    if existing:
        raise ChannelError(
            _("This lead is already credited to %(partner)s.") % {"partner": existing.partner}
        )
    return PartnerLead.objects.create(lead=lead, partner=partner, submitted_by=actor)


KNOWN, NEW = "known", "new"


@transaction.atomic
def portal_lead_submit(*, actor, name: str, phone: str = "", email: str = "", company="", note=""):
    """A partner submits a lead through the portal. A lead the institution already has stays
    with whoever had it first and the partner hears only "already known" (KNOWN); otherwise
    the lead goes round-robin to the capture team and is credited to the partner (NEW)."""
    ensure_may(actor, Action.PARTNER_LEAD_SUBMIT)
    partner = partner_of(actor)
    if partner is None:
        raise ChannelError(_("This login is not linked to a partner."))
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    _check_creditable(partner)
    channel = Channel.objects.filter(code="partner").first() or Channel.objects.first()
    if find_duplicate(phone=phone, email=email):
        return KNOWN, None
    try:
        lead = lead_create(
            actor=None,
            round_robin_team=capture_team(),
            name=name,
            phone=phone,
            email=email,
            company=company,
            needs=note,
            channel=channel,
        )
    except DuplicateLead:
        return KNOWN, None
    PartnerLead.objects.create(lead=lead, partner=partner, submitted_by=actor)
    return NEW, lead


@transaction.atomic
def partner_review_record(*, actor, partner: Partner, quarter: dt.date, decision: str, comment):
    """The director's keep / warn / end for the quarter (one decision per partner and
    quarter; a second replaces the first). Ending stops new leads being credited."""
    ensure_may(actor, Action.PARTNER_REVIEW)
    if decision not in PartnerReview.Decision.values:
        raise ChannelError(_("Choose keep, warn or end."))
    if not (comment or "").strip():
        raise ChannelError(_("Say why: a comment is required."))
    quarter = quarter_start(quarter)
    review, _created = PartnerReview.objects.update_or_create(
        partner=partner,
        quarter=quarter,
        defaults={
            "decision": decision,
            "comment": comment.strip(),
            "decided_by": actor,
            "decided_at": timezone.now(),
        },
    )
    status = {
        PartnerReview.Decision.KEEP: Partner.Status.ACTIVE,
        PartnerReview.Decision.WARN: Partner.Status.WARNED,
        PartnerReview.Decision.END: Partner.Status.ENDED,
    }[decision]
    Partner.objects.filter(pk=partner.pk).update(
        status=status, ended_on=local_today() if status == Partner.Status.ENDED else None
    )
    return review


# --- joint offers (异业合作) -----------------------------------------------------------------


@transaction.atomic
def offer_save(*, actor, offer: JointOffer, product_lines) -> JointOffer:
    """Create or edit a joint offer with a partner company. Refused with the reasons (nothing
    saved) when its terms do not hold: see ``JointOffer.problems``."""
    ensure_may(actor, Action.PARTNER_MANAGE)
    if offer.partner_id:
        Partner.objects.select_for_update().filter(pk=offer.partner_id).first()
    problems = offer.problems(list(product_lines))
    if problems:
        raise ChannelError(problems)
    offer.full_clean()
    offer.save()
    offer.product_lines.set(product_lines)
    return offer


def _offer_link(offer: JointOffer, lead: Lead, actor) -> LeadOffer:
    """Record that `offer` brought `lead` and, when no partner is credited with the lead yet,
    credit the offer's partner (the first to bring a lead keeps it)."""
    link = LeadOffer.objects.create(lead=lead, offer=offer, chosen_by=actor)
    PartnerLead.objects.get_or_create(
        lead=lead, defaults={"partner": offer.partner, "submitted_by": actor}
    )
    return link


@transaction.atomic
def offer_choose(*, actor, offer: JointOffer, lead: Lead) -> LeadOffer:
    """A rep or a leader records on a lead the joint offer that brought it: only an offer
    running today whose partnership has not ended, and only once per lead."""
    ensure_may(actor, Action.LEAD_UPDATE)
    offer = JointOffer.objects.select_for_update().select_related("partner").get(pk=offer.pk)
    refusal = offer.refusal_on(local_today())
    if refusal:
        raise ChannelError(refusal)
    existing = LeadOffer.objects.filter(lead=lead).select_related("offer").first()
    if existing:
        raise ChannelError(
            _("This lead already carries the offer “%(title)s”.") % {"title": existing.offer.title}
        )
    return _offer_link(offer, lead, actor)


@transaction.atomic
def offer_capture(*, offer: JointOffer, name: str, phone: str = "", email: str = "", company=""):
    """Someone claims a joint offer on its public page. A new person becomes a lead (round
    robin to the capture team) carrying the offer and credited to the partner; a person the
    institution already has stays with whoever had them, and their lead takes the offer only
    if it carries none. Returns (NEW or KNOWN, lead); refused (ChannelError) when the offer
    is not running today."""
    offer = JointOffer.objects.select_for_update().select_related("partner").get(pk=offer.pk)
    refusal = offer.refusal_on(local_today())
    if refusal:
        raise ChannelError(refusal)
    existing = find_duplicate(phone=phone, email=email)
    if existing is None:
        channel = Channel.objects.filter(code="partner").first() or capture_channel()
        try:
            lead = lead_create(
                actor=None,
                round_robin_team=capture_team(),
                name=name,
                phone=phone,
                email=email,
                company=company,
                channel=channel,
                needs=_("Claimed the joint offer %(title)s") % {"title": offer.title},
            )
        except DuplicateLead as duplicate:
            existing = duplicate.existing
        else:
            _offer_link(offer, lead, None)
            return NEW, lead
    if not LeadOffer.objects.filter(lead=existing).exists():
        LeadOffer.objects.create(lead=existing, offer=offer)
    return KNOWN, existing


# --- partner tiers (nightly, quarterly) -------------------------------------------------------


def partner_signed_by_quarter(first: dt.date, last: dt.date) -> dict[int, Decimal]:
    """Signed amount per partner of contracts signed between `first` and `last` (one query)."""
    rows = (
        Contract.objects.filter(
            signed_on__range=(first, last),
            customer__lead__partner_link__isnull=False,
        )
        .values("customer__lead__partner_link__partner_id")
        .annotate(total=Sum("total_amount"))
    )
    return {row["customer__lead__partner_link__partner_id"]: row["total"] for row in rows}


def tier_for(amount: Decimal, tiers: list[PartnerTier]) -> PartnerTier | None:
    """The highest tier whose threshold `amount` reaches (thresholds inclusive)."""
    reached = [tier for tier in tiers if amount >= tier.min_quarter_signed]
    return max(reached, key=lambda tier: tier.min_quarter_signed) if reached else None


def partner_tiers_compute(*, quarter: dt.date) -> dict:
    """Give every partner the tier its signed amount in `quarter` reaches, with the reason;
    replaces that quarter's rows, so a rerun changes nothing."""
    quarter = quarter_start(quarter)
    last = add_months(quarter, 3) - dt.timedelta(days=1)
    tiers = list(PartnerTier.objects.all())
    signed = partner_signed_by_quarter(quarter, last)
    before = {
        row.partner_id: row.from_tier_id
        for row in PartnerTierChange.objects.filter(quarter=quarter)
    }
    partners = list(Partner.objects.all())
    rows, changed = [], 0
    label = f"{quarter.year} Q{(quarter.month - 1) // 3 + 1}"
    for partner in partners:
        amount = signed.get(partner.pk, ZERO)
        tier = tier_for(amount, tiers)
        from_id = before.get(partner.pk, partner.tier_id)
        if tier is None:
            reason = _("%(q)s signed ¥%(amount)s: below every threshold") % {
                "q": label,
                "amount": f"{amount:,.2f}",
            }
        else:
            reason = _("%(q)s signed ¥%(amount)s ≥ ¥%(floor)s, the threshold of %(tier)s") % {
                "q": label,
                "amount": f"{amount:,.2f}",
                "floor": f"{tier.min_quarter_signed:,.2f}",
                "tier": tier.name,
            }
        rows.append(
            PartnerTierChange(
                partner=partner,
                quarter=quarter,
                from_tier_id=from_id,
                to_tier=tier,
                signed_amount=amount,
                reason=reason,
            )
        )
        if partner.tier_id != (tier.pk if tier else None):
            partner.tier = tier
            changed += 1
    PartnerTierChange.objects.filter(quarter=quarter).delete()
    PartnerTierChange.objects.bulk_create(rows)
    Partner.objects.bulk_update(partners, ["tier"])
    return {"partners": len(partners), "tier_changed": changed}


# --- partner settlements (nightly, monthly) --------------------------------------------------


LINK = "customer__lead__partner_link__partner_id"

# The three kinds of source row, by the name a settlement line gives them: the row's kind
# (``restatement.ROW_KINDS``: model, date, signed amount, which rows count), the path to the
# partner credited with it, and the bases it counts towards.
SOURCE_KINDS = {
    "signed": {"row": ROW_KINDS["contract"], "partner": LINK, "bases": ("signed",)},
    "payment": {
        "row": ROW_KINDS["payment"],
        "partner": f"contract__{LINK}",
        "bases": ("collected",),
    },
    # a refund claws back under either base
    "refund": {
        "row": ROW_KINDS["refund"],
        "partner": f"contract__{LINK}",
        "bases": ("signed", "collected"),
    },
}


def _settlement_state(last: dt.date):
    """(closed-for, {partner: [(month, base of its closed settlement)]}) from every
    settlement up to `last` (one query)."""
    rows = list(
        PartnerSettlement.objects.filter(month__lte=last)
        .order_by()
        .values_list("partner_id", "month", "status", "base_amount")
    )
    bases = defaultdict(list)
    for p, m, status, base in rows:
        if status == "closed":
            bases[p].append((m, base))
    return ClosedFor([(p, m, status) for p, m, status, _base in rows]), bases


def _item(kind, pk, contract, day, amount, **extra) -> dict:
    item = {"kind": kind, "pk": pk, "contract": contract, "day": day, "amount": amount, **extra}
    if kind != "signed":
        item[kind] = pk
    return item


def _sources(month: dt.date, closed: ClosedFor) -> dict[int, dict[str, list]]:
    """Per partner (with a commission plan) and base ("signed", "collected"), the source rows
    whose *home* is a month of `month`'s quarter up to `month`, each with its ``home``:

    - a row dated in the quarter up to `month`'s end, on no closed settlement: home is its
      month, or, when that is closed for the partner, the first month after it that is not;
    - a *late* row dated before the quarter in a month closed for the partner and on no
      closed settlement: the same rule (``performance.restatement.home_month``);
    - a *correction*: a row on a closed settlement whose amount has changed since (edited, or
      a refund no longer confirmed): the difference, at home on the first month after the
      last closed settlement it is on that is not closed.

    So every row is on exactly one settlement and every change of it is carried once, in
    nine queries for all partners."""
    quarter, last = quarter_start(month), month_end(month)
    out: dict[int, dict[str, list]] = defaultdict(lambda: {"signed": [], "collected": []})
    closed_lines = PartnerSettlementLine.objects.filter(
        settlement__status=PartnerSettlement.Status.CLOSED
    )
    closed_settlements = PartnerSettlement.objects.filter(status=PartnerSettlement.Status.CLOSED)
    for kind, spec in SOURCE_KINDS.items():
        row, partner = spec["row"], spec["partner"]
        line_field = "contract" if kind == "signed" else kind
        homed = homed_rows(
            row.model.objects.filter(row.counts, **{f"{partner}__isnull": False}).filter(
                **{f"{partner}__in": Partner.objects.filter(plan__isnull=False)}
            ),
            field=line_field,
            closed_lines=closed_lines,
            date=row.date,
            owner=partner,
            fields=("pk", row.contract, row.date, row.amount),
            first=quarter,
            last=last,
            closed_then=closed.closed_then(
                closed_settlements, owner_field="partner_id", owner=partner
            ),
            closed=closed,
        )
        for home, (p, pk, contract, day, amount) in homed:
            if quarter <= home <= month:
                item = _item(kind, pk, contract, day, row.sign * amount, home=home)
                for base in spec["bases"]:
                    out[p][base].append(item)
        # corrections: what a closed settlement says of a row against what the row says now
        for fix in corrections(
            closed_lines,
            owner="settlement__partner_id",
            month="settlement__month",
            field=line_field,
        ):
            home = home_month(closed, fix.owner, fix.last_closed)
            if quarter <= home <= month:
                item = _item(
                    kind,
                    fix.pk,
                    fix.contract_id,
                    fix.day or home,
                    fix.difference,
                    home=home,
                    correction=True,
                )
                for base in spec["bases"]:
                    out[fix.owner][base].append(item)
    for bases in out.values():
        for items in bases.values():
            items.sort(key=lambda item: (item["day"], item["kind"] == "refund", item["pk"]))
    return out


def _net(items) -> Decimal:
    return sum((item["amount"] for item in items), ZERO)


def settlement_lines(prior: Decimal, items: list[dict], tiers, method) -> tuple[list, Decimal]:
    """The month's lines and total for a partner whose quarter had reached `prior` before the
    month. The month earns commission(quarter to date) − commission(prior), each rounded to
    the cent: the tier formula on the quarter, like a rep's statement on the month. Payments
    fill the bands from `prior` up, refunds take back from the top (performance.commission);
    under a retroactive plan a band reached this month re-rates the earlier months of the
    quarter, shown as one "uplift" line."""
    sources = [calc.Source("opening", prior)] if prior else []
    sources += [calc.Source(index, item["amount"]) for index, item in enumerate(items)]
    lines, _total = calc.statement_lines(sources, ONE, tiers, method)
    total = calc.commission(prior + _net(items), ONE, tiers, method) - calc.commission(
        prior, ONE, tiers, method
    )
    rows, opening = [], ZERO
    for line in lines:
        if line.ref == "opening":
            opening += line.base * line.rate
        else:
            rows.append({**items[line.ref], "base": line.base, "rate": line.rate})
    uplift = opening - calc.exact_commission(prior, ONE, tiers, method) if prior else ZERO
    if uplift:
        rows.append({"kind": "uplift", "day": None, "base": prior, "rate": uplift / prior})
    exact = [row["base"] * row["rate"] for row in rows]
    try:
        amounts = round_to_total(exact, total, tie_break=TieBreak.EARLIER)
    except ValueError:  # the two roundings of the quarter left a cent apart: last line takes it
        amounts = [round_money(value) for value in exact]
        if amounts:
            amounts[-1] += total - sum(amounts)
    for row, amount in zip(rows, amounts, strict=True):
        row["amount_due"] = amount
    return rows, total


def _tiers(plan: AgentCommissionPlan) -> list[calc.Tier]:
    return [calc.Tier(floor=t.floor, rate=t.rate) for t in plan.tiers.all()]


def settlements_compute(*, month: dt.date) -> dict:
    """(Re)compute the open settlements of `month` for every partner with a commission plan;
    a closed settlement is never touched, and a partner the month is closed for gets none.
    The month's items are the source rows whose home it is (``_sources``: late rows of
    closed months and corrections of closed rows included); the quarter's base before it is
    the closed settlements' base plus the rows at home in its open earlier months. Replaces
    the month's open rows: idempotent, and the same queries for one partner or many."""
    month = month_start(month)
    quarter = quarter_start(month)
    closed, closed_bases = _settlement_state(month)
    sources = _sources(month, closed)
    partners = list(
        Partner.objects.filter(plan__isnull=False)
        .select_related("plan")
        .prefetch_related("plan__tiers")
    )
    PartnerSettlement.objects.filter(month=month, status=PartnerSettlement.Status.OPEN).delete()
    now = timezone.now()
    settlements, line_sets, skipped = [], [], 0
    for partner in partners:
        tiers = _tiers(partner.plan)
        if (partner.pk, month) in closed or calc.validate_tiers(tiers):
            skipped += (partner.pk, month) not in closed
            continue
        base_key = "signed" if partner.plan.base == AgentCommissionPlan.Base.SIGNED else "collected"
        homed = sources.get(partner.pk, {}).get(base_key, [])
        items = [item for item in homed if item["home"] == month]
        prior = _net(item for item in homed if item["home"] < month) + sum(
            (base for m, base in closed_bases.get(partner.pk, []) if quarter <= m), ZERO
        )
        if not items and not prior:
            continue
        rows, total = settlement_lines(prior, items, tiers, partner.plan.method)
        if not rows:
            continue
        settlements.append(
            PartnerSettlement(
                partner=partner,
                month=month,
                plan=partner.plan,
                base_amount=_net(items),
                quarter_base=prior + _net(items),
                total=total,
                computed_at=now,
            )
        )
        line_sets.append(rows)
    PartnerSettlement.objects.bulk_create(settlements)
    lines = [
        PartnerSettlementLine(
            settlement=settlement,
            kind="correction" if row.get("correction") else row["kind"],
            contract_id=row.get("contract"),
            payment_id=row.get("payment"),
            refund_id=row.get("refund"),
            occurred_on=row["day"],
            base=round_money(row["base"]),
            rate=row["rate"].quantize(Decimal("0.000001")),
            amount=row["amount_due"],
        )
        for settlement, rows in zip(settlements, line_sets, strict=True)
        for row in rows
    ]
    PartnerSettlementLine.objects.bulk_create(lines, batch_size=1000)
    return {"settlements": len(settlements), "lines": len(lines), "invalid_plans": skipped}


def settlement_months_due(*, day: dt.date, catch_up_months: int) -> list[dt.date]:
    """The months the nightly job recomputes: the month of `day` and the one before it; the
    earlier months whose open settlements' source rows changed after they were computed (one
    query on the history tables, ``performance.restatement``); and the months of the
    catch-up window that have no settlement at all but a row credited to a partner with a
    plan (a first run, or a late row of a month nobody had a settlement in)."""
    current = month_start(day)
    months = {current, add_months(current, -1)}
    changed = (
        changed_since_computed(Payment, "received_on")
        | changed_since_computed(Refund, "confirmed_on")
        | changed_since_computed(Contract, "signed_on")
    )
    months |= set(stale_months(PartnerSettlement.objects.filter(status="open"), current, changed))
    window = add_months(current, -catch_up_months)
    settled = set(
        PartnerSettlement.objects.filter(month__gte=window, month__lt=current)
        .order_by()
        .values_list("month", flat=True)
        .distinct()
    )
    # only the window's months without any settlement are searched (none on a steady night:
    # then the year's credited rows are not read at all)
    unsettled = [
        add_months(window, k)
        for k in range(catch_up_months)
        if add_months(window, k) not in settled
    ]
    if not unsettled:
        return sorted(months)
    with_plan = Partner.objects.filter(plan__isnull=False)
    for spec in SOURCE_KINDS.values():
        row = spec["row"]
        dated_in = Q()
        for first in unsettled:
            dated_in |= Q(
                **{f"{row.date}__range": (first, add_months(first, 1) - dt.timedelta(days=1))}
            )
        months |= set(
            row.model.objects.filter(row.counts, **{f"{spec['partner']}__in": with_plan})
            .filter(dated_in)
            .annotate(dated_month=Trunc(row.date, "month", output_field=DateField()))
            .order_by()
            .values_list("dated_month", flat=True)
            .distinct()
        )
    return sorted(months)


@transaction.atomic
def settlement_close(*, actor, settlement: PartnerSettlement) -> PartnerSettlement:
    ensure_may(actor, Action.PARTNER_SETTLEMENT_CLOSE)
    locked = PartnerSettlement.objects.select_for_update().get(pk=settlement.pk)
    if locked.status == PartnerSettlement.Status.CLOSED:
        raise ChannelError(_("This settlement is already closed."))
    locked.status = PartnerSettlement.Status.CLOSED
    locked.closed_by = actor
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_by", "closed_at"])
    return locked


# --- events ------------------------------------------------------------------------------------

REGISTERED, ALREADY, FULL, CLOSED = "registered", "already", "full", "closed"


@transaction.atomic
def event_save(*, actor, event: Event) -> Event:
    ensure_may(actor, Action.EVENT_MANAGE)
    if not event.pk:
        event.owner = actor
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_register(*, event: Event, name: str, phone: str = "", email: str = "", company=""):
    """A registration from the public page. The person becomes (or is found as) a lead, by
    the same duplicate rules as everywhere; registering twice stores nothing the second
    time. Returns (outcome, registration)."""
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.starts_at + dt.timedelta(days=1) < local_now():
        return CLOSED, None
    existing = find_duplicate(phone=phone, email=email)
    if existing is not None:
        registration = EventRegistration.objects.filter(event=event, lead=existing).first()
        if registration:
            return ALREADY, registration
    if event.registrations.count() >= event.capacity:
        return FULL, None
    if existing is not None:
        lead = existing
    else:
        try:
            lead = lead_create(
                actor=None,
                round_robin_team=capture_team(),
                name=name,
                phone=phone,
                email=email,
                company=company,
                channel=event.channel,
                campaign=event.campaign,
                needs=_("Registered for %(event)s") % {"event": event.title},
            )
        except DuplicateLead as duplicate:  # a concurrent registration won the race
            lead = duplicate.existing
    registration, created = EventRegistration.objects.get_or_create(
        event=event, lead=lead, defaults={"name": name, "phone": lead.phone or phone}
    )
    return (REGISTERED if created else ALREADY), registration


@transaction.atomic
def event_check_in(*, actor, registration: EventRegistration) -> EventRegistration:
    ensure_may(actor, Action.EVENT_CHECK_IN)
    updated = EventRegistration.objects.filter(
        pk=registration.pk, checked_in_at__isnull=True
    ).update(checked_in_at=local_now(), checked_in_by=actor)
    if not updated:
        raise ChannelError(_("%(name)s is already checked in.") % {"name": registration.name})
    registration.refresh_from_db()
    return registration


@transaction.atomic
def event_make_follow_ups(*, actor, event: Event) -> int:
    """After the event: every attendee and every no-show becomes a follow-up for the lead's
    owner the next day (shown in My day), with a note on the lead's timeline saying which.
    Done once per event."""
    ensure_may(actor, Action.EVENT_MANAGE)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.follow_ups_made_at:
        raise ChannelError(_("The follow-ups of this event were already made."))
    if event.starts_at > local_now():
        raise ChannelError(_("The event has not taken place yet."))
    day = timezone.localtime(event.starts_at).date() + dt.timedelta(days=1)
    registrations = list(event.registrations.all())
    Lead.objects.filter(pk__in=[r.lead_id for r in registrations]).update(
        next_follow_up_on=Least(Coalesce(F("next_follow_up_on"), day), day)
    )
    now = local_now()
    Activity.objects.bulk_create(
        Activity(
            lead_id=r.lead_id,
            actor=None,
            kind=Activity.Kind.NOTE,
            occurred_at=now,
            outcome=(
                _("Attended %(event)s: follow up")
                if r.checked_in_at
                else _("Registered for %(event)s but did not come: follow up")
            )
            % {"event": event.title[:120]},
            next_follow_up_on=day,
        )
        for r in registrations
    )
    event.follow_ups_made_at = now
    event.save(update_fields=["follow_ups_made_at"])
    return len(registrations)


# --- campaigns ---------------------------------------------------------------------------------


@transaction.atomic
def campaign_goal_save(*, actor, campaign, **fields) -> CampaignGoal:
    ensure_may(actor, Action.CAMPAIGN_MANAGE)
    goal, _created = CampaignGoal.objects.get_or_create(campaign=campaign)
    for name, value in fields.items():
        setattr(goal, name, value)
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def campaign_cost_add(*, actor, campaign, spent_on, description, amount) -> CampaignCost:
    ensure_may(actor, Action.CAMPAIGN_MANAGE)
    cost = CampaignCost(
        campaign=campaign, spent_on=spent_on, description=description, amount=amount
    )
    cost.full_clean()
    cost.save()
    return cost


@transaction.atomic
def campaign_retire(*, actor, campaign, comment: str) -> CampaignGoal:
    ensure_may(actor, Action.CAMPAIGN_RETIRE)
    if not (comment or "").strip():
        raise ChannelError(_("Say why the campaign is retired."))
    goal, _created = CampaignGoal.objects.get_or_create(campaign=campaign)
    goal.retired_on = local_today()
    goal.retire_comment = comment.strip()[:300]
    goal.save(update_fields=["retired_on", "retire_comment"])
    return goal


# --- referral rewards --------------------------------------------------------------------------


def referral_rewards_propose(*, day: dt.date) -> dict:
    """Propose a reward for every referral whose referred customer has a signed contract (by
    `day`) and no reward yet: set-based, and a rerun proposes nothing twice."""
    policy = ReferralRewardPolicy.load()
    first_signed = {}
    rows = (
        Contract.objects.filter(
            signed_on__isnull=False,
            signed_on__lte=day,
            customer__lead__referral__isnull=False,
            customer__lead__referral__reward__isnull=True,
        )
        .order_by("signed_on", "pk")
        .values_list(
            "customer__lead__referral", "customer__lead__referral__customer", "pk", "total_amount"
        )
    )
    for referral_id, referrer_id, contract_id, total in rows:
        first_signed.setdefault(referral_id, (referrer_id, contract_id, total))
    rewards = []
    for referral_id, (referrer_id, contract_id, total) in first_signed.items():
        amount, lessons = ZERO, 0
        if policy.kind == ReferralRewardPolicy.Kind.FIXED:
            amount = policy.amount
        elif policy.kind == ReferralRewardPolicy.Kind.PERCENT:
            amount = round_money(total * policy.percent)
        else:
            lessons = policy.lessons
        rewards.append(
            ReferralReward(
                referral_id=referral_id,
                referrer_id=referrer_id,
                contract_id=contract_id,
                kind=policy.kind,
                amount=amount,
                lessons=lessons,
            )
        )
    ReferralReward.objects.bulk_create(rewards, ignore_conflicts=True)
    return {"proposed": len(rewards)}


@transaction.atomic
def referral_reward_decide(*, actor, reward: ReferralReward, approve: bool) -> ReferralReward:
    ensure_may(actor, Action.REFERRAL_REWARD_APPROVE)
    locked = ReferralReward.objects.select_for_update().get(pk=reward.pk)
    if not ReferralReward.objects.visible_to(actor).filter(pk=locked.pk).exists():
        raise ChannelError(_("Only the manager of the rep's team approves this reward."))
    if locked.status != ReferralReward.Status.PROPOSED:
        raise ChannelError(_("This reward was already decided."))
    locked.status = ReferralReward.Status.APPROVED if approve else ReferralReward.Status.REJECTED
    locked.decided_by = actor
    locked.save(update_fields=["status", "decided_by"])
    return locked


@transaction.atomic
def referral_reward_pay(*, actor, reward: ReferralReward, paid_on: dt.date) -> ReferralReward:
    ensure_may(actor, Action.REFERRAL_REWARD_PAY)
    locked = ReferralReward.objects.select_for_update().get(pk=reward.pk)
    if locked.status != ReferralReward.Status.APPROVED:
        raise ChannelError(_("Only an approved reward is paid."))
    locked.status = ReferralReward.Status.PAID
    locked.paid_on = paid_on
    locked.save(update_fields=["status", "paid_on"])
    return locked


def referral_leaderboard(limit: int = 20):
    """Customers by referrals brought, with how many became signed customers (two queries)."""
    signed = Q(referrals__lead__customer__contracts__signed_on__isnull=False)
    return (
        Customer.objects.annotate(
            referred=Count("referrals", distinct=True),
            referred_signed=Count("referrals", filter=signed, distinct=True),
            rewards_paid=Coalesce(
                Sum("referral_rewards__amount", filter=Q(referral_rewards__status="paid")),
                ZERO,
            ),
        )
        .filter(referred__gt=0)
        .order_by("-referred_signed", "-referred", "name")[:limit]
    )


@transaction.atomic
def campaign_members_add(*, actor, campaign, leads=(), customers=()) -> tuple[int, int]:
    """Put leads and customers on `campaign`'s list (the lists' bulk action). All or nothing:
    a record the actor may not see, or a campaign that has ended or is marked for retirement,
    refuses the whole request. Returns (added, already on the list); two queries and one
    insert whatever the number."""
    ensure_may(actor, Action.CAMPAIGN_ADD_MEMBERS)
    today = local_today()
    if campaign.ends_on is not None and campaign.ends_on < today:
        raise BusinessRuleError(_("This campaign has ended."))
    if CampaignGoal.objects.filter(campaign=campaign, retired_on__isnull=False).exists():
        raise BusinessRuleError(_("This campaign is marked for retirement."))
    lead_ids = {lead.pk for lead in leads}
    customer_ids = {customer.pk for customer in customers}
    visible_leads = Lead.objects.visible_to(actor).filter(pk__in=lead_ids).count()
    visible_customers = Customer.objects.visible_to(actor).filter(pk__in=customer_ids).count()
    if visible_leads != len(lead_ids) or visible_customers != len(customer_ids):
        raise BusinessRuleError(_("Some of the records are not yours to add."))
    existing = CampaignMember.objects.filter(campaign=campaign).filter(
        Q(lead_id__in=lead_ids) | Q(customer_id__in=customer_ids)
    )
    have_leads, have_customers = set(), set()
    for lead_id, customer_id in existing.values_list("lead_id", "customer_id"):
        (have_leads if lead_id else have_customers).add(lead_id or customer_id)
    now = timezone.now()
    rows = [
        CampaignMember(campaign=campaign, lead_id=pk, added_by=actor, added_at=now)
        for pk in sorted(lead_ids - have_leads)
    ] + [
        CampaignMember(campaign=campaign, customer_id=pk, added_by=actor, added_at=now)
        for pk in sorted(customer_ids - have_customers)
    ]
    CampaignMember.objects.bulk_create(rows)
    return len(rows), len(have_leads) + len(have_customers)
