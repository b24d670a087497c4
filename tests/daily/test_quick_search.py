"""Quick search (issue 18): leads, customers and contracts by name, phone in any format,
number and e-mail; scoped to what the user may see; best match first; index-friendly SQL."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from salescrm.search import parse, quick_search
from tests.customers.factories import CustomerFactory, make_contract
from tests.leads.factories import LeadFactory


def _titles(user, query):
    return {label: [hit.title for hit in hits] for label, hits in quick_search(user, query)}


def test_phone_in_any_format_finds_the_lead(rep):
    LeadFactory(owner=rep, name="陈晨", phone="13812345678")
    for typed in (
        "13812345678",
        "+86 138-1234-5678",
        "0086 138 1234 5678",
        "１３８１２３４５６７８",
    ):
        assert parse(typed).phone == "13812345678"
        assert "陈晨" in _titles(rep, typed).get("线索", []), typed


def test_name_matches_rank_exact_then_prefix_then_inside(rep):
    LeadFactory(owner=rep, name="小王小明同学")
    LeadFactory(owner=rep, name="王小明")
    LeadFactory(owner=rep, name="王小明弟")
    assert _titles(rep, "王小明")["线索"] == ["王小明", "王小明弟", "小王小明同学"]


def test_one_or_two_characters_match_the_beginning_of_names_only(rep):
    """Below three characters there is no trigram: the text is a name's beginning (an index
    range), the exact name first; from three characters on it is found inside names."""
    LeadFactory(owner=rep, name="小王同学")
    LeadFactory(owner=rep, name="王")
    LeadFactory(owner=rep, name="王同学")
    LeadFactory(owner=rep, name="Wang Fang")
    assert _titles(rep, "王")["线索"] == ["王", "王同学"]
    assert _titles(rep, "王同")["线索"] == ["王同学"]  # two characters: not 小王同学
    assert _titles(rep, "同学") == {}
    assert _titles(rep, "王同学")["线索"] == ["王同学", "小王同学"]  # three: inside too
    assert _titles(rep, "wa")["线索"] == ["Wang Fang"]  # case-insensitive
    assert _titles(rep, "an") == {}
    assert _titles(rep, "ang")["线索"] == ["Wang Fang"]


def test_a_short_text_is_scoped_and_capped(rep, teammate, outsider):
    for n in range(12):
        LeadFactory(owner=rep, name=f"周{n:02d}")
    LeadFactory(owner=outsider, name="周00外")
    found = _titles(rep, "周")["线索"]
    assert found == [f"周{n:02d}" for n in range(8)]
    assert _titles(teammate, "周") == {}


def test_a_short_text_finds_customers_and_their_contracts_by_name_beginning(rep, outsider):
    customer = CustomerFactory(owner=rep, name="钱多多")
    contract = make_contract(rep, customer=customer)
    make_contract(rep, customer=CustomerFactory(owner=rep, name="多钱"))
    make_contract(outsider, customer=CustomerFactory(owner=outsider, name="钱先生"))
    found = _titles(rep, "钱")
    assert found["客户"] == ["钱多多"]
    assert found["合同"] == [contract.number]
    assert _titles(rep, contract.number)["合同"] == [contract.number]


def test_the_page_says_how_a_short_text_is_searched(login, rep):
    LeadFactory(owner=rep, name="王同学")
    client = login(rep)
    short = client.get("/search/", {"q": "王"}).content.decode()
    assert 'id="short-query-hint"' in short
    assert "至少输入 3 个字" in short
    assert 'id="short-query-hint"' not in client.get("/search/", {"q": "王同学"}).content.decode()
    try:
        english = client.get("/search/", {"q": "王"}, HTTP_ACCEPT_LANGUAGE="en")
    finally:  # the middleware leaves the request's language active in this thread
        translation.activate(settings.LANGUAGE_CODE)
    assert "Type at least 3 characters" in english.content.decode()


def test_email_is_case_insensitive_and_exact(rep):
    LeadFactory(owner=rep, name="邮件人", email="li.ming@example.com")
    assert _titles(rep, "Li.Ming@Example.com")["线索"] == ["邮件人"]


def test_a_rep_finds_only_own_leads_and_a_manager_the_team(rep, teammate, manager, outsider):
    LeadFactory(owner=rep, name="共同名A")
    LeadFactory(owner=teammate, name="共同名B")
    LeadFactory(owner=outsider, name="共同名C")
    assert _titles(rep, "共同名")["线索"] == ["共同名A"]
    assert _titles(manager, "共同名")["线索"] == ["共同名A", "共同名B"]
    assert _titles(outsider, "共同名")["线索"] == ["共同名C"]


def test_customers_and_contracts_by_name_phone_and_number(rep, outsider):
    customer = CustomerFactory(owner=rep, name="赵小姐", phone="13900001111")
    contract = make_contract(rep, customer=customer)
    other = CustomerFactory(owner=outsider, name="赵先生")
    make_contract(outsider, customer=other)
    found = _titles(rep, "赵")
    assert found["客户"] == ["赵小姐"]
    assert found["合同"] == [contract.number]
    assert _titles(rep, "139 0000 1111")["客户"] == ["赵小姐"]
    assert _titles(rep, contract.number.lower())["合同"] == [contract.number]


@pytest.mark.parametrize(
    "typed",
    ["", "   ", "%", "_", "\\", "x" * 500, "'; drop table", "王%_", "\x00", "王\x00明", "\t\n"],
)
def test_odd_input_is_answered_not_a_500(login, rep, typed):
    LeadFactory(owner=rep, name="百分号%用户")
    response = login(rep).get("/search/", {"q": typed})
    assert response.status_code == 200


def test_percent_and_underscore_are_literal(rep):
    LeadFactory(owner=rep, name="百分号%用户")
    LeadFactory(owner=rep, name="普通用户")
    LeadFactory(owner=rep, name="%开头")
    assert _titles(rep, "%")["线索"] == ["%开头"]  # short: the beginning of a name
    assert "线索" not in _titles(rep, "_")
    assert _titles(rep, "号%用")["线索"] == ["百分号%用户"]
    assert "线索" not in _titles(rep, "号_用")


def test_the_page_and_its_query_count(login, rep, django_assert_max_num_queries):
    for n in range(30):
        LeadFactory(owner=rep, name=f"王同学{n}")
    client = login(rep)
    with django_assert_max_num_queries(12):
        response = client.get("/search/", {"q": "王同学"})
    page = response.content.decode()
    assert page.count('class="list-group-item list-group-item-action"') == 8
    assert 'id="quick-search-q"' in page  # the box is in the navigation


def _lead_sql(rep, text):
    with CaptureQueriesContext(connection) as queries:
        quick_search(rep, text)
    return next(q["sql"] for q in queries.captured_queries if 'FROM "leads_lead"' in q["sql"])


def test_lead_sql_is_the_lead_lists_indexed_search(rep):
    """Leads are found by the lead list's own search (leads.selectors.lead_search_q): a phone
    number on the normalised column (its unique index), a name through the trigram index on
    UPPER(name) (leads migration 0010)."""
    phone_sql = _lead_sql(rep, "+86 138 1234 5678")
    assert '"leads_lead"."phone" = \'13812345678\'' in phone_sql  # the normalised column
    assert "LIKE" not in phone_sql.split(" WHERE ", 1)[1]  # the rank may say LIKE, not the filter
    assert "LIMIT 8" in phone_sql
    name_sql = _lead_sql(rep, "王同学")
    assert 'UPPER("leads_lead"."name"::text) LIKE UPPER(' in name_sql
    assert "ILIKE" not in name_sql
