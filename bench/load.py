"""The pages people use all day, under load, each against the framework floor in the same run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salescrm_bench \\
    REDIS_URL=redis://127.0.0.1:6379/9 python bench/load.py [--users 20] [--seconds 20]

Starts gunicorn itself on the bench database (loopback only, DEBUG off, `-w 5` by default,
the production settings: persistent connections unless `--conn-max-age 0`), signs in one
user per role (sessions created in the database, as the login would), then for each page
runs `--users` concurrent users for `--seconds`: every user alternates the page and the
floor — a trivial signed-in page (`/accounts/profile/`: middleware, session, user, menu and
base template, no list) — so both see the same load. Prints per page p50 and p95 of the
page and of its floor, and the ratio page p95 ÷ floor p95, as a Markdown table; then stops
gunicorn. Standard library only (threads and urllib).

`--dashboard-cache 0` runs the dashboards uncached (the server gets DASHBOARD_CACHE_SECONDS=0).
`--only name,name` runs some pages. A request that fails (status ≠ 200) is counted and
reported, never hidden.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-" + "x" * 50)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("DJANGO_STATIC_ROOT", "/tmp/salescrm_bench_static")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from leads.models import Lead  # noqa: E402
from salescrm.models import User  # noqa: E402
from salescrm.pagination import encode_cursor  # noqa: E402

FLOOR = "/accounts/profile/"


def session_for(user) -> str:
    from importlib import import_module

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = next(
        name for name in settings.AUTHENTICATION_BACKENDS if "axes" not in name.lower()
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def pages() -> list[tuple[str, str, str]]:
    """(name, role, path) of every page of issue 21's table, on this database's rows."""
    total = Lead.objects.count()
    middle = Lead.objects.order_by("-created_at", "-id").values("created_at", "id")[total // 2]
    rep = User.objects.filter(role="rep", is_active=True).order_by("username").first()
    own = Lead.objects.filter(owner=rep).order_by("-created_at").first()
    # a phone and a name the bench leads have (bench/fill.py: '1' + 10 digits, '学员' + n)
    sample = Lead.objects.order_by("id")[min(total - 1, 54_320)]
    return [
        ("lead search by phone", "director", f"/leads/?q={sample.phone}"),
        ("lead list grade A", "director", "/leads/?grade=A"),
        ("lead list stage trial", "director", "/leads/?stage=trial"),
        (
            f"lead list deep page (row {total // 2:,}, keyset)",
            "director",
            "/leads/?after=" + encode_cursor(middle["created_at"], middle["id"]),
        ),
        ("lead list ?page=10000", "director", "/leads/?page=10000"),
        ("lead search by name", "director", "/leads/?q=" + urllib.request.quote(sample.name)),
        ("contract list", "director", "/customers/contracts/"),
        ("target progress", "director", "/targets/progress/"),
        ("dashboard director", "director", "/dashboard/"),
        ("lead list first page", "director", "/leads/"),
        ("lead list first page", "rep", "/leads/"),
        ("lead detail (own lead)", "rep", f"/leads/{own.pk}/"),
        ("dashboard manager", "manager", "/dashboard/"),
        ("dashboard rep", "rep", "/dashboard/"),
        ("scorecards", "director", "/performance/scorecards/"),
        ("statements", "director", "/performance/statements/"),
        ("receivables", "director", "/customers/receivables/"),
    ]


def fetch(base: str, path: str, cookie: str) -> float:
    request = urllib.request.Request(
        base + path, headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback
        response.read()
        if response.status != 200 or response.url != base + path:
            raise RuntimeError(f"{response.status} {response.url}")
    return time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def start_server(args) -> subprocess.Popen:
    env = dict(os.environ, DJANGO_CONN_MAX_AGE=str(args.conn_max_age))
    if args.dashboard_cache is not None:
        env["DASHBOARD_CACHE_SECONDS"] = str(args.dashboard_cache)
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, loopback only
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "salescrm.wsgi",
            "-w",
            str(args.workers),
            "-b",
            f"127.0.0.1:{args.port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=30)  # noqa: S310
            return server
        except OSError:  # refused, reset or timed out while the workers start
            time.sleep(0.5)
    os.killpg(server.pid, signal.SIGTERM)
    sys.exit("gunicorn did not answer within 60 s")


def run_page(base, path, cookie, floor_cookie, users, seconds):
    page, floor, errors = [], [], []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def user_loop(index):
        # every user alternates page and floor; half start with the floor
        order = [(path, cookie, page), (FLOOR, floor_cookie, floor)]
        if index % 2:
            order.reverse()
        while time.monotonic() < stop:
            for target, jar, sink in order:
                try:
                    took = fetch(base, target, jar)
                except Exception as exc:  # counted and reported
                    with lock:
                        errors.append(f"{target}: {exc}")
                else:
                    with lock:
                        sink.append(took)

    with ThreadPoolExecutor(max_workers=users) as pool:
        list(pool.map(user_loop, range(users)))
    return page, floor, errors


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20, help="per page")
    parser.add_argument("--workers", type=int, default=5)
    parser.add_argument("--port", type=int, default=8721)
    parser.add_argument("--conn-max-age", type=int, default=60)
    parser.add_argument("--dashboard-cache", type=int, default=None)
    parser.add_argument("--only", default="", help="comma-separated page names (substrings)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The load run needs the PostgreSQL bench database: set DATABASE_URL.")

    call_command("collectstatic", interactive=False, verbosity=0)
    roles = {
        "director": User.objects.filter(role="director").order_by("username").first(),
        "manager": User.objects.filter(role="manager", is_active=True).order_by("username")[0],
        "rep": User.objects.filter(role="rep", is_active=True).order_by("username")[0],
    }
    cookies = {role: session_for(user) for role, user in roles.items()}
    chosen = [p for p in pages() if not args.only or any(o in p[0] for o in args.only.split(","))]
    connection.close()

    server = start_server(args)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _name, role, path in chosen:  # warm every worker's imports and connections
            for _ in range(args.workers * 2):
                fetch(base, path, cookies[role])
        load = os.getloadavg()[0]
        print(
            f"{args.users} users, {args.seconds:.0f} s per page, gunicorn -w {args.workers}, "
            f"CONN_MAX_AGE {args.conn_max_age}, dashboard cache "
            f"{'default' if args.dashboard_cache is None else args.dashboard_cache}, "
            f"load average at start {load:.1f}, {Lead.objects.count():,} leads\n"
        )
        print(
            "| page | role | requests | p50 | p95 | floor p50 | floor p95 | p95 ÷ floor p95 "
            "| errors |\n| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            flush=True,
        )
        for name, role, path in chosen:
            page, floor, errors = run_page(
                base, path, cookies[role], cookies[role], args.users, args.seconds
            )
            if not page or not floor:
                print(f"| {name} | {role} | 0 | | | | | | {len(errors)}: {errors[:1]} |")
                continue
            p95, f95 = percentile(page, 0.95), percentile(floor, 0.95)
            print(
                f"| {name} | {role} | {len(page)} | {statistics.median(page) * 1000:.0f} | "
                f"{p95 * 1000:.0f} | {statistics.median(floor) * 1000:.0f} | {f95 * 1000:.0f} | "
                f"{p95 / f95:.2f} | {len(errors)} |",
                flush=True,
            )
        print(f"\nload average at the end {os.getloadavg()[0]:.1f}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
