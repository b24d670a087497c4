"""Time the whole nightly run against a raw SQL floor on the database bench/fill.py filled.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salescrm_bench python bench/run.py

Runs every registered nightly job for the latest business date three times: the first run
also catches up on the earlier months (scorecards and statements of the past year); the next
two are what every night costs. The floor is the plain GROUP BY queries a hand-written job
would need at least, over the same rows: the funnel cohort's stage changes, and per rep for
the open month and quarter the contracts signed, payments, refunds, instalments due,
activities and leads. Prints the timings, the query counts and the ratio as a Markdown table.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from salescrm import nightly  # noqa: E402
from salescrm.timeutil import business_date, day_bounds, month_start, quarter_start  # noqa: E402

FLOOR = {
    "funnel cohort": """
        SELECT l.owner_id, sc.to_stage, count(*), sum(l.budget)
        FROM leads_stagechange sc JOIN leads_lead l ON l.id = sc.lead_id
        WHERE l.created_at >= %(cohort)s AND l.created_at < %(cut)s AND sc.changed_at < %(cut)s
        GROUP BY 1, 2""",
    "stage changes of the day": """
        SELECT l.owner_id, sc.to_stage, count(*) FROM leads_stagechange sc
        JOIN leads_lead l ON l.id = sc.lead_id
        WHERE sc.changed_at >= %(day)s AND sc.changed_at < %(cut)s GROUP BY 1, 2""",
    "contracts signed": """
        SELECT owner_id, sum(total_amount), count(*), count(*) FILTER (WHERE is_renewal)
        FROM customers_contract WHERE status IN ('signed', 'archived')
        AND signed_on BETWEEN %(start)s AND %(end)s GROUP BY 1""",
    "payments": """
        SELECT k.owner_id, sum(p.amount) FROM customers_payment p
        JOIN customers_contract k ON k.id = p.contract_id
        WHERE p.received_on BETWEEN %(start)s AND %(end)s GROUP BY 1""",
    "refunds": """
        SELECT k.owner_id, sum(r.amount) FROM customers_refund r
        JOIN customers_contract k ON k.id = r.contract_id
        WHERE r.status = 'confirmed' AND r.confirmed_on BETWEEN %(start)s AND %(end)s GROUP BY 1""",
    "instalments due": """
        SELECT k.owner_id, sum(i.amount), sum(i.paid_amount) FROM customers_instalment i
        JOIN customers_contract k ON k.id = i.contract_id
        WHERE i.due_on BETWEEN %(start)s AND %(end)s GROUP BY 1""",
    "activities": """
        SELECT actor_id, kind, count(*) FROM leads_activity
        WHERE occurred_at >= %(start_at)s AND occurred_at < %(cut)s GROUP BY 1, 2""",
    "leads": """
        SELECT owner_id, count(*), count(*) FILTER (WHERE stage = 'won') FROM leads_lead
        WHERE created_at >= %(start_at)s AND created_at < %(cut)s GROUP BY 1""",
}


def floor_seconds(day) -> float:
    import datetime as dt

    cohort, _ = day_bounds(day - dt.timedelta(days=89), day)
    day_at, cut = day_bounds(day, day)
    started = time.monotonic()
    with connection.cursor() as cursor:
        for period_start in (month_start(day), quarter_start(day)):
            start_at, _ = day_bounds(period_start, day)
            params = {
                "cohort": cohort,
                "cut": cut,
                "day": day_at,
                "start": period_start,
                "end": day,
                "start_at": start_at,
            }
            for name, sql in FLOOR.items():
                if name.startswith(("funnel", "stage")) and period_start != month_start(day):
                    continue
                cursor.execute(sql, params)
                cursor.fetchall()
    return time.monotonic() - started


def nightly_run(day):
    with CaptureQueriesContext(connection) as queries:
        started = time.monotonic()
        results = nightly.run_all(day)
        seconds = time.monotonic() - started
    failed = [r.line() for r in results if not r.ok]
    if failed:
        sys.exit("nightly job failed: " + "; ".join(failed))
    return seconds, len(queries.captured_queries), results


def main():
    day = business_date()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM leads_lead")
        leads = cursor.fetchone()[0]
    print(f"business date {day}, {leads:,} leads")
    floor_seconds(day)  # warm the cache the same way for both
    runs = []
    for label in ("first run (with catch-up of the past year)", "second run", "third run"):
        reset_queries()
        seconds, queries, results = nightly_run(day)
        runs.append((label, seconds, queries))
        print(f"{label}: {seconds:.1f}s, {queries} queries")
        for result in results:
            print(f"    {result.line()}")
    floors = [floor_seconds(day) for _ in range(3)]
    floor = min(floors)
    steady = min(seconds for _label, seconds, _q in runs[1:])
    print()
    print("| measurement | seconds | SQL queries |")
    print("| --- | ---: | ---: |")
    for label, seconds, queries in runs:
        print(f"| nightly run, {label} | {seconds:.1f} | {queries} |")
    print(f"| raw SQL floor (best of 3) | {floor:.1f} | {len(FLOOR) * 2 - 2} |")
    print(f"| ratio nightly (best steady run) ÷ floor | {steady / floor:.2f} | |")


if __name__ == "__main__":
    main()
