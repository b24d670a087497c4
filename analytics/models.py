from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from leads.models import Lead


class AnalyticsSettings(models.Model):
    """One row (pk=1) of admin-set knobs of the analyses."""

    coverage_ratio = models.DecimalField(
        _("pipeline coverage alert below (×)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("3.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_(
            "The nightly job alerts a rep and their manager when the weighted open pipeline is "
            "below this multiple of the month's remaining target."
        ),
    )

    trend_periods = models.PositiveSmallIntegerField(
        _("trend alert after (months of decline)"),
        default=3,
        validators=[MinValueValidator(2), MaxValueValidator(12)],
        help_text=_(
            "The nightly job alerts a rep and their manager when a KPI has worsened this many "
            "months in a row."
        ),
    )

    class Meta:
        verbose_name = _("analytics settings")
        verbose_name_plural = _("analytics settings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(coverage_ratio__gte=0) & models.Q(coverage_ratio__lte=100),
                name="analyticssettings_coverage_ratio_range",
                violation_error_message=_("The coverage ratio must be between 0 and 100."),
            )
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> "AnalyticsSettings":
        """The saved settings, or the defaults (unsaved: a page that reads them writes
        nothing)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class StageWeight(models.Model):
    """The share of the closed leads that reached a stage which were won: the weight of an
    open lead at that stage in the weighted pipeline. Replaced every night."""

    stage = models.CharField(_("stage"), max_length=16, choices=Lead.Stage.choices, unique=True)
    closed = models.PositiveIntegerField(_("closed leads that reached it"))
    won = models.PositiveIntegerField(_("of them won"))
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=4)
    computed_on = models.DateField(_("computed for"))

    class Meta:
        ordering = ["stage"]
        verbose_name = _("stage weight")
        verbose_name_plural = _("stage weights")

    def __str__(self):
        return f"{self.get_stage_display()}: {self.weight}"
