"""Performance (SPEC §5): KPI schemes and scorecards, commission plans and statements, and the
daily funnel snapshot. The numbers are computed by the nightly jobs (``services.py``); these
models hold the rules set in Django admin and the results."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from salescrm.bounds import MAX_TARGET
from salescrm.roles import Role
from salescrm.scoping import ScopedQuerySet
from salescrm.timeutil import quarter_label, validate_business_date

from .commission import Tier
from .kpis import KPI_BY_CODE, NO_VALUE_REASONS, Ratio, kpi_choices, weigh

HALF_CENT = models.Value(Decimal("0.005"))

MONEY = {"max_digits": 14, "decimal_places": 2}
PERCENT = {"max_digits": 7, "decimal_places": 2}


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")


def _first_of_month(value: dt.date):
    if value and value.day != 1:
        raise ValidationError(_("Choose the first day of a month."))


# --- commission plans -----------------------------------------------------------------------


class CommissionPlanQuerySet(models.QuerySet):
    def in_effect(self, month: dt.date):
        """The plan version that applies to `month`: the latest one effective by then."""
        return self.filter(effective_from__lte=month).order_by("-effective_from").first()


class CommissionPlan(models.Model):
    """A version of the commission rules (阶梯式提成). A new version takes effect from a month;
    each statement pins the version it was computed with, so a later change never rewrites
    an earlier month."""

    class Method(models.TextChoices):
        MARGINAL = "marginal", _("Marginal (each band's rate on the part inside it)")
        RETROACTIVE = "retroactive", _("Retroactive (the reached band's rate on all)")

    class Base(models.TextChoices):
        COLLECTED = "collected", _("Collected amount")
        SIGNED = "signed", _("Signed amount")

    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(
        _("effective from (month)"),
        unique=True,
        validators=[_first_of_month, validate_business_date],
    )
    method = models.CharField(
        pgettext_lazy("commission", "method"),
        max_length=16,
        choices=Method.choices,
        default=Method.MARGINAL,
    )
    base = models.CharField(_("base"), max_length=16, choices=Base.choices, default=Base.COLLECTED)
    team_bonus_threshold = models.DecimalField(
        _("team bonus from achievement (%)"),
        default=Decimal("100.00"),
        validators=[MinValueValidator(0)],
        help_text=_("When the rep's team reaches this share of its target in the month."),
        **PERCENT,
    )
    team_bonus_rate = models.DecimalField(
        _("team bonus rate (%)"),
        default=Decimal("0.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Paid on the rep's own base of the month; 0 means no team bonus."),
        **PERCENT,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = CommissionPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = _("commission plan")
        verbose_name_plural = _("commission plans")

    def __str__(self):
        return f"{self.name} ({self.effective_from:%Y-%m})"

    def calculator_tiers(self, tiers=None):
        rows = tiers if tiers is not None else self.tiers.all()
        return [Tier(row.threshold / 100, row.rate / 100) for row in rows]


class CommissionTier(models.Model):
    plan = models.ForeignKey(
        CommissionPlan,
        verbose_name=pgettext_lazy("commission plan", "plan"),
        on_delete=models.CASCADE,
        related_name="tiers",
    )
    threshold = models.DecimalField(
        _("from achievement (%)"), validators=[MinValueValidator(0)], **PERCENT
    )
    rate = models.DecimalField(
        _("rate (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)], **PERCENT
    )

    class Meta:
        ordering = ["plan", "threshold"]
        verbose_name = _("commission tier")
        verbose_name_plural = _("commission tiers")
        constraints = [
            models.UniqueConstraint(fields=["plan", "threshold"], name="commission_tier_once")
        ]

    def __str__(self):
        return f"≥ {self.threshold} % → {self.rate} %"


# --- KPI schemes and scorecards -------------------------------------------------------------


class KpiSchemeQuerySet(models.QuerySet):
    def in_effect(self, role: str, month: dt.date):
        return self.filter(role=role, effective_from__lte=month).order_by("-effective_from").first()


class KpiScheme(models.Model):
    """The KPIs a role is scored on, with weights that add up to 100 % (KPI 权重). A scheme
    applies from its month on; closed periods keep the scheme they were scored with."""

    role = models.CharField(
        _("role"),
        max_length=16,
        choices=[
            (Role.REP, Role.REP.label),
            (Role.MANAGER, Role.MANAGER.label),
            (Role.DIRECTOR, Role.DIRECTOR.label),
        ],
    )
    name = models.CharField(_("name"), max_length=100)
    effective_from = models.DateField(
        _("effective from (month)"), validators=[_first_of_month, validate_business_date]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    market_adjusted = models.BooleanField(
        _("score against the market-adjusted target"),
        default=False,
        help_text=_(
            "Volume KPIs (signed and collected amount, new customers, signing achievement) are "
            "scored against target × (1 + the market's growth recorded for the period); "
            "without a market figure, against the plain target."
        ),
    )

    objects = KpiSchemeQuerySet.as_manager()

    class Meta:
        ordering = ["role", "-effective_from"]
        verbose_name = _("KPI scheme")
        verbose_name_plural = _("KPI schemes")
        constraints = [
            models.UniqueConstraint(
                fields=["role", "effective_from"], name="kpi_scheme_once_per_month"
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()}, {self.effective_from:%Y-%m})"


class KpiSchemeItem(models.Model):
    class Rule(models.TextChoices):
        LINEAR = "linear", _("Linear to a cap")
        STEPS = "steps", _("Threshold steps")

    scheme = models.ForeignKey(
        KpiScheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="items"
    )
    kpi = models.CharField(_("KPI"), max_length=40, choices=kpi_choices)
    weight = models.DecimalField(
        _("weight (%)"), validators=[MinValueValidator(0), MaxValueValidator(100)], **PERCENT
    )
    target_value = models.DecimalField(
        _("target value"), validators=[MinValueValidator(0), MaxValueValidator(MAX_TARGET)], **MONEY
    )
    rule = models.CharField(
        pgettext_lazy("KPI", "scoring rule"),
        max_length=8,
        choices=Rule.choices,
        default=Rule.LINEAR,
    )
    cap = models.DecimalField(
        _("score cap"),
        default=Decimal("120.00"),
        validators=[MinValueValidator(0)],
        help_text=_("Linear rule: the highest score (100 = target met)."),
        **PERCENT,
    )
    steps = models.CharField(
        _("steps"),
        max_length=200,
        blank=True,
        help_text=_('Threshold rule: "achievement %=score" pairs, e.g. "80=60, 100=100, 120=120".'),
    )
    rating_scale = models.PositiveSmallIntegerField(
        _("rating scale (highest rating)"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(10)],
        help_text=_(
            "KPIs rated by the manager only: ratings run from 1 to this number; the line "
            "scores rating ÷ this number × 100 (target, rule and cap do not apply)."
        ),
    )

    class Meta:
        ordering = ["scheme", "id"]
        verbose_name = _("KPI in scheme")
        verbose_name_plural = _("KPIs in scheme")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "kpi"], name="kpi_once_per_scheme")
        ]

    def __str__(self):
        return f"{self.get_kpi_display()} · {self.weight} %"


class ScoreCardQuerySet(ScopedQuerySet):
    scope_owner_path = "person"


class ScoreCard(models.Model):
    """A person's weighted KPI score for a month or a quarter (绩效考核). Recomputed nightly
    while its period is open; a closed period's scorecards are never rewritten."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="scorecards",
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    scheme = models.ForeignKey(
        KpiScheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="scorecards"
    )
    total_score = models.DecimalField(_("total score"), **PERCENT)
    computed_at = models.DateTimeField(_("computed at"))

    objects = ScoreCardQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "period_kind", "person__username"]
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period_kind", "period_start"], name="scorecard_once_per_period"
            )
        ]

    def __str__(self):
        return f"{self.person} · {self.period_label}"

    def get_absolute_url(self):
        return reverse("performance:scorecard_detail", args=[self.pk])

    def explained_lines(self) -> list["ScoreLine"]:
        """The lines with what the total makes of each (``kpis.weigh``): ``effective_weight``
        and ``counted_score``, None for a KPI with no value in the period. Worked out from the
        stored scores and weights, so that the lines shown add up to the total on every
        scorecard, including those frozen before the effective weight was shown."""
        lines = list(self.lines.select_related("rated_by"))
        weighed, _total = weigh(
            [(None if line.actual is None else line.score, line.weight) for line in lines]
        )
        for line, counted in zip(lines, weighed, strict=True):
            line.effective_weight = counted.effective_weight
            line.counted_score = counted.weighted_score
        return lines

    @property
    def period_label(self) -> str:
        if self.period_kind == PeriodKind.QUARTER:
            return quarter_label(self.period_start)
        return f"{self.period_start:%Y-%m}"


class ScoreLine(models.Model):
    scorecard = models.ForeignKey(
        ScoreCard, verbose_name=_("scorecard"), on_delete=models.CASCADE, related_name="lines"
    )
    kpi = models.CharField(_("KPI"), max_length=40, choices=kpi_choices)
    actual = models.DecimalField(
        _("actual"), null=True, blank=True, max_digits=16, decimal_places=4
    )
    target = models.DecimalField(_("target"), **MONEY)
    score = models.DecimalField(pgettext_lazy("KPI score", "score"), **PERCENT)
    weight = models.DecimalField(_("weight (%)"), **PERCENT)
    weighted_score = models.DecimalField(_("weighted score"), **PERCENT)
    market_growth = models.DecimalField(
        _("market growth applied (%)"),
        null=True,
        blank=True,
        help_text=_("Set when the target above is the market-adjusted one."),
        **PERCENT,
    )
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("rated at"), null=True, blank=True)

    class Meta:
        ordering = ["scorecard", "id"]
        verbose_name = _("scorecard line")
        verbose_name_plural = _("scorecard lines")
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "kpi"], name="score_line_once_per_kpi")
        ]

    def __str__(self):
        return f"{self.get_kpi_display()}: {self.score}"

    @property
    def is_rated(self) -> bool:
        """A KPI rated by the manager: actual = the rating, target = the scale."""
        kpi = KPI_BY_CODE.get(self.kpi)
        return bool(kpi and kpi.rated)

    @property
    def no_value_reason(self) -> str:
        """Why the KPI has no value in the period ("" when it has one)."""
        if self.actual is not None:
            return ""
        return str(NO_VALUE_REASONS.get(self.kpi, _("nothing to measure in the period")))


# --- funnel -------------------------------------------------------------------------------


class FunnelSnapshotQuerySet(ScopedQuerySet):
    scope_owner_path = "rep"


class FunnelSnapshot(models.Model):
    """The sales funnel at the end of one Shanghai day, per team, rep and stage (漏斗). Filled by
    the nightly job from leads and their stage changes; one row set per day, replaced whole."""

    day = models.DateField(_("day"))
    team = models.ForeignKey(
        "salescrm.Team",
        verbose_name=_("team"),
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="+"
    )
    stage = models.CharField(_("stage"), max_length=16)
    open_leads = models.PositiveIntegerField(_("leads at this stage"))
    amount = models.DecimalField(_("budget of those leads"), **MONEY)
    entered = models.PositiveIntegerField(_("entered the stage that day"))
    reached = models.PositiveIntegerField(_("reached the stage (90-day cohort)"))
    conversion = models.DecimalField(
        _("conversion to the next stage (%)"), null=True, blank=True, **PERCENT
    )

    objects = FunnelSnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "team", "rep", "id"]
        verbose_name = _("funnel snapshot")
        verbose_name_plural = _("funnel snapshots")
        constraints = [
            models.UniqueConstraint(fields=["day", "rep", "stage"], name="funnel_snapshot_once")
        ]
        indexes = [models.Index(fields=["rep", "day"], name="funnel_rep_day_idx")]

    def __str__(self):
        return f"{self.day} · {self.rep_id} · {self.stage}"


# --- commission statements ------------------------------------------------------------------


class CommissionStatementQuerySet(ScopedQuerySet):
    scope_owner_path = "rep"

    def open(self):
        return self.filter(status=CommissionStatement.Status.OPEN)

    def closed(self):
        return self.filter(status=CommissionStatement.Status.CLOSED)


class CommissionStatement(models.Model):
    """A rep's commission for one month (提成明细). Recomputed nightly while open; once
    finance closes it (paid) it is never modified: a later refund is clawed back on the
    statement of the month in which it is confirmed."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("statement status", "Open")
        CLOSED = "closed", _("Closed (paid)")

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        on_delete=models.PROTECT,
        related_name="commission_statements",
    )
    month = models.DateField(_("month"), validators=[_first_of_month, validate_business_date])
    plan = models.ForeignKey(
        CommissionPlan,
        verbose_name=pgettext_lazy("commission plan", "plan"),
        on_delete=models.PROTECT,
        related_name="statements",
        help_text=_("The plan version pinned to this month."),
    )
    team = models.ForeignKey(
        "salescrm.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    base_kind = models.CharField(_("base"), max_length=16, choices=CommissionPlan.Base.choices)
    base_amount = models.DecimalField(_("base amount"), **MONEY)
    target_amount = models.DecimalField(_("target"), null=True, blank=True, **MONEY)
    achievement = models.DecimalField(
        _("achievement (%)"), null=True, blank=True, max_digits=9, decimal_places=2
    )
    commission = models.DecimalField(_("tiered commission"), **MONEY)
    team_bonus = models.DecimalField(_("team bonus"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.OPEN
    )
    computed_at = models.DateTimeField(_("computed at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = CommissionStatementQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "rep__username"]
        verbose_name = _("commission statement")
        verbose_name_plural = _("commission statements")
        constraints = [
            models.UniqueConstraint(fields=["rep", "month"], name="statement_once_per_month"),
            # total == commission + team_bonus. Written as "within half a cent": the same
            # thing for numeric(14, 2) in PostgreSQL, and it survives SQLite (the embedded
            # demo), which adds decimals as floats and would refuse 0.1 + 0.2 = 0.3.
            models.CheckConstraint(
                condition=models.Q(
                    total__gte=models.F("commission") + models.F("team_bonus") - HALF_CENT,
                    total__lte=models.F("commission") + models.F("team_bonus") + HALF_CENT,
                ),
                name="statement_total_adds_up",
                violation_error_message=_("The total is the commission plus the team bonus."),
            ),
        ]

    def __str__(self):
        return f"{self.rep} · {self.month:%Y-%m}"

    def get_absolute_url(self):
        return reverse("performance:statement_detail", args=[self.pk])

    @property
    def achievement_label(self) -> str:
        """What the achievement divides: collected ÷ collected target (回款达成率), or signed
        ÷ signed target for a signed-amount plan — not the scorecard's signing achievement."""
        if self.base_kind == CommissionPlan.Base.SIGNED:
            return str(_("Signing achievement"))
        return str(_("Collection achievement"))


class StatementLine(models.Model):
    """What every commission statement line has, a rep's (``CommissionLine``) or a partner's
    (``channels.PartnerSettlementLine``): the contract, payment or refund it is traceable to
    (a row named by a line cannot be deleted), the part of its amount the rate applies to,
    and the commission. Abstract: each kind of line keeps its own table, kinds, rate scale
    and date rule."""

    contract = models.ForeignKey(
        "customers.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payment = models.ForeignKey(
        "customers.Payment",
        verbose_name=_("payment"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    refund = models.ForeignKey(
        "customers.Refund",
        verbose_name=_("refund"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    base = models.DecimalField(_("base"), **MONEY)
    amount = models.DecimalField(_("commission"), **MONEY)

    class Meta:
        abstract = True


class CommissionLine(StatementLine):
    """One traceable line of a statement: a payment, a refund or a signed contract at the
    rate applied, or the team bonus."""

    class Kind(models.TextChoices):
        PAYMENT = "payment", _("Payment")
        REFUND = "refund", _("Refund clawback")
        CONTRACT = "contract", _("Signed contract")
        TEAM_BONUS = "team_bonus", _("Team bonus")
        CORRECTION = "correction", _("Correction of a row on a paid statement")

    statement = models.ForeignKey(
        CommissionStatement,
        verbose_name=_("statement"),
        on_delete=models.CASCADE,
        related_name="lines",
    )
    position = models.PositiveIntegerField(_("no."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    rate = models.DecimalField(_("rate (%)"), max_digits=9, decimal_places=4)

    class Meta:
        ordering = ["statement", "position"]
        verbose_name = _("commission line")
        verbose_name_plural = _("commission lines")
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "position"], name="commission_line_position"
            )
        ]

    def __str__(self):
        return self.description


# --- dashboard facts ------------------------------------------------------------------------


class FactPeriod(models.Model):
    """A month, quarter or year whose dashboard facts the nightly job computed, up to
    ``cut_off``. The job replaces the open periods' facts every night and a closed period's
    only until they run to its end; after that they are frozen, like the scorecards."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    kind = models.CharField(_("period"), max_length=8, choices=Kind.choices)
    start = models.DateField(_("period start"))
    end = models.DateField(_("period end"))
    cut_off = models.DateField(_("source rows up to"))
    measures = models.JSONField(_("measures"), default=list)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["kind", "-start"]
        verbose_name = _("dashboard fact period")
        verbose_name_plural = _("dashboard fact periods")
        constraints = [
            models.UniqueConstraint(fields=["kind", "start"], name="fact_period_once"),
            models.CheckConstraint(
                condition=models.Q(cut_off__gte=models.F("start"), cut_off__lte=models.F("end")),
                name="fact_period_cut_off_inside",
                violation_error_message=_("The cut-off day lies inside the period."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start}"

    @property
    def complete(self) -> bool:
        return self.cut_off >= self.end


class FactRestatement(models.Model):
    """The facts of a finished (frozen) period computed again because source rows dated in it
    were recorded, corrected or deleted after they were frozen — a payment entered late, a
    refund's date corrected in the admin. Kept so the change is visible: the rows that caused
    it and who changed them when (``sources``), and every figure before and after
    (``changes``). Commission statements are not restated: a closed statement never changes
    and the late money is on the open month's."""

    kind = models.CharField(_("period"), max_length=8, choices=FactPeriod.Kind.choices)
    start = models.DateField(_("period start"))
    restated_at = models.DateTimeField(_("restated at"))
    previous_computed_at = models.DateTimeField(_("facts previously computed at"))
    # [{"row": "payment 12", "dates": ["2026-09-25"], "changed_at": "...", "by": "finance1",
    #   "change": "created" | "changed" | "deleted"}]
    sources = models.JSONField(_("changed source rows"), default=list)
    # [{"measure": "collected_amount", "owner": 7, "before": ["10000", null],
    #   "after": ["9000", null]}]; a missing side is null
    changes = models.JSONField(_("figures before and after"), default=list)

    class Meta:
        ordering = ["-restated_at", "-id"]
        verbose_name = _("fact restatement")
        verbose_name_plural = _("fact restatements")
        indexes = [models.Index(fields=["kind", "start"], name="fact_restatement_period")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start} · {self.restated_at:%Y-%m-%d %H:%M}"


class FactRow(models.Model):
    """What every dashboard fact has: its period (the facts go when the period is replaced)
    and the owner whose figures it holds (a scope sums its owners' rows)."""

    period = models.ForeignKey(
        FactPeriod, verbose_name=_("period"), on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        abstract = True


class KpiFactQuerySet(models.QuerySet):
    def ratios(self) -> dict:
        """{measure: {owner_id: Ratio}} of these facts, the shape ``kpis.compute_all`` returns."""
        result: dict = defaultdict(dict)
        for measure, owner, numerator, denominator in self.values_list(
            "measure", "owner_id", "numerator", "denominator"
        ):
            result[measure][owner] = Ratio(numerator, denominator)
        return dict(result)


class KpiFact(FactRow):
    """One owner's numerator and denominator of a measure over a fact period: the KPI ratios
    of ``performance.kpis`` and the few measures only the dashboards use (see
    ``performance.facts.MEASURES``). A group's figure is the sum of its owners' numerators
    over the sum of their denominators."""

    measure = models.CharField(_("measure"), max_length=40)
    # Ten decimals: a sales-cycle numerator is a sum of fractional days, and the scorecards
    # divide these stored figures; they must give what dividing the computed ones gives.
    numerator = models.DecimalField(_("numerator"), max_digits=28, decimal_places=10)
    denominator = models.DecimalField(
        _("denominator"), max_digits=28, decimal_places=10, null=True, blank=True
    )

    objects = KpiFactQuerySet.as_manager()

    class Meta:
        verbose_name = _("KPI fact")
        verbose_name_plural = _("KPI facts")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "measure", "owner"], name="kpi_fact_once_per_owner"
            )
        ]

    def __str__(self):
        return f"{self.period} · {self.measure} · {self.owner_id}"


class ChannelFact(FactRow):
    """Per owner, channel and campaign: the leads created in the period, how many of them are
    won, and the amount signed in it by customers who came through that channel."""

    channel = models.ForeignKey(
        "leads.Channel",
        verbose_name=_("channel"),
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    campaign = models.ForeignKey(
        "leads.Campaign",
        verbose_name=_("campaign"),
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    leads = models.PositiveIntegerField(_("leads created"))
    won = models.PositiveIntegerField(_("won"))
    signed_amount = models.DecimalField(_("signed amount"), **MONEY)

    class Meta:
        verbose_name = _("channel fact")
        verbose_name_plural = _("channel facts")
        indexes = [models.Index(fields=["period", "owner"], name="channel_fact_period_owner")]

    def __str__(self):
        return f"{self.period} · {self.channel_id}/{self.campaign_id} · {self.owner_id}"


class ProductLineFact(FactRow):
    """Per owner and product line: the amount of the contract lines signed in the period."""

    product_line = models.ForeignKey(
        "salescrm.ProductLine",
        verbose_name=_("product line"),
        null=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    amount = models.DecimalField(_("signed amount"), **MONEY)

    class Meta:
        verbose_name = _("product line fact")
        verbose_name_plural = _("product line facts")
        indexes = [models.Index(fields=["period", "owner"], name="product_line_fact_owner")]

    def __str__(self):
        return f"{self.period} · {self.product_line_id} · {self.owner_id}"


# --- the market (issue 20) ------------------------------------------------------------------


MARKET_GROWTH_MIN = Decimal("-99.99")
MARKET_GROWTH_MAX = Decimal("1000.00")


class MarketGrowth(models.Model):
    """The industry's (or a competitor's) growth over the same period a year before, recorded
    by the director for a month, a quarter or a year (seed 003: "80 % achievement counts as
    excellent when the industry is down"). The most specific figure covering a period applies:
    the month's, else its quarter's, else its year's."""

    class Kind(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    class Basis(models.TextChoices):
        INDUSTRY = "industry", _("Industry")
        COMPETITOR = "competitor", _("Competitor")

    period_kind = models.CharField(_("period"), max_length=8, choices=Kind.choices)
    period_start = models.DateField(
        _("period start"),
        validators=[_first_of_month, validate_business_date],
        help_text=_("The first day of the month, quarter or year."),
    )
    basis = models.CharField(
        _("whose growth"), max_length=16, choices=Basis.choices, default=Basis.INDUSTRY
    )
    growth = models.DecimalField(
        _("growth (%)"),
        validators=[MinValueValidator(MARKET_GROWTH_MIN), MaxValueValidator(MARKET_GROWTH_MAX)],
        help_text=_("Change against the same period a year before, e.g. -20 for a fall of 20 %."),
        **PERCENT,
    )
    source = models.CharField(_("source"), max_length=200)
    note = models.TextField(_("note"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    class Meta:
        ordering = ["-period_start", "period_kind"]
        verbose_name = _("market growth")
        verbose_name_plural = _("market growth figures")
        constraints = [
            models.UniqueConstraint(
                fields=["period_kind", "period_start"],
                name="market_growth_once_per_period",
                violation_error_message=_("This period already has a market figure."),
            ),
            models.CheckConstraint(
                condition=models.Q(growth__gte=MARKET_GROWTH_MIN)
                & models.Q(growth__lte=MARKET_GROWTH_MAX),
                name="market_growth_range",
                violation_error_message=_("The growth must be between -99.99 % and 1000 %."),
            ),
        ]

    def __str__(self):
        return f"{self.period_label}: {self.growth} % ({self.get_basis_display()})"

    @property
    def period_label(self) -> str:
        if self.period_kind == self.Kind.QUARTER:
            return quarter_label(self.period_start)
        if self.period_kind == self.Kind.YEAR:
            return str(self.period_start.year)
        return f"{self.period_start:%Y-%m}"

    def clean(self):
        start = self.period_start
        if start is None:
            return
        if self.period_kind == self.Kind.QUARTER and start.month not in (1, 4, 7, 10):
            raise ValidationError(
                {"period_start": _("A quarter starts in January, April, July or October.")}
            )
        if self.period_kind == self.Kind.YEAR and start.month != 1:
            raise ValidationError({"period_start": _("A year starts in January.")})


# --- KPIs rated by the manager (issue 20) ---------------------------------------------------


class ManagerRatingQuerySet(ScopedQuerySet):
    scope_owner_path = "person"


class ManagerRating(models.Model):
    """A rep's rating on a KPI rated by the manager (团队协作、工作态度) for a month or a
    quarter, on the scale of the scheme's line (1 … ``scale``). Changeable by the rep's manager
    or the director until the period is closed (its scorecards frozen); every change is kept
    in the history table."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="manager_ratings",
    )
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField(_("period start"))
    kpi = models.CharField(_("KPI"), max_length=40, choices=kpi_choices)
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    scale = models.PositiveSmallIntegerField(
        _("rating scale (highest rating)"), validators=[MinValueValidator(2)]
    )
    comment = models.TextField(_("comment on the rating"), max_length=2000, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rated_at = models.DateTimeField(_("rated at"))
    history = HistoricalRecords()

    objects = ManagerRatingQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "period_kind", "person", "kpi"]
        verbose_name = _("manager rating")
        verbose_name_plural = _("manager ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "period_kind", "period_start", "kpi"],
                name="manager_rating_once_per_period",
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1) & models.Q(rating__lte=models.F("scale")),
                name="manager_rating_within_scale",
                violation_error_message=_("A rating lies between 1 and the line's highest rating."),
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.get_kpi_display()} · {self.rating}/{self.scale}"

    @property
    def period_label(self) -> str:
        if self.period_kind == PeriodKind.QUARTER:
            return quarter_label(self.period_start)
        return f"{self.period_start:%Y-%m}"
