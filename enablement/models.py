"""Enablement (seeds 000–004): the script library (话术库) with objection cards and case
studies, which script a rep used on a follow-up, script A/B experiments, onboarding with a
mentor and a probation decision, training, and team-lead promotion cases.

Who sees what: the published library is read by every sales role; drafts by their author and
the managers, director and admins who approve them. Usage, onboarding, training and
promotion rows are owned by a rep and scoped like every owned row (``visible_to``)."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from leads.models import Activity, Lead
from salescrm.models import ProductLine
from salescrm.roles import LEADERS
from salescrm.scoping import ScopedQuerySet, managed_team_ids
from salescrm.timeutil import add_months, month_end, validate_business_date

PERCENT = {"max_digits": 7, "decimal_places": 2}


def plus_months(day: dt.date, count: int) -> dt.date:
    """The same day `count` months later (earlier when negative), or that month's last day
    when it is shorter: 2026-03-10 + 3 → 2026-06-10; 2025-11-30 + 3 → 2026-02-28."""
    first = add_months(day, count)
    return first.replace(day=min(day.day, month_end(first).day))


class EnablementSettings(models.Model):
    """The admin-set rules (one row): the uplift a new script must show to pass its A/B
    test (15 % by default, seed 003), the usage goal shown on the library (80 %), and the
    days an onboarding item is due after the hire date by default (three weeks)."""

    min_uplift_percent = models.DecimalField(
        _("minimum uplift to pass (%)"),
        default=Decimal(15),
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
        **PERCENT,
    )
    usage_goal_percent = models.DecimalField(
        _("script usage goal (%)"),
        default=Decimal(80),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        **PERCENT,
    )
    onboarding_due_days = models.PositiveIntegerField(
        _("onboarding items due after hire (days)"),
        default=21,
        validators=[MaxValueValidator(3650)],
    )

    class Meta:
        verbose_name = _("enablement settings")
        verbose_name_plural = _("enablement settings")

    def __str__(self):
        return str(_("Enablement settings"))

    @classmethod
    def load(cls) -> "EnablementSettings":
        return cls.objects.order_by("pk").first() or cls()


# --- the script library -----------------------------------------------------------------------


class ScriptStage(models.TextChoices):
    """The steps of seed 004 (接触 / 说明 / 促成) laid over the funnel."""

    CONTACT = "contact", _("Contact")
    NEEDS_ANALYSIS = "needs_analysis", _("Needs analysis")
    TRIAL = "trial", _("Trial lesson")
    PROPOSAL = "proposal", _("Proposal")
    NEGOTIATION = "negotiation", _("Negotiation")
    CLOSING = "closing", _("Closing")


# The script stages a lead at each funnel stage is shown (a lead in negotiation is also
# being closed). Won and lost leads get none.
STAGES_FOR_LEAD = {
    Lead.Stage.NEW: [ScriptStage.CONTACT],
    Lead.Stage.CONTACTED: [ScriptStage.CONTACT],
    Lead.Stage.NEEDS_ANALYSIS: [ScriptStage.NEEDS_ANALYSIS],
    Lead.Stage.TRIAL: [ScriptStage.TRIAL],
    Lead.Stage.PROPOSAL: [ScriptStage.PROPOSAL],
    Lead.Stage.NEGOTIATION: [ScriptStage.NEGOTIATION, ScriptStage.CLOSING],
}


class ScriptQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_version__isnull=False, is_retired=False)

    def for_lead(self, lead: Lead):
        """Published entries for the lead's stage (or for every stage) and its product line
        (or for every line)."""
        stages = STAGES_FOR_LEAD.get(lead.stage)
        if not stages:
            return self.none()
        lines = Q(product_line__isnull=True)
        if lead.product_line_id:
            lines |= Q(product_line_id=lead.product_line_id)
        return self.published().filter(Q(stage__in=stages) | Q(stage=""), lines)

    def visible_to(self, user):
        """Published entries for everyone in sales; drafts for their author and reviewers."""
        if user.has_role(*REVIEWERS):
            return self
        return self.filter(Q(published_version__isnull=False) | Q(created_by=user))


class Script(models.Model):
    """One entry of the library: a script (话术) or tool for a stage, an objection card
    (objection → answer → evidence) or a case study (customer, problem, solution, result).
    Its text lives in versions; the published version is the one reps see."""

    class Kind(models.TextChoices):
        SCRIPT = "script", _("Script")
        TOOL = "tool", _("Sales tool")
        OBJECTION = "objection", _("Objection card")
        CASE = "case", _("Case study")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.SCRIPT)
    title = models.CharField(_("title"), max_length=120)
    stage = models.CharField(
        _("stage"),
        max_length=16,
        choices=ScriptStage.choices,
        blank=True,
        help_text=_("Empty: every stage."),
    )
    product_line = models.ForeignKey(
        ProductLine,
        verbose_name=_("product line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: every product line."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_version = models.OneToOneField(
        "ScriptVersion",
        verbose_name=_("published version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_retired = models.BooleanField(_("retired"), default=False)

    objects = ScriptQuerySet.as_manager()

    class Meta:
        ordering = ["stage", "kind", "title"]
        verbose_name = _("script")
        verbose_name_plural = _("scripts")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("enablement:script_detail", args=[self.pk])


class ScriptVersion(models.Model):
    """A version of an entry's text, written by an author and approved by a manager (or the
    director) before it is published; publishing one supersedes the previous one."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PENDING = "pending", _("Waiting for approval")
        PUBLISHED = "published", _("Published")
        SUPERSEDED = "superseded", _("Superseded")
        REJECTED = "rejected", _("Rejected")

    script = models.ForeignKey(
        Script, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    body = models.TextField(_("text"), help_text=_("The script, tool, answer or story."))
    objection = models.CharField(_("objection"), max_length=300, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    customer = models.CharField(_("customer"), max_length=120, blank=True)
    problem = models.TextField(_("problem"), blank=True)
    solution = models.TextField(_("solution"), blank=True)
    result = models.TextField(_("result"), blank=True)
    contract = models.ForeignKey(
        "customers.Contract",
        verbose_name=_("won contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("reviewer's note"), max_length=300, blank=True)

    class Meta:
        ordering = ["script", "-number"]
        verbose_name = _("script version")
        verbose_name_plural = _("script versions")
        constraints = [
            models.UniqueConstraint(fields=["script", "number"], name="script_version_number"),
            models.UniqueConstraint(
                fields=["script"],
                condition=Q(status="published"),
                name="script_one_published_version",
            ),
        ]

    def __str__(self):
        return f"{self.script} v{self.number}"


class ScriptUsageQuerySet(ScopedQuerySet):
    scope_owner_path = "rep"


class ScriptUsage(models.Model):
    """The script a rep marked as used on a follow-up (one per activity)."""

    activity = models.OneToOneField(
        Activity,
        verbose_name=_("activity"),
        on_delete=models.CASCADE,
        related_name="script_usage",
    )
    script = models.ForeignKey(
        Script, verbose_name=_("script"), on_delete=models.PROTECT, related_name="usages"
    )
    version = models.ForeignKey(
        ScriptVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="+"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    used_at = models.DateTimeField(_("used at"), db_index=True)

    objects = ScriptUsageQuerySet.as_manager()

    class Meta:
        ordering = ["-used_at"]
        verbose_name = _("script usage")
        verbose_name_plural = _("script usages")

    def __str__(self):
        return f"{self.script} · {self.activity_id}"


# --- A/B experiments ----------------------------------------------------------------------------


class ExperimentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Reps see the experiments they are in; a manager those of their teams (and the
        company-wide ones); director and admins every one."""
        if user.sees_all:
            return self
        if user.has_role(*REVIEWERS):
            return self.filter(Q(team__isnull=True) | Q(team_id__in=managed_team_ids(user)))
        return self.filter(members__rep=user).distinct()


class Experiment(models.Model):
    """Script A (the old one) against script B (the new one) for one stage transition: the
    reps in scope are split into two arms at random, balanced by their past conversion, and
    the nightly job measures each arm's conversion from the stage history."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        FINISHED = "finished", _("Finished")

    class Verdict(models.TextChoices):
        PENDING = "pending", _("Not measured yet")
        PASS = "pass", _("Pass")
        NOT_PROVEN = "not_proven", _("Not proven")
        WORSE = "worse", _("Worse")

    name = models.CharField(_("name"), max_length=120)
    script_a = models.ForeignKey(
        Script, verbose_name=_("script A (old)"), on_delete=models.PROTECT, related_name="+"
    )
    script_b = models.ForeignKey(
        Script, verbose_name=_("script B (new)"), on_delete=models.PROTECT, related_name="+"
    )
    from_stage = models.CharField(_("from stage"), max_length=16, choices=Lead.Stage.choices)
    to_stage = models.CharField(_("to stage"), max_length=16, choices=Lead.Stage.choices)
    team = models.ForeignKey(
        "salescrm.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: every team."),
    )
    starts_on = models.DateField(_("starts on"), validators=[validate_business_date])
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, validators=[validate_business_date]
    )
    min_sample = models.PositiveIntegerField(
        _("minimum leads per arm"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(1_000_000)],
    )
    alpha = models.DecimalField(
        _("significance level"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.05"),
        validators=[MinValueValidator(Decimal("0.001")), MaxValueValidator(Decimal("0.2"))],
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RUNNING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # the night's result (replaced by every run of the job)
    computed_for = models.DateField(_("measured up to"), null=True, blank=True)
    n_a = models.PositiveIntegerField(_("leads in arm A"), default=0)
    conversions_a = models.PositiveIntegerField(_("conversions in arm A"), default=0)
    n_b = models.PositiveIntegerField(_("leads in arm B"), default=0)
    conversions_b = models.PositiveIntegerField(_("conversions in arm B"), default=0)
    uplift = models.FloatField(_("relative uplift"), null=True, blank=True)
    ci_low = models.FloatField(_("interval low"), null=True, blank=True)
    ci_high = models.FloatField(_("interval high"), null=True, blank=True)
    p_value = models.FloatField(_("p-value"), null=True, blank=True)
    min_uplift = models.DecimalField(_("uplift needed (%)"), null=True, blank=True, **PERCENT)
    verdict = models.CharField(
        _("verdict"), max_length=16, choices=Verdict.choices, default=Verdict.PENDING
    )

    objects = ExperimentQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("script experiment")
        verbose_name_plural = _("script experiments")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="experiment_ends_after_start",
                violation_error_message=_("The end must not be before the start."),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=False) | Q(min_sample__isnull=False),
                name="experiment_has_a_stop",
                violation_error_message=_("Give an end date or a minimum sample."),
            ),
            models.CheckConstraint(
                condition=~Q(script_a=models.F("script_b")),
                name="experiment_two_scripts",
                violation_error_message=_("Scripts A and B must differ."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("enablement:experiment_detail", args=[self.pk])

    @property
    def rate_a(self):
        return self.conversions_a / self.n_a if self.n_a else None

    @property
    def rate_b(self):
        return self.conversions_b / self.n_b if self.n_b else None


class ExperimentMember(models.Model):
    class Arm(models.TextChoices):
        A = "A", _("A (old script)")
        B = "B", _("B (new script)")

    experiment = models.ForeignKey(
        Experiment, verbose_name=_("experiment"), on_delete=models.CASCADE, related_name="members"
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rep"), on_delete=models.PROTECT, related_name="+"
    )
    arm = models.CharField(_("arm"), max_length=1, choices=Arm.choices)
    past_conversion = models.FloatField(_("past conversion"), null=True, blank=True)

    class Meta:
        ordering = ["experiment", "arm", "rep__username"]
        verbose_name = _("experiment member")
        verbose_name_plural = _("experiment members")
        constraints = [
            models.UniqueConstraint(fields=["experiment", "rep"], name="experiment_rep_once")
        ]

    def __str__(self):
        return f"{self.experiment_id}: {self.rep_id} → {self.arm}"


# --- people: leavers, onboarding, training, promotion -------------------------------------------


REVIEWERS = LEADERS  # approve scripts, run experiments


class DepartureQuerySet(ScopedQuerySet):
    scope_owner_path = "person"


class Departure(models.Model):
    """A person who left, and when (the attrition KPI reads hire dates and these)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="departure",
    )
    left_on = models.DateField(_("left on"), validators=[validate_business_date])
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    objects = DepartureQuerySet.as_manager()

    class Meta:
        ordering = ["-left_on"]
        verbose_name = _("departure")
        verbose_name_plural = _("departures")

    def __str__(self):
        return f"{self.person} · {self.left_on}"


class OnboardingTemplate(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("onboarding template")
        verbose_name_plural = _("onboarding templates")

    def __str__(self):
        return self.name


class OnboardingTemplateItem(models.Model):
    template = models.ForeignKey(
        OnboardingTemplate,
        verbose_name=_("template"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    title = models.CharField(_("title"), max_length=120)
    due_days = models.PositiveIntegerField(
        _("due after hire (days)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(3650)],
        help_text=_("Empty: the default of the settings (21 days)."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["template", "order", "id"]
        verbose_name = _("template item")
        verbose_name_plural = _("template items")

    def __str__(self):
        return self.title


class OnboardingPlanQuerySet(ScopedQuerySet):
    scope_owner_path = "rep"

    def visible_to(self, user):
        # the mentor follows the plan too
        return self.filter(Q(pk__in=super().visible_to(user).values("pk")) | Q(mentor=user))


class OnboardingPlan(models.Model):
    """A new rep's first months: items from a template with due dates from the hire date,
    a mentor (导师) who signs them off, and the probation decision at three months."""

    class Decision(models.TextChoices):
        PENDING = "", _("Not decided")
        PASS = "pass", _("Pass")
        EXTEND = "extend", _("Extend")
        FAIL = "fail", _("Fail")

    rep = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        on_delete=models.CASCADE,
        related_name="onboarding_plan",
    )
    template = models.ForeignKey(
        OnboardingTemplate,
        verbose_name=_("template"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mentor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mentees",
    )
    hire_date = models.DateField(_("hire date"), validators=[validate_business_date])
    ramp_activities_per_month = models.PositiveIntegerField(
        _("ramp target: activities per month"), default=40, validators=[MaxValueValidator(10_000)]
    )
    decision = models.CharField(
        _("probation decision"), max_length=8, choices=Decision.choices, blank=True, default=""
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)

    objects = OnboardingPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-hire_date", "rep__username"]
        verbose_name = _("onboarding plan")
        verbose_name_plural = _("onboarding plans")

    def __str__(self):
        return f"{self.rep}"

    def get_absolute_url(self):
        return reverse("enablement:onboarding_detail", args=[self.pk])

    @property
    def probation_due_on(self) -> dt.date:
        return plus_months(self.hire_date, 3)


class OnboardingItem(models.Model):
    plan = models.ForeignKey(
        OnboardingPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="items"
    )
    title = models.CharField(_("title"), max_length=120)
    due_on = models.DateField(_("due on"))
    order = models.PositiveIntegerField(_("order"), default=0)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_off_on = models.DateField(_("signed off on"), null=True, blank=True)

    class Meta:
        ordering = ["plan", "order", "id"]
        verbose_name = _("onboarding item")
        verbose_name_plural = _("onboarding items")

    def __str__(self):
        return self.title


class Course(models.Model):
    class Kind(models.TextChoices):
        INTERNAL = "internal", _("Internal training")
        CERTIFICATION = "certification", _("Certification")

    title = models.CharField(_("title"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INTERNAL)
    pass_score = models.PositiveIntegerField(
        _("pass score"), default=60, validators=[MaxValueValidator(100)]
    )

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def __str__(self):
        return self.title


class TrainingSession(models.Model):
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="sessions"
    )
    held_on = models.DateField(_("held on"), validators=[validate_business_date])
    trainer = models.CharField(_("trainer"), max_length=120, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)

    class Meta:
        ordering = ["-held_on", "id"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")

    def __str__(self):
        return f"{self.course} · {self.held_on}"


class AttendanceQuerySet(ScopedQuerySet):
    scope_owner_path = "rep"


class Attendance(models.Model):
    session = models.ForeignKey(
        TrainingSession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="+"
    )
    attended = models.BooleanField(_("attended"), default=True)
    score = models.PositiveIntegerField(
        _("assessment score"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["session", "rep__username"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["session", "rep"], name="attendance_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__lte=100),
                name="attendance_score_0_100",
                violation_error_message=_("A score is between 0 and 100."),
            ),
        ]

    def __str__(self):
        return f"{self.session} · {self.rep_id}"


class TrainingPlanItemQuerySet(ScopedQuerySet):
    scope_owner_path = "rep"


class TrainingPlanItem(models.Model):
    """A course a rep is to pass by a date (the personal training plan). Complete once the
    rep attended a session of the course on or before the due date with at least its pass
    score."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("rep"), on_delete=models.CASCADE, related_name="+"
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="+"
    )
    due_on = models.DateField(_("due on"), validators=[validate_business_date])

    objects = TrainingPlanItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("training plan item")
        verbose_name_plural = _("training plan items")
        constraints = [
            models.UniqueConstraint(fields=["rep", "course"], name="training_plan_course_once")
        ]

    def __str__(self):
        return f"{self.rep_id} · {self.course}"


class PromotionCaseQuerySet(ScopedQuerySet):
    scope_owner_path = "rep"


class PromotionCase(models.Model):
    """A team-lead application (竞聘组长) the director opened for a rep who met the target two
    consecutive quarters, with the decision and its reason."""

    class Decision(models.TextChoices):
        OPEN = "open", pgettext_lazy("decision", "Open")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rep"),
        on_delete=models.PROTECT,
        related_name="promotion_cases",
    )
    first_quarter = models.DateField(_("first quarter"))
    second_quarter = models.DateField(_("second quarter"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_on = models.DateField(_("opened on"))
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.OPEN
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    objects = PromotionCaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("promotion case")
        verbose_name_plural = _("promotion cases")
        constraints = [
            models.UniqueConstraint(
                fields=["rep", "second_quarter"], name="promotion_case_once_per_quarters"
            )
        ]

    def __str__(self):
        return f"{self.rep} · {self.second_quarter}"
