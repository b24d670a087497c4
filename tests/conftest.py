"""Standing users and shared fixtures (see ../shared/STYLE.md: rep, teammate, manager,
outsider), the real Celery worker and the Playwright browser."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from salescrm import timeutil
from salescrm.roles import Role

from .factories import TeamFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests make
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parent.parent

# Property tests must not depend on how busy the machine is: no per-example deadline and no
# "too slow" health check (a loaded 2-core CI box failed them), and the same examples on
# every run, so a red build is reproduced by running it again. HYPOTHESIS_PROFILE=dev explores
# new random examples each run instead (the failing one is printed as a reproduce blob).
hypothesis_settings.register_profile(
    "ci",
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
    database=None,
    print_blob=True,
)
hypothesis_settings.register_profile(
    "dev", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
ARTIFACTS = ROOT / "test-artifacts"
PASSWORD = "pw-for-tests-1"


@pytest.fixture
def team(db):
    return TeamFactory(name="Team A")


@pytest.fixture
def other_team(db):
    return TeamFactory(name="Team B")


@pytest.fixture
def manager(team):
    user = UserFactory(username="manager_a", role=Role.MANAGER, team=team)
    team.manager = user
    team.save()
    return user


@pytest.fixture
def rep(team, manager):
    return UserFactory(username="rep_a1", role=Role.REP, team=team)


@pytest.fixture
def teammate(team, manager):
    return UserFactory(username="rep_a2", role=Role.REP, team=team)


@pytest.fixture
def other_manager(other_team):
    user = UserFactory(username="manager_b", role=Role.MANAGER, team=other_team)
    other_team.manager = user
    other_team.save()
    return user


@pytest.fixture
def outsider(other_team, other_manager):
    """A rep of another team: must never see the rep's records."""
    return UserFactory(username="rep_b1", role=Role.REP, team=other_team)


@pytest.fixture
def director(db):
    return UserFactory(username="director_x", role=Role.DIRECTOR)


@pytest.fixture
def legal(db):
    return UserFactory(username="legal_x", role=Role.LEGAL)


@pytest.fixture
def finance(db):
    return UserFactory(username="finance_x", role=Role.FINANCE)


@pytest.fixture
def service_user(db):
    return UserFactory(username="service_x", role=Role.SERVICE)


@pytest.fixture
def login(client):
    """login(user) -> the test client signed in as user."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def clock():
    """The business clock every view, form and service reads (salescrm.timeutil.clock):
    `clock.set(dt.date(2026, 6, 15))` pins "today" (noon in Shanghai) for the rest of the
    test; the real time comes back afterwards. The Celery worker is another process and
    keeps the real time."""
    yield timeutil.clock
    timeutil.clock.reset()


# --- the real Celery worker -------------------------------------------------------------


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real `celery worker` process on the Redis of REDIS_URL, using the test database.

    Tests that use it must commit their data (transactional_db) and send through the broker
    (see `real_broker`)."""
    if not settings.REDIS_URL:
        pytest.fail(
            "REDIS_URL must point at a Redis server for the worker tests (make test sets it)"
        )
    from django.db import connection

    from salescrm.celery import app

    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "salescrm.settings",
        "DATABASE_URL": f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
    }
    node = f"test-{uuid.uuid4().hex[:8]}@localhost"
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "celery-worker.log", "w")
    app.control.purge()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "salescrm",
            "worker",
            "-P",
            "solo",
            "-n",
            node,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(
                f"celery worker exited with {proc.returncode}; see test-artifacts/celery-worker.log"
            )
        replies = app.control.ping(destination=[node], timeout=1)
        if replies:
            break
    else:
        proc.kill()
        pytest.fail("celery worker did not answer a ping within 60 s")
    yield node
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture
def real_broker(celery_worker):
    """Send tasks through Redis to the real worker instead of running them inline."""
    from salescrm.celery import app

    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = True


# --- the browser -----------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


# Generous on purpose: a busy CI machine (two cores, a suite beside it) answered the live
# server in over 15 s. Tests wait for what the page shows (navigation, a selector,
# `expect(...)`), which returns as soon as it is there, so a long ceiling costs nothing when
# the machine is quiet.
BROWSER_TIMEOUT_MS = 60_000


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=BROWSER_TIMEOUT_MS)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
            headless=True,
            args=CHROMIUM_ARGS,
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser, live_server):
    """new_page() -> a page in a fresh browser context (its own cookies: one signed-in user
    each) on the live server, with the suite's timeouts. Contexts are closed at the end."""
    contexts = []

    def _new_page():
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        context.set_default_navigation_timeout(BROWSER_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def screenshot():
    """screenshot(page, name): keep a PNG in test-artifacts/ for people to look at."""

    def _shot(pg, name):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def browser_login():
    """browser_login(page, username, password): sign in through the real login form."""

    def _login(pg, username, password=PASSWORD):
        pg.goto("/accounts/login/")
        pg.fill("input[name=username]", username)
        pg.fill("input[name=password]", password)
        pg.click("button[type=submit]")
        pg.wait_for_url("**/dashboard/")
        return pg

    return _login


# --- transactional tests keep the migrations' reference data ---------------------------


def pytest_collection_modifyitems(items):
    """A transactional test ends with a flush of every table, which would also wipe the rows
    the data migrations created (role groups, channels, product lines, default rules) for the
    tests that follow. Serialized rollback restores them after each such test."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        options = {}
        if marker is not None:
            names = [
                "transaction",
                "reset_sequences",
                "databases",
                "serialized_rollback",
                "available_apps",
            ]
            options = dict(zip(names, marker.args, strict=False)) | dict(marker.kwargs)
        uses_transactions = options.get("transaction") or {"transactional_db", "live_server"} & set(
            item.fixturenames
        )
        if uses_transactions:
            options.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**options), append=False)


_SERIALIZED: dict[str, str] = {}


def _has_reference_data() -> bool:
    from django.contrib.auth.models import Group

    return Group.objects.filter(name="rep").exists()


def _restore_reference_data() -> None:
    from django.db import connections

    if "default" in _SERIALIZED and not _has_reference_data():
        connections["default"].creation.deserialize_db_from_string(_SERIALIZED["default"])


@pytest.fixture(scope="session")
def django_db_createdb(request, django_db_blocker):
    """--reuse-db keeps the test database between runs, and Django serializes the reference
    data for serialized rollback from whatever that database holds when the run starts. A
    database left flushed (a run interrupted right after a transactional test) would serialize
    empty, and every later test would miss its groups and channels: such a database is
    created afresh instead of reused."""
    if request.config.getvalue("create_db") or not request.config.getvalue("reuse_db"):
        return request.config.getvalue("create_db")
    from django.db import connections

    default = connections["default"]
    probe = default.__class__(
        {**default.settings_dict, "NAME": default.creation._get_test_db_name()}, alias="probe"
    )
    try:
        with django_db_blocker.unblock(), probe.cursor() as cursor:
            cursor.execute("SELECT 1 FROM auth_group WHERE name = 'rep'")
            return cursor.fetchone() is None
    except Exception:  # no such database or table yet: it is created either way
        return False
    finally:
        probe.close()


@pytest.fixture(scope="session", autouse=True)
def _keep_serialized_contents(django_db_setup, django_db_blocker):
    """Django keeps the serialized copy of the migrations' data on the connection object. Once
    Playwright runs its event loop in the main thread, asgiref hands out fresh connection
    objects without it, and serialized rollback silently restores nothing; keep a copy.

    A transactional test ends with a flush, and Django restores the data at the start of the
    next such test, not after: when the run ends with one, put the data back, so that the
    database --reuse-db keeps for the next run is complete."""
    from django.db import connections

    for alias in connections:
        contents = getattr(connections[alias], "_test_serialized_contents", None)
        if contents:
            _SERIALIZED[alias] = contents
    yield
    with django_db_blocker.unblock():
        _restore_reference_data()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Every database test starts with the rows the data migrations create (role groups,
    channels, product lines, default rules), even after a transactional test's flush."""
    uses_db = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "live_server",
    } & set(request.fixturenames)
    if not uses_db:
        return
    from django.db import connections

    for alias, contents in _SERIALIZED.items():
        if not hasattr(connections[alias], "_test_serialized_contents"):
            connections[alias]._test_serialized_contents = contents
    request.getfixturevalue("_django_db_helper")
    _restore_reference_data()
