"""Products, contracts and their lines (SPEC §3)."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import (
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.lookups import Range
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from salescrm.bounds import MAX_AMOUNT, MAX_LESSONS, MAX_QUANTITY, amount_validators
from salescrm.scoping import ScopedQuerySet
from salescrm.timeutil import validate_business_date

from .common import MONEY, TOO_LARGE, ZERO, money_sum
from .policies import ApprovalPolicy


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
    is_active = models.BooleanField(pgettext_lazy("product", "active"), default=True)

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

    def with_lessons(self):
        """Annotate lessons bought and delivered over the course lines (subqueries, so the
        sums stay right beside other annotations over other relations)."""
        lines = (
            ContractLine.objects.filter(contract=OuterRef("pk"), lessons_total__isnull=False)
            .order_by()
            .values("contract")
        )
        return self.annotate(
            lessons_bought=Subquery(lines.annotate(n=Sum("lessons_total")).values("n")),
            lessons_delivered=Subquery(lines.annotate(n=Sum("lessons_delivered")).values("n")),
        )


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
        "Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
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
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

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
            # the contract list's order (-created_at, -id), first page without a sort (issue 21)
            models.Index(fields=["created_at", "id"], name="contract_created_list_idx"),
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
