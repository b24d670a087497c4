"""The organisation: users with a role, teams led by a manager, and the record scoping built
on them (which rows each user may see)."""

import re

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .roles import SEES_ALL, Role

CHINESE_DIGITS = {ch: n for n, ch in enumerate("零一二三四五六七八九")}
CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMBER_RUN = re.compile(r"[0-9]+|[零一二三四五六七八九十百千]+")


def _chinese_number(text: str) -> int:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 一百零五 -> 105."""
    total, digit = 0, 0
    for ch in text:
        if ch in CHINESE_UNITS:
            total += (digit or 1) * CHINESE_UNITS[ch]
            digit = 0
        else:
            digit = CHINESE_DIGITS[ch]
    return total + digit


def natural_sort_key(name: str) -> str:
    """`name` with every number (Arabic or Chinese numerals) as 6 zero-padded digits."""

    def padded(match):
        run = match.group(0)
        number = int(run) if run.isascii() else _chinese_number(run)
        return f"{number:06d}"

    return _NUMBER_RUN.sub(padded, name)[:200]


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    manager = models.ForeignKey(
        "User",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_teams",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The name with its numbers (Chinese or Arabic) written as zero-padded digits, so teams
    # sort 一组, 二组, 三组 … 十组 rather than by code point (一, 三, 二). Set on save.
    sort_key = models.CharField(_("sort key"), max_length=200, blank=True, editable=False)

    class Meta:
        ordering = ["sort_key", "name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.sort_key = natural_sort_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_key"}
        super().save(*args, **kwargs)


# --- record scoping (SPEC §1: the rule is told in salescrm/scoping.py, read from there) ----


def _join(path: str, field: str) -> str:
    return f"{path}__{field}" if path else field


def managed_team_ids(user) -> list[int]:
    """Ids of the teams `user` leads, with their sub-teams (one query over the team table)."""
    cached = getattr(user, "_managed_team_ids", None)
    if cached is not None:
        return cached
    rows = list(Team.objects.values_list("id", "parent_id", "manager_id"))
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id, _manager in rows:
        children.setdefault(parent_id, []).append(team_id)
    result: list[int] = []
    stack = [team_id for team_id, _parent, manager_id in rows if manager_id == user.pk]
    while stack:
        team_id = stack.pop()
        if team_id not in result:
            result.append(team_id)
            stack.extend(children.get(team_id, []))
    user._managed_team_ids = result
    return result


def visible_q(user, owner_path: str = "owner") -> Q:
    """A Q object selecting the rows whose owner (reached by `owner_path`) `user` may see."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.sees_all:
        return Q()
    own = Q(**{_join(owner_path, "pk"): user.pk})
    if user.role == Role.MANAGER and owner_path:
        # One IN-subquery on the owner column, not "own OR owner's team" across a join: the
        # planner answers it from the row's owner index (a semi-join over the team's members)
        # instead of joining every row to its owner (issue 21: a scan of 1 M leads).
        members = User.objects.filter(Q(team_id__in=managed_team_ids(user)) | Q(pk=user.pk))
        return Q(**{f"{owner_path}__in": members.values("pk")})
    if user.role == Role.MANAGER:
        return own | Q(team_id__in=managed_team_ids(user))
    return own


class ScopedQuerySet(models.QuerySet):
    scope_owner_path = "owner"

    def visible_to(self, user):
        return self.filter(visible_q(user, self.scope_owner_path))


class UserQuerySet(ScopedQuerySet):
    scope_owner_path = ""  # a user row is "owned" by itself

    def reps(self):
        return self.filter(role=Role.REP)

    def active(self):
        return self.filter(is_active=True)


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    class Seniority(models.TextChoices):
        JUNIOR = "junior", _("Junior")
        INTERMEDIATE = "intermediate", _("Intermediate")
        SENIOR = "senior", _("Senior")

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.REP)
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    seniority = models.CharField(
        _("seniority"), max_length=16, choices=Seniority.choices, default=Seniority.JUNIOR
    )
    hire_date = models.DateField(_("hire date"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_("Interface language; empty follows the browser."),
    )
    email_alerts = models.BooleanField(
        _("alerts by e-mail"),
        default=False,
        help_text=_("Also send my alerts to my e-mail address."),
    )

    objects = ScopedUserManager()

    class Meta:
        ordering = ["username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    def get_absolute_url(self):
        return reverse("member_detail", args=[self.pk])

    def get_full_name(self):
        # Chinese names read family name first, with no space: 王伟.
        if any("\u4e00" <= ch <= "\u9fff" for ch in self.last_name + self.first_name):
            return f"{self.last_name}{self.first_name}".strip()
        return super().get_full_name()

    @property
    def sees_all(self) -> bool:
        return self.is_superuser or self.role in SEES_ALL

    def has_role(self, *roles) -> bool:
        return self.is_superuser or self.role in roles


def bilingual(name: str, name_en: str) -> str:
    """`name_en` when the interface is English and it is filled in, else the Chinese name."""
    if (get_language() or "").startswith("en") and name_en:
        return name_en
    return name


class ProductLine(models.Model):
    """What the institution sells (SPEC §2/§3): shared by leads (interest), products, targets
    and the dashboards. Admin-editable; the defaults are seeded by migration."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product line")
        verbose_name_plural = _("product lines")

    def __str__(self):
        return bilingual(self.name, self.name_en)


class NotificationQuerySet(ScopedQuerySet):
    scope_owner_path = "recipient"

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A message to one user from a nightly job or a workflow (pool reminder, overdue
    instalment, complaint deadline, approval request, KPI anomaly). ``key`` makes sending
    idempotent: the same event is never told twice to the same person."""

    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32)
    key = models.CharField(_("key"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # What the alert says, as data: rendered in the reader's language (salescrm.notices).
    params = models.JSONField(_("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_inbox_idx")]

    def __str__(self):
        return self.title

    @cached_property
    def _text(self) -> tuple[str, str]:
        from .notices import render

        return render(self.kind, self.params) or (self.title, self.body)

    @property
    def text_title(self) -> str:
        """The title in the active language (the reader's)."""
        return self._text[0]

    @property
    def text_body(self) -> str:
        return self._text[1]


class JobRun(models.Model):
    """One nightly job for one business date: who is running it, how it ended, what it wrote.

    Unique per (job, business date): a rerun of the same date updates this row (``attempts``
    counts the starts). The PostgreSQL advisory lock in ``salescrm.nightly`` makes sure two
    runs of the same job and date never work at the same time."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    job = models.CharField(_("job"), max_length=100)
    business_date = models.DateField(_("business date"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    row_counts = models.JSONField(
        _("row counts"), default=dict, blank=True, encoder=DjangoJSONEncoder
    )
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-business_date", "job"]
        verbose_name = _("nightly job run")
        verbose_name_plural = _("nightly job runs")
        constraints = [
            models.UniqueConstraint(fields=["job", "business_date"], name="job_run_once_per_date")
        ]

    def __str__(self):
        return f"{self.job} {self.business_date:%Y-%m-%d}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SubmissionToken(models.Model):
    """The one-time token of a creating form (see ``salescrm.submissions``). Its unique
    ``token`` is inserted in the same transaction as the row the form creates, so a
    resubmitted or double-clicked form finds the token taken and writes nothing; the
    reference to the saved row lets the view show it instead."""

    token = models.UUIDField(_("token"), unique=True)
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", null=True, blank=True, on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self):
        return str(self.token)


class SavedFilter(models.Model):
    """A list's filter a user saved under a name (issue 18): the query string of the list
    page, shown as a link on that page. Private to its user."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="saved_filters"
    )
    page = models.SlugField(_("page"), max_length=40)
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("query"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("saved filter")
        verbose_name_plural = _("saved filters")
        constraints = [
            models.UniqueConstraint(fields=["user", "page", "name"], name="saved_filter_name_once")
        ]

    def __str__(self):
        return self.name
