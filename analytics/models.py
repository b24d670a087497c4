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


class WinModelRun(models.Model):
    """One nightly training of the win-probability model (``analytics.winprob``): what it
    learned from and how well it did on the last quarter held out. One row per business date
    (a rerun replaces it)."""

    class Status(models.TextChoices):
        OK = "ok", _("Model trained")
        NOT_ENOUGH = "not_enough", _("Not enough history")

    run_on = models.DateField(_("business date"), unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    training_rows = models.PositiveIntegerField(_("closed leads learned from"), default=0)
    training_won = models.PositiveIntegerField(_("of them won"), default=0)
    holdout_rows = models.PositiveIntegerField(_("closed leads held out (last quarter)"), default=0)
    holdout_won = models.PositiveIntegerField(_("held-out leads won"), default=0)
    auc = models.DecimalField(
        _("back-test AUC"), max_digits=5, decimal_places=4, null=True, blank=True
    )
    # [{"decile": 1, "leads": n, "predicted": 0.0312, "observed": 0.0250}, …] of the hold-out
    calibration = models.JSONField(_("calibration by decile"), default=list, blank=True)
    scored = models.PositiveIntegerField(_("open leads scored"), default=0)
    seconds = models.DecimalField(_("training time (s)"), max_digits=8, decimal_places=2, default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        ordering = ["-run_on"]
        verbose_name = _("win-probability model run")
        verbose_name_plural = _("win-probability model runs")

    def __str__(self):
        return f"{self.run_on} · {self.get_status_display()}"


class LeadWinProbability(models.Model):
    """The latest model's probability that an open lead will be won, with its top factors.
    Replaced in bulk every night; empty when there is no model."""

    lead = models.OneToOneField(
        Lead,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="win_probability",
        verbose_name=_("lead"),
    )
    probability = models.DecimalField(_("win probability"), max_digits=5, decimal_places=4)
    # [["trial", 1], ["age", -1], …]: the features that moved it most, with their direction
    factors = models.JSONField(_("top factors"), default=list, blank=True)
    run = models.ForeignKey(
        WinModelRun, on_delete=models.CASCADE, related_name="+", verbose_name=_("model run")
    )

    class Meta:
        verbose_name = _("lead win probability")
        verbose_name_plural = _("lead win probabilities")

    def __str__(self):
        return f"{self.lead_id}: {self.probability}"
