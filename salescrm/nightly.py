"""The registry of nightly jobs (SPEC §5) and the one way they are run.

An app registers a job in its ``tasks.py``::

    @nightly_job("leads.pool_reclaim", order=20)
    def reclaim_pool(business_date):
        ...
        return {"reclaimed": 12}

``run_job`` runs one job for one business date, always the same way:

1. it takes a PostgreSQL advisory lock keyed by (job, date); when another run holds it, this
   run is *skipped* and does nothing (on SQLite, the one-process demo, there is no lock);
2. it records the start in the job's ``JobRun`` row (unique per job and date);
3. it calls the job inside one transaction, so a failure half-way leaves the previous results
   whole and a rerun starts from them;
4. it records the outcome (status, row counts, error, timings) and logs one summary line.

A job must be idempotent and set-based: compute from the source rows as of the end of the
business date, then replace its rows for the period; running it twice for one date leaves the
same rows. ``run_nightly`` (command) and ``salescrm.tasks.run_nightly_jobs`` (Celery chain)
run every registered job, in ``order``.
"""

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import JobRun

logger = logging.getLogger("salescrm.nightly")


@dataclass(frozen=True)
class NightlyJob:
    name: str
    func: Callable[[dt.date], dict | None]
    order: int


_REGISTRY: dict[str, NightlyJob] = {}


def nightly_job(name: str, *, order: int = 100):
    def register(func):
        _REGISTRY[name] = NightlyJob(name=name, func=func, order=order)
        return func

    return register


def registered_jobs() -> list[NightlyJob]:
    autodiscover_modules("tasks")
    return sorted(_REGISTRY.values(), key=lambda job: (job.order, job.name))


def get_job(name: str) -> NightlyJob:
    jobs = {job.name: job for job in registered_jobs()}
    return jobs[name]


OK, FAILED, SKIPPED = "ok", "FAILED", "skipped"


@dataclass
class JobResult:
    name: str
    state: str
    seconds: float
    summary: dict
    exception: BaseException | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.state != FAILED

    def line(self) -> str:
        details = ", ".join(f"{key}={value}" for key, value in self.summary.items())
        return f"{self.name}: {self.state} in {self.seconds:.2f}s" + (
            f" ({details})" if details else ""
        )


@contextlib.contextmanager
def job_lock(name: str, business_date: dt.date):
    """Yield True when this process may run `name` for `business_date`, False when another
    run holds the lock. A session-level advisory lock: it survives the job's own transactions
    and is released at the end, or by PostgreSQL when a dead worker's connection closes."""
    if connection.vendor != "postgresql":
        yield True
        return
    key = (name, business_date.toordinal())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s), %s)", key)
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            # A lost connection has already dropped the lock with it.
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(hashtext(%s), %s)", key)


def _tune_for_batch() -> None:
    """The jobs run many short aggregate queries whose estimated cost crosses PostgreSQL's
    JIT threshold on a large database: compiling each one costs about half a second, more
    than the query itself (see bench/README.md). Off for the job's transaction only."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def _record_start(name: str, business_date: dt.date):
    run, _created = JobRun.objects.get_or_create(
        job=name,
        business_date=business_date,
        defaults={"status": JobRun.Status.RUNNING, "started_at": timezone.now()},
    )
    JobRun.objects.filter(pk=run.pk).update(
        status=JobRun.Status.RUNNING,
        attempts=run.attempts + 1,
        started_at=timezone.now(),
        finished_at=None,
        error="",
    )
    return run.pk


def _record_end(run_pk: int, *, status: str, row_counts: dict | None = None, error: str = ""):
    changes = {"status": status, "finished_at": timezone.now(), "error": error}
    if row_counts is not None:  # a failed run keeps the counts of the last good one
        changes["row_counts"] = row_counts
    JobRun.objects.filter(pk=run_pk).update(**changes)


def run_job(job: NightlyJob, business_date: dt.date) -> JobResult:
    """Run one job under its lock and record it. Never raises: a failure is reported in the
    result (``exception`` keeps it for callers that retry, e.g. the Celery task)."""
    started = time.monotonic()
    exception = None
    with job_lock(job.name, business_date) as acquired:
        if not acquired:
            summary, state = {"reason": "another run holds the lock"}, SKIPPED
        else:
            run_pk = _record_start(job.name, business_date)
            try:
                with transaction.atomic():
                    _tune_for_batch()
                    summary = job.func(business_date) or {}
                state = OK
                _record_end(run_pk, status=JobRun.Status.SUCCEEDED, row_counts=summary)
            except Exception as exc:  # one failing job must not stop the others; it is reported
                logger.exception("nightly job %s failed for %s", job.name, business_date)
                summary, state, exception = {"error": f"{type(exc).__name__}: {exc}"}, FAILED, exc
                with contextlib.suppress(DatabaseError):  # the connection may be the failure
                    _record_end(run_pk, status=JobRun.Status.FAILED, error=summary["error"])
    result = JobResult(job.name, state, time.monotonic() - started, summary, exception)
    logger.info("nightly %s %s", business_date.isoformat(), result.line())
    return result


def run_all(business_date: dt.date, only: list[str] | None = None) -> list[JobResult]:
    return [
        run_job(job, business_date) for job in registered_jobs() if not only or job.name in only
    ]
