"""A NUL byte in a list's text filter is ignored with a warning; PostgreSQL cannot store or
compare it and answered 500."""

import pytest

from tests.leads.factories import LeadFactory

from .factories import make_contract

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("query", ["q=%00", "tier=%00", "q=a%00b", "tier=nonsense"])
def test_customer_list_ignores_a_nul_byte_in_its_filters(rep, login, query):
    contract = make_contract(rep)
    response = login(rep).get(f"/customers/?{query}")
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["部分筛选条件无效，已忽略。"]
    assert [c.pk for c in response.context["page"].object_list] == [contract.customer.pk]


def test_lead_list_ignores_a_nul_byte_in_the_search(rep, login):
    lead = LeadFactory(owner=rep)
    response = login(rep).get("/leads/?q=%00")
    assert response.status_code == 200
    assert [row.pk for row in response.context["page"].object_list] == [lead.pk]


@pytest.mark.parametrize(
    "url",
    [
        "/customers/contracts/?status=%00",
        "/customers/receivables/?bucket=%00",
        "/leads/export/?q=%00",
    ],
)
def test_other_lists_ignore_a_nul_byte(finance, rep, login, url):
    make_contract(rep)
    user = finance if "receivables" in url else rep
    assert login(user).get(url).status_code == 200
