"""First run as a newcomer (issue 18): the port is checked before the set-up, demo people
have distinct names, SQLite gives no W040 warning, nightly summaries are printed once."""

import datetime as dt
import logging
import os
import random
import socket
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from salescrm.demo import DemoContext
from salescrm.models import User
from salescrm.org_demo import seed_organisation

ROOT = Path(__file__).resolve().parents[2]


def test_the_port_check_refuses_a_taken_port_and_passes_a_free_one():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        taken = subprocess.run(
            [sys.executable, "scripts/check_port.py", "127.0.0.1", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    assert taken.returncode == 1
    assert f"Port {port} on 127.0.0.1 is in use" in taken.stderr and "PORT=8001" in taken.stderr
    free = subprocess.run(
        [sys.executable, "scripts/check_port.py", "127.0.0.1", str(port)],
        cwd=ROOT,
        capture_output=True,
    )
    assert free.returncode == 0
    assert "demo: port-check demo-setup" in (ROOT / "Makefile").read_text()


def test_demo_people_have_distinct_names(db):
    seed_organisation(
        DemoContext(today=dt.date(2026, 11, 22), rng=random.Random(1), log=lambda s: None)
    )
    names = [user.get_full_name() for user in User.objects.all()]
    assert len(names) == 23
    assert len(set(names)) == 23, sorted(names)
    assert User.objects.get(username="director").get_full_name() == "王伟"
    assert User.objects.get(username="rep12").get_full_name() != "王伟"


def test_sqlite_check_has_no_w040():
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DJANGO_SETTINGS_MODULE"] = "salescrm.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "W040" not in result.stdout + result.stderr


def test_nightly_summary_lines_are_printed_once(db, caplog):
    out = StringIO()
    with caplog.at_level(logging.INFO):
        call_command(
            "run_nightly",
            "--date",
            "2026-11-21",
            "--only",
            "salescrm.submission_tokens_purge",
            stdout=out,
        )
    printed = [line for line in out.getvalue().splitlines() if "submission_tokens_purge" in line]
    logged = [
        r for r in caplog.records if r.name == "salescrm.nightly" and r.levelno == logging.INFO
    ]
    assert len(printed) == 1
    assert logged == []
    assert logging.getLogger("salescrm.nightly").level == logging.NOTSET  # restored
