"""Tier changes of customers."""

from django.conf import settings
from django.db import models
from django.db.models import (
    Q,
)
from django.utils.translation import gettext_lazy as _

from .customers import Customer, Tier


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
