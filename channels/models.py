"""Channels that earn their cost (issue 16): partners and agents with tiers, their commission
plans and monthly settlements, quarterly reviews; events with registration and check-in;
campaign goals and cost lines; referral rewards.

The link from a lead to the partner that brought it lives here (``PartnerLead``), not on the
lead: leads is built before channels and does not know it exists."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from performance.models import StatementLine
from salescrm.bounds import MAX_LESSONS, amount_validators
from salescrm.models import bilingual
from salescrm.money import round_money, round_percent
from salescrm.roles import SALES
from salescrm.scoping import ScopedQuerySet, visible_q
from salescrm.timeutil import validate_business_date

MONEY = {"max_digits": 14, "decimal_places": 2}
RATE = {"max_digits": 6, "decimal_places": 4}
rate_validators = [MinValueValidator(0), MaxValueValidator(1)]


# --- partners ----------------------------------------------------------------------------------


class PartnerTier(models.Model):
    """Gold / silver / bronze: a partner reaches the highest tier whose threshold its last
    quarter's signed amount meets (thresholds inclusive). Admin-set."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=50, blank=True)
    min_quarter_signed = models.DecimalField(
        _("from quarterly signed amount"), **MONEY, default=0, validators=amount_validators()
    )

    class Meta:
        ordering = ["-min_quarter_signed"]
        verbose_name = _("partner tier")
        verbose_name_plural = _("partner tiers")
        constraints = [
            models.UniqueConstraint(fields=["min_quarter_signed"], name="partnertier_unique_floor"),
            models.CheckConstraint(
                condition=Q(min_quarter_signed__gte=0),
                name="partnertier_floor_not_negative",
                violation_error_message=_("A threshold cannot be negative."),
            ),
        ]

    def __str__(self):
        return bilingual(self.name, self.name_en)


class AgentCommissionPlan(models.Model):
    """An agent's commission terms: tiers on the partner's *quarterly* signed or collected
    amount (a tier's floor is an amount of money, not an achievement rate), marginal or
    retroactive; computed by performance.commission."""

    class Base(models.TextChoices):
        SIGNED = "signed", _("Signed amount")
        COLLECTED = "collected", _("Collected amount")

    class Method(models.TextChoices):
        MARGINAL = "marginal", _("Marginal (each band at its rate)")
        RETROACTIVE = "retroactive", _("Retroactive (the reached band's rate on everything)")

    name = models.CharField(_("name"), max_length=100, unique=True)
    base = models.CharField(_("base"), max_length=16, choices=Base.choices, default=Base.COLLECTED)
    method = models.CharField(
        _("method"), max_length=16, choices=Method.choices, default=Method.MARGINAL
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("agent commission plan")
        verbose_name_plural = _("agent commission plans")

    def __str__(self):
        return self.name


class AgentCommissionTier(models.Model):
    plan = models.ForeignKey(
        AgentCommissionPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tiers"
    )
    floor = models.DecimalField(
        _("from quarterly amount"), **MONEY, default=0, validators=amount_validators()
    )
    rate = models.DecimalField(_("rate"), **RATE, validators=rate_validators)

    class Meta:
        ordering = ["plan", "floor"]
        verbose_name = _("commission tier")
        verbose_name_plural = _("commission tiers")
        constraints = [
            models.UniqueConstraint(fields=["plan", "floor"], name="agenttier_unique_floor"),
            models.CheckConstraint(
                condition=Q(rate__gte=0) & Q(rate__lte=1),
                name="agenttier_rate_0_1",
                violation_error_message=_("A rate is between 0 and 100 %."),
            ),
            models.CheckConstraint(
                condition=Q(floor__gte=0),
                name="agenttier_floor_not_negative",
                violation_error_message=_("A threshold cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"≥ {self.floor} · {self.rate:%}"


class PartnerQuerySet(ScopedQuerySet):
    scope_owner_path = "manager"


class Partner(models.Model):
    class Kind(models.TextChoices):
        AGENT = "agent", _("Agent")
        RESELLER = "reseller", _("Reseller")
        COMPANY = "company", _("Partner company (joint offers)")
        SCHOOL_HR = "school_hr", _("School / HR partner")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WARNED = "warned", _("Warned")
        ENDED = "ended", _("Ended")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("channel manager"),
        on_delete=models.PROTECT,
        related_name="partners",
        help_text=_("The institution's person who looks after this partner."),
    )
    plan = models.ForeignKey(
        AgentCommissionPlan,
        verbose_name=_("commission plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="partners",
    )
    tier = models.ForeignKey(
        PartnerTier,
        verbose_name=_("tier"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partners",
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    since = models.DateField(_("partner since"), validators=[validate_business_date])
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    terms = models.TextField(_("contract terms and training support"), blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects = PartnerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("channels:partner_detail", args=[self.pk])

    @property
    def may_be_credited(self) -> bool:
        return self.status != self.Status.ENDED


class PartnerContact(models.Model):
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        ordering = ["partner", "name"]
        verbose_name = _("partner contact")
        verbose_name_plural = _("partner contacts")

    def __str__(self):
        return self.name


class PartnerAccount(models.Model):
    """A portal login (role "partner") and the one partner it acts for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="partner_account",
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="accounts"
    )

    class Meta:
        verbose_name = _("partner portal account")
        verbose_name_plural = _("partner portal accounts")

    def __str__(self):
        return f"{self.user} · {self.partner}"


class PartnerLead(models.Model):
    """The partner credited with a lead (one partner per lead, the first to bring it)."""

    lead = models.OneToOneField(
        "leads.Lead", verbose_name=_("lead"), on_delete=models.CASCADE, related_name="partner_link"
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="lead_links"
    )
    credited_at = models.DateTimeField(_("credited at"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("partner lead")
        verbose_name_plural = _("partner leads")

    def __str__(self):
        return f"{self.partner} → {self.lead_id}"


class JointOfferQuerySet(ScopedQuerySet):
    scope_owner_path = "partner__manager"


class JointOffer(models.Model):
    """A joint offer with a partner company (异业合作): the partner's people get a discount or a
    bundled service on the product lines it applies to, between two dates. A lead can carry
    the offer that brought it (``LeadOffer``)."""

    class Kind(models.TextChoices):
        AMOUNT = "amount", _("Discount: an amount off")
        PERCENT = "percent", _("Discount: a percentage off")
        BUNDLE = "bundle", _("Bundled service")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("joint offer status", "Draft")
        ACTIVE = "active", pgettext_lazy("joint offer status", "Running")
        WITHDRAWN = "withdrawn", pgettext_lazy("joint offer status", "Withdrawn")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner company"), on_delete=models.PROTECT, related_name="offers"
    )
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("offer"), max_length=16, choices=Kind.choices, default=Kind.AMOUNT)
    discount_amount = models.DecimalField(
        _("amount off"), **MONEY, default=0, validators=amount_validators()
    )
    discount_percent = models.DecimalField(
        _("percentage off"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("15 means 15 percent off the price."),
    )
    bundled_service = models.CharField(_("bundled service"), max_length=200, blank=True)
    terms = models.TextField(_("terms"), max_length=4000, blank=True)
    valid_from = models.DateField(_("valid from"), validators=[validate_business_date])
    valid_until = models.DateField(_("valid until"), validators=[validate_business_date])
    product_lines = models.ManyToManyField(
        "salescrm.ProductLine",
        verbose_name=_("product lines"),
        blank=True,
        related_name="+",
        help_text=_("Leave empty for every product line."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    public_key = models.UUIDField(_("public key"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = JointOfferQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "title"]
        verbose_name = _("joint offer")
        verbose_name_plural = _("joint offers")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="jointoffer_dates_in_order",
                violation_error_message=_("The offer must end on or after the day it starts."),
            ),
            models.CheckConstraint(
                condition=Q(discount_amount__gte=0)
                & Q(discount_percent__gte=0)
                & Q(discount_percent__lte=100),
                name="jointoffer_discount_in_range",
                violation_error_message=_("A discount is not negative and at most 100 %."),
            ),
        ]

    def __str__(self):
        return f"{self.title} · {self.partner}"

    def get_absolute_url(self):
        return reverse("channels:offer_detail", args=[self.pk])

    def public_url(self):
        return reverse("channels:offer_capture", args=[self.public_key])

    def problems(self, product_lines) -> list[str]:
        """What is wrong with the offer's terms, as sentences (empty when it can be saved):
        `product_lines` are the lines it applies to (none: every line)."""
        from customers.models import Product

        problems = []
        if self.partner_id and self.partner.kind != Partner.Kind.COMPANY:
            problems.append(_("Joint offers are made with partner companies."))
        if self.partner_id and self.partner.status == Partner.Status.ENDED and not self.pk:
            problems.append(
                _("The partnership with %(partner)s has ended: it cannot make new offers.")
                % {"partner": self.partner.name}
            )
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            problems.append(_("The offer must end on or after the day it starts."))
        if self.kind == self.Kind.AMOUNT:
            if not self.discount_amount or self.discount_amount <= 0:
                problems.append(_("Enter the amount off."))
            else:
                products = Product.objects.filter(is_active=True)
                if product_lines:
                    products = products.filter(product_line__in=product_lines)
                cheapest = products.order_by("list_price", "pk").first()
                if cheapest and self.discount_amount > cheapest.list_price:
                    problems.append(
                        _(
                            "¥%(amount)s off is more than the price of %(product)s "
                            "(¥%(price)s): the discount cannot exceed the price."
                        )
                        % {
                            "amount": f"{self.discount_amount:,.2f}",
                            "product": cheapest.name,
                            "price": f"{cheapest.list_price:,.2f}",
                        }
                    )
        elif self.kind == self.Kind.PERCENT:
            if not self.discount_percent or not 0 < self.discount_percent < 100:
                problems.append(_("A percentage off is more than 0 and less than 100."))
        elif not self.bundled_service.strip():
            problems.append(_("Say which service is bundled."))
        return problems

    def refusal_on(self, day) -> str | None:
        """Why a lead cannot take this offer on `day`, or None when it can."""
        if self.partner.status == Partner.Status.ENDED:
            return _("The partnership with %(partner)s has ended: its offers no longer apply.") % {
                "partner": self.partner.name
            }
        if self.status != self.Status.ACTIVE:
            return _("The offer “%(title)s” is not running.") % {"title": self.title}
        if day < self.valid_from:
            return _("The offer “%(title)s” starts on %(day)s.") % {
                "title": self.title,
                "day": self.valid_from.isoformat(),
            }
        if day > self.valid_until:
            return _("The offer “%(title)s” expired on %(day)s.") % {
                "title": self.title,
                "day": self.valid_until.isoformat(),
            }
        return None

    @property
    def summary(self) -> str:
        if self.kind == self.Kind.AMOUNT:
            return _("¥%(amount)s off") % {"amount": f"{self.discount_amount:,.2f}"}
        if self.kind == self.Kind.PERCENT:
            percent = f"{self.discount_percent:f}"
            if "." in percent:
                percent = percent.rstrip("0").rstrip(".")
            return _("%(percent)s %% off") % {"percent": percent}
        return self.bundled_service

    def discount_on(self, eligible):
        """The discount this offer gives on a contract whose lines in the offer's product lines
        come to `eligible` (an amount off never exceeds what it applies to)."""
        if self.kind == self.Kind.AMOUNT:
            return min(self.discount_amount, eligible)
        if self.kind == self.Kind.PERCENT:
            return round_money(eligible * self.discount_percent / 100)
        return Decimal("0.00")


class LeadOffer(models.Model):
    """The joint offer that brought a lead (one per lead, the first)."""

    lead = models.OneToOneField(
        "leads.Lead", verbose_name=_("lead"), on_delete=models.CASCADE, related_name="offer_link"
    )
    offer = models.ForeignKey(
        JointOffer,
        verbose_name=_("joint offer"),
        on_delete=models.PROTECT,
        related_name="lead_links",
    )
    chosen_at = models.DateTimeField(_("chosen at"), default=timezone.now)
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chosen by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lead's joint offer")
        verbose_name_plural = _("leads' joint offers")

    def __str__(self):
        return f"{self.offer} → {self.lead_id}"


class PartnerTierChange(models.Model):
    """The tier a quarter's review gave a partner, and why (one row per partner and quarter;
    the nightly job replaces it)."""

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="tier_changes"
    )
    quarter = models.DateField(_("quarter (first day)"))
    from_tier = models.ForeignKey(
        PartnerTier,
        verbose_name=_("from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_tier = models.ForeignKey(
        PartnerTier,
        verbose_name=_("to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    signed_amount = models.DecimalField(_("quarter's signed amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)

    class Meta:
        ordering = ["-quarter", "partner"]
        verbose_name = _("partner tier change")
        verbose_name_plural = _("partner tier changes")
        constraints = [
            models.UniqueConstraint(fields=["partner", "quarter"], name="tierchange_one_per_q"),
        ]

    def __str__(self):
        return f"{self.partner} {self.quarter:%Y-%m}"


class PartnerSettlementQuerySet(ScopedQuerySet):
    scope_owner_path = "partner__manager"


class PartnerSettlement(models.Model):
    """A partner's commission statement for one month. Recomputed every night while open;
    finance closes it once paid, after which it never changes."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("statement status", "Open")
        CLOSED = "closed", _("Closed (paid)")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="settlements"
    )
    month = models.DateField(_("month"))
    plan = models.ForeignKey(
        AgentCommissionPlan,
        verbose_name=_("commission plan"),
        on_delete=models.PROTECT,
        related_name="settlements",
    )
    base_amount = models.DecimalField(_("base this month"), **MONEY)
    quarter_base = models.DecimalField(_("quarter's base to date"), **MONEY)
    total = models.DecimalField(_("commission"), **MONEY)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default="open")
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    objects = PartnerSettlementQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "partner"]
        verbose_name = _("partner settlement")
        verbose_name_plural = _("partner settlements")
        constraints = [
            models.UniqueConstraint(fields=["partner", "month"], name="settlement_one_per_month"),
        ]

    def __str__(self):
        return f"{self.partner} {self.month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("channels:settlement_detail", args=[self.pk])


class PartnerSettlementLine(StatementLine):
    """A line of a partner settlement; its contract, payment, refund, base and commission
    fields are those of a rep's commission line (``performance.models.StatementLine``)."""

    class Kind(models.TextChoices):
        SIGNED = "signed", _("Contract signed")
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund (clawback)")
        UPLIFT = "uplift", _("Tier reached: earlier months of the quarter re-rated")
        CORRECTION = "correction", _("Correction of a row on a paid settlement")

    settlement = models.ForeignKey(
        PartnerSettlement,
        verbose_name=_("settlement"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    occurred_on = models.DateField(_("date"), null=True, blank=True)
    rate = models.DecimalField(_("rate"), max_digits=8, decimal_places=6)

    class Meta:
        ordering = ["settlement", "occurred_on", "id"]
        verbose_name = _("settlement line")
        verbose_name_plural = _("settlement lines")

    def __str__(self):
        return f"{self.get_kind_display()} {self.amount}"

    @property
    def is_late(self) -> bool:
        """Dated in an earlier month whose settlement was already closed (paid)."""
        return bool(self.occurred_on) and self.occurred_on < self.settlement.month

    @property
    def rate_percent(self):
        return round_percent(self.rate * 100)


class PartnerReview(models.Model):
    """The director's quarterly decision on a partner: keep, warn or end."""

    class Decision(models.TextChoices):
        KEEP = "keep", _("Keep")
        WARN = "warn", _("Warn")
        END = "end", _("End the partnership")

    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="reviews"
    )
    quarter = models.DateField(_("quarter (first day)"))
    decision = models.CharField(_("decision"), max_length=8, choices=Decision.choices)
    comment = models.TextField(_("comment"), max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    class Meta:
        ordering = ["-quarter", "partner"]
        verbose_name = _("partner review")
        verbose_name_plural = _("partner reviews")
        constraints = [
            models.UniqueConstraint(fields=["partner", "quarter"], name="review_one_per_quarter"),
        ]

    def __str__(self):
        return f"{self.partner} {self.quarter:%Y-%m} {self.decision}"


# --- events -----------------------------------------------------------------------------------


class EventQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # Events are the whole sales team's: every sales role sees them; a rep checks in
        # attendees at the door of any event.
        if user.is_authenticated and user.is_active and user.has_role(*SALES):
            return self.all()
        return self.filter(visible_q(user, "owner"))


class Event(models.Model):
    class Kind(models.TextChoices):
        OPEN_CLASS = "open_class", _("Open class")
        LIVE_STREAM = "live_stream", _("Live stream")
        TRIAL_DAY = "trial_day", _("Trial-class day")
        SEMINAR = "seminar", _("Seminar")
        OPEN_DAY = "open_day", _("Campus open day")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    link = models.URLField(_("online link"), blank=True)
    capacity = models.PositiveIntegerField(
        _("capacity"), default=50, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    speaker = models.CharField(_("speaker"), max_length=100, blank=True)
    cost = models.DecimalField(_("cost"), **MONEY, default=0, validators=amount_validators())
    campaign = models.ForeignKey(
        "leads.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    channel = models.ForeignKey(
        "leads.Channel", verbose_name=_("channel"), on_delete=models.PROTECT, related_name="events"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    public_key = models.UUIDField(_("public key"), default=uuid.uuid4, unique=True, editable=False)
    follow_ups_made_at = models.DateTimeField(_("follow-ups made at"), null=True, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__gte=0),
                name="event_cost_not_negative",
                violation_error_message=_("The cost cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(capacity__gte=1),
                name="event_capacity_positive",
                violation_error_message=_("The capacity is at least 1."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("channels:event_detail", args=[self.pk])

    def public_url(self):
        return reverse("channels:event_register", args=[self.public_key])


class EventRegistration(models.Model):
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("lead"),
        on_delete=models.CASCADE,
        related_name="event_registrations",
    )
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    registered_at = models.DateTimeField(_("registered at"), default=timezone.now)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked in by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "lead"], name="registration_once_per_lead"),
        ]

    def __str__(self):
        return f"{self.name} · {self.event_id}"


# --- campaigns --------------------------------------------------------------------------------


class CampaignGoal(models.Model):
    """What a campaign (leads.Campaign) set out to do, its budget, and the director's
    retirement mark."""

    campaign = models.OneToOneField(
        "leads.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="goal"
    )
    goal_leads = models.PositiveIntegerField(
        _("goal: leads"), default=0, validators=[MaxValueValidator(1_000_000)]
    )
    goal_attendees = models.PositiveIntegerField(
        _("goal: attendees"), default=0, validators=[MaxValueValidator(1_000_000)]
    )
    goal_signed_amount = models.DecimalField(
        _("goal: signed amount"), **MONEY, default=0, validators=amount_validators()
    )
    budget = models.DecimalField(_("budget"), **MONEY, default=0, validators=amount_validators())
    retired_on = models.DateField(_("marked for retirement on"), null=True, blank=True)
    retire_comment = models.CharField(_("why retired"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("campaign goal")
        verbose_name_plural = _("campaign goals")
        constraints = [
            models.CheckConstraint(
                condition=Q(budget__gte=0) & Q(goal_signed_amount__gte=0),
                name="campaigngoal_money_not_negative",
                violation_error_message=_("Amounts cannot be negative."),
            ),
        ]

    def __str__(self):
        return str(self.campaign)


class CampaignCost(models.Model):
    campaign = models.ForeignKey(
        "leads.Campaign", verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="costs"
    )
    spent_on = models.DateField(_("date"), validators=[validate_business_date])
    description = models.CharField(_("what"), max_length=200)
    amount = models.DecimalField(_("amount"), **MONEY, validators=amount_validators(positive=True))

    class Meta:
        ordering = ["campaign", "spent_on", "id"]
        verbose_name = _("campaign cost line")
        verbose_name_plural = _("campaign cost lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="campaigncost_amount_positive",
                violation_error_message=_("A cost line is more than zero."),
            ),
        ]

    def __str__(self):
        return f"{self.description} {self.amount}"


# --- referral rewards -------------------------------------------------------------------------


class ReferralRewardPolicy(models.Model):
    """What a referring customer earns when the referred customer signs (one row, admin)."""

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed amount")
        PERCENT = "percent", _("Percentage of the signed contract")
        LESSONS = "lessons", _("Free lessons")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.FIXED)
    amount = models.DecimalField(
        _("fixed amount"), **MONEY, default=500, validators=amount_validators()
    )
    percent = models.DecimalField(_("percentage"), **RATE, default=0, validators=rate_validators)
    lessons = models.PositiveIntegerField(
        _("free lessons"), default=0, validators=[MaxValueValidator(MAX_LESSONS)]
    )

    class Meta:
        verbose_name = _("referral reward policy")
        verbose_name_plural = _("referral reward policy")

    def __str__(self):
        return self.get_kind_display()

    @classmethod
    def load(cls) -> "ReferralRewardPolicy":
        return cls.objects.order_by("pk").first() or cls.objects.create()


class ReferralRewardQuerySet(ScopedQuerySet):
    scope_owner_path = "contract__owner"


class ReferralReward(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        APPROVED = "approved", _("Approved")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")

    referral = models.OneToOneField(
        "customers.Referral",
        verbose_name=_("referral"),
        on_delete=models.PROTECT,
        related_name="reward",
    )
    contract = models.ForeignKey(
        "customers.Contract",
        verbose_name=_("first signed contract"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    referrer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("referring customer"),
        on_delete=models.PROTECT,
        related_name="referral_rewards",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ReferralRewardPolicy.Kind.choices)
    amount = models.DecimalField(_("amount"), **MONEY, default=0)
    lessons = models.PositiveIntegerField(_("free lessons"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PROPOSED
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    objects = ReferralRewardQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at"]
        verbose_name = _("referral reward")
        verbose_name_plural = _("referral rewards")

    def __str__(self):
        return f"{self.referrer} · {self.contract}"


class CampaignMember(models.Model):
    """A lead or a customer put on a campaign's list (to invite, call or mail) from the lead
    or customer list's bulk action. It does not change where the lead came from
    (Lead.campaign, which the campaign's ROI reads)."""

    campaign = models.ForeignKey(
        "leads.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="members",
    )
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("lead"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        ordering = ["added_at", "id"]
        verbose_name = _("campaign member")
        verbose_name_plural = _("campaign members")
        constraints = [
            models.CheckConstraint(
                condition=Q(lead__isnull=False, customer__isnull=True)
                | Q(lead__isnull=True, customer__isnull=False),
                name="campaignmember_lead_or_customer",
                violation_error_message=_("A member is a lead or a customer."),
            ),
            models.UniqueConstraint(fields=["campaign", "lead"], name="campaignmember_lead_once"),
            models.UniqueConstraint(
                fields=["campaign", "customer"], name="campaignmember_customer_once"
            ),
        ]

    def __str__(self):
        return f"{self.campaign_id}: {self.lead_id or self.customer_id}"
