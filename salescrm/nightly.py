"""The registry of nightly jobs (SPEC §5).

An app registers a job in its ``tasks.py``::

    @nightly_job("leads.pool_reclaim", order=20)
    def reclaim_pool(business_date):
        ...
        return {"reclaimed": 12}

``run_nightly`` (command and Celery task) runs every registered job for one business date, in
``order``, each in its own call, and reports what each returned. A job must be idempotent:
running it twice for one date leaves the same rows.
"""

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

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


@dataclass
class JobResult:
    name: str
    ok: bool
    seconds: float
    summary: dict

    def line(self) -> str:
        details = ", ".join(f"{key}={value}" for key, value in self.summary.items())
        state = "ok" if self.ok else "FAILED"
        return f"{self.name}: {state} in {self.seconds:.2f}s" + (f" ({details})" if details else "")


def run_job(job: NightlyJob, business_date: dt.date) -> JobResult:
    started = time.monotonic()
    try:
        summary = job.func(business_date) or {}
        ok = True
    except Exception as exc:  # one failing job must not stop the others; it is reported
        logger.exception("nightly job %s failed for %s", job.name, business_date)
        summary, ok = {"error": f"{type(exc).__name__}: {exc}"}, False
    result = JobResult(job.name, ok, time.monotonic() - started, summary)
    logger.info("nightly %s %s", business_date.isoformat(), result.line())
    return result


def run_all(business_date: dt.date, only: list[str] | None = None) -> list[JobResult]:
    return [
        run_job(job, business_date) for job in registered_jobs() if not only or job.name in only
    ]
