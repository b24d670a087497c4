import datetime as dt

from celery import shared_task

from . import nightly
from .timeutil import business_date


@shared_task(name="salescrm.tasks.ping")
def ping(value: str) -> str:
    """A trivial round trip through the broker, used by /healthz-style checks and tests."""
    return f"pong:{value}"


@shared_task(name="salescrm.tasks.run_nightly_jobs")
def run_nightly_jobs(date_iso: str | None = None) -> list[str]:
    day = dt.date.fromisoformat(date_iso) if date_iso else business_date()
    return [result.line() for result in nightly.run_all(day)]
