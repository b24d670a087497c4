import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from salescrm import nightly
from salescrm.timeutil import business_date, quarter_end, quarter_start


def test_business_date_is_the_shanghai_day_that_just_ended():
    # 16:30 UTC on 21 Nov is 00:30 on 22 Nov in Shanghai: the day to process is 21 Nov.
    assert business_date(dt.datetime(2026, 11, 21, 16, 30, tzinfo=dt.UTC)) == dt.date(2026, 11, 21)
    # 15:59 UTC is still 21 Nov 23:59 in Shanghai: the last complete day is 20 Nov.
    assert business_date(dt.datetime(2026, 11, 21, 15, 59, tzinfo=dt.UTC)) == dt.date(2026, 11, 20)


def test_quarter_bounds():
    assert quarter_start(dt.date(2026, 11, 22)) == dt.date(2026, 10, 1)
    assert quarter_end(dt.date(2026, 11, 22)) == dt.date(2026, 12, 31)
    assert quarter_end(dt.date(2026, 2, 3)) == dt.date(2026, 3, 31)


def test_beat_schedule_runs_after_midnight_shanghai(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-jobs"]
    assert settings.CELERY_TIMEZONE == "UTC"
    assert entry["schedule"].hour == {16} and entry["schedule"].minute == {30}


@pytest.fixture
def fake_jobs(db, monkeypatch):
    calls = []
    nightly.registered_jobs()  # import the apps' tasks now, so they register in the real registry
    registry = {}
    monkeypatch.setattr(nightly, "_REGISTRY", registry)

    @nightly.nightly_job("test.second", order=20)
    def second(day):
        calls.append(("second", day))
        return {"rows": 2}

    @nightly.nightly_job("test.first", order=10)
    def first(day):
        calls.append(("first", day))
        return {"rows": 1}

    return calls


def test_run_nightly_runs_jobs_in_order_for_the_given_date(fake_jobs, capsys):
    call_command("run_nightly", "--date", "2026-03-31")
    assert fake_jobs == [("first", dt.date(2026, 3, 31)), ("second", dt.date(2026, 3, 31))]
    out = capsys.readouterr().out
    assert "test.first: ok" in out and "(rows=1)" in out and "test.second: ok" in out


def test_failing_job_is_reported_and_the_others_still_run(fake_jobs, monkeypatch, capsys):
    @nightly.nightly_job("test.broken", order=15)
    def broken(day):
        raise RuntimeError("boom")

    with pytest.raises(CommandError):
        call_command("run_nightly", "--date", "2026-03-31")
    assert [name for name, _day in fake_jobs] == ["first", "second"]
    assert "test.broken: FAILED" in capsys.readouterr().out


def test_bad_date_is_a_clear_error(fake_jobs):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("run_nightly", "--date", "31/03/2026")
