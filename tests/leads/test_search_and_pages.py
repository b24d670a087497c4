"""The lead search's lookups (leads.selectors.lead_search_q, shared with the quick search),
the capped count and the keyset pages of the lead list (issue 21)."""

import datetime as dt

import pytest
from django.utils import timezone

from leads.models import Lead
from leads.selectors import lead_search_q
from salescrm.pagination import decode_cursor, encode_cursor
from tests.leads.factories import LeadFactory


@pytest.fixture
def leads(rep):
    return {
        "zhang": LeadFactory(owner=rep, name="张三", company="华为", phone="13811112222"),
        "li": LeadFactory(owner=rep, name="李四", company="腾讯", phone="02161234567"),
        "mail": LeadFactory(owner=rep, name="Wang", phone="", email="wang@example.cn"),
    }


def names(value):
    return sorted(Lead.objects.filter(lead_search_q(value)).values_list("name", flat=True))


def test_a_whole_phone_number_in_any_spelling_finds_its_lead(leads):
    assert names("+86 138-1111-2222") == ["张三"]
    assert names("0086 13811112222") == ["张三"]
    assert names("13811112222") == ["张三"]
    assert names("021-6123 4567") == ["李四"]


def test_part_of_a_number_finds_the_phones_containing_it(leads):
    assert names("1111") == ["张三"]
    assert names("138") == ["张三"]
    assert names("612") == ["李四"]
    assert names("+86 138") == ["张三"]


def test_fewer_than_three_digits_find_nothing(leads):
    assert names("13") == []
    assert names("12") == []


def test_name_company_and_email(leads):
    assert names("张") == ["张三"]
    assert names("腾讯") == ["李四"]
    assert names("WANG") == ["Wang"]
    assert names("Wang@Example.cn") == ["Wang"]
    assert names("wang@example") == []  # an address is looked up whole
    assert len(names("  ")) == 3  # no text, no condition


def test_cursor_round_trip_and_bad_cursors():
    moment = dt.datetime(2026, 3, 4, 5, 6, 7, 891011, tzinfo=dt.UTC)
    assert decode_cursor(encode_cursor(moment, 42)) == (moment, 42)
    for bad in ["", "x_1", "1_x", "-5_1", "1_-5", "1", "9" * 30 + "_1", "1_" + "9" * 19, "1_²"]:
        assert decode_cursor(bad) is None


def test_count_stops_at_the_cap_and_keyset_pages_follow(login, director, monkeypatch):
    monkeypatch.setattr("salescrm.pagination.CappedPaginator.__init__.__defaults__", (4,))
    monkeypatch.setattr("leads.views.PAGE_SIZE", 2)
    start = timezone.now() - dt.timedelta(days=30)
    made = [
        LeadFactory(
            owner=None,
            name=f"L{n}",
            phone=f"1380000{n:04d}",
            created_at=start + dt.timedelta(days=n),
        )
        for n in range(9)
    ]
    client = login(director)
    page = client.get("/leads/?page=99").context["page"]
    # 4 rows counted: pages 1-2 numbered, the last of them continues by cursor
    assert page.paginator.count == 4
    assert page.paginator.capped is True
    assert page.number == 2
    assert [lead.name for lead in page] == ["L6", "L5"]
    seen = []
    cursor = page.next_cursor
    while cursor:
        keyset = client.get("/leads/", {"after": cursor}).context["page"]
        seen += [lead.name for lead in keyset]
        cursor = keyset.next_cursor
    assert seen == ["L4", "L3", "L2", "L1", "L0"]
    assert len(made) == 9
    # a bad cursor is the first page, not an error
    response = client.get("/leads/", {"after": "nonsense"})
    assert response.status_code == 200
    assert response.context["page"].number == 1


def test_a_short_list_is_counted_exactly(login, rep, leads):
    page = login(rep).get("/leads/").context["page"]
    assert page.paginator.count == 3
    assert page.paginator.capped is False
    assert page.next_cursor is None
