"""Query-string parameters outside their range are ignored with a warning, never an
OverflowError: day counts are bounded, weeks and months lie in the business range."""

import pytest

from tests.leads.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "value", ["800000", "99999999999999999999", "3651", "1e400", "NaN", "-Infinity", "-1"]
)
def test_lead_list_ignores_an_untouched_days_filter_out_of_range(login, rep, value):
    lead = LeadFactory(owner=rep)
    response = login(rep).get(f"/leads/?untouched_days={value}")
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["部分筛选条件无效，已忽略。"]
    assert [row.pk for row in response.context["page"].object_list] == [lead.pk]


def test_lead_list_accepts_ten_years_of_untouched_days(login, rep):
    LeadFactory(owner=rep)
    response = login(rep).get("/leads/?untouched_days=3650")
    assert response.status_code == 200
    assert list(response.context["messages"]) == []
    assert 'max="3650" name="untouched_days"' in response.content.decode()


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01", "1900-01-01"])
def test_activity_plans_ignore_a_week_out_of_range(login, manager, rep, week):
    response = login(manager).get(f"/leads/plans/?week={week}")
    assert response.status_code == 200
    assert response.context["week"].year >= 2000


@pytest.mark.parametrize(
    "month", ["²", "1" * 5000, "13", "-1"], ids=["superscript", "5000-digits", "13", "minus"]
)
def test_target_progress_ignores_a_month_that_is_no_month(login, director, month):
    from tests.performance.factories import targets

    targets("signed_amount", [("company", None, None, "2026-10", "1000")], created_by=director)
    assert login(director).get(f"/targets/progress/?month={month}").status_code == 200


def test_notification_ids_that_are_no_integers_are_ignored(login, rep):
    response = login(rep).post("/notifications/read/", {"ids": ["²", "9" * 40]})
    assert response.status_code == 302


@pytest.mark.parametrize("person", ["99999999999999999999", "-1", "²"])
def test_scorecard_and_statement_lists_ignore_a_person_id_out_of_range(login, director, person):
    client = login(director)
    assert client.get(f"/performance/scorecards/?person={person}").status_code == 200
    assert client.get(f"/performance/statements/?person={person}").status_code == 200


def test_merging_a_lead_number_beyond_any_id_is_a_form_error(login, manager, rep):
    lead = LeadFactory(owner=rep)
    response = login(manager).post(
        f"/leads/{lead.pk}/merge/", {"duplicate": "99999999999999999999"}, follow=True
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["请填写重复线索的编号。"]
