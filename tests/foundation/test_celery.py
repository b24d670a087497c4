import os
import subprocess
import sys
from pathlib import Path

import pytest

from salescrm.tasks import ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.worker
def test_real_worker_runs_a_task_through_redis(real_broker):
    result = ping.delay("abc")
    assert result.get(timeout=30) == "pong:abc"
    # it really went through the worker, not inline
    assert result.__class__.__name__ == "AsyncResult"


def _settings_in_subprocess(env_changes: dict) -> str:
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    env.update(env_changes)
    env["DJANGO_SETTINGS_MODULE"] = "salescrm.settings"
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "from salescrm.celery import app;"
        "print(app.conf.task_always_eager, settings.CELERY_BROKER_URL, settings.CACHES['default']['BACKEND'])"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_without_redis_url_tasks_run_eagerly():
    assert _settings_in_subprocess({}) == (
        "True memory:// django.core.cache.backends.locmem.LocMemCache"
    )


def test_with_redis_url_tasks_go_to_the_broker():
    assert _settings_in_subprocess({"REDIS_URL": "redis://127.0.0.1:6379/3"}) == (
        "False redis://127.0.0.1:6379/3 salescrm.cache.ForgivingRedisCache"
    )


def test_eager_task_runs_inline():
    assert ping.delay("x").get() == "pong:x"
