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
escalate; the win-probability features (every lead, stage change and activity).

The jobs of the apps registered later (issue 20) add, for the month, the attendance days per
person (rhythm.attendance), and once a night:

- rhythm.bulletin: the business day's contracts signed, A/B leads and trial lessons per rep
  (its payments and refunds, month-to-date signed amounts and targets are read above);
- enablement.experiments: per running experiment and arm, the leads moved into its first
  stage and those that reached its target stage (one query for all experiments);
- channels: each partner's signed amount of the last finished quarter (tiers); the
  partner-credited contracts, payments and refunds from the quarter of the month before to
  the open month's end (settlements, rows fetched); the referred customers' contracts without
  a reward;
- success: the contracts due a renewal opportunity, every opportunity with the contract
  continuing it, the open ones' four risks; every customer's last contact and the open
  service follow-ups (cadence); the contracts and complaints at a survey milestone;
- analytics: the closed leads per stage reached (stage weights), the weighted open pipeline
  per rep and stage, the reps' signed targets of the quarter (coverage; what they signed is
  read above); the monthly KPI facts of the last closed months (trends); the KPI alerts
  without an analysis and the analyses late; the scorecards below the pass mark
  (improvement plans).

``leads.import_files_cleanup`` reads files, not rows, and ``salescrm.submission_tokens_purge``
is one DELETE: neither adds to the floor. Not in it: the writes, the checks for rows dated in
a month whose statement or partner settlement is already closed (and the settlements' search
for months without one), and the few hundred rows of users, teams, partners, schemes, plans
and settings.

The floor runs in one transaction with the nightly's session settings (JIT off). Prints the
timings, the query counts and the ratio as a Markdown table.
"""

import datetime as dt
import io
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
from salescrm.timeutil import (  # noqa: E402
    add_months,
    business_date,
    day_bounds,
    month_end,
    month_start,
    quarter_end,
    quarter_start,
    start_of_day,
)

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
    # rhythm.attendance: the attended and leave days per person among the working days of
    # the running month (weekdays, the calendar's holidays off and adjusted working days on)
    # from the person's hire date. The month before is read only while it is still open for
    # corrections (``close_after_days`` after its end; closed on a night late in the month).
    # The allowances and the people are a few hundred rows: not in the floor.
    "attendance days per person": (
        (MONTH,),
        """
        SELECT a.person_id, count(*) FILTER (WHERE a.kind IN ('present', 'trip')),
               count(*) FILTER (WHERE a.kind = 'leave')
        FROM rhythm_attendanceday a JOIN salescrm_user u ON u.id = a.person_id
        LEFT JOIN rhythm_calendarday cd ON cd.day = a.day
        WHERE a.day BETWEEN %(start)s AND %(end)s AND (u.hire_date IS NULL OR u.hire_date <= a.day)
        AND CASE cd.kind WHEN 'holiday' THEN false WHEN 'workday' THEN true
                 ELSE extract(isodow FROM a.day) < 6 END
        GROUP BY 1""",
    ),
}

# what counts as contact with a customer (success.services.renewals.CONTACT_KINDS)
CONTACT = "('phone', 'wechat', 'visit', 'online_meeting', 'trial_lesson', 'campus_tour')"
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
    # --- the jobs of the apps registered later (issue 20) -----------------------------------
    # rhythm.bulletin: the business day's figures per rep. The day's payments and refunds are
    # among the month's rows above ("payment rows of the month", "refund rows of the month");
    # the month's signed amount to the day and to the day before (the ranking's move) is the
    # floor's "contracts signed (month)"; the month's rep targets are "targets (month)".
    "the day's contracts signed per rep (bulletin)": f"""
        SELECT k.owner_id, sum(k.total_amount), count(*) FROM customers_contract k
        WHERE {SIGNED} AND k.signed_on = %(end)s GROUP BY 1""",
    "the day's A and B leads per rep (bulletin)": """
        SELECT owner_id, count(*) FROM leads_lead
        WHERE created_at >= %(day)s AND created_at < %(cut)s AND grade IN ('A', 'B') GROUP BY 1""",
    "the day's trial lessons per rep (bulletin)": """
        SELECT actor_id, count(*) FROM leads_activity
        WHERE kind = 'trial_lesson' AND occurred_at >= %(day)s AND occurred_at < %(cut)s
        GROUP BY 1""",
    # enablement.experiments: per running experiment and arm, the leads the arm's reps moved
    # into the experiment's first stage since its start, and those that reached its target
    # stage or a later one by the cut-off (the job: one such query per experiment, each with
    # its own dates; here the earliest start bounds the stage history read by its index)
    "script experiments' arms": """
        SELECT e.id, m.arm, count(DISTINCT sc.lead_id), count(DISTINCT sc.lead_id) FILTER (
            WHERE EXISTS (
                SELECT 1 FROM leads_stagechange n WHERE n.lead_id = sc.lead_id
                AND n.changed_at > sc.changed_at AND n.changed_at < x.cut
                AND array_position(%(funnel)s, n.to_stage) >= array_position(%(funnel)s, e.to_stage)))
        FROM enablement_experiment e
        CROSS JOIN LATERAL (SELECT (least(coalesce(e.ends_on, %(end)s), %(end)s) + 1)::timestamp
                                   AT TIME ZONE 'Asia/Shanghai' AS cut) x
        JOIN enablement_experimentmember m ON m.experiment_id = e.id
        JOIN leads_stagechange sc ON sc.changed_by_id = m.rep_id AND sc.to_stage = e.from_stage
        WHERE e.status = 'running' AND e.starts_on <= %(end)s
        AND sc.changed_at >= e.starts_on::timestamp AT TIME ZONE 'Asia/Shanghai'
        AND sc.changed_at < x.cut
        AND sc.changed_at >= %(experiments_from)s AND sc.changed_at < %(cut)s
        GROUP BY 1, 2""",
    # channels.partner_tiers: each partner's signed amount in the last finished quarter (the
    # job, like this query, takes every contract with a signing date in it). The partners
    # and the quarter's tier changes are a few hundred rows: not in the floor.
    "partners' signed amount of the last quarter (tiers)": """
        SELECT pl.partner_id, sum(k.total_amount)
        FROM customers_contract k JOIN customers_customer c ON c.id = k.customer_id
        JOIN channels_partnerlead pl ON pl.lead_id = c.lead_id
        WHERE k.signed_on BETWEEN %(last_quarter)s AND %(last_quarter_end)s GROUP BY 1""",
    # channels.partner_settlements: the open month and the one before are recomputed, each
    # from the rows of its quarter up to its end credited to a partner with a plan; one read
    # of the span from the earlier month's quarter to the open month's end serves both. Each
    # row is a settlement line, so the rows are fetched. Not in the floor, as for the
    # commission statements: the checks for rows dated in a closed month or changed since a
    # closed settlement (late rows, corrections), the search for months of the past year
    # without a settlement, and the settlements' own few thousand rows.
    "partners' contracts signed (settlements)": f"""
        SELECT pl.partner_id, k.id, k.signed_on, k.total_amount
        FROM customers_contract k JOIN customers_customer c ON c.id = k.customer_id
        JOIN channels_partnerlead pl ON pl.lead_id = c.lead_id
        JOIN channels_partner p ON p.id = pl.partner_id
        WHERE p.plan_id IS NOT NULL AND {SIGNED}
        AND k.signed_on BETWEEN %(settle_from)s AND %(settle_to)s""",
    "partners' payments (settlements)": """
        SELECT pl.partner_id, pm.id, pm.contract_id, pm.received_on, pm.amount
        FROM customers_payment pm JOIN customers_contract k ON k.id = pm.contract_id
        JOIN customers_customer c ON c.id = k.customer_id
        JOIN channels_partnerlead pl ON pl.lead_id = c.lead_id
        JOIN channels_partner p ON p.id = pl.partner_id
        WHERE p.plan_id IS NOT NULL AND pm.received_on BETWEEN %(settle_from)s AND %(settle_to)s""",
    "partners' refunds (settlements)": """
        SELECT pl.partner_id, r.id, r.contract_id, r.confirmed_on, r.amount
        FROM customers_refund r JOIN customers_contract k ON k.id = r.contract_id
        JOIN customers_customer c ON c.id = k.customer_id
        JOIN channels_partnerlead pl ON pl.lead_id = c.lead_id
        JOIN channels_partner p ON p.id = pl.partner_id
        WHERE p.plan_id IS NOT NULL AND r.status = 'confirmed'
        AND r.confirmed_on BETWEEN %(settle_from)s AND %(settle_to)s""",
    # channels.referral_rewards: the contracts signed by customers a referral brought in whose
    # referral has no reward yet (the first contract of each is rewarded)
    "referred customers' contracts without a reward": """
        SELECT r.id, r.customer_id, k.id, k.signed_on, k.total_amount
        FROM customers_contract k JOIN customers_customer c ON c.id = k.customer_id
        JOIN customers_referral r ON r.lead_id = c.lead_id
        WHERE k.signed_on <= %(end)s
        AND NOT EXISTS (SELECT 1 FROM channels_referralreward w WHERE w.referral_id = r.id)""",
    # success.renewals: (1) the signed contracts ending within the renewal lead time that
    # have no opportunity yet; (2) every opportunity with its contract's end and the first
    # contract continuing it (the renewal rule): renewed, reverted, lapsed and moved ends all
    # come from these rows; (3) the open opportunities' four risks.
    "contracts due a renewal opportunity": f"""
        SELECT k.id, k.customer_id, c.owner_id, k.ends_on, k.signed_on
        FROM customers_contract k JOIN customers_customer c ON c.id = k.customer_id
        WHERE {SIGNED} AND k.signed_on <= %(end)s AND k.ends_on <= %(renewal_until)s
        AND NOT EXISTS (SELECT 1 FROM success_renewalopportunity o WHERE o.contract_id = k.id)""",
    "renewal opportunities and the contracts continuing them": """
        SELECT o.id, o.stage, o.course_ends_on, k.ends_on, n.id, n.signed_on
        FROM success_renewalopportunity o JOIN customers_contract k ON k.id = o.contract_id
        LEFT JOIN LATERAL (
            SELECT r.id, r.signed_on FROM customers_contract r
            WHERE r.customer_id = o.customer_id AND r.status IN ('signed', 'archived')
            AND r.signed_on <= %(end)s AND r.id <> o.contract_id
            AND r.starts_on BETWEEN k.ends_on - %(window)s AND k.ends_on + %(window)s
            ORDER BY r.signed_on, r.id LIMIT 1) n ON true""",
    "open renewal opportunities' risks": f"""
        SELECT o.id,
            EXISTS (SELECT 1 FROM leads_activity a JOIN customers_customer c ON c.lead_id = a.lead_id
                    WHERE c.id = o.customer_id AND a.kind IN {CONTACT}
                    AND a.occurred_at >= %(contact_since)s),
            EXISTS (SELECT 1 FROM customers_complaint m
                    WHERE m.customer_id = o.customer_id AND m.resolved_at IS NULL),
            (SELECT s.score FROM customers_satisfactionsurvey s WHERE s.customer_id = o.customer_id
             ORDER BY s.answered_on DESC, s.id DESC LIMIT 1),
            (SELECT sum(cl.lessons_delivered) < sum(cl.lessons_total) * %(lessons_share)s
             FROM customers_contractline cl
             WHERE cl.contract_id = o.contract_id AND cl.lessons_total IS NOT NULL
             HAVING sum(cl.lessons_total) > 0)
        FROM success_renewalopportunity o WHERE o.stage IN ('to_contact', 'proposal')""",
    # success.service_cadence: every customer with their last contact (one group-by over the
    # customers' activities), and the open follow-ups
    "customers' last contact (service cadence)": f"""
        SELECT c.id, c.owner_id, coalesce(c.tier_override, c.tier),
               (c.created_at AT TIME ZONE 'Asia/Shanghai')::date,
               (max(a.occurred_at) FILTER (WHERE a.kind IN {CONTACT}) AT TIME ZONE 'Asia/Shanghai')::date
        FROM customers_customer c LEFT JOIN leads_activity a ON a.lead_id = c.lead_id
        WHERE c.lead_id IS NOT NULL GROUP BY c.id""",
    "open service follow-ups": """
        SELECT customer_id, opened_on FROM success_servicefollowup WHERE done_on IS NULL""",
    # success.surveys: the milestones of the last week not surveyed yet — courses started the
    # set number of days before, courses ended, complaints resolved
    "contracts at a survey milestone": f"""
        SELECT k.id, k.customer_id, k.starts_on FROM customers_contract k
        WHERE {SIGNED} AND k.signed_on <= %(end)s AND (
            (k.starts_on BETWEEN %(started_from)s AND %(started_to)s AND NOT EXISTS (
                SELECT 1 FROM success_surveyinvitation i
                WHERE i.contract_id = k.id AND i.milestone = 'course_started'))
            OR (k.ends_on BETWEEN %(survey_from)s AND %(end)s AND NOT EXISTS (
                SELECT 1 FROM success_surveyinvitation i
                WHERE i.contract_id = k.id AND i.milestone = 'course_ended')))""",
    "complaints resolved, to survey": """
        SELECT m.id, m.customer_id, m.contract_id FROM customers_complaint m
        WHERE m.resolved_at >= %(survey_from_at)s AND m.resolved_at < %(cut)s
        AND NOT EXISTS (SELECT 1 FROM success_surveyinvitation i WHERE i.complaint_id = m.id)""",
    # analytics.pipeline_coverage: the stage weights learned from the closed leads' history,
    # the open pipeline per rep and stage weighted by the win probability (else the stage's
    # weight), and the reps' signed targets of the quarter. What each rep signed in the month
    # and the quarter is the floor's "contracts signed (month)" and "(quarter)" (the job reads
    # it back from the night's monthly facts).
    "closed leads per stage reached (stage weights)": """
        SELECT sc.to_stage, count(DISTINCT sc.lead_id),
               count(DISTINCT sc.lead_id) FILTER (WHERE l.stage = 'won')
        FROM leads_stagechange sc JOIN leads_lead l ON l.id = sc.lead_id
        WHERE l.stage IN ('won', 'lost')
        AND sc.to_stage IN ('new', 'contacted', 'needs_analysis', 'trial', 'proposal', 'negotiation')
        GROUP BY 1""",
    "weighted open pipeline per rep and stage": """
        SELECT l.owner_id, l.stage, sum(l.budget * coalesce(p.probability, w.weight, 0))
        FROM leads_lead l LEFT JOIN analytics_leadwinprobability p ON p.lead_id = l.id
        LEFT JOIN analytics_stageweight w ON w.stage = l.stage
        WHERE l.owner_id IS NOT NULL
        AND l.stage IN ('new', 'contacted', 'needs_analysis', 'trial', 'proposal', 'negotiation')
        GROUP BY 1, 2""",
    "reps' signed targets of the quarter (coverage)": """
        SELECT t.rep_id, t.month, sum(t.value)
        FROM targets_target t JOIN targets_targetplan p ON p.id = t.plan_id
        WHERE p.status = 'published' AND p.metric = 'signed_amount' AND t.level = 'rep'
        AND t.month BETWEEN %(quarter)s AND %(quarter_end)s GROUP BY 1, 2""",
    # analytics.kpi_trends: the monthly KPI facts of the last closed months (the night's
    # figures of months that no longer change: a hand-written nightly would keep them too)
    "KPI facts of the last closed months (trends)": """
        SELECT f.owner_id, f.measure, p.start, f.numerator, f.denominator
        FROM performance_kpifact f JOIN performance_factperiod p ON p.id = f.period_id
        WHERE p.kind = 'month' AND p.start BETWEEN %(trend_from)s AND %(last_month)s
        AND f.measure = ANY(%(kpis)s)""",
    # analytics.alert_analyses: the KPI alerts without an analysis, and the analyses late
    "KPI alerts without an analysis": """
        SELECT n.key, n.kind, n.body, n.params FROM salescrm_notification n
        WHERE n.kind IN ('kpi_anomaly', 'kpi_trend')
        AND NOT EXISTS (SELECT 1 FROM analytics_alertanalysis a WHERE a.key = n.key)""",
    "analyses late": """
        SELECT a.id, a.kpi, a.month, a.due_on, t.manager_id, u.username
        FROM analytics_alertanalysis a JOIN salescrm_user u ON u.id = a.owner_id
        JOIN salescrm_team t ON t.id = u.team_id
        WHERE a.answered_at IS NULL AND a.due_on < %(end)s AND t.manager_id IS NOT NULL""",
    # analytics.improvement_plans: the active reps' monthly scorecards below the pass mark in
    # the last closed months (the reps' plans are a few hundred rows: not in the floor)
    "scorecards below the pass mark (improvement plans)": """
        SELECT s.person_id, s.period_start, s.total_score
        FROM performance_scorecard s JOIN salescrm_user u ON u.id = s.person_id
        WHERE s.period_kind = 'month' AND s.period_start BETWEEN %(failed_from)s AND %(last_month)s
        AND s.total_score < %(pass_score)s AND u.is_active AND u.role = 'rep'""",
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
    from django.db.models import Min

    from analytics.models import AnalyticsSettings
    from customers.models import ApprovalPolicy
    from enablement.experiments import FUNNEL
    from enablement.models import Experiment
    from leads.models import LeadSettings, ScoringRule
    from performance.kpis import KPI_BY_CODE
    from success.models import SuccessSettings
    from success.services.surveys import CATCH_UP_DAYS

    settings = LeadSettings.load()
    success = SuccessSettings.load()
    analytics = AnalyticsSettings.current()
    cohort, _ = day_bounds(day - dt.timedelta(days=89), day)
    day_at, cut = day_bounds(day, day)
    reclaim_cutoff = cut - dt.timedelta(days=settings.pool_after_days)
    survey_from = day - dt.timedelta(days=CATCH_UP_DAYS - 1)
    first_experiment = Experiment.objects.filter(
        status=Experiment.Status.RUNNING, starts_on__lte=day
    ).aggregate(first=Min("starts_on"))["first"]
    last_month = add_months(month_start(day + dt.timedelta(days=1)), -1)  # the last one closed
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
        # the jobs of the apps registered later
        "funnel": [str(stage) for stage in FUNNEL],
        "experiments_from": start_of_day(first_experiment) if first_experiment else cut,
        "last_quarter": add_months(quarter_start(day), -3),
        "last_quarter_end": quarter_start(day) - dt.timedelta(days=1),
        "settle_from": quarter_start(add_months(month_start(day), -1)),
        "settle_to": month_end(day),
        "renewal_until": day + dt.timedelta(days=success.renewal_lead_days),
        "window": ApprovalPolicy.current().renewal_window_days,
        "contact_since": start_of_day(day - dt.timedelta(days=success.no_contact_days - 1)),
        "lessons_share": success.lessons_used_share,
        "started_from": survey_from - dt.timedelta(days=success.survey_after_start_days),
        "started_to": day - dt.timedelta(days=success.survey_after_start_days),
        "survey_from": survey_from,
        "survey_from_at": start_of_day(survey_from),
        "quarter": quarter_start(day),
        "quarter_end": quarter_end(day),
        "last_month": last_month,
        "trend_from": add_months(last_month, -analytics.trend_periods),
        "kpis": list(KPI_BY_CODE),
        "failed_from": add_months(last_month, -(analytics.improvement_after - 1)),
        "pass_score": analytics.pass_score,
    }
    queries.extend((name, sql, night) for name, sql in FLOOR_ONCE.items())
    # analytics.win_probability: its features are one statement over every lead, stage change
    # and activity (issue 20); the floor reads the same rows, aggregated the same way, and
    # streams them out by COPY as the job does (see floor_seconds). The model's training is not
    # in the floor (no SQL can do it).
    from analytics.winprob import FEATURES_SQL

    queries.append((COPIED + "win-probability features", FEATURES_SQL, {"until": cut}))
    return queries


# a floor query whose million rows the job streams out by COPY: the floor copies them too, into
# memory, without parsing them (a plain fetch would make a Python tuple of every row, which the
# job does not pay)
COPIED = "copied: "


def floor_seconds(day) -> float:
    queries = floor_queries(day)
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cursor:
        nightly._tune_for_batch()  # the nightly's session settings, for a like comparison
        for name, sql, params in queries:
            if name.startswith(COPIED):
                statement = cursor.cursor.mogrify(sql, params).decode()
                cursor.cursor.copy_expert(f"COPY ({statement}) TO STDOUT", io.StringIO())
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
        print(f"| nightly run, {label} | {seconds:.2f} | {queries} |")
    print(f"| raw SQL floor (best of 3) | {floor:.2f} | {len(floor_queries(day))} |")
    print(f"| ratio nightly (best steady run) ÷ floor | {steady / floor:.2f} | |")


if __name__ == "__main__":
    main()
