"""Time the whole nightly run against a raw SQL floor on the database bench/fill.py filled.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salescrm_bench python bench/run.py

Runs every registered nightly job for the latest business date three times: the first run
also catches up on the earlier months (scorecards and statements of the past year); the next
two are what every night costs. Then the floor, three times: the plain SQL a hand-written
nightly would need at least to read the same rows, one query per source and period, each a
GROUP BY per rep (or a plain row fetch where the job must see the rows), nothing the nightly
does not read. Per period (the open month and the open quarter, for the scorecards and the
statements; the same days of the previous month, for the anomaly alerts, only the sources of
the reps' KPIs):

- contracts signed (amount, count, renewals, referred amount) and targets published;
- payments, confirmed refunds, instalments due with what was paid on each by its due date and
  by the period's end;
- activities and new leads per rep and week (visits, calls, conversion, plan completion) and
  the weekly activity plans;
- satisfaction surveys; for the month and the quarter also contracts ending (renewal rate),
  complaints opened, the first contact of each lead won (sales cycle) and the new customers
  (first contract in the period).

The dashboard facts (performance/facts.py) add the open year (contracts signed and ending,
payments, refunds, instalments, activities and plans: the year's rates and activity) and, for
the month, the quarter and the year, the leads per channel and campaign and the contract lines
per product line (contracts signed are grouped per channel and campaign too); for the quarter
the key customers whose contracts ended, renewed or not (the benchmarks).

Once a night: the funnel cohort's stage changes (owned leads) and the day's, the month's
payment and refund rows (each commission line names its own), the pool-reclaim and
score-refresh candidates, the instalments turning overdue (or paid back) and the complaints to
escalate. Not in it: the writes, the check for payments and refunds dated in a month whose
statement is already closed, and the few hundred rows of users, teams, schemes and plans.

The floor runs in one transaction with the nightly's session settings (JIT off). Prints the
timings, the query counts and the ratio as a Markdown table.
"""

import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, reset_queries, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from salescrm import nightly  # noqa: E402
from salescrm.timeutil import business_date, day_bounds, month_start, quarter_start  # noqa: E402

MONTH, QUARTER, PREVIOUS, YEAR = "month", "quarter", "previous", "year"
SCORED, ALL = (MONTH, QUARTER), (MONTH, QUARTER, PREVIOUS)
# the dashboard facts of the open month, quarter and year (performance/facts.py)
FACTS = (MONTH, QUARTER, YEAR)
SIGNED = "k.status IN ('signed', 'archived')"
WEEK = "date_trunc('week', {} AT TIME ZONE 'Asia/Shanghai')"
# the renewal rule (customers.models.continues) with the default window of 30 days
CONTINUED = """EXISTS (
            SELECT 1 FROM customers_contract r WHERE r.customer_id = k.customer_id
            AND r.status IN ('signed', 'archived') AND r.signed_on <= %(end)s AND r.id <> k.id
            AND r.starts_on BETWEEN k.ends_on - 30 AND k.ends_on + 30)"""

# name: (periods, SQL) — run once for each period with its start/end/start_at/cut
FLOOR_PER_PERIOD = {
    "contracts signed": (
        ALL + (YEAR,),
        f"""
        SELECT k.owner_id, l.channel_id, l.campaign_id, sum(k.total_amount), count(*),
               count(*) FILTER (WHERE k.is_renewal),
               sum(k.total_amount) FILTER (WHERE ch.code = 'referral')
        FROM customers_contract k JOIN customers_customer c ON c.id = k.customer_id
        LEFT JOIN leads_lead l ON l.id = c.lead_id LEFT JOIN leads_channel ch ON ch.id = l.channel_id
        WHERE {SIGNED} AND k.signed_on BETWEEN %(start)s AND %(end)s GROUP BY 1, 2, 3""",
    ),
    "new customers (first contract in the period)": (
        SCORED,
        f"""
        SELECT owner_id, count(*) FROM (
            SELECT k.customer_id, min(k.owner_id) AS owner_id FROM customers_contract k
            WHERE {SIGNED} GROUP BY 1
            HAVING min(k.signed_on) BETWEEN %(start)s AND %(end)s
        ) first GROUP BY 1""",
    ),
    "contract lines per product line": (
        FACTS,
        f"""
        SELECT k.owner_id, p.product_line_id, sum(cl.amount)
        FROM customers_contractline cl JOIN customers_contract k ON k.id = cl.contract_id
        JOIN customers_product p ON p.id = cl.product_id
        WHERE {SIGNED} AND k.signed_on BETWEEN %(start)s AND %(end)s GROUP BY 1, 2""",
    ),
    "leads per channel and campaign": (
        FACTS,
        """
        SELECT owner_id, channel_id, campaign_id, count(*), count(*) FILTER (WHERE stage = 'won')
        FROM leads_lead WHERE created_at >= %(start_at)s AND created_at < %(cut)s
        AND owner_id IS NOT NULL GROUP BY 1, 2, 3""",
    ),
    "key customers' contracts ending, renewed or not": (
        (QUARTER,),
        f"""
        SELECT c.owner_id, coalesce(c.tier_override, c.tier), k.customer_id, {CONTINUED}
        FROM customers_contract k JOIN customers_customer c ON c.id = k.customer_id
        WHERE {SIGNED} AND k.signed_on <= %(end)s AND k.ends_on BETWEEN %(start)s AND %(end)s
        AND coalesce(c.tier_override, c.tier) IN ('strategic', 'core')""",
    ),
    "contracts ending, continued or not": (
        SCORED + (YEAR,),
        f"""
        SELECT k.owner_id, count(*), count(*) FILTER (WHERE {CONTINUED})
        FROM customers_contract k
        WHERE {SIGNED} AND k.signed_on <= %(end)s AND k.ends_on BETWEEN %(start)s AND %(end)s
        GROUP BY 1""",
    ),
    "targets": (
        ALL,
        """
        SELECT t.level, t.rep_id, t.team_id, p.metric, sum(t.value)
        FROM targets_target t JOIN targets_targetplan p ON p.id = t.plan_id
        WHERE p.status = 'published' AND p.metric IN ('signed_amount', 'collected_amount')
        AND t.month BETWEEN %(month)s AND %(end)s GROUP BY 1, 2, 3, 4""",
    ),
    "payments": (
        ALL + (YEAR,),
        """
        SELECT k.owner_id, sum(p.amount) FROM customers_payment p
        JOIN customers_contract k ON k.id = p.contract_id
        WHERE p.received_on BETWEEN %(start)s AND %(end)s GROUP BY 1""",
    ),
    "refunds": (
        ALL + (YEAR,),
        """
        SELECT k.owner_id, sum(r.amount) FROM customers_refund r
        JOIN customers_contract k ON k.id = r.contract_id
        WHERE r.status = 'confirmed' AND r.confirmed_on BETWEEN %(start)s AND %(end)s GROUP BY 1""",
    ),
    "instalments due, paid by due date and by period end": (
        ALL + (YEAR,),
        f"""
        SELECT k.owner_id, sum(i.amount), sum(least(i.amount, p.by_due)),
               sum(greatest(0, i.amount - p.by_end))
        FROM customers_instalment i JOIN customers_contract k ON k.id = i.contract_id
        CROSS JOIN LATERAL (
            SELECT coalesce(sum(amount) FILTER (WHERE received_on <= i.due_on), 0) AS by_due,
                   coalesce(sum(amount), 0) AS by_end
            FROM customers_payment WHERE instalment_id = i.id AND received_on <= %(end)s
        ) p
        WHERE {SIGNED} AND i.due_on BETWEEN %(start)s AND %(end)s GROUP BY 1""",
    ),
    "activities per week": (
        ALL,
        f"""
        SELECT actor_id, kind, {WEEK.format("occurred_at")}, count(*) FROM leads_activity
        WHERE occurred_at >= %(start_at)s AND occurred_at < %(cut)s AND actor_id IS NOT NULL
        AND kind IN ('phone', 'visit', 'online_meeting', 'trial_lesson', 'campus_tour')
        GROUP BY 1, 2, 3""",
    ),
    "leads per week": (
        ALL,
        f"""
        SELECT owner_id, {WEEK.format("created_at")}, count(*),
               count(*) FILTER (WHERE stage = 'won' AND won_at < %(cut)s)
        FROM leads_lead WHERE created_at >= %(start_at)s AND created_at < %(cut)s
        AND owner_id IS NOT NULL GROUP BY 1, 2""",
    ),
    "activities per rep and kind (the year's calls and visits)": (
        (YEAR,),
        """
        SELECT actor_id, kind, count(*) FROM leads_activity
        WHERE occurred_at >= %(start_at)s AND occurred_at < %(cut)s AND actor_id IS NOT NULL
        AND kind IN ('phone', 'visit', 'online_meeting', 'trial_lesson', 'campus_tour')
        GROUP BY 1, 2""",
    ),
    "activity plans": (
        ALL + (YEAR,),
        """
        SELECT rep_id, week_start, calls + visits + new_leads + trial_lessons
        FROM leads_activityplan WHERE week_start BETWEEN %(start)s AND %(end)s""",
    ),
    "surveys": (
        ALL,
        """
        SELECT c.owner_id, count(*), sum(s.score), count(*) FILTER (WHERE s.nps >= 9),
               count(*) FILTER (WHERE s.nps <= 6)
        FROM customers_satisfactionsurvey s JOIN customers_customer c ON c.id = s.customer_id
        WHERE s.answered_on BETWEEN %(start)s AND %(end)s GROUP BY 1""",
    ),
    "complaints": (
        SCORED,
        """
        SELECT c.owner_id, count(*),
               count(*) FILTER (WHERE m.first_response_at <= m.opened_at + interval '24 hours')
        FROM customers_complaint m JOIN customers_customer c ON c.id = m.customer_id
        WHERE m.opened_at >= %(start_at)s AND m.opened_at < %(cut)s GROUP BY 1""",
    ),
    "first contact of each lead won": (
        SCORED,
        """
        SELECT owner_id, count(*), sum(won_at - first_contact) FROM (
            SELECT l.owner_id, l.won_at, coalesce(min(a.occurred_at), l.created_at) AS first_contact
            FROM leads_lead l LEFT JOIN leads_activity a ON a.lead_id = l.id
            WHERE l.won_at >= %(start_at)s AND l.won_at < %(cut)s AND l.owner_id IS NOT NULL
            GROUP BY l.id
        ) won
        WHERE (won_at AT TIME ZONE 'Asia/Shanghai')::date
            > (first_contact AT TIME ZONE 'Asia/Shanghai')::date
        GROUP BY 1""",
    ),
}

POOL_CLOCK = "greatest(coalesce(last_activity_at, created_at), coalesce(assigned_at, created_at))"

# name: SQL — run once a night
FLOOR_ONCE = {
    "funnel cohort": """
        SELECT l.owner_id, sc.to_stage, count(*), sum(l.budget)
        FROM leads_stagechange sc JOIN leads_lead l ON l.id = sc.lead_id
        WHERE l.created_at >= %(cohort)s AND l.created_at < %(cut)s AND l.owner_id IS NOT NULL
        AND sc.changed_at < %(cut)s GROUP BY 1, 2""",
    "stage changes of the day": """
        SELECT l.owner_id, sc.to_stage, count(*) FROM leads_stagechange sc
        JOIN leads_lead l ON l.id = sc.lead_id
        WHERE sc.changed_at >= %(day)s AND sc.changed_at < %(cut)s GROUP BY 1, 2""",
    "payment rows of the month": """
        SELECT p.id, p.contract_id, k.number, k.owner_id, p.amount, p.received_on
        FROM customers_payment p JOIN customers_contract k ON k.id = p.contract_id
        WHERE p.received_on BETWEEN %(month)s AND %(end)s""",
    "refund rows of the month": """
        SELECT r.id, r.contract_id, k.number, k.owner_id, r.amount, r.confirmed_on
        FROM customers_refund r JOIN customers_contract k ON k.id = r.contract_id
        WHERE r.status = 'confirmed' AND r.confirmed_on BETWEEN %(month)s AND %(end)s""",
    "pool reclaim and reminder candidates": f"""
        SELECT id, owner_id, name, {POOL_CLOCK} FROM leads_lead
        WHERE owner_id IS NOT NULL AND NOT stage IN ('won', 'lost')
        AND {POOL_CLOCK} < %(remind_cutoff)s""",
    "score refresh candidates": """
        SELECT id, score, grade, score_reasons FROM leads_lead
        WHERE NOT stage IN ('won', 'lost') AND CASE
            WHEN last_activity_at >= %(engaged_since)s
            THEN score_reasons::text NOT LIKE %(engaged_flag)s
            ELSE score_reasons::text LIKE %(engaged_flag)s END""",
    "instalments turning overdue or paid back": f"""
        SELECT i.id, i.sequence, i.contract_id, k.number, k.owner_id, i.due_on
        FROM customers_instalment i JOIN customers_contract k ON k.id = i.contract_id
        WHERE (i.overdue_since IS NULL AND i.due_on < %(tomorrow)s AND i.paid_amount < i.amount
               AND {SIGNED})
        OR (i.overdue_since IS NOT NULL AND i.paid_amount >= i.amount)""",
    "complaints to escalate": """
        SELECT id, subject FROM customers_complaint
        WHERE resolved_at IS NULL AND escalated_at IS NULL AND opened_at <= %(cut)s
        AND (severity = 'severe' OR opened_at <= %(cut)s - interval '48 hours'
             OR (first_response_at IS NULL AND opened_at <= %(cut)s - interval '24 hours'))""",
}


def floor_periods(day: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    """The open month, quarter and year up to `day`, and the same days of the previous month
    (as performance.services._same_span_last_month computes them)."""
    previous_start = month_start(month_start(day) - dt.timedelta(days=1))
    previous_end = min(
        previous_start + (day - month_start(day)), month_start(day) - dt.timedelta(days=1)
    )
    return {
        MONTH: (month_start(day), day),
        QUARTER: (quarter_start(day), day),
        YEAR: (day.replace(month=1, day=1), day),
        PREVIOUS: (previous_start, previous_end),
    }


def floor_queries(day: dt.date) -> list[tuple[str, str, dict]]:
    """(name, SQL, parameters) of every query of the floor for `day`."""
    from leads.models import LeadSettings, ScoringRule

    settings = LeadSettings.load()
    cohort, _ = day_bounds(day - dt.timedelta(days=89), day)
    day_at, cut = day_bounds(day, day)
    reclaim_cutoff = cut - dt.timedelta(days=settings.pool_after_days)
    queries = []
    for period, (start, end) in floor_periods(day).items():
        start_at, period_cut = day_bounds(start, end)
        params = {
            "start": start,
            "end": end,
            "month": month_start(start),
            "start_at": start_at,
            "cut": period_cut,
        }
        for name, (periods, sql) in FLOOR_PER_PERIOD.items():
            if period in periods:
                queries.append((f"{name} ({period})", sql, params))
    night = {
        "cohort": cohort,
        "day": day_at,
        "cut": cut,
        "month": month_start(day),
        "end": day,
        "tomorrow": day + dt.timedelta(days=1),
        "remind_cutoff": reclaim_cutoff + dt.timedelta(days=settings.pool_reminder_days),
        "engaged_since": cut - dt.timedelta(days=14),
        "engaged_flag": f"%{ScoringRule.Criterion.ENGAGED_RECENTLY.value}%",
    }
    queries.extend((name, sql, night) for name, sql in FLOOR_ONCE.items())
    # analytics.win_probability: its features are one statement over every lead, stage change
    # and activity (issue 20); the floor reads the same rows, aggregated the same way. The
    # model's training is not in the floor (no SQL can do it).
    from analytics.winprob import FEATURES_SQL

    queries.append(("win-probability features", FEATURES_SQL, {"until": cut}))
    return queries


def floor_seconds(day) -> float:
    queries = floor_queries(day)
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        nightly._tune_for_batch()  # the nightly's session settings, for a like comparison
        for _name, sql, params in queries:
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
        print(f"| nightly run, {label} | {seconds:.2f} | {queries} |")
    print(f"| raw SQL floor (best of 3) | {floor:.2f} | {len(floor_queries(day))} |")
    print(f"| ratio nightly (best steady run) ÷ floor | {steady / floor:.2f} | |")


if __name__ == "__main__":
    main()
