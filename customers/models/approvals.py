"""The approval chain: its steps, who reviews each step, and deputies (SPEC §3)."""

import datetime as dt
from typing import NamedTuple

from django.conf import settings
from django.db import models
from django.db.models import (
    F,
    Q,
)
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from salescrm.permissions import role_of
from salescrm.roles import Role
from salescrm.scoping import ScopedQuerySet, managed_team_ids
from salescrm.timeutil import validate_business_date

from .contracts import Contract


class ApprovalStepQuerySet(ScopedQuerySet):
    scope_owner_path = "contract__owner"

    def pending(self):
        return self.filter(decision=ApprovalStep.Decision.PENDING)

    def current(self):
        """The pending step of each pending contract that is next in line (lowest position)."""
        earlier_pending = ApprovalStep.objects.filter(
            contract=models.OuterRef("contract"),
            round=models.OuterRef("round"),
            decision=ApprovalStep.Decision.PENDING,
            position__lt=models.OuterRef("position"),
        )
        return (
            self.pending()
            .filter(contract__status=Contract.Status.PENDING, round=F("contract__approval_round"))
            .exclude(models.Exists(earlier_pending))
        )

    def actionable_by(self, user, today: dt.date):
        """The current steps `user` may decide: as holder of the step's role (the manager step
        only for the owner's team), or as an active deputy of such a reviewer. Never a step
        of the user's own contract. The SQL twin of ``customers.policy.reviews``: both read
        ``STEP_REVIEWERS``."""

        def reviewer_q(reviewer):
            q = Q(pk__in=[])
            for kind, rule in STEP_REVIEWERS.items():
                if rule.role == role_of(reviewer):
                    kind_q = Q(kind=kind)
                    if rule.owners_team_only:
                        kind_q &= Q(contract__owner__team_id__in=managed_team_ids(reviewer))
                    q |= kind_q
            return q & ~Q(contract__owner=reviewer)

        q = reviewer_q(user)
        for record in (
            ApprovalDeputy.objects.active_on(today).filter(deputy=user).select_related("reviewer")
        ):
            q |= reviewer_q(record.reviewer)
        return self.current().filter(q).exclude(contract__owner=user)


class ApprovalStep(models.Model):
    """One step of one approval round. Append-only: once decided, a step never changes (a
    database trigger refuses any UPDATE or DELETE of a decided row, migration 0002)."""

    class Kind(models.TextChoices):
        MANAGER = "manager", _("Sales manager review")
        DIRECTOR = "director", _("Sales director review (discount)")
        LEGAL = "legal", _("Legal review")
        FINANCE = "finance", _("Finance review")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled (recalled)")

    contract = models.ForeignKey(
        "Contract", verbose_name=_("contract"), on_delete=models.PROTECT, related_name="steps"
    )
    round = models.PositiveIntegerField(_("round"))
    position = models.PositiveSmallIntegerField(_("position"))
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("as deputy of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ApprovalStepQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["contract", "round", "position"]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "round", "position"], name="approvalstep_unique_position"
            ),
            models.CheckConstraint(
                condition=Q(decision="pending", decided_at__isnull=True)
                | (~Q(decision="pending") & Q(decided_at__isnull=False)),
                name="approvalstep_decided_has_time",
                violation_error_message=_("A decided step needs its decision time."),
            ),
            models.CheckConstraint(
                condition=~Q(decision__in=["approved", "rejected"]) | Q(decided_by__isnull=False),
                name="approvalstep_decision_has_reviewer",
                violation_error_message=_("A decided step needs its reviewer."),
            ),
        ]
        indexes = [models.Index(fields=["kind", "decision"], name="approvalstep_inbox_idx")]

    def __str__(self):
        return f"{self.contract} · {self.get_kind_display()}"

    def get_absolute_url(self):
        return self.contract.get_absolute_url()


class StepReviewer(NamedTuple):
    role: Role
    owners_team_only: bool  # only a manager of the contract owner's team, not any holder


# Who decides each approval step (SPEC §3): the one role × step table. The policy
# (customers.policy), the inbox query (actionable_by) and the notifications all read it.
STEP_REVIEWERS: dict[str, StepReviewer] = {
    ApprovalStep.Kind.MANAGER: StepReviewer(Role.MANAGER, owners_team_only=True),
    ApprovalStep.Kind.DIRECTOR: StepReviewer(Role.DIRECTOR, owners_team_only=False),
    ApprovalStep.Kind.LEGAL: StepReviewer(Role.LEGAL, owners_team_only=False),
    ApprovalStep.Kind.FINANCE: StepReviewer(Role.FINANCE, owners_team_only=False),
}


class ApprovalDeputyQuerySet(models.QuerySet):
    def active_on(self, day: dt.date):
        return self.filter(starts_on__lte=day, ends_on__gte=day)


class ApprovalDeputy(models.Model):
    """A reviewer out of office names a deputy until a date; the deputy may decide the
    reviewer's steps, and the decision records both names."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.CASCADE,
        related_name="deputies",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deputy"),
        on_delete=models.CASCADE,
        related_name="deputising_for",
    )
    starts_on = models.DateField(_("from"), validators=[validate_business_date])
    ends_on = models.DateField(_("until"), validators=[validate_business_date])
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ApprovalDeputyQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("approval deputy")
        verbose_name_plural = _("approval deputies")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="deputy_period_ordered",
                violation_error_message=_("The end date lies before the start date."),
            ),
            models.CheckConstraint(
                condition=~Q(reviewer=F("deputy")),
                name="deputy_not_self",
                violation_error_message=_("A reviewer cannot be their own deputy."),
            ),
        ]

    def __str__(self):
        return f"{self.deputy} → {self.reviewer}"
