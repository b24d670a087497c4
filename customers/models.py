"""Customers, contracts and their approval chain, payments, refunds and service (SPEC §3)."""

import datetime as dt
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import (
    Case,
    DateField,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Range
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from salescrm.bounds import MAX_AMOUNT, MAX_DAYS, MAX_LESSONS, MAX_QUANTITY, amount_validators
from salescrm.permissions import role_of
from salescrm.roles import Role
from salescrm.scoping import ScopedQuerySet, managed_team_ids
from salescrm.timeutil import validate_business_date

from . import ageing

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")
TOO_LARGE = _("An amount can be at most 99,999,999.99.")


def money_sum(expression):
    return Coalesce(Sum(expression), Value(ZERO), output_field=DecimalField(**MONEY))


# --- admin-set rules ----------------------------------------------------------------------


class ApprovalPolicy(models.Model):
    """Which approval steps a contract needs, and the renewal window. The newest row applies."""

    legal_above_amount = models.DecimalField(
        _("legal review above amount"),
        **MONEY,
        default=Decimal("50000.00"),
        validators=amount_validators(),
        help_text=_("Contracts whose total exceeds this amount go to legal review."),
    )
    max_discount_junior = models.DecimalField(
        _("discount authority of a junior rep"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.0500"),
    )
    max_discount_intermediate = models.DecimalField(
        _("discount authority of an intermediate rep"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.1000"),
    )
    max_discount_senior = models.DecimalField(
        _("discount authority of a senior rep"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.1500"),
    )
    renewal_window_days = models.PositiveIntegerField(
        _("renewal window (days)"),
        default=30,
        validators=[MaxValueValidator(MAX_DAYS)],
        help_text=_(
            "A new contract counts as a renewal when it starts at most this many days before or after the end of a signed course of the same customer; the renewal rate uses the same rule."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("approval policy")
        verbose_name_plural = _("approval policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(legal_above_amount__gte=0)
                & Q(max_discount_junior__gte=0, max_discount_junior__lte=1)
                & Q(max_discount_intermediate__gte=0, max_discount_intermediate__lte=1)
                & Q(max_discount_senior__gte=0, max_discount_senior__lte=1),
                name="approvalpolicy_sane_limits",
                violation_error_message=_(
                    "The legal review amount cannot be negative and each discount authority "
                    "lies between 0 and 1."
                ),
            )
        ]

    def __str__(self):
        return f"{_('approval policy')} #{self.pk}"

    @classmethod
    def current(cls) -> "ApprovalPolicy":
        return cls.objects.order_by("-id").first() or cls()

    def discount_authority(self, user) -> Decimal:
        return {
            "junior": self.max_discount_junior,
            "intermediate": self.max_discount_intermediate,
            "senior": self.max_discount_senior,
        }.get(user.seniority, self.max_discount_junior)


class TierPolicy(models.Model):
    """Weights and thresholds of the customer value score (SPEC §3). The newest row applies.

    score = signed_12m / amount_unit × weight_signed
          + collected_12m / amount_unit × weight_collected
          + growth × weight_growth            (growth of signed amount vs. the 12 months before, −1..1)
          + punctuality × weight_punctuality  (share of instalments due in 12 months paid on time, 0..1)
          + referrals × weight_referrals      (referral leads naming the customer, 12 months)
    """

    amount_unit = models.DecimalField(_("amount unit"), **MONEY, default=Decimal("10000.00"))
    weight_signed = models.DecimalField(
        _("weight of signed amount"), max_digits=6, decimal_places=2, default=Decimal("1.00")
    )
    weight_collected = models.DecimalField(
        _("weight of collected amount"), max_digits=6, decimal_places=2, default=Decimal("1.00")
    )
    weight_growth = models.DecimalField(
        _("weight of growth"), max_digits=6, decimal_places=2, default=Decimal("5.00")
    )
    weight_punctuality = models.DecimalField(
        _("weight of payment punctuality"), max_digits=6, decimal_places=2, default=Decimal("5.00")
    )
    weight_referrals = models.DecimalField(
        _("weight per referral"), max_digits=6, decimal_places=2, default=Decimal("3.00")
    )
    strategic_min_score = models.DecimalField(
        _("strategic from score"), max_digits=10, decimal_places=2, default=Decimal("40.00")
    )
    core_min_score = models.DecimalField(
        _("core from score"), max_digits=10, decimal_places=2, default=Decimal("10.00")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("tier policy")
        verbose_name_plural = _("tier policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_unit__gt=0) & Q(strategic_min_score__gt=F("core_min_score")),
                name="tierpolicy_sane_thresholds",
                violation_error_message=_(
                    "The amount unit must be more than zero and the strategic score above the "
                    "core score."
                ),
            )
        ]

    def __str__(self):
        return f"{_('tier policy')} #{self.pk}"

    @classmethod
    def current(cls) -> "TierPolicy":
        return cls.objects.order_by("-id").first() or cls()


# --- customers ----------------------------------------------------------------------------


class Tier(models.TextChoices):
    STRATEGIC = "strategic", _("Strategic")
    CORE = "core", _("Core")
    ORDINARY = "ordinary", _("Ordinary")


class CustomerQuerySet(ScopedQuerySet):
    def with_money(self):
        return self.annotate(
            signed_total=money_sum(
                Case(
                    When(
                        contracts__status__in=Contract.SIGNED_STATES,
                        then=F("contracts__total_amount"),
                    )
                )
            )
        )


class Customer(models.Model):
    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        ENTERPRISE = "enterprise", _("Enterprise")

    lead = models.OneToOneField(
        "leads.Lead",
        verbose_name=_("source lead"),
        on_delete=models.PROTECT,
        related_name="customer",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="customers",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INDIVIDUAL)
    name = models.CharField(_("name"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    payer_name = models.CharField(_("payer / decision maker"), max_length=100, blank=True)
    payer_phone = models.CharField(_("payer phone"), max_length=32, blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.ORDINARY)
    tier_score = models.DecimalField(
        _("value score"), max_digits=12, decimal_places=2, default=ZERO
    )
    tier_override = models.CharField(
        _("tier override"),
        max_length=16,
        choices=Tier.choices,
        null=True,
        blank=True,
        help_text=_("Set by a manager; stays until removed."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CustomerQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        indexes = [models.Index(fields=["owner", "-created_at"], name="customer_owner_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("customers:detail", args=[self.pk])

    @property
    def effective_tier(self) -> str:
        return self.tier_override or self.tier

    def get_effective_tier_display(self):
        return Tier(self.effective_tier).label


class ContactQuerySet(ScopedQuerySet):
    scope_owner_path = "customer__owner"


class Contact(models.Model):
    """A person at the customer: the learner, a parent, an enterprise's HR or training manager."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=100)
    title = models.CharField(_("title / relation"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_payer = models.BooleanField(_("payer or decision maker"), default=False)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["customer", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name


class Referral(models.Model):
    """A lead that this customer brought in (老带新). Leads never point at customers, so the
    link lives here; it counts towards the customer's value score."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("referred by"), on_delete=models.CASCADE, related_name="referrals"
    )
    lead = models.OneToOneField(
        "leads.Lead",
        verbose_name=_("referred lead"),
        on_delete=models.CASCADE,
        related_name="referral",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")

    def __str__(self):
        return f"{self.customer} → {self.lead}"


class TierChange(models.Model):
    """Every up- or downgrade of a customer's tier, computed or manual, with its reason."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="tier_changes"
    )
    from_tier = models.CharField(_("from"), max_length=16, choices=Tier.choices, blank=True)
    to_tier = models.CharField(_("to"), max_length=16, choices=Tier.choices, blank=True)
    score = models.DecimalField(
        _("value score"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    reason = models.TextField(_("reason"))
    is_override = models.BooleanField(_("manual override"), default=False)
    evaluated_on = models.DateField(_("evaluated on"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tier change")
        verbose_name_plural = _("tier changes")
        constraints = [
            # The monthly job records a computed change once per customer and day.
            models.UniqueConstraint(
                fields=["customer", "evaluated_on"],
                condition=Q(is_override=False),
                name="tierchange_once_per_evaluation",
                violation_error_message=_("This customer's tier was already evaluated that day."),
            )
        ]

    def __str__(self):
        return f"{self.customer}: {self.from_tier} → {self.to_tier}"


# --- products and contracts ---------------------------------------------------------------


class Product(models.Model):
    name = models.CharField(_("name"), max_length=200)
    product_line = models.ForeignKey(
        "salescrm.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    list_price = models.DecimalField(_("list price"), **MONEY, validators=amount_validators())
    lessons = models.PositiveIntegerField(
        _("lessons / hours"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LESSONS)],
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["product_line", "name"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.CheckConstraint(
                condition=Q(list_price__gte=0),
                name="product_price_not_negative",
                violation_error_message=_("The list price cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(list_price__lte=MAX_AMOUNT),
                name="product_price_within_limit",
                violation_error_message=TOO_LARGE,
            ),
        ]

    def __str__(self):
        return self.name


def continues(*, starts_on, ends_on, window_days: int) -> Range:
    """The renewal rule, the one place it is written (the flag on a contract, the renewal rate
    and the strategic-customer renewal all read it): a contract starting on `starts_on`
    continues a course ending on `ends_on` when it starts at most N days (the admin's renewal
    window) before or after that end. A second course bought while the first still runs for
    longer than that is a parallel purchase; one starting more than N days after the end is a
    customer coming back, not continuing. With N = 30, a course ending 30 June is continued by
    a contract starting between 31 May and 30 July. Either side is a date or an expression
    (F, OuterRef) naming the other contract's column."""

    def as_expression(value):
        if hasattr(value, "resolve_expression"):
            return value
        return Value(value, output_field=DateField())

    window = dt.timedelta(days=window_days)
    end = as_expression(ends_on)
    return Range(
        as_expression(starts_on),
        (
            ExpressionWrapper(end - window, output_field=DateField()),
            ExpressionWrapper(end + window, output_field=DateField()),
        ),
    )


class ContractQuerySet(ScopedQuerySet):
    def signed_between(self, first: dt.date, last: dt.date):
        return self.filter(status__in=Contract.SIGNED_STATES, signed_on__range=(first, last))

    def signed_by(self, day: dt.date):
        return self.filter(status__in=Contract.SIGNED_STATES, signed_on__lte=day)

    def continued_by(self, *, starts_on: dt.date, window_days: int | None = None):
        """The signed contracts whose course a contract starting on `starts_on` continues
        (``continues``): it is a renewal when there is one."""
        if window_days is None:
            window_days = ApprovalPolicy.current().renewal_window_days
        return self.filter(status__in=Contract.SIGNED_STATES).filter(
            continues(starts_on=starts_on, ends_on=F("ends_on"), window_days=window_days)
        )

    def with_renewed(self, *, by: dt.date, window_days: int | None = None):
        """Annotate `renewed`: the customer signed, by the end of `by`, another contract that
        continues this one's course (``continues``)."""
        if window_days is None:
            window_days = ApprovalPolicy.current().renewal_window_days
        later = (
            Contract.objects.signed_by(by)
            .filter(customer=OuterRef("customer_id"))
            .exclude(pk=OuterRef("pk"))
            .filter(
                continues(
                    starts_on=F("starts_on"), ends_on=OuterRef("ends_on"), window_days=window_days
                )
            )
        )
        return self.annotate(renewed=Exists(later))

    def with_collected(self):
        return self.annotate(collected=money_sum("payments__amount"))


class Contract(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Pending approval")
        APPROVED = "approved", _("Approved")
        SIGNED = "signed", _("Signed")
        ARCHIVED = "archived", _("Archived")

    class PaymentMethod(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("Bank transfer")
        WECHAT_PAY = "wechat_pay", _("WeChat Pay")
        ALIPAY = "alipay", _("Alipay")
        CARD = "card", _("Card")
        CASH = "cash", _("Cash")

    SIGNED_STATES = (Status.SIGNED, Status.ARCHIVED)

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    number = models.CharField(_("number"), max_length=32, unique=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    total_amount = models.DecimalField(_("total amount"), **MONEY, default=ZERO)
    training_content = models.TextField(_("training content"), blank=True)
    schedule = models.TextField(_("schedule"), blank=True)
    payment_method = models.CharField(
        _("payment method"),
        max_length=16,
        choices=PaymentMethod.choices,
        default=PaymentMethod.BANK_TRANSFER,
    )
    invoice_needed = models.BooleanField(_("invoice needed"), default=False)
    invoice_title = models.CharField(_("invoice title / tax number"), max_length=200, blank=True)
    non_standard_terms = models.BooleanField(
        _("non-standard terms"),
        default=False,
        help_text=_("Non-standard terms always go to legal review."),
    )
    special_terms = models.TextField(_("special terms"), blank=True)
    starts_on = models.DateField(_("course starts on"), validators=[validate_business_date])
    ends_on = models.DateField(_("course ends on"), validators=[validate_business_date])
    is_renewal = models.BooleanField(_("renewal"), default=False)
    approval_round = models.PositiveIntegerField(_("approval round"), default=0)
    last_rejection = models.TextField(_("last rejection comment"), blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    archived_on = models.DateField(_("archived on"), null=True, blank=True)
    service_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("after-sales contact"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="serviced_contracts",
    )
    handed_off_at = models.DateTimeField(_("handed off at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ContractQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        constraints = [
            models.CheckConstraint(
                condition=Q(total_amount__gte=0),
                name="contract_total_not_negative",
                violation_error_message=_("The contract total cannot be negative."),
            ),
            # Pages compute on stored totals; a bounded total keeps every sum and ratio finite.
            models.CheckConstraint(
                condition=Q(total_amount__lte=MAX_AMOUNT),
                name="contract_total_within_limit",
                violation_error_message=TOO_LARGE,
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="contract_period_ordered",
                violation_error_message=_("The course cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["signed", "archived"]) | Q(signed_on__isnull=False),
                name="contract_signed_has_date",
                violation_error_message=_("A signed contract needs its signing date."),
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"], name="contract_owner_status_idx"),
            models.Index(fields=["status", "signed_on"], name="contract_status_signed_idx"),
        ]

    def __str__(self):
        return self.number

    def get_absolute_url(self):
        return reverse("customers:contract_detail", args=[self.pk])


class ContractLineQuerySet(ScopedQuerySet):
    scope_owner_path = "contract__owner"


class ContractLine(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1), MaxValueValidator(MAX_QUANTITY)]
    )
    list_price = models.DecimalField(_("list price"), **MONEY, validators=amount_validators())
    discount_rate = models.DecimalField(
        _("discount rate"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("0.15 means 15 percent off the list price."),
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=amount_validators())
    lessons_total = models.PositiveIntegerField(_("lessons / hours"), null=True, blank=True)
    lessons_delivered = models.PositiveIntegerField(_("lessons delivered"), default=0)

    objects = ContractLineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "id"]
        verbose_name = _("contract line")
        verbose_name_plural = _("contract lines")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1),
                name="contractline_quantity_positive",
                violation_error_message=_("The quantity must be at least 1."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__lte=MAX_QUANTITY),
                name="contractline_quantity_within_limit",
                violation_error_message=_("The quantity can be at most 10,000."),
            ),
            models.CheckConstraint(
                condition=Q(list_price__gte=0) & Q(amount__gte=0),
                name="contractline_money_not_negative",
                violation_error_message=_("Prices and amounts cannot be negative."),
            ),
            models.CheckConstraint(
                condition=Q(list_price__lte=MAX_AMOUNT) & Q(amount__lte=MAX_AMOUNT),
                name="contractline_money_within_limit",
                violation_error_message=TOO_LARGE,
            ),
            models.CheckConstraint(
                condition=Q(discount_rate__gte=0, discount_rate__lte=1),
                name="contractline_discount_in_range",
                violation_error_message=_(
                    "A discount rate lies between 0 and 1 (0.15 = 15 percent off)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(lessons_total__isnull=True, lessons_delivered=0)
                | Q(lessons_delivered__lte=F("lessons_total")),
                name="contractline_delivery_within_lessons",
                violation_error_message=_("More lessons are delivered than the line holds."),
            ),
        ]

    def __str__(self):
        return f"{self.contract} · {self.product}"

    @property
    def lessons_unused(self) -> int | None:
        if self.lessons_total is None:
            return None
        return self.lessons_total - self.lessons_delivered


class InstalmentQuerySet(ScopedQuerySet):
    scope_owner_path = "contract__owner"

    def receivable(self):
        """Instalments of signed contracts that are not fully paid (written as the outstanding
        amount above 0, the expression of ``instalment_outstanding_idx``)."""
        return self.alias(
            unpaid=ExpressionWrapper(
                F("amount") - F("paid_amount"), output_field=DecimalField(**MONEY)
            )
        ).filter(contract__status__in=Contract.SIGNED_STATES, unpaid__gt=0)

    def with_ageing(self, as_of: dt.date):
        """Annotate `outstanding` and `bucket` (the code of its ``ageing.BUCKETS`` entry:
        "current", "1-30", "31-60", "61-90", "90+") as of a day."""
        return self.annotate(
            outstanding=ExpressionWrapper(
                F("amount") - F("paid_amount"), output_field=DecimalField(**MONEY)
            ),
            bucket=Case(
                *(
                    When(
                        due_on__gte=as_of - dt.timedelta(days=bucket.max_days),
                        then=Value(bucket.code),
                    )
                    for bucket in ageing.BUCKETS
                    if bucket.max_days is not None
                ),
                default=Value(ageing.BUCKETS[-1].code),
                output_field=models.CharField(),
            ),
        )

    def ageing_totals(self, as_of: dt.date, group_by: str = "contract__owner"):
        """Outstanding amounts per `group_by` in the ageing buckets of `with_ageing`, one query."""
        return (
            self.receivable()
            .with_ageing(as_of)
            .values(group_by)
            .annotate(
                total=money_sum("outstanding"),
                **{
                    bucket.key: money_sum(Case(When(bucket=bucket.code, then=F("outstanding"))))
                    for bucket in ageing.BUCKETS
                },
            )
            .order_by(group_by)
        )


class Instalment(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="instalments"
    )
    sequence = models.PositiveSmallIntegerField(_("no."))
    due_on = models.DateField(_("due on"), validators=[validate_business_date])
    amount = models.DecimalField(_("amount"), **MONEY, validators=amount_validators(positive=True))
    paid_amount = models.DecimalField(_("paid"), **MONEY, default=ZERO)
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)

    objects = InstalmentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "sequence"]
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="instalment_amount_positive",
                violation_error_message=_("Every instalment must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(amount__lte=MAX_AMOUNT),
                name="instalment_amount_within_limit",
                violation_error_message=TOO_LARGE,
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=F("amount")),
                name="instalment_not_overpaid",
                violation_error_message=_(
                    "The paid amount lies between zero and the instalment's amount."
                ),
            ),
            models.UniqueConstraint(
                fields=["contract", "sequence"], name="instalment_sequence_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["due_on"], name="instalment_due_idx"),
            # Receivables read only the unpaid few. An index on the outstanding amount finds
            # them, and its statistics tell the planner how few they are (it cannot estimate
            # "paid_amount < amount" and would scan every contract to join them).
            models.Index(F("amount") - F("paid_amount"), name="instalment_outstanding_idx"),
            # The nightly overdue check looks at the unpaid instalments not yet flagged, and at
            # the flagged ones (to clear those paid since): a few among all instalments ever.
            models.Index(
                fields=["due_on"],
                name="instalment_unflagged_due_idx",
                condition=Q(overdue_since__isnull=True, paid_amount__lt=F("amount")),
            ),
            models.Index(
                fields=["overdue_since"],
                name="instalment_flagged_idx",
                condition=Q(overdue_since__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.contract} #{self.sequence}"

    @property
    def outstanding_amount(self) -> Decimal:
        return self.amount - self.paid_amount


class PaymentQuerySet(ScopedQuerySet):
    scope_owner_path = "contract__owner"


class Payment(models.Model):
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="payments"
    )
    instalment = models.ForeignKey(
        Instalment, verbose_name=_("instalment"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=amount_validators(positive=True))
    received_on = models.DateField(_("received on"), validators=[validate_business_date])
    method = models.CharField(_("method"), max_length=16, choices=Contract.PaymentMethod.choices)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = PaymentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message=_("The amount must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(amount__lte=MAX_AMOUNT),
                name="payment_amount_within_limit",
                violation_error_message=TOO_LARGE,
            ),
        ]
        indexes = [models.Index(fields=["received_on"], name="payment_received_idx")]

    def __str__(self):
        return f"{self.contract} · {self.amount}"

    def get_absolute_url(self):
        return reverse("customers:payment_detail", args=[self.pk])


class DunningRecordQuerySet(ScopedQuerySet):
    scope_owner_path = "instalment__contract__owner"


class DunningRecord(models.Model):
    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone")
        EMAIL = "email", _("Email")
        VISIT = "visit", _("Visit")
        AGENCY = "agency", _("Collection agency")

    instalment = models.ForeignKey(
        Instalment, verbose_name=_("instalment"), on_delete=models.CASCADE, related_name="dunning"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    occurred_on = models.DateField(_("date"), validators=[validate_business_date])
    note = models.TextField(_("note"), blank=True)
    next_action_on = models.DateField(
        _("next action on"), null=True, blank=True, validators=[validate_business_date]
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DunningRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("dunning record")
        verbose_name_plural = _("dunning records")

    def __str__(self):
        return f"{self.instalment} · {self.get_kind_display()}"


class LessonDelivery(models.Model):
    """Attendance recorded by service against a course line (so the unused part is known)."""

    line = models.ForeignKey(
        ContractLine,
        verbose_name=_("contract line"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    lessons = models.PositiveIntegerField(
        _("lessons / hours"), validators=[MinValueValidator(1), MaxValueValidator(MAX_LESSONS)]
    )
    delivered_on = models.DateField(_("delivered on"), validators=[validate_business_date])
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("lesson delivery")
        verbose_name_plural = _("lesson deliveries")
        constraints = [
            models.CheckConstraint(
                condition=Q(lessons__gte=1),
                name="lessondelivery_positive",
                violation_error_message=_("Record at least one lesson."),
            )
        ]

    def __str__(self):
        return f"{self.line} · {self.lessons}"


class RefundQuerySet(ScopedQuerySet):
    scope_owner_path = "contract__owner"

    def confirmed_between(self, first: dt.date, last: dt.date):
        return self.filter(status=Refund.Status.CONFIRMED, confirmed_on__range=(first, last))


class Refund(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(_("amount"), **MONEY, validators=amount_validators(positive=True))
    proposed_amount = models.DecimalField(_("proposed from unused lessons"), **MONEY, default=ZERO)
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    comment = models.TextField(_("finance comment"), blank=True)

    objects = RefundQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="refund_amount_positive",
                violation_error_message=_("The amount must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(amount__lte=MAX_AMOUNT),
                name="refund_amount_within_limit",
                violation_error_message=TOO_LARGE,
            ),
            models.CheckConstraint(
                violation_error_message=_("A confirmed refund needs its confirmation date."),
                condition=~Q(status="confirmed") | Q(confirmed_on__isnull=False),
                name="refund_confirmed_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.contract} · {self.amount}"

    def get_absolute_url(self):
        return reverse("customers:contract_detail", args=[self.contract_id]) + f"#refund-{self.pk}"


# --- the approval chain -------------------------------------------------------------------


class ApprovalStepQuerySet(ScopedQuerySet):
    scope_owner_path = "contract__owner"

    def pending(self):
        return self.filter(decision=ApprovalStep.Decision.PENDING)

    def current(self):
        """The pending step of each pending contract that is next in line (lowest position)."""
        earlier_pending = ApprovalStep.objects.filter(
            contract=models.OuterRef("contract"),
            round=models.OuterRef("round"),
            decision=ApprovalStep.Decision.PENDING,
            position__lt=models.OuterRef("position"),
        )
        return (
            self.pending()
            .filter(contract__status=Contract.Status.PENDING, round=F("contract__approval_round"))
            .exclude(models.Exists(earlier_pending))
        )

    def actionable_by(self, user, today: dt.date):
        """The current steps `user` may decide: as holder of the step's role (the manager step
        only for the owner's team), or as an active deputy of such a reviewer. Never a step
        of the user's own contract. The SQL twin of ``customers.policy.reviews``: both read
        ``STEP_REVIEWERS``."""

        def reviewer_q(reviewer):
            q = Q(pk__in=[])
            for kind, rule in STEP_REVIEWERS.items():
                if rule.role == role_of(reviewer):
                    kind_q = Q(kind=kind)
                    if rule.owners_team_only:
                        kind_q &= Q(contract__owner__team_id__in=managed_team_ids(reviewer))
                    q |= kind_q
            return q & ~Q(contract__owner=reviewer)

        q = reviewer_q(user)
        for record in (
            ApprovalDeputy.objects.active_on(today).filter(deputy=user).select_related("reviewer")
        ):
            q |= reviewer_q(record.reviewer)
        return self.current().filter(q).exclude(contract__owner=user)


class ApprovalStep(models.Model):
    """One step of one approval round. Append-only: once decided, a step never changes (a
    database trigger refuses any UPDATE or DELETE of a decided row, migration 0002)."""

    class Kind(models.TextChoices):
        MANAGER = "manager", _("Sales manager review")
        DIRECTOR = "director", _("Sales director review (discount)")
        LEGAL = "legal", _("Legal review")
        FINANCE = "finance", _("Finance review")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled (recalled)")

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="steps"
    )
    round = models.PositiveIntegerField(_("round"))
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("as deputy of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ApprovalStepQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "round", "position"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "round", "position"], name="approvalstep_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(decision="pending", decided_at__isnull=True)
                | (~Q(decision="pending") & Q(decided_at__isnull=False)),
                name="approvalstep_decided_has_time",
                violation_error_message=_("A decided step needs its decision time."),
            ),
            models.CheckConstraint(
                condition=~Q(decision__in=["approved", "rejected"]) | Q(decided_by__isnull=False),
                name="approvalstep_decision_has_reviewer",
                violation_error_message=_("A decided step needs its reviewer."),
            ),
        ]
        indexes = [models.Index(fields=["kind", "decision"], name="approvalstep_inbox_idx")]

    def __str__(self):
        return f"{self.contract} · {self.get_kind_display()}"

    def get_absolute_url(self):
        return self.contract.get_absolute_url()


class StepReviewer(NamedTuple):
    role: Role
    owners_team_only: bool  # only a manager of the contract owner's team, not any holder


# Who decides each approval step (SPEC §3): the one role × step table. The policy
# (customers.policy), the inbox query (actionable_by) and the notifications all read it.
STEP_REVIEWERS: dict[str, StepReviewer] = {
    ApprovalStep.Kind.MANAGER: StepReviewer(Role.MANAGER, owners_team_only=True),
    ApprovalStep.Kind.DIRECTOR: StepReviewer(Role.DIRECTOR, owners_team_only=False),
    ApprovalStep.Kind.LEGAL: StepReviewer(Role.LEGAL, owners_team_only=False),
    ApprovalStep.Kind.FINANCE: StepReviewer(Role.FINANCE, owners_team_only=False),
}


class ApprovalDeputyQuerySet(models.QuerySet):
    def active_on(self, day: dt.date):
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class ApprovalDeputy(models.Model):
    """A reviewer out of office names a deputy until a date; the deputy may decide the
    reviewer's steps, and the decision records both names."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.CASCADE,
        related_name="deputies",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deputy"),
        on_delete=models.CASCADE,
        related_name="deputising_for",
    )
    starts_on = models.DateField(_("from"), validators=[validate_business_date])
    ends_on = models.DateField(_("until"), validators=[validate_business_date])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ApprovalDeputyQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("approval deputy")
        verbose_name_plural = _("approval deputies")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="deputy_period_ordered",
                violation_error_message=_("The end date lies before the start date."),
            ),
            models.CheckConstraint(
                condition=~Q(reviewer=F("deputy")),
                name="deputy_not_self",
                violation_error_message=_("A reviewer cannot be their own deputy."),
            ),
        ]

    def __str__(self):
        return f"{self.deputy} → {self.reviewer}"


# --- service ------------------------------------------------------------------------------


class ComplaintQuerySet(ScopedQuerySet):
    scope_owner_path = "customer__owner"

    def open(self):
        return self.filter(resolved_at__isnull=True)


class Complaint(models.Model):
    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        SEVERE = "severe", _("Severe")

    RESPONSE_HOURS = 24
    RESOLUTION_HOURS = 48

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.MEDIUM
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    response = models.TextField(_("first response"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("customers:complaint_detail", args=[self.pk])

    @property
    def respond_by(self):
        return self.opened_at + dt.timedelta(hours=self.RESPONSE_HOURS)

    @property
    def resolve_by(self):
        return self.opened_at + dt.timedelta(hours=self.RESOLUTION_HOURS)


class SurveyQuerySet(ScopedQuerySet):
    scope_owner_path = "customer__owner"


class SatisfactionSurvey(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="surveys"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    score = models.PositiveSmallIntegerField(_("satisfaction (1–5)"))
    nps = models.PositiveSmallIntegerField(_("recommendation (NPS 0–10)"))
    comment = models.TextField(_("comment"), blank=True)
    answered_on = models.DateField(_("answered on"), validators=[validate_business_date])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-answered_on", "-id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5),
                name="survey_score_1_5",
                violation_error_message=_("Satisfaction lies between 1 and 5."),
            ),
            models.CheckConstraint(
                condition=Q(nps__gte=0, nps__lte=10),
                name="survey_nps_0_10",
                violation_error_message=_("NPS lies between 0 and 10."),
            ),
        ]

    def __str__(self):
        return f"{self.customer} · {self.score}/{self.nps}"
