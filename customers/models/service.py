"""After-sales service: complaints and satisfaction surveys."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import (
    Q,
)
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from salescrm.scoping import ScopedQuerySet
from salescrm.timeutil import validate_business_date

from .contracts import Contract
from .customers import Customer


class ComplaintQuerySet(ScopedQuerySet):
    scope_owner_path = "customer__owner"

    def open(self):
        return self.filter(resolved_at__isnull=True)


class Complaint(models.Model):
    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")
        SEVERE = "severe", _("Severe")

    class Category(models.TextChoices):
        COURSE_QUALITY = "course_quality", _("Course quality")
        TEACHER = "teacher", _("Teacher")
        SCHEDULE = "schedule", _("Schedule")
        BILLING = "billing", _("Billing")
        SERVICE_ATTITUDE = "service_attitude", _("Service attitude")
        PROCESS = "process", _("Process")

    class Cause(models.TextChoices):
        COURSE_CONTENT = "course_content", _("Course content")
        TEACHER = "teacher", _("Teacher")
        INTERNAL_PROCESS = "internal_process", _("Internal process")
        CUSTOMER_EXPECTATION = "customer_expectation", _("Customer expectation")
        EXTERNAL = "external", _("External")
        OTHER = "other", _("Other")

    class Department(models.TextChoices):
        SALES = "sales", _("Sales")
        TEACHING = "teaching", _("Teaching affairs")
        COURSE_DEVELOPMENT = "course_development", _("Course development")
        FINANCE = "finance", _("Finance")
        SERVICE = "service", pgettext_lazy("department", "After-sales service")
        ADMINISTRATION = "administration", pgettext_lazy("department", "Administration")

    RESPONSE_HOURS = 24
    RESOLUTION_HOURS = 48

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    severity = models.CharField(
        _("severity"), max_length=16, choices=Severity.choices, default=Severity.MEDIUM
    )
    subject = models.CharField(_("subject"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    response = models.TextField(_("first response"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Closing the loop (issue 17): what it is about, why it happened, who fixes it by when,
    # and whether the customer agrees it is fixed.
    category = models.CharField(_("category"), max_length=24, choices=Category.choices, blank=True)
    cause = models.CharField(_("cause"), max_length=24, choices=Cause.choices, blank=True)
    department = models.CharField(
        _("responsible department"), max_length=24, choices=Department.choices, blank=True
    )
    department_due_on = models.DateField(
        _("department deadline"), null=True, blank=True, validators=[validate_business_date]
    )
    routed_at = models.DateTimeField(_("routed at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed by the customer at"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    objects = ComplaintQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [models.Index(fields=["cause", "opened_at"], name="complaint_cause_opened_idx")]

    def __str__(self):
        return self.subject

    def get_absolute_url(self):
        return reverse("customers:complaint_detail", args=[self.pk])

    @property
    def respond_by(self):
        return self.opened_at + dt.timedelta(hours=self.RESPONSE_HOURS)

    @property
    def resolve_by(self):
        return self.opened_at + dt.timedelta(hours=self.RESOLUTION_HOURS)

    @property
    def awaits_confirmation(self) -> bool:
        return self.resolved_at is not None and self.confirmed_at is None


class SurveyQuerySet(ScopedQuerySet):
    scope_owner_path = "customer__owner"


class SatisfactionSurvey(models.Model):
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="surveys"
    )
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    score = models.PositiveSmallIntegerField(_("satisfaction (1–5)"))
    nps = models.PositiveSmallIntegerField(_("recommendation (NPS 0–10)"))
    comment = models.TextField(_("comment"), blank=True)
    answered_on = models.DateField(_("answered on"), validators=[validate_business_date])
    # Empty when the customer answered the survey link themselves.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = SurveyQuerySet.as_manager()

    class Meta:
        ordering = ["-answered_on", "-id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5),
                name="survey_score_1_5",
                violation_error_message=_("Satisfaction lies between 1 and 5."),
            ),
            models.CheckConstraint(
                condition=Q(nps__gte=0, nps__lte=10),
                name="survey_nps_0_10",
                violation_error_message=_("NPS lies between 0 and 10."),
            ),
        ]

    def __str__(self):
        return f"{self.customer} · {self.score}/{self.nps}"
