import datetime as dt
import logging
from collections.abc import Callable

from celery import chain, shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from kombu.exceptions import OperationalError as BrokerUnreachable

from . import nightly
from .nightly import nightly_job
from .submissions import TOKEN_KEEP_DAYS, tokens_purge
from .timeutil import business_date, start_of_day

logger = logging.getLogger(__name__)


def enqueue(
    task,
    args: tuple = (),
    kwargs: dict | None = None,
    *,
    on_inline: Callable[[], None] | None = None,
) -> None:
    """Queue `task` once the current transaction commits (so the worker sees the rows). When
    the broker cannot be reached the task runs here, in the request, instead: its work is
    never lost, only slower, and the tasks are idempotent. `on_inline` is then called, e.g.
    to warn the user that they waited for it. Fire and forget: the result is not kept, so a
    lost result store cannot hold up the request either."""
    kwargs = kwargs or {}

    def send():
        try:
            task.apply_async(args, kwargs, ignore_result=True)
        except (BrokerUnreachable, OSError) as error:
            logger.warning("broker unreachable, running %s inline: %r", task.name, error)
            task.apply(args, kwargs, throw=True)
            if on_inline is not None:
                on_inline()

    transaction.on_commit(send)


@shared_task(name="salescrm.tasks.ping")
def ping(value: str) -> str:
    """A trivial round trip through the broker, used by /healthz-style checks and tests."""
    return f"pong:{value}"


@shared_task(
    bind=True,
    name="salescrm.tasks.run_nightly_job",
    max_retries=5,
    soft_time_limit=settings.NIGHTLY_JOB_SOFT_TIME_LIMIT,
    time_limit=settings.NIGHTLY_JOB_TIME_LIMIT,
)
def run_nightly_job(self, lines: list[str], job_name: str, date_iso: str) -> list[str]:
    """One link of the nightly chain: run `job_name` for the business date `date_iso` and
    append its summary line to `lines`. The job is idempotent, so a retry (a database hiccup,
    or a worker that died: acks_late gives the task back) simply computes it again."""
    result = nightly.run_job(nightly.get_job(job_name), dt.date.fromisoformat(date_iso))
    if isinstance(result.exception, OperationalError):
        # 10 s, 20 s, 40 s ... : give the database time to come back.
        raise self.retry(exc=result.exception, countdown=10 * 2**self.request.retries)
    return [*lines, result.line()]


def nightly_chain(day: dt.date):
    """Every registered job for `day`, one task each, in order."""
    names = [job.name for job in nightly.registered_jobs()]
    date_iso = day.isoformat()
    if not names:
        return None
    first, *rest = names
    return chain(
        run_nightly_job.s([], first, date_iso),
        *(run_nightly_job.s(name, date_iso) for name in rest),
    )


@shared_task(name="salescrm.tasks.run_nightly_jobs")
def run_nightly_jobs(date_iso: str | None = None) -> str | None:
    """The beat entry point (scheduled in UTC): start the chain of nightly jobs for the
    business date, the Shanghai day that has just ended unless `date_iso` is given. Returns
    the id of the chain's last task (its result is the list of summary lines)."""
    day = dt.date.fromisoformat(date_iso) if date_iso else business_date()
    jobs = nightly_chain(day)
    return jobs.apply_async().id if jobs is not None else None


@nightly_job("salescrm.submission_tokens_purge", order=90)
def purge_submission_tokens(business_date: dt.date) -> dict:
    """One-time form tokens are needed for minutes (a resubmit, a double click); those older
    than TOKEN_KEEP_DAYS are deleted."""
    cutoff = start_of_day(business_date - dt.timedelta(days=TOKEN_KEEP_DAYS - 1))
    return {"deleted": tokens_purge(older_than=cutoff)}


# --- alerts by e-mail (issue 18) ---------------------------------------------------------

EMAIL_WINDOW = dt.timedelta(days=1)  # older unsent alerts are not mailed any more


@shared_task(name="salescrm.notification_emails")
def notification_emails() -> int:
    """E-mail the alerts of the users who opted in (profile: "alerts by e-mail"), each in
    the reader's language, once: a sent alert gets ``emailed_at``. Idempotent, so the task
    may run after every batch of alerts and again later for the ones a mail server refused."""
    from django.core.mail import get_connection, send_mail
    from django.utils import timezone, translation

    from .models import Notification

    pending = (
        Notification.objects.filter(
            emailed_at__isnull=True,
            recipient__email_alerts=True,
            recipient__is_active=True,
            created_at__gte=timezone.now() - EMAIL_WINDOW,
        )
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("pk")[:500]
    )
    sent = 0
    connection = get_connection()
    for note in pending:
        user = note.recipient
        with translation.override(user.language or settings.LANGUAGE_CODE):
            body = note.text_body
            if note.url:
                body = f"{body}\n\n{note.url}".strip()
            try:
                send_mail(
                    note.text_title,
                    body,
                    None,
                    [user.email],
                    connection=connection,
                )
            except OSError as error:  # the mail server is away: try again next run
                logger.warning("alert %s not e-mailed: %r", note.pk, error)
                continue
        Notification.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent
