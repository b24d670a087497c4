"""Targets (SPEC §4): a yearly plan per metric, broken down year -> quarters -> months and
company -> teams -> reps, exact to the cent (see allocation.py), with adjustment history."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from salescrm.bounds import MAX_ACTIVITIES, MAX_TARGET, MAX_WEIGHT
from salescrm.roles import Role
from salescrm.scoping import ScopedQuerySet, managed_team_ids
from salescrm.timeutil import (
    EARLIEST_BUSINESS_DATE,
    latest_business_year,
    local_today,
    month_start,
)

MONEY = {"max_digits": 14, "decimal_places": 2}
WEIGHT = {"max_digits": 9, "decimal_places": 4}
WEIGHT_RANGE = [MinValueValidator(0), MaxValueValidator(MAX_WEIGHT)]
TARGET_RANGE = [MinValueValidator(0), MaxValueValidator(MAX_TARGET)]
VISITS_RANGE = [MaxValueValidator(MAX_ACTIVITIES)]


class Metric(models.TextChoices):
    SIGNED_AMOUNT = "signed_amount", _("Signed amount")
    COLLECTED_AMOUNT = "collected_amount", _("Collected amount")
    NEW_CUSTOMERS = "new_customers", _("New customers")
    RENEWALS = "renewals", _("Renewals")
    EFFECTIVE_VISITS = "effective_visits", _("Effective visits")


MONEY_METRICS = frozenset({Metric.SIGNED_AMOUNT, Metric.COLLECTED_AMOUNT})


def metric_places(metric: str) -> int:
    """Money is split to the cent, counts to the unit."""
    return 2 if metric in MONEY_METRICS else 0


class SeniorityWeight(models.Model):
    """The admin-set table of default rep weights by time since hiring (seed 003: a new rep
    gets a smaller share, and may get an activity target instead of an amount)."""

    min_months = models.PositiveSmallIntegerField(
        _("from months of service"),
        unique=True,
        help_text=_("The band applies from this many full months since the hire date."),
    )
    weight = models.DecimalField(_("weight"), validators=WEIGHT_RANGE, **WEIGHT)
    activity_focus = models.BooleanField(
        _("activity target instead of amount"),
        default=False,
        help_text=_("Reps in this band get effective visits as their target, no amount."),
    )
    monthly_visits = models.PositiveSmallIntegerField(
        _("effective visits per month"),
        default=0,
        validators=VISITS_RANGE,
        help_text=_("The activity target of a rep in this band."),
    )

    class Meta:
        ordering = ["min_months"]
        verbose_name = _("seniority weight")
        verbose_name_plural = _("seniority weights")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="seniority_weight_not_negative",
                violation_error_message=_("A weight cannot be negative."),
            )
        ]

    def __str__(self):
        return f"≥ {self.min_months}: {self.weight}"


class TargetPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Everybody in sales reads published plans (their rows are scoped per level); drafts
        # are the director's working copy.
        if user.has_role(Role.DIRECTOR, Role.ADMIN):
            return self
        return self.filter(status=TargetPlan.Status.PUBLISHED)

    def published(self):
        return self.filter(status=TargetPlan.Status.PUBLISHED)


class TargetPlan(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    year = models.PositiveSmallIntegerField(
        _("year"),
        validators=[
            MinValueValidator(EARLIEST_BUSINESS_DATE.year),
            MaxValueValidator(latest_business_year),
        ],
    )
    metric = models.CharField(_("metric"), max_length=24, choices=Metric.choices)
    annual_value = models.DecimalField(_("annual target"), validators=TARGET_RANGE, **MONEY)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    seasonality_source = models.CharField(
        _("seasonality proposed from"),
        max_length=100,
        blank=True,
    )

    objects = TargetPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "metric"]
        verbose_name = _("target plan")
        verbose_name_plural = _("target plans")
        constraints = [
            models.UniqueConstraint(fields=["year", "metric"], name="one_plan_per_year_and_metric"),
            models.CheckConstraint(
                condition=Q(annual_value__gte=0),
                name="plan_value_not_negative",
                violation_error_message=_("A target cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.get_metric_display()}"

    def get_absolute_url(self):
        return reverse("targets:plan_detail", args=[self.pk])

    @property
    def places(self) -> int:
        return metric_places(self.metric)

    @property
    def is_money(self) -> bool:
        return self.metric in MONEY_METRICS

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def months(self) -> list[dt.date]:
        return [dt.date(self.year, m, 1) for m in range(1, 13)]


class MonthWeight(models.Model):
    """Seasonality: the relative weight of each month of a plan (year -> quarters -> months)."""

    plan = models.ForeignKey(
        TargetPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="month_weights"
    )
    month = models.PositiveSmallIntegerField(_("month"))
    weight = models.DecimalField(_("weight"), validators=WEIGHT_RANGE, **WEIGHT)

    class Meta:
        ordering = ["plan", "month"]
        verbose_name = _("month weight")
        verbose_name_plural = _("month weights")
        constraints = [
            models.UniqueConstraint(fields=["plan", "month"], name="one_weight_per_plan_month"),
            models.CheckConstraint(
                condition=Q(month__gte=1, month__lte=12),
                name="month_weight_month_1_12",
                violation_error_message=_("The month lies between 1 and 12."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="month_weight_not_negative",
                violation_error_message=_("A weight cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.plan} {self.month}: {self.weight}"


class TeamShare(models.Model):
    """The allocation weight of a team in a plan (company -> teams)."""

    plan = models.ForeignKey(
        TargetPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="team_shares"
    )
    team = models.ForeignKey(
        "salescrm.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+"
    )
    weight = models.DecimalField(_("weight"), validators=WEIGHT_RANGE, **WEIGHT)

    class Meta:
        ordering = ["plan", "team__name"]
        verbose_name = _("team share")
        verbose_name_plural = _("team shares")
        constraints = [
            models.UniqueConstraint(fields=["plan", "team"], name="one_share_per_plan_team"),
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="team_share_not_negative",
                violation_error_message=_("A weight cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.plan} {self.team}: {self.weight}"


class PlanMemberQuerySet(ScopedQuerySet):
    scope_owner_path = "rep"


class PlanMember(models.Model):
    """A rep in a plan: their weight inside the team (teams -> reps), from the seniority table
    by default, and whether they get an activity target instead of an amount."""

    plan = models.ForeignKey(
        TargetPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="members"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        on_delete=models.PROTECT,
        related_name="plan_memberships",
    )
    team = models.ForeignKey(
        "salescrm.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+"
    )
    weight = models.DecimalField(_("weight"), validators=WEIGHT_RANGE, **WEIGHT)
    activity_focus = models.BooleanField(_("activity target instead of amount"), default=False)
    monthly_visits = models.PositiveSmallIntegerField(
        _("effective visits per month"), default=0, validators=VISITS_RANGE
    )
    first_month = models.PositiveSmallIntegerField(_("targets from month"), default=1)
    left_after_month = models.PositiveSmallIntegerField(
        _("left after month"), null=True, blank=True
    )

    objects = PlanMemberQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "team__name", "rep__username"]
        verbose_name = _("plan member")
        verbose_name_plural = _("plan members")
        constraints = [
            models.UniqueConstraint(fields=["plan", "rep"], name="one_membership_per_plan_rep"),
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="plan_member_weight_not_negative",
                violation_error_message=_("A weight cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.plan} {self.rep}"

    def amount_weight(self, metric: str) -> Decimal:
        """A rep with an activity focus carries no amount, only the visits metric."""
        if self.activity_focus and metric != Metric.EFFECTIVE_VISITS:
            return Decimal(0)
        return self.weight


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reps see their own rows; managers the rows of the teams they lead (team totals
        and their reps); director and the other see-all roles everything."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_all:
            return self
        own = Q(rep=user)
        if user.role == Role.MANAGER:
            return self.filter(own | Q(team_id__in=managed_team_ids(user)))
        return self.filter(own)

    def company(self):
        return self.filter(level=Target.Level.COMPANY)

    def teams(self):
        return self.filter(level=Target.Level.TEAM)

    def reps(self):
        return self.filter(level=Target.Level.REP)

    def total(self) -> Decimal:
        return self.aggregate(total=Sum("value"))["total"] or Decimal(0)


class Target(models.Model):
    """One figure of a published plan: a level (company, team or rep) and a month."""

    class Level(models.TextChoices):
        COMPANY = "company", _("Company")
        TEAM = "team", _("Team")
        REP = "rep", _("Rep")

    plan = models.ForeignKey(
        TargetPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="targets"
    )
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    team = models.ForeignKey(
        "salescrm.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="targets",
    )
    month = models.DateField(_("month"))
    value = models.DecimalField(_("target"), validators=TARGET_RANGE, **MONEY)

    objects = TargetQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "level", "team__name", "rep__username", "month"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="target_value_not_negative",
                violation_error_message=_("A target cannot be negative."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(level="company", team__isnull=True, rep__isnull=True)
                    | Q(level="team", team__isnull=False, rep__isnull=True)
                    | Q(level="rep", team__isnull=False, rep__isnull=False)
                ),
                name="target_level_matches_owner",
                violation_error_message=_(
                    "A company target has no team or rep, a team target a team, a rep target both."
                ),
            ),
            models.UniqueConstraint(
                fields=["plan", "month"],
                condition=Q(level="company"),
                name="one_company_target_per_month",
                violation_error_message=_("The plan already has a company target for this month."),
            ),
            models.UniqueConstraint(
                fields=["plan", "team", "month"],
                condition=Q(level="team"),
                name="one_team_target_per_month",
                violation_error_message=_("The team already has a target for this month."),
            ),
            models.UniqueConstraint(
                fields=["plan", "rep", "month"],
                condition=Q(level="rep"),
                name="one_rep_target_per_month",
                violation_error_message=_("The rep already has a target for this month."),
            ),
        ]
        indexes = [models.Index(fields=["plan", "level", "month"], name="target_plan_level_month")]

    def __str__(self):
        owner = self.rep or self.team or _("Company")
        return f"{self.plan} · {owner} · {self.month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("targets:target_detail", args=[self.pk])

    @property
    def is_locked(self) -> bool:
        return is_month_locked(self.month)


def is_month_locked(month: dt.date, today: dt.date | None = None) -> bool:
    """A month that has ended is locked (SPEC §4): the current month may still change."""
    return month < month_start(today or local_today())


class Adjustment(models.Model):
    """One change of a plan's split, with who, when and why (the lines hold old and new)."""

    class Kind(models.TextChoices):
        REP_SPLIT = "rep_split", _("Split inside a team")
        TEAM_SPLIT = "team_split", _("Split between teams")
        LEAVER = "leaver", _("Rep left")
        JOINER = "joiner", _("Rep joined")

    plan = models.ForeignKey(
        TargetPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="adjustments"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    team = models.ForeignKey(
        "salescrm.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("target adjustment")
        verbose_name_plural = _("target adjustments")
        constraints = [
            models.CheckConstraint(
                condition=~Q(reason=""),
                name="adjustment_reason_required",
                violation_error_message=_("Give a reason for the adjustment."),
            )
        ]

    def __str__(self):
        return f"{self.plan} · {self.get_kind_display()} · {self.created_at:%Y-%m-%d %H:%M}"


class AdjustmentLine(models.Model):
    adjustment = models.ForeignKey(
        Adjustment, verbose_name=_("adjustment"), on_delete=models.CASCADE, related_name="lines"
    )
    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="history"
    )
    old_value = models.DecimalField(_("old value"), **MONEY)
    new_value = models.DecimalField(_("new value"), **MONEY)

    class Meta:
        ordering = ["adjustment", "target__level", "target__month"]
        verbose_name = _("adjustment line")
        verbose_name_plural = _("adjustment lines")

    def __str__(self):
        return f"{self.target}: {self.old_value} → {self.new_value}"


class ProductLineShare(models.Model):
    """The optional split of the company target by product line (seed 001: 按产品线拆解):
    relative weights; no share above zero means no split."""

    plan = models.ForeignKey(
        TargetPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="product_line_shares",
    )
    product_line = models.ForeignKey(
        "salescrm.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    weight = models.DecimalField(_("weight"), validators=WEIGHT_RANGE, **WEIGHT)

    class Meta:
        ordering = ["plan", "product_line__code"]
        verbose_name = _("product line share")
        verbose_name_plural = _("product line shares")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "product_line"], name="one_share_per_plan_product_line"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0),
                name="product_line_share_not_negative",
                violation_error_message=_("A weight cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.plan} {self.product_line}: {self.weight}"


class ProductLineTarget(models.Model):
    """The company's monthly target of one product line; the lines of a month add up
    exactly to the company target of that month."""

    plan = models.ForeignKey(
        TargetPlan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        related_name="product_line_targets",
    )
    product_line = models.ForeignKey(
        "salescrm.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    month = models.DateField(_("month"))
    value = models.DecimalField(_("target"), validators=TARGET_RANGE, **MONEY)

    class Meta:
        ordering = ["plan", "product_line__code", "month"]
        verbose_name = _("product line target")
        verbose_name_plural = _("product line targets")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "product_line", "month"], name="one_product_line_target_per_month"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=0),
                name="product_line_target_not_negative",
                violation_error_message=_("A target cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.plan} · {self.product_line} · {self.month:%Y-%m}"
