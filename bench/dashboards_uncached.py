"""Time one uncached dashboard load per role and period, in-process (Django's test client, the
rendered-chart cache off), on the database bench/fill.py filled and the nightly jobs ran on;
prints the median of `--runs` loads and the SQL query count as a Markdown table.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salescrm_bench \\
        python bench/dashboards_uncached.py [--runs 5]

What it measures is the page's own work (queries, charts, templates) without a web server or
network; bench/dashboards_load.py measures the same pages under concurrent load.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from salescrm.models import User  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.DASHBOARD_CACHE_SECONDS = 0
    people = {
        "rep": User.objects.filter(role="rep", is_active=True).order_by("username").first(),
        "manager": User.objects.filter(role="manager", is_active=True).order_by("username").first(),
        "director": User.objects.filter(role="director").order_by("username").first(),
    }
    print("| role | period | median (ms) | SQL queries |")
    print("| --- | --- | ---: | ---: |")
    for role, user in people.items():
        client = Client()
        client.force_login(user)
        client.get("/dashboard/")  # warm the process (imports, templates)
        for period in ("month", "quarter", "year"):
            seconds, queries = [], 0
            for _run in range(args.runs):
                with CaptureQueriesContext(connection) as captured:
                    started = time.monotonic()
                    response = client.get(f"/dashboard/?period={period}")
                    seconds.append(time.monotonic() - started)
                assert response.status_code == 200, response.status_code
                queries = len(captured.captured_queries)
            median = statistics.median(seconds) * 1000
            print(f"| {role} | {period} | {median:.0f} | {queries} |")


if __name__ == "__main__":
    main()
