"""Receivables: instalments, payments, dunning, lessons delivered and refunds."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    Value,
    When,
)
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from customers import ageing
from salescrm.bounds import MAX_AMOUNT, MAX_LESSONS, amount_validators
from salescrm.scoping import ScopedQuerySet
from salescrm.timeutil import validate_business_date

from .common import MONEY, TOO_LARGE, ZERO, money_sum
from .contracts import Contract, ContractLine


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
    sequence = models.PositiveSmallIntegerField(pgettext_lazy("instalment", "no."))
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
        EMAIL = "email", pgettext_lazy("dunning channel", "Email")
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
