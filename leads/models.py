"""Leads (SPEC §2): channels, campaigns, the lead with its two parties, its stage history,
follow-ups, weekly activity plans, scoring rules and the pool settings."""

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from salescrm.bounds import MAX_ACTIVITIES, MAX_AMOUNT, MAX_DAYS, amount_validators
from salescrm.models import bilingual
from salescrm.scoping import ScopedQuerySet, managed_team_ids, visible_q
from salescrm.timeutil import day_bounds, validate_business_date


class Channel(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    quality_points = models.PositiveSmallIntegerField(
        _("quality points"),
        default=0,
        help_text=_("Points a lead from this channel earns under the channel-quality rule."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self):
        return bilingual(self.name, self.name_en)


class Campaign(models.Model):
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="campaigns"
    )
    name = models.CharField(_("name"), max_length=200)
    cost = models.DecimalField(
        _("cost"), max_digits=14, decimal_places=2, default=0, validators=amount_validators()
    )
    starts_on = models.DateField(_("starts on"), validators=[validate_business_date])
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, validators=[validate_business_date]
    )

    class Meta:
        ordering = ["-starts_on", "name"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_start",
                violation_error_message=_("A campaign cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(cost__gte=0),
                name="campaign_cost_not_negative",
                violation_error_message=_("The cost cannot be negative."),
            ),
        ]

    def __str__(self):
        return self.name


class LostReason(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")

    def __str__(self):
        return bilingual(self.name, self.name_en)


class LeadSettings(models.Model):
    """One row (pk=1) of admin-set knobs: grade thresholds and the lead-pool rules."""

    grade_a_min = models.PositiveSmallIntegerField(_("grade A from (points)"), default=20)
    grade_b_min = models.PositiveSmallIntegerField(_("grade B from (points)"), default=15)
    pool_after_days = models.PositiveSmallIntegerField(
        _("back to the pool after (days without follow-up)"),
        default=15,
        validators=[MaxValueValidator(MAX_DAYS)],
    )
    pool_reminder_days = models.PositiveSmallIntegerField(
        _("remind the owner (days before)"), default=3, validators=[MaxValueValidator(MAX_DAYS)]
    )
    daily_claim_cap = models.PositiveSmallIntegerField(
        _("claims per rep per day"), default=5, validators=[MaxValueValidator(MAX_ACTIVITIES)]
    )
    reclaim_block_days = models.PositiveSmallIntegerField(
        _("previous owner may not re-claim for (days)"),
        default=7,
        validators=[MaxValueValidator(MAX_DAYS)],
    )
    capture_team = models.ForeignKey(
        "salescrm.Team",
        verbose_name=_("team receiving web-form leads"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty: the first active team that has active reps."),
    )

    class Meta:
        verbose_name = _("lead settings")
        verbose_name_plural = _("lead settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=1),
                name="lead_settings_single_row",
                violation_error_message=_("There is one row of lead settings; edit it."),
            ),
            models.CheckConstraint(
                condition=Q(grade_a_min__gt=models.F("grade_b_min")),
                name="lead_settings_a_above_b",
                violation_error_message=_("Grade A must start above grade B."),
            ),
        ]

    def __str__(self):
        return str(_("Lead settings"))

    @classmethod
    def load(cls) -> "LeadSettings":
        return cls.objects.get_or_create(pk=1)[0]

    def grade_for(self, score: int) -> str:
        if score >= self.grade_a_min:
            return Lead.Grade.A
        if score >= self.grade_b_min:
            return Lead.Grade.B
        return Lead.Grade.C


class ScoringRule(models.Model):
    class Criterion(models.TextChoices):
        BUDGET_CONFIRMED = "budget_confirmed", _("Budget confirmed")
        DECISION_MAKER = "decision_maker_reached", _("Decision maker reached")
        URGENT = "urgent", _("Urgent need")
        CHANNEL_QUALITY = "channel_quality", _("Channel quality (adds the channel's points)")
        TRIAL_ATTENDED = "trial_lesson_attended", _("Trial lesson attended")
        ENGAGED_RECENTLY = "engaged_14_days", _("Engaged in the last 14 days")
        PRODUCT_CHOSEN = "product_line_known", _("Interested product line known")
        PAYER_KNOWN = "payer_known", _("Payer or decision maker known")

    criterion = models.CharField(
        _("criterion"), max_length=32, choices=Criterion.choices, unique=True
    )
    points = models.SmallIntegerField(
        _("points"), default=0, help_text=_("Ignored by the channel-quality rule.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["criterion"]
        verbose_name = _("scoring rule")
        verbose_name_plural = _("scoring rules")

    def __str__(self):
        return self.get_criterion_display()


def pool_clock():
    """When a lead was last touched, for the pool (SPEC §2 公海): its last follow-up or its
    (re)assignment, whichever is later, else its creation. One expression for the nightly
    reclaim's queries and the index they use, which must match it exactly."""
    return Greatest(
        Coalesce("last_activity_at", "created_at"), Coalesce("assigned_at", "created_at")
    )


class LeadQuerySet(ScopedQuerySet):
    scope_owner_path = "owner"

    def open(self):
        return self.exclude(stage__in=[Lead.Stage.WON, Lead.Stage.LOST])

    def in_pool(self):
        return self.filter(owner__isnull=True)

    def pool_for(self, user):
        """The pool leads `user` may see and claim: their team's (a director's: all)."""
        pool = self.in_pool().open()
        if user.sees_all:
            return pool

        team_ids = set(managed_team_ids(user))
        if user.team_id:
            team_ids.add(user.team_id)
        return pool.filter(team_id__in=team_ids)

    def accessible_to(self, user):
        """What `user` may open: the leads they see, plus their team's pool (to claim).
        One condition on the row (no IN-subqueries, which the planner ran over every lead)."""
        if user.is_authenticated and user.is_active and user.sees_all:
            return self.all()
        pool = Q(owner__isnull=True) & ~Q(stage__in=[Lead.Stage.WON, Lead.Stage.LOST])
        if not user.sees_all:
            team_ids = set(managed_team_ids(user))
            if user.team_id:
                team_ids.add(user.team_id)
            pool &= Q(team_id__in=team_ids)
        return self.filter(visible_q(user) | pool)

    def untouched_since(self, moment):
        """Leads with no follow-up logged after `moment` (none at all: since created)."""
        return self.filter(
            Q(last_activity_at__lt=moment) | Q(last_activity_at__isnull=True, created_at__lt=moment)
        )

    def prospects(self):
        """A and B leads: the prospect cards (准主顾卡) a rep must follow."""
        return self.filter(grade__in=[Lead.Grade.A, Lead.Grade.B])

    def follow_up_due_on(self, day: dt.date):
        return self.open().filter(next_follow_up_on=day)

    def follow_up_overdue(self, day: dt.date):
        return self.open().filter(next_follow_up_on__lt=day)

    def with_list_data(self):
        return self.select_related("owner", "channel", "team", "product_line")


class Lead(models.Model):
    class Stage(models.TextChoices):
        NEW = "new", _("New")
        CONTACTED = "contacted", _("Contacted")
        NEEDS_ANALYSIS = "needs_analysis", _("Needs analysed")
        TRIAL = "trial", _("Trial lesson")
        PROPOSAL = "proposal", _("Proposal / quote")
        NEGOTIATION = "negotiation", _("Negotiation")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    class Grade(models.TextChoices):
        A = "A", _("A · Hot")
        B = "B", _("B · Warm")
        C = "C", _("C · Cold")

    class PayerRelation(models.TextChoices):
        SELF = "self", _("Self")
        PARENT = "parent", _("Parent")
        SPOUSE = "spouse", _("Spouse")
        EMPLOYER_HR = "employer_hr", _("Employer HR / training manager")
        OTHER = "other", _("Other")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        help_text=_("Empty while the lead is in the team pool."),
        db_index=False,  # lead_owner_stage_idx starts with owner
    )
    team = models.ForeignKey(
        "salescrm.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        db_index=False,  # lead_team_pool_idx starts with team
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="leads"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
        db_index=False,
    )
    name = models.CharField(_("name"), max_length=100)
    company = models.CharField(_("company"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    wechat = models.CharField(_("WeChat ID"), max_length=64, blank=True)
    product_line = models.ForeignKey(
        "salescrm.ProductLine",
        verbose_name=_("interested product line"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    budget = models.DecimalField(
        _("budget (CNY)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=amount_validators(),
    )
    region = models.CharField(_("region"), max_length=64, blank=True)
    territory = models.ForeignKey(
        "Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    needs = models.TextField(_("needs"), blank=True)
    decision_maker_reached = models.BooleanField(_("decision maker reached"), default=False)
    is_urgent = models.BooleanField(_("urgent need"), default=False)
    payer_name = models.CharField(_("payer / decision maker"), max_length=100, blank=True)
    payer_phone = models.CharField(_("payer phone"), max_length=20, blank=True)
    payer_relation = models.CharField(
        _("payer relation"), max_length=16, choices=PayerRelation.choices, blank=True
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.NEW)
    lost_reason = models.ForeignKey(
        LostReason,
        verbose_name=_("lost reason"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
        db_index=False,
    )
    score = models.SmallIntegerField(_("score"), default=0)
    grade = models.CharField(_("grade"), max_length=1, choices=Grade.choices, default=Grade.C)
    score_reasons = models.JSONField(_("score reasons"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # indexed with the id (lead_created_keyset_idx): the list's order and its keyset pages
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    next_follow_up_on = models.DateField(
        _("next follow-up on"),
        null=True,
        blank=True,
        db_index=True,
        validators=[validate_business_date],
    )
    won_at = models.DateTimeField(_("won at"), null=True, blank=True)
    # The day of the trial lesson booked for the lead (the calendar shows it and moves it).
    trial_lesson_on = models.DateField(
        _("trial lesson on"), null=True, blank=True, validators=[validate_business_date]
    )
    # A grade set by hand that the scoring keeps (blank: the score's grade). See
    # lead_grade_override; every change is kept in GradeOverride.
    grade_override = models.CharField(
        _("grade set by hand"), max_length=1, choices=Grade.choices, blank=True
    )
    # Values of the admin-defined custom fields (customfields app), by key; a GIN index on
    # PostgreSQL (migration 0010) serves the list filter's containment queries.
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    objects = LeadQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lead")
        verbose_name_plural = _("leads")
        constraints = [
            # One organisation: a normalised phone or e-mail belongs to one lead, whatever the
            # race between two captures (SPEC §2 duplicates).
            models.UniqueConstraint(
                fields=["phone"],
                condition=~Q(phone=""),
                name="lead_unique_phone",
                violation_error_message=_("A lead with this phone number already exists."),
            ),
            models.UniqueConstraint(
                fields=["email"],
                condition=~Q(email=""),
                name="lead_unique_email",
                violation_error_message=_("A lead with this e-mail address already exists."),
            ),
            models.CheckConstraint(
                condition=~Q(stage="lost") | Q(lost_reason__isnull=False),
                name="lead_lost_has_reason",
                violation_error_message=_("A lost lead needs a reason."),
            ),
            models.CheckConstraint(
                condition=~Q(stage="won") | Q(won_at__isnull=False),
                name="lead_won_has_date",
                violation_error_message=_("A won lead needs the date it was won."),
            ),
            models.CheckConstraint(
                condition=Q(grade__in=["A", "B", "C"]),
                name="lead_grade_abc",
                violation_error_message=_("The grade is A, B or C."),
            ),
            # Budgets are summed into the funnel's stage amounts; a bounded budget keeps them
            # within their fields.
            models.CheckConstraint(
                condition=Q(budget__isnull=True) | Q(budget__lte=MAX_AMOUNT),
                name="lead_budget_within_limit",
                violation_error_message=_("An amount can be at most 99,999,999.99."),
            ),
            models.CheckConstraint(
                violation_error_message=_("The budget cannot be negative."),
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
                name="lead_budget_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "stage"], name="lead_owner_stage_idx"),
            models.Index(fields=["team", "owner"], name="lead_team_pool_idx"),
            # The nightly reclaim and its reminders look for owned open leads idle since a
            # moment: without this, a scan of every lead each night (~1 s at 1 M leads).
            models.Index(
                pool_clock(),
                name="lead_owned_open_clock_idx",
                condition=Q(owner__isnull=False) & ~Q(stage__in=["won", "lost"]),
            ),
            # Leads won in a period (the sales-cycle KPI): a few percent of all leads.
            models.Index(
                fields=["won_at"], name="lead_won_at_idx", condition=Q(won_at__isnull=False)
            ),
            # The lead list on 1 M leads (issue 21): its order (-created_at, -id) read from an
            # index, for the first page and for the keyset pages after it; the grade and stage
            # filters in the same order. The search's trigram indexes (name, company, phone) are
            # PostgreSQL-only and made in migration leads 0010 (not in the model state, so
            # SQLite migrates without them); an exact phone uses lead_unique_phone.
            models.Index(fields=["created_at", "id"], name="lead_created_keyset_idx"),
            # a rep's own list (3,333 leads each in bench/) in its order: no heap visit per lead
            models.Index(fields=["owner", "created_at", "id"], name="lead_owner_created_idx"),
            models.Index(fields=["grade", "created_at", "id"], name="lead_grade_created_idx"),
            models.Index(fields=["stage", "created_at", "id"], name="lead_stage_created_idx"),
        ]

    def __str__(self):
        return f"{self.name} · {self.company}" if self.company else self.name

    def get_absolute_url(self):
        return reverse("leads:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage not in (self.Stage.WON, self.Stage.LOST)

    def score_reason_rows(self) -> list[tuple[str, int]]:
        """(rule label, points) of the rules that fired at the last scoring."""
        labels = dict(ScoringRule.Criterion.choices)
        return [
            (labels.get(reason["criterion"], reason["criterion"]), reason["points"])
            for reason in self.score_reasons
        ]


class StageChangeQuerySet(ScopedQuerySet):
    scope_owner_path = "lead__owner"


class StageChange(models.Model):
    lead = models.ForeignKey(
        Lead,
        verbose_name=_("lead"),
        on_delete=models.CASCADE,
        related_name="stage_changes",
        db_index=False,  # stagechange_lead_history_idx starts with it
    )
    from_stage = models.CharField(
        _("from stage"), max_length=16, choices=Lead.Stage.choices, blank=True
    )
    to_stage = models.CharField(_("to stage"), max_length=16, choices=Lead.Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)

    objects = StageChangeQuerySet.as_manager()

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        indexes = [
            # A lead's history in order, with the stage: the funnel snapshot reads the 90-day
            # cohort's from the index alone (PostgreSQL), not from the 2.7 M-row table.
            models.Index(
                fields=["lead", "changed_at", "id"],
                include=["to_stage"],
                name="stagechange_lead_history_idx",
            ),
        ]

    def __str__(self):
        return f"{self.lead_id}: {self.from_stage or '-'} → {self.to_stage}"


class GradeOverride(models.Model):
    """One hand-made change of a lead's grade (or its return to the score's grade)."""

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="grade_overrides"
    )
    from_grade = models.CharField(_("from grade"), max_length=1, choices=Lead.Grade.choices)
    to_override = models.CharField(
        _("grade set by hand"), max_length=1, choices=Lead.Grade.choices, blank=True
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("grade override")
        verbose_name_plural = _("grade overrides")

    def __str__(self):
        return f"{self.lead_id}: {self.from_grade} → {self.to_override or '-'}"


class Assignment(models.Model):
    """Every change of a lead's owner, with who did it and why (SPEC §2 assignment history).

    Few indexes on purpose: rows are written in bulk by imports and the nightly reclaim, and
    read by lead or by (new owner, reason, day) for the claim cap."""

    class Reason(models.TextChoices):
        CREATED = "created", pgettext_lazy("assignment reason", "Created")
        ROUND_ROBIN = "round_robin", _("Round-robin")
        MANUAL = "manual", _("Reassigned by a manager")
        CLAIM = "claim", _("Claimed from the pool")
        RECLAIM = "reclaim", _("Returned to the pool")

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="assignments"
    )
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("assignment", "from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("assignment", "to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["changed_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            models.Index(fields=["to_owner", "reason", "changed_at"], name="assign_claims_idx")
        ]

    def __str__(self):
        return f"{self.lead_id}: {self.from_owner_id} → {self.to_owner_id} ({self.reason})"


class RoundRobinCursor(models.Model):
    """Who in a team got the last round-robin lead. Kept in the database and locked with
    SELECT ... FOR UPDATE so that restarts and concurrent captures stay fair."""

    team = models.OneToOneField(
        "salescrm.Team", verbose_name=_("team"), on_delete=models.CASCADE, related_name="+"
    )
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("round-robin cursor")
        verbose_name_plural = _("round-robin cursors")

    def __str__(self):
        return f"{self.team_id}: {self.last_user_id}"


class ActivityQuerySet(ScopedQuerySet):
    scope_owner_path = "lead__owner"

    def effective_visits(self):
        return self.filter(kind__in=Activity.EFFECTIVE_VISIT_KINDS)

    def between(self, first: dt.date, last: dt.date):
        start, end = day_bounds(first, last)
        return self.filter(occurred_at__gte=start, occurred_at__lt=end)


class Activity(models.Model):
    class Kind(models.TextChoices):
        PHONE = "phone", _("Phone call")
        WECHAT = "wechat", _("WeChat")
        VISIT = "visit", _("On-site visit")
        ONLINE_MEETING = "online_meeting", _("Online meeting")
        TRIAL_LESSON = "trial_lesson", _("Trial lesson")
        CAMPUS_TOUR = "campus_tour", _("Campus tour")
        RE_ENQUIRY = "re_enquiry", _("Re-enquiry")
        NOTE = "note", _("Note")

    EFFECTIVE_VISIT_KINDS = [
        Kind.VISIT,
        Kind.ONLINE_MEETING,
        Kind.TRIAL_LESSON,
        Kind.CAMPUS_TOUR,
    ]

    lead = models.ForeignKey(
        Lead, verbose_name=_("lead"), on_delete=models.CASCADE, related_name="activities"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("follow-up", "by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    kind = models.CharField(pgettext_lazy("follow-up", "kind"), max_length=16, choices=Kind.choices)
    occurred_at = models.DateTimeField(
        _("when"), default=timezone.now, db_index=True, validators=[validate_business_date]
    )
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    feedback = models.TextField(_("customer feedback and needs"), blank=True)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_follow_up_on = models.DateField(
        _("next follow-up on"), null=True, blank=True, validators=[validate_business_date]
    )
    created_at = models.DateTimeField(_("logged at"), auto_now_add=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [
            models.Index(fields=["lead", "-occurred_at"], name="activity_timeline_idx"),
            models.Index(fields=["actor", "occurred_at"], name="activity_actor_idx"),
            models.Index(fields=["next_follow_up_on"], name="activity_follow_up_idx"),
            # Covers the KPIs' counts of a period's activities by kind and rep (effective
            # visits, activity plan completion) without reading the table's rows.
            models.Index(fields=["occurred_at", "kind", "actor"], name="activity_period_kind_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.lead_id}"

    def get_absolute_url(self):
        return reverse("leads:detail", args=[self.lead_id]) + f"#activity-{self.pk}"


class ActivityPlanQuerySet(ScopedQuerySet):
    scope_owner_path = "rep"


class ActivityPlan(models.Model):
    """A rep's weekly activity targets (活动量管理, seed 004). Actuals are counted from the
    logged activities and leads (see leads.selectors.plan_actuals)."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        on_delete=models.CASCADE,
        related_name="activity_plans",
    )
    week_start = models.DateField(_("week starting (Monday)"), validators=[validate_business_date])
    calls = models.PositiveSmallIntegerField(
        _("calls"), default=0, validators=[MaxValueValidator(MAX_ACTIVITIES)]
    )
    visits = models.PositiveSmallIntegerField(
        _("visits"), default=0, validators=[MaxValueValidator(MAX_ACTIVITIES)]
    )
    new_leads = models.PositiveSmallIntegerField(
        _("new leads"), default=0, validators=[MaxValueValidator(MAX_ACTIVITIES)]
    )
    trial_lessons = models.PositiveSmallIntegerField(
        _("trial lessons"), default=0, validators=[MaxValueValidator(MAX_ACTIVITIES)]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ActivityPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-week_start", "rep__username"]
        verbose_name = _("activity plan")
        verbose_name_plural = _("activity plans")
        constraints = [
            models.UniqueConstraint(fields=["rep", "week_start"], name="activity_plan_once_a_week")
        ]

    def __str__(self):
        return f"{self.rep} · {self.week_start}"

    def get_absolute_url(self):
        return reverse("leads:activity_plan_detail", args=[self.pk])

    @property
    def week_end(self) -> dt.date:
        return self.week_start + dt.timedelta(days=6)


class CoachingComment(models.Model):
    plan = models.ForeignKey(
        ActivityPlan,
        verbose_name=_("activity plan"),
        on_delete=models.CASCADE,
        related_name="comments",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(pgettext_lazy("coaching", "comment"), max_length=2000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("coaching comment")
        verbose_name_plural = _("coaching comments")

    def __str__(self):
        return self.body[:50]


class Territory(models.Model):
    """A sales territory (销售区域, seed 004; issue 20): a province, a city in it or a district
    in that city, admin-managed. Leads and customers are placed in one; a territory is the
    responsibility of a team or a rep. A territory's figures include its descendants'."""

    class Kind(models.TextChoices):
        PROVINCE = "province", pgettext_lazy("territory level", "Province")
        CITY = "city", pgettext_lazy("territory level", "City")
        DISTRICT = "district", pgettext_lazy("territory level", "District")

    # the kind a parent must have, per kind (a province has none)
    PARENT_KIND = {Kind.CITY: Kind.PROVINCE, Kind.DISTRICT: Kind.CITY}

    name = models.CharField(_("name"), max_length=64)
    name_en = models.CharField(_("English name"), max_length=64, blank=True)
    kind = models.CharField(
        pgettext_lazy("territory", "level"), max_length=16, choices=Kind.choices
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    owner_team = models.ForeignKey(
        "salescrm.Team",
        verbose_name=_("responsible team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="territories",
    )
    owner_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible rep"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="territories",
    )

    class Meta:
        ordering = ["kind", "name", "id"]
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "name"],
                condition=Q(parent__isnull=False),
                name="territory_unique_name_in_parent",
                violation_error_message=_("This place already has a territory of that name."),
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(parent__isnull=True),
                name="territory_unique_province_name",
                violation_error_message=_("This place already has a territory of that name."),
            ),
            models.CheckConstraint(
                condition=Q(owner_team__isnull=True) | Q(owner_rep__isnull=True),
                name="territory_one_owner",
                violation_error_message=_(
                    "A territory is the responsibility of a team or of a rep, not both."
                ),
            ),
        ]

    def __str__(self):
        return bilingual(self.name, self.name_en)

    def clean(self):
        from django.core.exceptions import ValidationError

        wanted = self.PARENT_KIND.get(self.kind)
        parent = self.parent
        if wanted is None and parent is not None:
            raise ValidationError({"parent": _("A province is not part of another territory.")})
        if wanted is not None and (parent is None or parent.kind != wanted):
            raise ValidationError(
                {
                    "parent": _("A %(kind)s is part of a %(parent)s.")
                    % {"kind": self.Kind(self.kind).label, "parent": self.Kind(wanted).label}
                }
            )

    @property
    def path(self) -> str:
        """ "浙江省 › 杭州市 › 西湖区" (reads the parents: select_related them)."""
        names, node = [], self
        while node is not None:
            names.append(str(node))
            node = node.parent
        return " › ".join(reversed(names))
