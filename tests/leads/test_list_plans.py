"""The first page of every big list reads its rows through an index, never a sequential scan
of leads, activities or contracts (issue 21: 1 M leads, 3 M activities, 100 k contracts).

A planner only prefers an index when the table is big and its statistics say so: with a few
hundred rows a sequential scan is the right plan, and `enable_seqscan = off` would hide the
plans a big table gets. So a module fixture writes 100,000 leads, 100,000 activities and
100,000 contracts (in SQL, a few seconds), ANALYZEs them, and each test loads a page through
the test client, then asks PostgreSQL for the plan of every query that page ran on those
tables (`EXPLAIN (FORMAT JSON)`) and looks for a "Seq Scan" node on them.
"""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext

from leads.models import Lead
from salescrm.models import User
from salescrm.pagination import encode_cursor
from salescrm.roles import Role
from tests.factories import TeamFactory, UserFactory
from tests.leads.conftest import DEFAULT_DATA_MIGRATIONS

BIG_TABLES = {"leads_lead", "leads_activity", "customers_contract"}
LEADS = 100_000
OTHER_REPS = 58  # the manager's team owns 2 of 60 reps' leads, as 10 of 300 in bench/

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="query plans are PostgreSQL's"
)


@pytest.fixture(scope="module")
def big(django_db_setup, django_db_blocker):
    """Committed rows for the module (removed at its end): a team with a manager and two reps,
    another team of 58 reps, a director; 100,000 leads over two years, spread evenly over the
    60 reps (the manager sees a thirtieth, as in bench/); an activity per lead; 100,000
    customers with a signed contract each."""
    with django_db_blocker.unblock():
        for name in DEFAULT_DATA_MIGRATIONS:  # the channels, if a flush removed them
            importlib.import_module(name).create_defaults(apps, None)
        team = TeamFactory(name="Plan team")
        manager = UserFactory(username="plan_manager", role=Role.MANAGER, team=team)
        team.manager = manager
        team.save()
        reps = [UserFactory(username=f"plan_rep{n}", role=Role.REP, team=team) for n in (1, 2)]
        other_team = TeamFactory(name="Plan other team")
        others = User.objects.bulk_create(
            User(username=f"plan_other{n}", role=Role.REP, team=other_team, password="!")
            for n in range(OTHER_REPS)
        )
        director = UserFactory(username="plan_director", role=Role.DIRECTOR)
        owners = [user.pk for user in [*reps, *others]]
        first = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
        try:
            yield from _fill_and_yield(team, other_team, manager, reps, director, owners, first)
        finally:
            # committed outside the tests' transactions: removed even when the fill failed,
            # or every later test of the run would see these teams and reps
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM customers_contract WHERE owner_id = ANY(%s)", [owners])
                cursor.execute("DELETE FROM customers_customer WHERE owner_id = ANY(%s)", [owners])
                cursor.execute("DELETE FROM leads_activity WHERE actor_id = ANY(%s)", [owners])
                cursor.execute("DELETE FROM leads_lead WHERE owner_id = ANY(%s)", [owners])
            for user in [*reps, *others, manager, director]:
                user.delete()
            team.delete()
            other_team.delete()


def _fill_and_yield(team, other_team, manager, reps, director, owners, first):
    # Columns an app adds later take their Django default during the raw INSERTs
    # (bench/fill.py does the same for the bench database).
    from bench.fill import column_defaults

    with connection.cursor() as cursor:
        column_defaults(cursor, apply=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                """INSERT INTO leads_lead (name, company, phone, email, wechat, region, needs,
                       decision_maker_reached, is_urgent, payer_name, payer_phone,
                       payer_relation, stage, score, grade, score_reasons, created_at,
                       owner_id, team_id, last_activity_at, channel_id, grade_override, custom)
                   SELECT '学员' || g, '公司' || (g %% 500), '1' || lpad(g::text, 10, '0'), '',
                       '', '上海', '', false, false, '', '', '',
                       (ARRAY['new','contacted','needs_analysis','trial','proposal',
                              'negotiation'])[1 + g %% 6],
                       (g %% 30)::smallint, (ARRAY['A','B','C'])[1 + g %% 3], '[]'::jsonb,
                       %(first)s::timestamptz + g * interval '10 minutes',
                       (%(owners)s::bigint[])[1 + g %% %(count)s],
                       CASE WHEN g %% %(count)s < 2 THEN %(team)s ELSE %(other_team)s END,
                       %(first)s::timestamptz + g * interval '10 minutes',
                       (SELECT min(id) FROM leads_channel), '', '{}'::jsonb
                   FROM generate_series(1, %(leads)s) g""",
                {
                    "first": first,
                    "owners": owners,
                    "count": len(owners),
                    "team": team.pk,
                    "other_team": other_team.pk,
                    "leads": LEADS,
                },
            )
            cursor.execute(
                """INSERT INTO leads_activity (lead_id, actor_id, kind, occurred_at, outcome,
                       feedback, next_step, created_at)
                   SELECT id, owner_id, 'phone', created_at, '', '', '', created_at
                   FROM leads_lead WHERE team_id IN (%s, %s)""",
                [team.pk, other_team.pk],
            )
            cursor.execute(
                """INSERT INTO customers_customer (lead_id, owner_id, kind, name, phone, email,
                       address, payer_name, payer_phone, tier, tier_score, created_at,
                       language, custom)
                   SELECT id, owner_id, 'individual', '客户' || id, '', '', '', '', '',
                       'ordinary', 0, created_at, '', '{}'::jsonb
                   FROM leads_lead WHERE team_id IN (%s, %s)""",
                [team.pk, other_team.pk],
            )
            cursor.execute(
                """INSERT INTO customers_contract (customer_id, owner_id, number, status,
                       total_amount, training_content, schedule, payment_method,
                       invoice_needed, invoice_title, non_standard_terms, special_terms,
                       starts_on, ends_on, is_renewal, approval_round, last_rejection,
                       signed_on, created_at, custom)
                   SELECT id, owner_id, 'PLAN' || id, 'signed', 10000, '', '', 'bank_transfer',
                       false, '', false, '', created_at::date, created_at::date + 180, false,
                       1, '', created_at::date, created_at, '{}'::jsonb
                   FROM customers_customer WHERE owner_id = ANY(%s)""",
                [owners],
            )
            cursor.execute(
                "ANALYZE leads_lead, leads_activity, customers_customer, customers_contract, "
                "salescrm_user, salescrm_team"
            )
    finally:
        with connection.cursor() as cursor:
            column_defaults(cursor, apply=False)
    yield {"team": team, "manager": manager, "reps": reps, "director": director}


def seq_scans(plan: dict) -> list[str]:
    """The big tables a plan (EXPLAIN FORMAT JSON node) reads by a sequential scan."""
    found = []
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in BIG_TABLES:
        found.append(plan["Relation Name"])
    for child in plan.get("Plans", []):
        found += seq_scans(child)
    return found


def plans_of(client, url) -> list[tuple[str, list[str], dict]]:
    """(sql, sequentially scanned big tables, plan) of each query the page ran on a big table."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    checked = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if not sql.startswith("SELECT") or not any(t in sql for t in BIG_TABLES):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = plan[0]["Plan"] if isinstance(plan, list) else plan
            checked.append((sql, seq_scans(plan), plan))
    assert checked, "the page ran no query on a big table: the test checks nothing"
    return checked


def assert_no_seq_scan(client, url):
    scanned = [(sql, tables, plan) for sql, tables, plan in plans_of(client, url) if tables]
    assert scanned == []


@pytest.fixture
def as_user(big, db, client):
    def _as(role):
        user = {"director": big["director"], "manager": big["manager"], "rep": big["reps"][0]}
        client.force_login(user[role])
        return client

    return _as


@pytest.mark.parametrize("role", ["director", "manager", "rep"])
def test_lead_list_first_page(as_user, role):
    assert_no_seq_scan(as_user(role), "/leads/")


@pytest.mark.parametrize("query", ["grade=A", "stage=trial", "grade=A&grade=B&stage=new"])
def test_lead_list_grade_and_stage_filters(as_user, query):
    assert_no_seq_scan(as_user("director"), f"/leads/?{query}")


@pytest.mark.parametrize(
    "text",
    [
        "10000054321",
        "+86 100 0005 4321",
        "54321",
        "学员5432",
        "a@b.cn",
        # A company search's capped count: the planner's estimate for LIKE on UPPER(company)
        # sometimes prefers a sequential scan to the trigram index (not solved, issue 21).
        pytest.param("公司417", marks=pytest.mark.xfail(reason="planner estimate", strict=False)),
    ],
)
def test_lead_search(as_user, text):
    assert_no_seq_scan(as_user("director"), "/leads/?" + f"q={text}".replace("+", "%2B"))


def test_lead_list_deep_page_by_keyset(as_user):
    middle = Lead.objects.order_by("-created_at", "-id").values("created_at", "id")[LEADS // 2]
    client = as_user("director")
    url = "/leads/?after=" + encode_cursor(middle["created_at"], middle["id"])
    assert_no_seq_scan(client, url)
    rows = list(client.get(url).context["page"])
    assert len(rows) == 50
    assert rows[0].created_at <= middle["created_at"]


def test_lead_list_page_far_beyond_the_count_is_the_last_counted_page(as_user):
    client = as_user("director")
    assert_no_seq_scan(client, "/leads/?page=10000")
    page = client.get("/leads/?page=10000").context["page"]
    assert page.number == 20
    assert page.paginator.capped is True
    assert page.next_cursor is not None


def test_lead_detail_timeline(as_user, big):
    lead = Lead.objects.filter(owner=big["reps"][0]).order_by("-created_at").first()
    assert_no_seq_scan(as_user("rep"), f"/leads/{lead.pk}/")


@pytest.mark.parametrize("role", ["director", "manager", "rep"])
def test_contract_list(as_user, role):
    assert_no_seq_scan(as_user(role), "/customers/contracts/")


def test_the_check_can_fail(as_user):
    """A query that must scan (a LIKE no index answers) is reported."""
    client = as_user("director")
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT id FROM leads_lead WHERE payer_name LIKE '%x%'"
        )
        plan = cursor.fetchone()[0]
    plan = plan[0]["Plan"] if isinstance(plan, list) else plan
    assert seq_scans(plan) == ["leads_lead"]
    assert client.get("/leads/").status_code == 200


def _index_scans(plan: dict) -> list[str]:
    found = [plan["Index Name"]] if "Index Name" in plan else []
    for child in plan.get("Plans", []):
        found += _index_scans(child)
    return found


@pytest.mark.parametrize("role", ["director", "manager", "rep"])
@pytest.mark.parametrize("text", ["学", "学员"])
def test_quick_search_short_text_reads_the_name_prefix_index(as_user, role, text):
    """One or two characters have no trigram: the quick search matches the beginning of the
    name through lead_name_prefix_idx (leads 0015), never by reading every lead; the
    customers through customer_name_prefix_idx."""
    checked = plans_of(as_user(role), f"/search/?q={text}")
    assert [sql for sql, tables, _ in checked if tables] == []
    lead_plans = [plan for sql, _, plan in checked if 'FROM "leads_lead"' in sql]
    assert len(lead_plans) == 1
    if role == "director":  # all 100,000 leads begin with 学: read in the index's order
        assert "lead_name_prefix_idx" in _index_scans(lead_plans[0])
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT id FROM customers_customer "
            """WHERE (UPPER(name::text) COLLATE "C") LIKE '客户1%%' """
            """ORDER BY (UPPER(name::text) COLLATE "C"), id LIMIT 8"""
        )
        plan = cursor.fetchone()[0]
    plan = plan[0]["Plan"] if isinstance(plan, list) else plan
    assert "customer_name_prefix_idx" in _index_scans(plan)


def test_quick_search_longer_text_reads_the_trigram_index(as_user):
    """From three characters on the text is found inside names: the trigram index (a text
    that matches a tenth of the leads, like 学员5 here, may still be read by a scan)."""
    checked = plans_of(as_user("director"), "/search/?q=员54321")
    assert [sql for sql, tables, _ in checked if tables] == []
    lead_plans = [plan for sql, _, plan in checked if 'FROM "leads_lead"' in sql]
    assert "lead_name_trgm_idx" in _index_scans(lead_plans[0])
