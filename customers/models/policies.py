"""Admin-set rules: the approval thresholds and the tier thresholds."""

from decimal import Decimal

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import (
    F,
    Q,
)
from django.utils.translation import gettext_lazy as _

from salescrm.bounds import MAX_DAYS, amount_validators

from .common import MONEY


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
    archive_requires_signed_scan = models.BooleanField(
        _("archiving needs the signed scan"),
        default=False,
        help_text=_(
            "A signed contract can be archived only once the scan of the signed contract is "
            "uploaded to it."
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
