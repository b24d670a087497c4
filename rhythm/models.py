"""Team rhythm (SPEC §1, seeds 000/003/004): the working calendar, attendance (差勤) and the
allowance rule, daily and weekly reports with the manager's comments, the sales bulletin
(战报), meetings with their attendance and action items."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from salescrm.bounds import MAX_AMOUNT, MAX_DAYS
from salescrm.roles import Role
from salescrm.scoping import ScopedQuerySet, managed_team_ids
from salescrm.timeutil import validate_business_date

USER = settings.AUTH_USER_MODEL
PERCENT = [MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(100))]


class RhythmSettings(models.Model):
    """The admin-set rules of the team rhythm (one row)."""

    report_cutoff = models.TimeField(
        _("daily report cut-off"),
        default=dt.time(20, 0),
        help_text=_("A daily report submitted after this time (Asia/Shanghai) is late."),
    )
    full_rate = models.DecimalField(
        _("attendance rate with no deduction (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(80),
        validators=PERCENT,
        help_text=_("At or above this monthly attendance rate nothing is deducted."),
    )
    partial_rate = models.DecimalField(
        _("attendance rate with a partial deduction (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(50),
        validators=PERCENT,
        help_text=_(
            "At or above this rate (and below the one above) the partial deduction applies; below it the full deduction."
        ),
    )
    full_rate_deduction = models.DecimalField(
        _("deduction at or above the first rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(0),
        validators=PERCENT,
    )
    partial_deduction = models.DecimalField(
        _("partial deduction (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(20),
        validators=PERCENT,
    )
    low_deduction = models.DecimalField(
        _("deduction below the second rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal(100),
        validators=PERCENT,
    )
    close_after_days = models.PositiveIntegerField(
        _("days to correct a month"),
        default=3,
        validators=[MaxValueValidator(MAX_DAYS)],
        help_text=_(
            "A month's attendance is closed this many days after it ends; it never changes afterwards."
        ),
    )

    class Meta:
        verbose_name = _("team rhythm settings")
        verbose_name_plural = _("team rhythm settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(partial_rate__lte=models.F("full_rate")),
                name="rhythm_settings_partial_rate_below_full",
                violation_error_message=_(
                    "The partial-deduction rate must not exceed the no-deduction rate."
                ),
            )
        ]

    def __str__(self):
        return str(_("Team rhythm settings"))

    @classmethod
    def load(cls) -> "RhythmSettings":
        """The admin's row, or the defaults while none was saved (a read never writes)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class CalendarDay(models.Model):
    """A day that differs from the Monday-to-Friday week: a public holiday (a weekday off)
    or an adjusted working day (调休, a weekend day worked). Set in admin per year."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday (day off)")
        WORKDAY = "workday", _("Adjusted working day (调休)")

    day = models.DateField(_("day"), unique=True, validators=[validate_business_date])
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("working calendar")

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class Allowance(models.Model):
    """A person's monthly management allowance (管理利益), from which the attendance rule
    deducts (seed 004)."""

    person = models.OneToOneField(
        USER, verbose_name=_("person"), on_delete=models.CASCADE, related_name="allowance"
    )
    base_amount = models.DecimalField(
        _("monthly base allowance"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(MAX_AMOUNT)],
    )

    class Meta:
        ordering = ["person__username"]
        verbose_name = _("allowance")
        verbose_name_plural = _("allowances")

    def __str__(self):
        return f"{self.person} {self.base_amount}"


class AttendanceQuerySet(ScopedQuerySet):
    scope_owner_path = "person"


class AttendanceDay(models.Model):
    """One person's one day: checked in (and out), or leave, a business trip, an absence
    recorded by a manager. One row per person and day (a database constraint)."""

    class Kind(models.TextChoices):
        PRESENT = "present", _("Present")
        TRIP = "trip", _("Business trip")
        LEAVE = "leave", _("Leave")
        ABSENT = "absent", _("Absent")

    # A business trip is a working day away from the office: it counts as attended.
    ATTENDED = (Kind.PRESENT, Kind.TRIP)

    person = models.ForeignKey(
        USER, verbose_name=_("person"), on_delete=models.CASCADE, related_name="attendance_days"
    )
    day = models.DateField(_("day"), validators=[validate_business_date])
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PRESENT)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "person__username"]
        verbose_name = _("attendance day")
        verbose_name_plural = _("attendance days")
        constraints = [
            models.UniqueConstraint(fields=["person", "day"], name="attendance_once_per_day"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=models.F("checked_in_at")),
                name="attendance_out_after_in",
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.day:%Y-%m-%d} {self.get_kind_display()}"


class AttendanceChange(models.Model):
    """A leave, trip or correction recorded by a manager, with the reason: kept for ever."""

    attendance = models.ForeignKey(
        AttendanceDay,
        verbose_name=_("attendance day"),
        on_delete=models.CASCADE,
        related_name="changes",
    )
    old_kind = models.CharField(_("before"), max_length=8, blank=True)
    new_kind = models.CharField(_("after"), max_length=8, choices=AttendanceDay.Kind.choices)
    reason = models.CharField(_("reason"), max_length=200)
    changed_by = models.ForeignKey(USER, verbose_name=_("changed by"), on_delete=models.PROTECT)
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("attendance change")
        verbose_name_plural = _("attendance changes")

    def __str__(self):
        return f"{self.attendance}: {self.old_kind} → {self.new_kind}"


class MonthlyAttendanceQuerySet(ScopedQuerySet):
    scope_owner_path = "person"


class MonthlyAttendance(models.Model):
    """A person's attendance for one month and the allowance deduction it brings, written by
    the nightly job ``rhythm.attendance``; ``closed`` rows are never rewritten."""

    person = models.ForeignKey(
        USER, verbose_name=_("person"), on_delete=models.CASCADE, related_name="monthly_attendance"
    )
    month = models.DateField(_("month"))
    counted_to = models.DateField(_("counted up to"))
    working_days = models.PositiveIntegerField(_("working days"))
    attended_days = models.PositiveIntegerField(_("days attended"))
    leave_days = models.PositiveIntegerField(_("days of leave"), default=0)
    rate = models.DecimalField(_("attendance rate (%)"), max_digits=5, decimal_places=2, null=True)
    base_allowance = models.DecimalField(
        _("base allowance"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    deduction_percent = models.DecimalField(
        _("deduction (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    deduction = models.DecimalField(
        _("deduction"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    closed = models.BooleanField(_("closed"), default=False)
    computed_at = models.DateTimeField(_("computed at"))

    objects = MonthlyAttendanceQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "person__username"]
        verbose_name = _("monthly attendance")
        verbose_name_plural = _("monthly attendance")
        constraints = [
            models.UniqueConstraint(fields=["person", "month"], name="monthly_attendance_once"),
            models.CheckConstraint(
                condition=Q(attended_days__lte=models.F("working_days")),
                name="monthly_attendance_attended_within_working",
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.month:%Y-%m}"

    @property
    def allowance_paid(self):
        if self.base_allowance is None:
            return None
        return self.base_allowance - self.deduction


class ReportQuerySet(ScopedQuerySet):
    scope_owner_path = "author"

    def daily(self):
        return self.filter(kind=Report.Kind.DAILY)

    def weekly(self):
        return self.filter(kind=Report.Kind.WEEKLY)


class Report(models.Model):
    """A daily report (日报) or weekly report (周报). The figures are pre-filled from what the
    CRM knows; the rep writes the rest. Immutable once a manager has commented on it."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily report")
        WEEKLY = "weekly", _("Weekly report")

    author = models.ForeignKey(
        USER, verbose_name=_("author"), on_delete=models.CASCADE, related_name="reports"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    period_start = models.DateField(_("day or week"), validators=[validate_business_date])
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    wins = models.TextField(_("wins"), blank=True, max_length=4000)
    problems = models.TextField(_("problems"), blank=True, max_length=4000)
    help_needed = models.TextField(_("help needed"), blank=True, max_length=4000)
    plan = models.TextField(_("plan for the next day or week"), blank=True, max_length=4000)
    submitted_at = models.DateTimeField(_("submitted at"))
    on_time = models.BooleanField(_("on time"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "author__username"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["author", "kind", "period_start"], name="report_once_per_period"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.author} {self.period_start:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("rhythm:report_detail", args=[self.pk])


class ReportRevision(models.Model):
    """The text of a report before an edit (edits keep history)."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="revisions"
    )
    wins = models.TextField(_("wins"), blank=True)
    problems = models.TextField(_("problems"), blank=True)
    help_needed = models.TextField(_("help needed"), blank=True)
    plan = models.TextField(_("plan for the next day or week"), blank=True)
    replaced_at = models.DateTimeField(_("replaced at"), auto_now_add=True)

    class Meta:
        ordering = ["-replaced_at", "-id"]
        verbose_name = _("report revision")
        verbose_name_plural = _("report revisions")

    def __str__(self):
        return f"{self.report} {self.replaced_at:%Y-%m-%d %H:%M}"


class ReportComment(models.Model):
    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(USER, verbose_name=_("author"), on_delete=models.PROTECT)
    body = models.TextField(_("comment"), max_length=4000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("report comment")
        verbose_name_plural = _("report comments")

    def __str__(self):
        return f"{self.author}: {self.body[:40]}"


class BulletinQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The company's bulletin to everyone; a team's to its members, its manager, and
        those who see every team."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_all:
            return self
        teams = set(managed_team_ids(user)) if user.role == Role.MANAGER else set()
        if user.team_id:
            teams.add(user.team_id)
        return self.filter(Q(team__isnull=True) | Q(team_id__in=teams))


class Bulletin(models.Model):
    """The sales bulletin (战报) of one day, for a team or (team empty) the company, built
    by the nightly job from the day's facts."""

    day = models.DateField(_("day"))
    team = models.ForeignKey(
        "salescrm.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.CASCADE
    )
    figures = models.JSONField(_("figures"), default=dict)
    built_at = models.DateTimeField(_("built at"))

    objects = BulletinQuerySet.as_manager()

    class Meta:
        ordering = ["-day", "team__name"]
        verbose_name = _("sales bulletin")
        verbose_name_plural = _("sales bulletins")
        constraints = [
            models.UniqueConstraint(fields=["day", "team"], name="bulletin_once_per_team"),
            models.UniqueConstraint(
                fields=["day"], condition=Q(team__isnull=True), name="bulletin_once_per_company"
            ),
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.team or _('Company')}"

    def get_absolute_url(self):
        return reverse("rhythm:bulletin_detail", args=[self.pk])


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A meeting is seen by its invitees, its organiser, the manager of its team and
        those who see everything."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_all:
            return self
        mine = Q(organiser=user) | Q(attendees__person=user)
        if user.role == Role.MANAGER:
            mine |= Q(team_id__in=managed_team_ids(user))
        return self.filter(pk__in=Meeting.objects.filter(mine).values("pk"))


class Meeting(models.Model):
    class Kind(models.TextChoices):
        MORNING = "morning", _("Morning meeting (早会)")
        EVENING = "evening", _("Evening meeting (夕会)")
        WEEKLY = "weekly", _("Weekly meeting (周例会)")
        MONTHLY_REVIEW = "monthly_review", _("Monthly business review (月度经营分析会)")
        QUARTERLY_REVIEW = "quarterly_review", _("Quarterly business review (季度经营分析会)")
        LOSS_REVIEW = "loss_review", _("Win/loss review (复盘会)")

    team = models.ForeignKey(
        "salescrm.Team", verbose_name=_("team"), null=True, blank=True, on_delete=models.PROTECT
    )
    organiser = models.ForeignKey(
        USER,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        related_name="organised_meetings",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    agenda = models.TextField(_("agenda"), blank=True, max_length=20000)
    minutes = models.TextField(_("minutes"), blank=True, max_length=20000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("rhythm:meeting_detail", args=[self.pk])


class MeetingAttendee(models.Model):
    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    # Late is there; excused is neither held for nor against the person.
    ATTENDED = (Status.PRESENT, Status.LATE)

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendees"
    )
    person = models.ForeignKey(
        USER, verbose_name=_("person"), on_delete=models.CASCADE, related_name="meeting_attendance"
    )
    status = models.CharField(
        _("attendance"), max_length=8, choices=Status.choices, default=Status.INVITED
    )

    class Meta:
        ordering = ["person__username"]
        verbose_name = _("meeting attendee")
        verbose_name_plural = _("meeting attendees")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="meeting_attendee_once")
        ]

    def __str__(self):
        return f"{self.person} {self.get_status_display()}"


class ActionItemQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(done_at__isnull=True)

    def overdue(self, today: dt.date):
        return self.open().filter(due_on__lt=today)


class ActionItem(models.Model):
    """A follow-up task from a meeting: an owner, a due date, tracked to done; it shows in
    the owner's My day."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="action_items"
    )
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="action_items"
    )
    description = models.CharField(_("action"), max_length=300)
    due_on = models.DateField(_("due on"), validators=[validate_business_date])
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        ordering = ["done_at", "due_on", "id"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        indexes = [models.Index(fields=["owner", "done_at"], name="action_item_owner_open_idx")]

    def __str__(self):
        return self.description

    def get_absolute_url(self):
        return reverse("rhythm:meeting_detail", args=[self.meeting_id])


class CalendarFeed(models.Model):
    """A user's calendar subscription (ICS): the address holds a random token, of which only
    the SHA-256 is kept. Regenerating replaces it (the old address stops); revoking deletes
    the row."""

    user = models.OneToOneField(
        USER, verbose_name=_("user"), on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return str(self.user)
