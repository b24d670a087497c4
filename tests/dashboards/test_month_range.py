"""Months outside the business range (2000-01-01 to today + 10 years) are answered
with a message, never with "year -1 is out of range"."""

import datetime as dt

import pytest

from salescrm.timeutil import EARLIEST_BUSINESS_DATE, latest_business_date

pytestmark = pytest.mark.django_db

FAR_MONTHS = ["0001-01", "0001-12", "0002-01", "9999-12", "1999-12"]


def test_business_range_runs_from_2000_to_ten_years_ahead():
    assert EARLIEST_BUSINESS_DATE == dt.date(2000, 1, 1)
    assert latest_business_date().year - dt.date.today().year == 10


@pytest.mark.parametrize("month", FAR_MONTHS)
def test_dashboard_ignores_a_month_out_of_range_with_a_warning(login, director, month):
    response = login(director).get(f"/dashboard/?month={month}")
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["部分筛选条件对您无效，已忽略。"]
    assert response.context["scope"].month.year >= 2000


def test_dashboard_month_picker_offers_only_the_business_range(login, rep):
    response = login(rep).get("/dashboard/")
    last = latest_business_date()
    assert 'min="2000-01"' in response.content.decode()
    assert f'max="{last:%Y-%m}"' in response.content.decode()


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("director", "/performance/dashboard/export/by_team/?period=year&month=0001-01&format=csv"),
        ("rep", "/performance/dashboard/export/target_progress/?month=0001-01&format=csv"),
        ("rep", "/performance/dashboard/export/target_progress/?month=9999-12&format=csv"),
    ],
)
def test_dashboard_exports_ignore_a_month_out_of_range(request, login, who, url):
    assert login(request.getfixturevalue(who)).get(url).status_code == 200


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_scorecard_and_statement_lists_ignore_a_month_out_of_range(login, director, month):
    client = login(director)
    assert client.get(f"/performance/scorecards/?month={month}").status_code == 200
    assert client.get(f"/performance/statements/?month={month}").status_code == 200
