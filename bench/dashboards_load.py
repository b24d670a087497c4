"""Load the dashboards the way a review meeting does: N concurrent users, each signed in as a
rep, a manager or the director of the bench dataset, loading /dashboard/ again and again with a
think time between loads; prints the latency percentiles per role as a Markdown table.

    # 1. a database filled by bench/fill.py, then `manage.py run_nightly` (snapshots, scorecards)
    # 2. the app under gunicorn, e.g.
    DATABASE_URL=... REDIS_URL=redis://127.0.0.1:6379/6 DJANGO_DEBUG=false \\
        gunicorn salescrm.wsgi -w 5 -b 127.0.0.1:8765
    # 3. this script, with the same DATABASE_URL and REDIS_URL (it creates the sessions)
    DATABASE_URL=... REDIS_URL=... python bench/dashboards_load.py --url http://127.0.0.1:8765 \\
        --users 20 --seconds 60

Standard library only (threads and urllib): each user is a thread with its own session cookie.
``--cold`` first times one uncached load per role, one after the other (cache cleared, workers
warmed up).
"""

import argparse
import os
import random
import statistics
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.cache import cache  # noqa: E402

from salescrm.models import User  # noqa: E402


def session_for(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    # the backend that loads users (the first, axes, only guards the login form)
    store[BACKEND_SESSION_KEY] = next(
        name for name in settings.AUTHENTICATION_BACKENDS if "axes" not in name.lower()
    )
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def cast(users: int) -> list[tuple[str, User]]:
    """A meeting's mix: one director, a manager per four users, the rest reps."""
    managers = list(User.objects.filter(role="manager", is_active=True).order_by("username"))
    reps = list(User.objects.filter(role="rep", is_active=True).order_by("username"))
    director = User.objects.filter(role="director").order_by("username").first()
    people = [("director", director)]
    for i in range(1, users):
        if i % 4 == 0:
            people.append(("manager", managers[(i // 4) % len(managers)]))
        else:
            people.append(("rep", reps[(i * 7) % len(reps)]))
    return people


def load(url: str, cookie: str) -> float:
    request = urllib.request.Request(
        url + "/dashboard/", headers={"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{response.status} for {url}")
    return time.perf_counter() - start


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8765")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--think", type=float, default=1.0, help="mean think time (s)")
    parser.add_argument("--cold", action="store_true")
    args = parser.parse_args()

    people = [(role, user, session_for(user)) for role, user in cast(args.users)]
    for _role, _user, cookie in people[:4]:  # warm the workers (imports, connections)
        load(args.url, cookie)
    if args.cold:
        cache.clear()
        print("| role | uncached load (ms) |\n| --- | ---: |")
        for role in ("rep", "manager", "director"):
            _role, _user, cookie = next(p for p in people if p[0] == role)
            print(f"| {role} | {load(args.url, cookie) * 1000:.0f} |")
        cache.clear()

    timings: dict[str, list[float]] = {"rep": [], "manager": [], "director": []}
    errors = []
    stop = time.monotonic() + args.seconds

    def user_loop(role, cookie, seed):
        rng = random.Random(seed)
        time.sleep(rng.uniform(0, args.think))  # users arrive spread over a think time
        while time.monotonic() < stop:
            try:
                timings[role].append(load(args.url, cookie))
            except Exception as exc:  # a failed request is reported, not hidden
                errors.append(f"{role}: {exc}")
            time.sleep(rng.uniform(0.5 * args.think, 1.5 * args.think))

    threads = [
        threading.Thread(target=user_loop, args=(role, cookie, i))
        for i, (role, _user, cookie) in enumerate(people)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    print(f"\n{args.users} users, {args.seconds:.0f} s, think time {args.think} s ± 50 %")
    print(
        "| role | requests | p50 (ms) | p95 (ms) | max (ms) |\n| --- | ---: | ---: | ---: | ---: |"
    )
    everything = []
    for role, values in timings.items():
        everything += values
        if values:
            print(
                f"| {role} | {len(values)} | {statistics.median(values) * 1000:.0f} | "
                f"{percentile(values, 0.95) * 1000:.0f} | {max(values) * 1000:.0f} |"
            )
    if everything:
        print(
            f"| all | {len(everything)} | {statistics.median(everything) * 1000:.0f} | "
            f"{percentile(everything, 0.95) * 1000:.0f} | {max(everything) * 1000:.0f} |"
        )
    print(f"errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))


if __name__ == "__main__":
    main()
