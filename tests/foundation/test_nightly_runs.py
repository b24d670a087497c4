"""How every nightly job is run: lock, JobRun record, one transaction (salescrm.nightly)."""

import datetime as dt
import threading

import pytest
from celery.exceptions import Retry
from django.core.management import call_command
from django.db import OperationalError, connection

from salescrm import nightly
from salescrm.models import JobRun, Notification
from salescrm.tasks import run_nightly_job, run_nightly_jobs

DAY = dt.date(2026, 3, 31)


@pytest.fixture
def registry(db, monkeypatch):
    nightly.registered_jobs()  # import the apps' tasks now, so they register in the real registry
    registry = {}
    monkeypatch.setattr(nightly, "_REGISTRY", registry)
    return registry


def _replace_digest(recipients, day, fail_after=None):
    """A job in the recommended shape: delete the period's rows, write them again."""
    Notification.objects.filter(kind="digest").delete()
    for index, user in enumerate(recipients):
        if fail_after is not None and index == fail_after:
            raise RuntimeError("worker died")
        Notification.objects.create(
            recipient=user, kind="digest", key=f"digest-{day}", title=f"Digest {day} #{index}"
        )
    return {"digests": len(recipients)}


def _digests():
    return sorted(
        Notification.objects.filter(kind="digest").values_list("recipient_id", "key", "title")
    )


def test_running_a_job_twice_leaves_identical_rows_and_one_run_record(registry, rep, teammate):
    @nightly.nightly_job("test.digest", order=1)
    def digest(day):
        return _replace_digest([rep, teammate], day)

    first = nightly.run_all(DAY)
    rows = _digests()
    second = nightly.run_all(DAY)

    assert [r.state for r in first + second] == ["ok", "ok"]
    assert _digests() == rows
    assert len(rows) == 2
    run = JobRun.objects.get()
    assert (run.job, run.business_date, run.status, run.attempts) == (
        "test.digest",
        DAY,
        "succeeded",
        2,
    )
    assert run.row_counts == {"digests": 2}
    assert run.finished_at >= run.started_at


def test_failure_half_way_keeps_previous_results_whole_and_a_rerun_completes(
    registry, rep, teammate, manager
):
    people = [rep, teammate, manager]
    fail = {"after": None}

    @nightly.nightly_job("test.digest", order=1)
    def digest(day):
        return _replace_digest(people, day, fail_after=fail["after"])

    nightly.run_all(DAY)
    before = _digests()
    assert len(before) == 3

    fail["after"] = 2  # two of three rows rewritten, then the crash
    (crashed,) = nightly.run_all(DAY)
    assert crashed.state == "FAILED" and "worker died" in crashed.summary["error"]
    assert _digests() == before
    run = JobRun.objects.get()
    assert run.status == "failed" and "RuntimeError: worker died" in run.error
    assert run.row_counts == {"digests": 3}  # the counts of the last good run stay readable

    fail["after"] = None
    (rerun,) = nightly.run_all(DAY)
    assert rerun.state == "ok"
    assert _digests() == before
    run.refresh_from_db()
    assert (run.status, run.error, run.attempts) == ("succeeded", "", 3)


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_runs_do_not_both_work(registry):
    assert connection.vendor == "postgresql"
    inside, release = threading.Event(), threading.Event()
    calls = []

    @nightly.nightly_job("test.slow", order=1)
    def slow(day):
        calls.append(day)
        inside.set()
        assert release.wait(20)
        return {"rows": 1}

    job = nightly.get_job("test.slow")
    results = {}

    def first_run():
        try:
            results["first"] = nightly.run_job(job, DAY)
        finally:
            connection.close()

    thread = threading.Thread(target=first_run)
    thread.start()
    assert inside.wait(20)

    def second_run():
        try:
            results["second"] = nightly.run_job(job, DAY)
        finally:
            connection.close()

    other = threading.Thread(target=second_run)
    other.start()
    other.join(20)
    release.set()
    thread.join(20)

    assert results["first"].state == "ok"
    assert results["second"].state == "skipped"
    assert calls == [DAY]
    run = JobRun.objects.get()
    assert (run.status, run.attempts) == ("succeeded", 1)
    # once the first run has finished, the lock is free again
    assert nightly.run_job(job, DAY).state == "ok" and calls == [DAY, DAY]


def test_run_nightly_command_records_the_run(registry, capsys):
    @nightly.nightly_job("test.fine", order=1)
    def fine(day):
        return {"rows": 4}

    call_command("run_nightly", "--date", "2026-03-31")
    out = capsys.readouterr().out
    assert "test.fine: ok in" in out and "(rows=4)" in out
    assert JobRun.objects.get(job="test.fine").row_counts == {"rows": 4}


def test_the_celery_task_retries_a_job_on_a_database_error_with_backoff(registry, monkeypatch):
    attempts, retries = [], []

    @nightly.nightly_job("test.flaky", order=1)
    def flaky(day):
        attempts.append(day)
        if len(attempts) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return {"rows": 7}

    def fake_retry(exc, countdown):
        retries.append((type(exc).__name__, countdown))
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(run_nightly_job, "retry", fake_retry)
    with pytest.raises(Retry):
        run_nightly_job.run([], "test.flaky", "2026-03-31")
    assert retries == [("OperationalError", 10)]
    assert JobRun.objects.get().status == "failed"

    lines = run_nightly_job.run(["earlier: ok"], "test.flaky", "2026-03-31")
    assert lines[0] == "earlier: ok"
    assert lines[1].startswith("test.flaky: ok in") and lines[1].endswith("(rows=7)")
    assert (JobRun.objects.get().status, JobRun.objects.get().attempts) == ("succeeded", 2)
    assert run_nightly_job.max_retries == 5
    assert run_nightly_job.soft_time_limit < run_nightly_job.time_limit < 2 * 60 * 60


def test_a_job_failing_for_another_reason_is_reported_not_retried(registry, monkeypatch):
    @nightly.nightly_job("test.broken", order=1)
    def broken(day):
        raise ValueError("bad data")

    monkeypatch.setattr(run_nightly_job, "retry", lambda **kw: pytest.fail("must not retry"))
    (line,) = run_nightly_job.run([], "test.broken", "2026-03-31")
    assert line.startswith("test.broken: FAILED") and "ValueError: bad data" in line


def test_the_beat_task_chains_every_job_for_the_business_date(registry):
    seen = []

    @nightly.nightly_job("test.b", order=2)
    def b(day):
        seen.append(("b", day))
        return {}

    @nightly.nightly_job("test.a", order=1)
    def a(day):
        seen.append(("a", day))
        return {"rows": 1}

    run_nightly_jobs.delay("2026-03-31")
    assert seen == [("a", DAY), ("b", DAY)]
    assert sorted(JobRun.objects.values_list("job", "status")) == [
        ("test.a", "succeeded"),
        ("test.b", "succeeded"),
    ]
