import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from leads.models import Lead
from performance.kpis import KPI_BY_CODE
from salescrm import notices
from salescrm.scoping import ScopedQuerySet


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

    improvement_after = models.PositiveSmallIntegerField(
        _("improvement plan after (failed months in a row)"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_(
            "The nightly job opens an improvement plan for a rep whose monthly scorecard was "
            "below the pass mark this many closed months in a row (seed 002: 连续多次绩效考核不合格)."
        ),
    )
    pass_score = models.DecimalField(
        _("scorecard pass mark"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("200"))],
        help_text=_("A monthly scorecard total below this fails (100 = every target met)."),
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


class AlertAnalysisQuerySet(ScopedQuerySet):
    scope_owner_path = "owner"

    def unanswered(self):
        return self.filter(answered_at__isnull=True)

    def late(self, today: dt.date):
        """Not answered by the end of the due date: late from the day after it."""
        return self.unanswered().filter(due_on__lt=today)


class AlertAnalysis(models.Model):
    """The written analysis an anomaly or trend alert asks for (seed 003: 异常数据需在两个工作日内
    提交分析报告). Opened by the nightly job for every KPI alert it finds, owned by the rep the
    alert is about, due two working days after the alert (the rhythm app's working calendar)."""

    class Kind(models.TextChoices):
        ANOMALY = "kpi_anomaly", _("Anomaly (over 20 % against last month)")
        TREND = "kpi_trend", _("Trend (worse several months in a row)")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("alert analysis", "Open")
        ANSWERED = "answered", _("Answered")
        LATE = "late", pgettext_lazy("alert analysis", "Late")

    key = models.CharField(_("alert"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    kpi = models.CharField(_("KPI"), max_length=40)
    month = models.DateField(_("month"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="alert_analyses",
    )
    summary = models.TextField(_("alert text"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    raised_on = models.DateField(_("raised on"))
    due_on = models.DateField(_("due on"))
    cause = models.TextField(_("cause"), blank=True)
    actions = models.TextField(_("actions taken"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = AlertAnalysisQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "-id"]
        verbose_name = _("alert analysis")
        verbose_name_plural = _("alert analyses")
        indexes = [models.Index(fields=["owner", "due_on"], name="alert_analysis_owner_due")]

    def __str__(self):
        return f"{self.key} · {self.owner}"

    def get_absolute_url(self):
        return reverse("analytics:analysis_detail", args=[self.pk])

    @property
    def kpi_label(self) -> str:
        kpi = KPI_BY_CODE.get(self.kpi)
        return str(kpi.label) if kpi else self.kpi

    def status_on(self, today: dt.date) -> str:
        if self.answered_at is not None:
            return self.Status.ANSWERED
        return self.Status.LATE if today > self.due_on else self.Status.OPEN

    @property
    def alert_text(self) -> str:
        """The alert's figures in the reader's language (as the inbox words them)."""
        rendered = notices.render(self.kind, self.params)
        return rendered[1] if rendered else self.summary

    @property
    def answered_late(self) -> bool:
        """Answered after the end of the due date (Shanghai time)."""
        if self.answered_at is None:
            return False
        return timezone.localdate(self.answered_at) > self.due_on


class ImprovementPlanQuerySet(ScopedQuerySet):
    scope_owner_path = "person"


class ImprovementPlan(models.Model):
    """A performance improvement plan (绩效改进计划, seed 002/004: 连续多次绩效考核不合格): opened
    by the nightly job when a rep's monthly scorecard failed the pass mark N closed months in a
    row; the manager sets its goals and review date and records the outcome."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("In progress")
        IMPROVED = "improved", _("Improved: plan closed")
        EXTENDED = "extended", _("Extended")
        NOT_IMPROVED = "not_improved", _("Not improved")

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        on_delete=models.CASCADE,
        related_name="improvement_plans",
    )
    last_failed_month = models.DateField(_("last failed month"))
    # [["2026-09", "55.00"], ["2026-10", "48.50"]]: the failed months that opened it
    failed_scores = models.JSONField(_("failed scorecards"), default=list)
    opened_on = models.DateField(_("opened on"))
    goals = models.TextField(_("goals"), blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.PENDING
    )
    outcome_note = models.TextField(_("outcome note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ImprovementPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("improvement plan")
        verbose_name_plural = _("improvement plans")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "last_failed_month"], name="improvement_plan_once_per_run"
            )
        ]

    def __str__(self):
        return f"{self.person} · {self.last_failed_month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("analytics:plan_detail", args=[self.pk])


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
    # leads whose stored probability or factors the run added, changed or removed
    written = models.PositiveIntegerField(_("probabilities written"), default=0)
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
    """The latest model's probability that an open lead will be won, to the whole percent,
    with its top factors. Brought up to date in bulk every night (only the leads whose figure
    moved are written); empty when there is no model. Every row is the latest successful
    ``WinModelRun``'s."""

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

    class Meta:
        verbose_name = _("lead win probability")
        verbose_name_plural = _("lead win probabilities")

    def __str__(self):
        return f"{self.lead_id}: {self.probability}"
