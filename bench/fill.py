"""Fill a PostgreSQL database with a large training institution for the nightly benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/salescrm_bench \
        python bench/fill.py [--scale 1.0]

At scale 1: 300 reps in 30 teams, 1,000,000 leads (with ~2.6 M stage changes), 3,000,000
activities, 100,000 customers and contracts, 250,000 instalments and payments, 2,500
refunds, complaints, surveys and weekly activity plans, over the two years up to today; plus
published targets and the demo KPI schemes and commission plans. For the apps' jobs added
later: 200 partners on the seeded agent plan with 50,000 credited leads, 20,000 leads referred
by earlier customers, the past survey invitations (two per contract), every working day's
attendance of the 331 people who check in (~172,000 rows, whatever the scale: the people do
not scale) and three running script experiments. The rows are generated in
the database (INSERT ... SELECT FROM generate_series), so filling takes minutes, not hours.
The database must be migrated and empty (the script refuses otherwise).
"""

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salescrm.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from salescrm.timeutil import local_today  # noqa: E402

# Each statement gets the sizes as named parameters; :first is the first day of the two years.
STEPS = [
    (
        "teams",
        """INSERT INTO salescrm_team (name, is_active, sort_key)
           SELECT '销售' || g || '组', true, '销售' || lpad(g::text, 6, '0') || '组'
           FROM generate_series(1, %(teams)s) g""",
    ),
    (
        "users",
        """INSERT INTO salescrm_user (password, is_superuser, username, first_name, last_name, email,
               is_staff, is_active, date_joined, role, seniority, phone, language, team_id, hire_date)
           SELECT '!', false, 'brep' || g, '伟' || g, '王', '', false, true, now(), 'rep',
               (ARRAY['junior','intermediate','senior'])[1 + g %% 3], '', '',
               (SELECT min(id) FROM salescrm_team) + (g - 1) %% %(teams)s, %(first)s::date - (g %% 700)
           FROM generate_series(1, %(reps)s) g
           UNION ALL
           SELECT '!', false, 'bmgr' || g, '强' || g, '李', '', false, true, now(), 'manager',
               'senior', '', '', (SELECT min(id) FROM salescrm_team) + g - 1, %(first)s::date - 800
           FROM generate_series(1, %(teams)s) g
           UNION ALL
           SELECT '!', false, 'bdirector', '总', '张', '', false, true, now(), 'director', 'senior', '',
               '', NULL, %(first)s::date - 900""",
    ),
    (
        "team managers",
        """UPDATE salescrm_team t SET manager_id = u.id FROM salescrm_user u
           WHERE u.role = 'manager' AND u.team_id = t.id""",
    ),
    (
        "leads",
        # stage by id: 10 % won (the first customers), 30 % lost, the rest spread over the funnel
        """INSERT INTO leads_lead (name, company, phone, email, wechat, region, needs,
               decision_maker_reached, is_urgent, payer_name, payer_phone, payer_relation, stage,
               score, grade, score_reasons, created_at, channel_id, owner_id, team_id, budget,
               won_at, lost_reason_id, last_activity_at)
           SELECT '学员' || g, '', '1' || lpad(g::text, 10, '0'), '', '', '上海', '', false, false,
               '', '', '',
               CASE WHEN g %% 10 = 0 THEN 'won' WHEN g %% 10 IN (1, 2, 3) THEN 'lost'
                    ELSE (ARRAY['new','contacted','needs_analysis','trial','proposal','negotiation'])[1 + g %% 6] END,
               (g %% 30)::smallint, (ARRAY['A','B','C'])[1 + g %% 3], '[]'::jsonb, c.created,
               (SELECT min(id) FROM leads_channel) + g %% 10, r.id, r.team_id,
               (1000 + (g %% 50) * 1000)::numeric,
               CASE WHEN g %% 10 = 0 THEN c.created + interval '20 days' END,
               CASE WHEN g %% 10 IN (1, 2, 3) THEN (SELECT min(id) FROM leads_lostreason) END,
               c.created + interval '2 days'
           FROM generate_series(1, %(leads)s) g
           CROSS JOIN LATERAL (SELECT (%(first)s::date + (g::bigint * %(days)s / %(leads)s)::int)::timestamptz
                                      + ((g %% 600) || ' minutes')::interval AS created) c
           JOIN (SELECT id, team_id, row_number() OVER (ORDER BY id) - 1 AS k FROM salescrm_user
                 WHERE role = 'rep') r ON r.k = g %% %(reps)s""",
    ),
    (
        "stage changes",
        """INSERT INTO leads_stagechange (lead_id, from_stage, to_stage, changed_at, changed_by_id)
           SELECT l.id, '', 'new', l.created_at, NULL FROM leads_lead l
           UNION ALL
           SELECT l.id, 'new', 'contacted', l.created_at + interval '1 day', l.owner_id
           FROM leads_lead l WHERE l.stage <> 'new'
           UNION ALL
           SELECT l.id, 'contacted', 'trial', l.created_at + interval '6 days', l.owner_id
           FROM leads_lead l WHERE l.stage IN ('trial', 'proposal', 'negotiation', 'won')
           UNION ALL
           SELECT l.id, 'trial', 'won', l.won_at, l.owner_id FROM leads_lead l WHERE l.stage = 'won'
           UNION ALL
           SELECT l.id, 'contacted', 'lost', l.created_at + interval '9 days', l.owner_id
           FROM leads_lead l WHERE l.stage = 'lost'""",
    ),
    (
        "activities",
        # three per lead, written lead by lead in the order the leads were written (the heap's
        # order): the index entries and foreign-key checks then touch neighbouring pages. The
        # former generate_series joined to a scattered lead id (g * 7919 mod leads) checked
        # and indexed in random order, which stopped fitting in memory at full size (62 s at
        # 10 %, 1,869 s at 100 %).
        """INSERT INTO leads_activity (lead_id, actor_id, kind, occurred_at, outcome, feedback,
               next_step, created_at)
           SELECT l.id, l.owner_id,
               (ARRAY['phone','wechat','visit','online_meeting','trial_lesson','campus_tour','note'])[1 + g %% 7],
               l.created_at + ((g %% 30) || ' days')::interval, '', '', '', now()
           FROM leads_lead l
           CROSS JOIN generate_series(0, %(activities_per_lead)s - 1) s
           CROSS JOIN LATERAL (SELECT l.id * 7919::bigint + s * %(leads)s AS g) k""",
    ),
    (
        "customers",
        """INSERT INTO customers_customer (lead_id, owner_id, kind, name, phone, email, address,
               payer_name, payer_phone, tier, tier_score, created_at)
           SELECT l.id, l.owner_id, 'individual', '客户' || l.id, '', '', '', '', '', 'ordinary', 0,
               l.won_at
           FROM leads_lead l WHERE l.stage = 'won' ORDER BY l.id LIMIT %(contracts)s""",
    ),
    (
        "contracts",
        """INSERT INTO customers_contract (customer_id, owner_id, number, status, total_amount,
               training_content, schedule, payment_method, invoice_needed, invoice_title,
               non_standard_terms, special_terms, starts_on, ends_on, is_renewal, approval_round,
               last_rejection, signed_on, created_at)
           SELECT c.id, c.owner_id, 'BH' || c.id, 'signed', (5000 + (c.id %% 40) * 1000)::numeric,
               '', '', 'bank_transfer', false, '', false, '', (c.created_at)::date,
               (c.created_at)::date + 180, c.id %% 5 = 0, 1, '', (c.created_at)::date, c.created_at
           FROM customers_customer c""",
    ),
    (
        "instalments",
        # 2.5 per contract on average: 2 or 3, splitting the total
        """INSERT INTO customers_instalment (contract_id, sequence, due_on, amount, paid_amount)
           SELECT k.id, s, k.signed_on + (s - 1) * 30,
               round(k.total_amount / (2 + (k.id %% 2)), 2), round(k.total_amount / (2 + (k.id %% 2)), 2)
           FROM customers_contract k
           CROSS JOIN LATERAL generate_series(1, 2 + (k.id %% 2)::int) s""",
    ),
    (
        "payments",
        """INSERT INTO customers_payment (contract_id, instalment_id, amount, received_on, method,
               reference, recorded_by_id, created_at)
           SELECT i.contract_id, i.id, i.amount, i.due_on + ((i.id %% 7) - 3)::int, 'bank_transfer', '',
               k.owner_id, now()
           FROM customers_instalment i JOIN customers_contract k ON k.id = i.contract_id""",
    ),
    (
        "refunds",
        """INSERT INTO customers_refund (contract_id, amount, proposed_amount, reason, status,
               requested_by_id, requested_at, confirmed_on, comment)
           SELECT k.id, 1000, 0, '课程无法继续', 'confirmed', k.owner_id, now(), k.signed_on + 40, ''
           FROM customers_contract k WHERE k.id %% 40 = 0""",
    ),
    (
        "complaints and surveys",
        """INSERT INTO customers_complaint (customer_id, severity, subject, description, opened_by_id,
               opened_at, first_response_at, response, resolution)
           SELECT c.id, 'medium', '排课', '', c.owner_id, c.created_at + interval '30 days',
               c.created_at + interval '30 days' + ((c.id %% 40) || ' hours')::interval, '', ''
           FROM customers_customer c WHERE c.id %% 10 = 0;
           INSERT INTO customers_satisfactionsurvey (customer_id, score, nps, comment, answered_on,
               recorded_by_id)
           SELECT c.id, 3 + c.id %% 3, 5 + c.id %% 6, '', (c.created_at)::date + 60, c.owner_id
           FROM customers_customer c WHERE c.id %% 4 = 0""",
    ),
    (
        "activity plans",
        """INSERT INTO leads_activityplan (rep_id, week_start, calls, visits, new_leads, trial_lessons,
               created_at)
           SELECT u.id, w::date, 30, 8, 10, 3, now()
           FROM salescrm_user u
           CROSS JOIN generate_series(date_trunc('week', %(first)s::date), %(today)s::date, interval '7 days') w
           WHERE u.role = 'rep'""",
    ),
    (
        "targets",
        """INSERT INTO targets_targetplan (year, metric, annual_value, status, created_by_id,
               created_at, published_at, seasonality_source)
           SELECT y, m, 0, 'published', (SELECT id FROM salescrm_user WHERE username = 'bdirector'),
               now(), now(), 'bench'
           FROM generate_series(extract(year FROM %(first)s::date)::int, extract(year FROM %(today)s::date)::int) y
           CROSS JOIN unnest(ARRAY['signed_amount', 'collected_amount']) m;
           INSERT INTO targets_target (plan_id, level, team_id, rep_id, month, value)
           SELECT p.id, 'rep', u.team_id, u.id, make_date(p.year, mo, 1), 80000
           FROM targets_targetplan p CROSS JOIN generate_series(1, 12) mo
           JOIN salescrm_user u ON u.role = 'rep';
           INSERT INTO targets_target (plan_id, level, team_id, rep_id, month, value)
           SELECT plan_id, 'team', team_id, NULL, month, sum(value) FROM targets_target
           WHERE level = 'rep' GROUP BY plan_id, team_id, month""",
    ),
    # --- the new apps' rows (issue 20): what their nightly jobs read -------------------------
    (
        "partners and their leads",
        # 200 partners (at scale 1) on the seeded agent plan, each looked after by a manager; 5 % of
        # the leads credited to a partner (blocks of ten ids, so every stage is among them) and
        # 2 % referred by a customer of a month before (老带新). The tiers, settlements
        # and referral rewards are the nightly's own (its first run catches up on the year).
        """INSERT INTO channels_partner (name, kind, status, since, manager_id, plan_id)
           SELECT '渠道' || g, (ARRAY['agent','reseller','company','school_hr'])[1 + g %% 4],
               'active', %(first)s::date - 30, m.id,
               (SELECT min(id) FROM channels_agentcommissionplan)
           FROM generate_series(1, %(partners)s) g
           JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM salescrm_user
                 WHERE role = 'manager') m ON m.k = g %% %(teams)s;
           INSERT INTO channels_partnerlead (lead_id, partner_id, credited_at)
           SELECT l.id, p.id, l.created_at FROM leads_lead l
           JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM channels_partner) p
             ON p.k = (l.id / 200) %% %(partners)s
           WHERE (l.id / 10) %% 20 = 3;
           CREATE INDEX bench_customer_since ON customers_customer (created_at);
           INSERT INTO customers_referral (customer_id, lead_id, created_at)
           SELECT c.id, l.id, l.created_at FROM leads_lead l
           CROSS JOIN LATERAL (SELECT c.id FROM customers_customer c
                               WHERE c.created_at < l.created_at - interval '30 days'
                               ORDER BY c.created_at DESC LIMIT 1) c
           WHERE (l.id / 10) %% 50 = 7;
           DROP INDEX bench_customer_since""",
    ),
    (
        "past survey invitations",
        # the automatic surveys of the past (course started 14 days before, course ended),
        # older than the week the nightly job still catches up on: the history its "not sent
        # yet" checks look through
        """INSERT INTO success_surveyinvitation (customer_id, contract_id, milestone, delivery,
               emailed_at, nonce, created_on, expires_on)
           SELECT k.customer_id, k.id, m.milestone, 'sent', m.sent::timestamptz,
               md5(k.id || m.milestone), m.sent, m.sent + 14
           FROM customers_contract k
           CROSS JOIN LATERAL (VALUES ('course_started', k.starts_on + 14),
                                      ('course_ended', k.ends_on)) m (milestone, sent)
           WHERE m.sent < %(today)s::date - 7""",
    ),
    (
        "attendance",
        # every working day (Monday to Friday) of the two years for everyone who checks in,
        # from their hire date: 93 % present, 2 % on a trip, 3 % on leave, 2 % absent;
        # an allowance for the managers (the rule is about supervisors)
        """INSERT INTO rhythm_attendanceday (person_id, day, kind, checked_in_at, checked_out_at)
           SELECT u.id, d::date, k.kind,
               CASE WHEN k.kind = 'present' THEN d + interval '1 hour' END,
               CASE WHEN k.kind = 'present' THEN d + interval '10 hours' END
           FROM salescrm_user u
           CROSS JOIN generate_series(%(first)s::date, %(today)s::date, interval '1 day') d
           CROSS JOIN LATERAL (SELECT CASE (u.id * 31 + (d::date - %(first)s::date) * 17) %% 100
                   WHEN 0 THEN 'trip' WHEN 1 THEN 'trip' WHEN 2 THEN 'leave' WHEN 3 THEN 'leave'
                   WHEN 4 THEN 'leave' WHEN 5 THEN 'absent' WHEN 6 THEN 'absent'
                   ELSE 'present' END AS kind) k
           WHERE u.role IN ('rep', 'manager', 'director') AND extract(isodow FROM d) < 6
           AND d::date >= coalesce(u.hire_date, %(first)s::date);
           INSERT INTO rhythm_allowance (person_id, base_amount)
           SELECT id, 1000 FROM salescrm_user WHERE role = 'manager'""",
    ),
    (
        "script experiments",
        # two scripts and three running experiments over the last 60–90 days: one for every
        # team (contacted → trial), one per team for the first two teams; the reps split into
        # the two arms alternately
        """INSERT INTO enablement_script (kind, title, stage, created_by_id, created_at)
           SELECT 'script', '邀约话术' || g, 'contact',
               (SELECT id FROM salescrm_user WHERE username = 'bdirector'), now()
           FROM generate_series(1, 2) g;
           INSERT INTO enablement_experiment (name, script_a_id, script_b_id, from_stage, to_stage,
               team_id, starts_on, ends_on, created_by_id, created_at)
           SELECT '话术实验' || e.n, s.a, s.b, e.from_stage, e.to_stage,
               CASE WHEN e.team > 0 THEN (SELECT min(id) FROM salescrm_team) + e.team - 1 END,
               %(today)s::date - e.days, %(today)s::date + 30,
               (SELECT id FROM salescrm_user WHERE username = 'bdirector'), now()
           FROM (VALUES (1, 'contacted', 'trial', 0, 60), (2, 'trial', 'won', 1, 90),
                        (3, 'contacted', 'proposal', 2, 75))
                e (n, from_stage, to_stage, team, days)
           CROSS JOIN (SELECT min(id) AS a, max(id) AS b FROM enablement_script) s;
           INSERT INTO enablement_experimentmember (experiment_id, rep_id, arm)
           SELECT e.id, u.id,
               CASE WHEN row_number() OVER (PARTITION BY e.id ORDER BY u.id) %% 2 = 0
                    THEN 'A' ELSE 'B' END
           FROM enablement_experiment e
           JOIN salescrm_user u ON u.role = 'rep' AND (e.team_id IS NULL OR u.team_id = e.team_id)""",
    ),
]


def column_defaults(cursor, apply):
    """Give every NOT NULL column that has a Django default (or is text, default '') that default in the database for
    the fill (``apply``) and take it off afterwards: the raw ``INSERT``s name only the columns
    the benchmark cares about, and a field an app adds later must not break them."""
    from django.apps import apps

    qn = connection.ops.quote_name
    for model in apps.get_models():
        if model._meta.managed is False or model._meta.proxy:
            continue
        table = model._meta.db_table
        for field in model._meta.concrete_fields:
            text = field.empty_strings_allowed and field.get_internal_type() in (
                "CharField",
                "TextField",
            )
            if field.null or field.primary_key or not (field.has_default() or text):
                continue
            prefix = f"ALTER TABLE {qn(table)} ALTER COLUMN {qn(field.column)}"
            if not apply:
                cursor.execute(f"{prefix} DROP DEFAULT")
                continue
            default = field.get_default() if field.has_default() else ""
            value = field.get_db_prep_save(default, connection)
            literal = cursor.mogrify("%s", [value]).decode()
            cursor.execute(f"{prefix} SET DEFAULT {literal}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the full institution")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The benchmark needs PostgreSQL: set DATABASE_URL.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM leads_lead")
        if cursor.fetchone()[0]:
            sys.exit("The database already holds leads; use an empty, migrated database.")
    today = local_today()
    first = today.replace(year=today.year - 2) + dt.timedelta(days=1)
    sizes = {
        "teams": 30,
        "reps": 300,
        "leads": int(1_000_000 * args.scale),
        "activities_per_lead": 3,
        "contracts": int(100_000 * args.scale),
        "partners": max(1, int(200 * args.scale)),
        "first": first,
        "today": today,
        "days": (today - first).days,
    }
    total = time.monotonic()
    with connection.cursor() as cursor:
        column_defaults(cursor, apply=True)
    for name, sql in STEPS:
        started = time.monotonic()
        with connection.cursor() as cursor:
            for statement in sql.split(";\n"):
                cursor.execute(statement, sizes)
        print(f"{name}: {time.monotonic() - started:.1f}s", flush=True)
    with connection.cursor() as cursor:
        column_defaults(cursor, apply=False)
        cursor.execute("ANALYZE")

    from performance.demo import seed_performance_rules
    from salescrm.demo import DemoContext

    seed_performance_rules(DemoContext(today=today, rng=None, log=print))
    with connection.cursor() as cursor:
        for table in (
            "leads_lead",
            "leads_stagechange",
            "leads_activity",
            "customers_contract",
            "customers_payment",
            "channels_partnerlead",
            "customers_referral",
            "success_surveyinvitation",
            "rhythm_attendanceday",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - fixed names
            print(f"{table}: {cursor.fetchone()[0]:,} rows")
    print(f"filled in {time.monotonic() - total:.0f}s")


if __name__ == "__main__":
    main()
