"""Customer success (issue 17, seeds 001 and 003): service levels per tier, the renewal
pipeline, account plans of strategic customers, survey links and feedback to course
development. Complaints stay in customers (their loop fields live on ``Complaint``)."""

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from customers.models import Complaint, Contract, Customer, SatisfactionSurvey, Tier
from salescrm.bounds import MAX_AMOUNT
from salescrm.scoping import ScopedQuerySet
from salescrm.timeutil import validate_business_date

MONEY = {"max_digits": 14, "decimal_places": 2}


def new_nonce() -> str:
    """A survey link's secret part: 128 random bits, 32 hex digits."""
    return secrets.token_hex(16)


# --- service levels -------------------------------------------------------------------------


class ServiceLevel(models.Model):
    """What a tier is promised (seed 001): how often the customer is contacted, how fast a
    complaint gets its first response, and who serves them. Admin-set, one row per tier."""

    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, unique=True)
    cadence_days = models.PositiveSmallIntegerField(
        _("follow-up every (days)"), validators=[MinValueValidator(1), MaxValueValidator(366)]
    )
    response_hours = models.PositiveSmallIntegerField(
        _("complaint first response within (hours)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
    )
    response_in_working_hours = models.BooleanField(
        _("count the response time in working hours"),
        default=False,
        help_text=_(
            "Only the hours of working days count (the working calendar: Monday to Friday, "
            "public holidays off, adjusted working days worked)."
        ),
    )
    service_team = models.CharField(
        _("service team"),
        max_length=100,
        blank=True,
        help_text=_("e.g. the cross-department VIP group of strategic customers."),
    )
    service_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: the customer's own sales rep serves them."),
    )

    class Meta:
        ordering = ["cadence_days"]
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        constraints = [
            models.CheckConstraint(
                condition=Q(cadence_days__gte=1, cadence_days__lte=366),
                name="servicelevel_cadence_1_366",
                violation_error_message=_("The cadence lies between 1 and 366 days."),
            ),
        ]

    def __str__(self):
        return str(Tier(self.tier).label)


class ServiceFollowUpQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(done_on__isnull=True)

    def overdue(self, day: dt.date):
        return self.open().filter(due_on__lt=day)


class ServiceFollowUp(models.Model):
    """A follow-up the cadence asks for, opened by the nightly job when a customer's last
    contact is older than the tier's cadence allows; closed by the next contact logged."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="service_follow_ups",
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    due_on = models.DateField(_("due on"))
    opened_on = models.DateField(_("opened on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects = ServiceFollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("service follow-up")
        verbose_name_plural = _("service follow-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=Q(done_on__isnull=True),
                name="servicefollowup_one_open_per_customer",
            )
        ]
        indexes = [models.Index(fields=["owner", "done_on", "due_on"], name="sfu_owner_idx")]

    def __str__(self):
        return f"{self.customer} · {self.due_on}"


class CadenceCompliance(models.Model):
    """The nightly KPI row: of an owner's customers with a service level who are due for
    service, how many were contacted within their tier's cadence on the business date."""

    business_date = models.DateField(_("business date"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    due = models.PositiveIntegerField(_("customers due for service"))
    served = models.PositiveIntegerField(_("served on cadence"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-business_date", "owner", "tier"]
        verbose_name = _("cadence compliance")
        verbose_name_plural = _("cadence compliance")
        constraints = [
            models.UniqueConstraint(
                fields=["business_date", "owner", "tier"], name="cadence_compliance_once"
            ),
            models.CheckConstraint(
                condition=Q(served__lte=models.F("due")), name="cadence_served_within_due"
            ),
        ]

    def __str__(self):
        return f"{self.business_date} · {self.owner_id} · {self.tier}"


# --- renewals -------------------------------------------------------------------------------


class SuccessSettings(models.Model):
    """Admin-set numbers of customer success (one row)."""

    renewal_lead_days = models.PositiveSmallIntegerField(
        _("open a renewal this many days before the course ends"),
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    no_contact_days = models.PositiveSmallIntegerField(
        _("at risk after this many days without contact"),
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    low_satisfaction_score = models.PositiveSmallIntegerField(
        _("at risk at or below this satisfaction (1–5)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    lessons_used_share = models.DecimalField(
        _("at risk below this share of lessons used"),
        max_digits=3,
        decimal_places=2,
        default=0.5,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
    )
    survey_after_start_days = models.PositiveSmallIntegerField(
        _("survey this many days after the course starts"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    survey_link_days = models.PositiveSmallIntegerField(
        _("a survey link is valid for (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )

    class Meta:
        verbose_name = _("customer success settings")
        verbose_name_plural = _("customer success settings")

    def __str__(self):
        return str(_("Customer success settings"))

    @classmethod
    def load(cls) -> "SuccessSettings":
        row = cls.objects.order_by("pk").first()
        return row or cls.objects.create()


class RenewalQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(stage__in=RenewalOpportunity.OPEN_STAGES)

    def at_risk(self):
        return self.open().filter(
            Q(risk_no_contact=True)
            | Q(risk_open_complaint=True)
            | Q(risk_low_satisfaction=True)
            | Q(risk_lessons_unused=True)
        )


class RenewalOpportunity(models.Model):
    """The renewal (续费) of one signed contract, opened N days before its course ends.

    The owner moves it from *to contact* to *proposal* or marks it *lost* with a reason;
    *renewed* is never set by hand: the nightly job sets it when the customer has signed a
    contract that continues this course by the one renewal rule of the renewal-rate KPI
    (``customers.models.continues``, read through ``Contract.objects.with_renewed``). An open
    opportunity whose renewal window has passed is closed as lost (lapsed)."""

    class Stage(models.TextChoices):
        TO_CONTACT = "to_contact", _("To contact")
        PROPOSAL = "proposal", _("Proposal")
        RENEWED = "renewed", _("Renewed")
        LOST = "lost", _("Lost")

    class LostReason(models.TextChoices):
        LAPSED = "lapsed", _("No renewal within the window")
        PRICE = "price", _("Price")
        GOAL_REACHED = "goal_reached", _("Learning goal reached")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")
        COMPETITOR = "competitor", _("Went to a competitor")
        BUDGET = "budget", _("No budget")
        OTHER = "other", _("Other")

    OPEN_STAGES = (Stage.TO_CONTACT, Stage.PROPOSAL)

    contract = models.OneToOneField(
        Contract,
        verbose_name=_("ending contract"),
        on_delete=models.CASCADE,
        related_name="renewal_opportunity",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="renewal_opportunities",
    )
    course_ends_on = models.DateField(_("course ends on"))
    opened_on = models.DateField(_("opened on"))
    stage = models.CharField(
        _("stage"), max_length=16, choices=Stage.choices, default=Stage.TO_CONTACT
    )
    lost_reason = models.CharField(
        _("reason lost"), max_length=16, choices=LostReason.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    renewal_contract = models.ForeignKey(
        Contract,
        verbose_name=_("renewal contract"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    renewed_on = models.DateField(_("renewed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    risk_no_contact = models.BooleanField(_("no recent contact"), default=False)
    risk_open_complaint = models.BooleanField(_("open complaint"), default=False)
    risk_low_satisfaction = models.BooleanField(_("low satisfaction"), default=False)
    risk_lessons_unused = models.BooleanField(_("lessons unused"), default=False)

    objects = RenewalQuerySet.as_manager()

    class Meta:
        ordering = ["course_ends_on", "id"]
        verbose_name = _("renewal opportunity")
        verbose_name_plural = _("renewal opportunities")
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="lost") | ~Q(lost_reason=""),
                name="renewal_lost_has_reason",
                violation_error_message=_("A lost renewal needs its reason."),
            ),
            models.CheckConstraint(
                condition=~Q(stage="renewed") | Q(renewed_on__isnull=False),
                name="renewal_renewed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "stage"], name="renewal_owner_stage_idx"),
            models.Index(fields=["course_ends_on"], name="renewal_course_end_idx"),
        ]

    def __str__(self):
        return f"{self.customer} · {self.course_ends_on}"

    def get_absolute_url(self):
        return reverse("success:renewal_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.stage in self.OPEN_STAGES

    def risk_reasons(self) -> list[str]:
        flags = [
            (self.risk_no_contact, _("no recent contact")),
            (self.risk_open_complaint, _("open complaint")),
            (self.risk_low_satisfaction, _("low satisfaction")),
            (self.risk_lessons_unused, _("lessons unused")),
        ]
        return [str(label) for flag, label in flags if flag]


# --- account plans --------------------------------------------------------------------------


class AccountPlanQuerySet(ScopedQuerySet):
    scope_owner_path = "customer__owner"


class AccountPlan(models.Model):
    """A strategic customer's annual service plan (定制年度服务计划) with its four quarterly
    business review dates (季度业务复盘会)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    goals = models.TextField(_("goals"))
    planned_trainings = models.TextField(_("planned trainings"), blank=True)
    budget = models.DecimalField(
        _("planned amount"),
        **MONEY,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_AMOUNT)],
    )
    contacts = models.TextField(_("key contacts"), blank=True)
    review_q1 = models.DateField(_("Q1 review"), null=True, blank=True)
    review_q2 = models.DateField(_("Q2 review"), null=True, blank=True)
    review_q3 = models.DateField(_("Q3 review"), null=True, blank=True)
    review_q4 = models.DateField(_("Q4 review"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = AccountPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "customer"]
        verbose_name = _("account plan")
        verbose_name_plural = _("account plans")
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "year"],
                name="accountplan_once_per_year",
                violation_error_message=_("This customer already has a plan for that year."),
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0) & Q(budget__lte=MAX_AMOUNT),
                name="accountplan_budget_in_range",
            ),
        ]

    def __str__(self):
        return f"{self.customer} · {self.year}"

    def get_absolute_url(self):
        return reverse("success:plan_detail", args=[self.pk])

    @property
    def review_dates(self) -> list[dt.date | None]:
        return [self.review_q1, self.review_q2, self.review_q3, self.review_q4]


class BusinessReviewQuerySet(ScopedQuerySet):
    scope_owner_path = "plan__customer__owner"


class BusinessReview(models.Model):
    plan = models.ForeignKey(
        AccountPlan,
        verbose_name=_("account plan"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    quarter = models.PositiveSmallIntegerField(
        _("quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    held_on = models.DateField(
        pgettext_lazy("review", "held on"), validators=[validate_business_date]
    )
    attendees = models.TextField(_("attendees"))
    outcomes = models.TextField(_("outcomes"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )

    objects = BusinessReviewQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "quarter", "held_on"]
        verbose_name = _("business review")
        verbose_name_plural = _("business reviews")
        constraints = [
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="businessreview_quarter_1_4"
            )
        ]

    def __str__(self):
        return f"{self.plan} · Q{self.quarter}"


class ActionItemQuerySet(ScopedQuerySet):
    scope_owner_path = "review__plan__customer__owner"

    def open(self):
        return self.filter(done_at__isnull=True)

    def done(self):
        return self.filter(done_at__isnull=False)


class ActionItem(models.Model):
    """One agreed action of a review; it becomes a follow-up on the customer (an activity
    with its next follow-up date), so it shows in the owner's My day when due. Marked done
    (who, when) it leaves My day and closes that follow-up; undone, both come back."""

    review = models.ForeignKey(
        BusinessReview, verbose_name=_("review"), on_delete=models.CASCADE, related_name="actions"
    )
    description = models.CharField(_("action"), max_length=200)
    due_on = models.DateField(_("due on"), validators=[validate_business_date])
    activity = models.ForeignKey(
        "leads.Activity",
        verbose_name=_("follow-up"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(
        pgettext_lazy("business review", "done at"), null=True, blank=True
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("business review", "done by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = pgettext_lazy("business review", "action item")
        verbose_name_plural = pgettext_lazy("business review", "action items")
        constraints = [
            models.CheckConstraint(
                condition=Q(done_at__isnull=True, done_by__isnull=True)
                | Q(done_at__isnull=False, done_by__isnull=False),
                name="success_actionitem_done_has_who",
            )
        ]

    def __str__(self):
        return self.description


# --- surveys --------------------------------------------------------------------------------


class SurveyInvitationQuerySet(ScopedQuerySet):
    scope_owner_path = "customer__owner"


class SurveyInvitation(models.Model):
    """A satisfaction/NPS survey sent as a link at a milestone. The link carries a signed
    token (``django.core.signing``) naming this row and its nonce; it opens the answer form of
    this one survey only, once, until it expires."""

    class Milestone(models.TextChoices):
        COURSE_STARTED = "course_started", _("Course started")
        COURSE_ENDED = "course_ended", _("Course ended")
        COMPLAINT_RESOLVED = "complaint_resolved", _("Complaint resolved")
        MANUAL = "manual", _("Sent by hand")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("complaint"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Delivery(models.TextChoices):
        PENDING = "pending", _("To be e-mailed")
        SENT = "sent", pgettext_lazy("e-mail", "Sent")
        FAILED = "failed", pgettext_lazy("e-mail", "Failed")
        NO_ADDRESS = "no_address", _("No e-mail address")

    milestone = models.CharField(_("milestone"), max_length=24, choices=Milestone.choices)
    delivery = models.CharField(
        _("e-mail"), max_length=16, choices=Delivery.choices, default=Delivery.PENDING
    )
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    emailed_to = models.EmailField(_("e-mailed to"), blank=True)
    delivery_error = models.CharField(_("e-mail error"), max_length=200, blank=True)
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    created_on = models.DateField(_("sent on"))
    expires_on = models.DateField(_("valid until"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    survey = models.OneToOneField(
        SatisfactionSurvey,
        verbose_name=_("answer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
    )

    objects = SurveyInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_on", "-id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        constraints = [
            # one automatic survey per milestone of a contract (and per resolved complaint)
            models.UniqueConstraint(
                fields=["contract", "milestone"],
                condition=Q(milestone__in=["course_started", "course_ended"]),
                name="survey_once_per_contract_milestone",
            ),
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(milestone="complaint_resolved"),
                name="survey_once_per_resolved_complaint",
            ),
        ]
        indexes = [
            models.Index(
                fields=["delivery"],
                condition=Q(delivery="pending"),
                name="survey_to_email_idx",
            )
        ]

    def __str__(self):
        return f"{self.customer} · {self.get_milestone_display()}"


# --- feedback -------------------------------------------------------------------------------


class FeedbackQuerySet(ScopedQuerySet):
    scope_owner_path = "author"


class Feedback(models.Model):
    """A suggestion or need heard from customers, for course development (将建议反馈至产品研发
    部门)."""

    class Kind(models.TextChoices):
        SUGGESTION = "suggestion", _("Suggestion")
        NEED = "need", _("Need")

    class Source(models.TextChoices):
        VISIT = "visit", _("Visit or call")
        COMPLAINT = "complaint", _("Complaint")
        SURVEY = "survey", _("Survey")
        TRIAL_LESSON = "trial_lesson", _("Trial lesson")
        REVIEW = "review", _("Business review")
        OTHER = "other", _("Other")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    product_line = models.ForeignKey(
        "salescrm.ProductLine",
        verbose_name=_("product line"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    text = models.TextField(_("what the customer said"))
    heard_on = models.DateField(_("heard on"), validators=[validate_business_date])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-heard_on", "-id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        indexes = [models.Index(fields=["heard_on", "product_line"], name="feedback_heard_idx")]

    def __str__(self):
        return self.text[:50]
