"""The best-service award (最佳服务奖, seed 001) beside the sales champions: average
satisfaction − 0.5 per complaint, at least three surveys, ties to fewer complaints, then more
surveys, then the name. Figures worked out by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest

from customers.models import Complaint, SatisfactionSurvey
from performance import dashboards
from performance.awards import ServiceFigure, best_service, service_figures
from salescrm.timeutil import SHANGHAI
from tests.factories import UserFactory
from tests.performance.factories import contract, nightly_facts

pytestmark = pytest.mark.django_db

OCTOBER = (dt.date(2026, 10, 1), dt.date(2026, 10, 31))
Q4 = (dt.date(2026, 10, 1), dt.date(2026, 12, 31))


def surveys(rep, scores, day="2026-10-15"):
    customer = contract(rep, "1000", "2026-09-01").customer
    for score in scores:
        SatisfactionSurvey.objects.create(
            customer=customer, score=score, nps=9, answered_on=dt.date.fromisoformat(day)
        )
    return customer


def complaint(customer, rep, day="2026-10-20"):
    Complaint.objects.create(
        customer=customer,
        subject="排课",
        opened_by=rep,
        opened_at=dt.datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=SHANGHAI),
    )


@pytest.fixture
def service(rep, teammate, team):
    third = UserFactory(username="rep_a3", role="rep", team=team)
    # rep_a1: 5, 5, 4, 4 → 18 / 4 = 4.50, no complaint → 4.50
    surveys(rep, [5, 5, 4, 4])
    # rep_a2: 5, 5, 5, 5 → 5.00, one complaint → 5.00 − 0.5 = 4.50: a tie with rep_a1
    complaint(surveys(teammate, [5, 5, 5, 5]), teammate)
    # rep_a3: 5, 5 in October (two surveys: not eligible for the month) and 4 in November:
    # the quarter 14 / 3 = 4.67, no complaint
    surveys(third, [5, 5])
    surveys(third, [4], day="2026-11-05")
    # outside every period: a September survey and a complaint of January 2027
    surveys(rep, [1], day="2026-09-30")
    return third


def test_the_figures_and_the_tie_to_fewer_complaints(service, rep, teammate):
    third = service
    figures = service_figures([rep.pk, teammate.pk, third.pk], {"quarter": Q4, "month": OCTOBER})
    month = figures["month"]
    assert (month[rep.pk].surveys, month[rep.pk].average, month[rep.pk].complaints) == (
        4,
        D("4.50"),
        0,
    )
    assert (month[teammate.pk].average, month[teammate.pk].score) == (D("5.00"), D("4.50"))
    assert month[third.pk].surveys == 2
    names = {rep.pk: "rep_a1", teammate.pk: "rep_a2", third.pk: "rep_a3"}
    # 4.50 each: rep_a1 has no complaint, rep_a2 one → rep_a1; rep_a3 has too few surveys
    assert best_service(month, names) == rep.pk
    # the quarter: rep_a3 3 surveys, 4.67 beats both 4.50
    assert figures["quarter"][third.pk].average == D("4.67")
    assert best_service(figures["quarter"], names) == third.pk


def test_ties_on_score_and_complaints_go_to_more_surveys_then_the_name():
    more = {1: ServiceFigure(1, 4, D("4.50"), 0), 2: ServiceFigure(2, 6, D("4.50"), 0)}
    assert best_service(more, {1: "a", 2: "b"}) == 2
    same = {1: ServiceFigure(1, 4, D("4.50"), 0), 2: ServiceFigure(2, 4, D("4.50"), 0)}
    assert best_service(same, {1: "b", 2: "a"}) == 2
    assert best_service({1: ServiceFigure(1, 2, D("5.00"), 0)}, {1: "a"}) is None


def test_the_leaderboard_names_the_award_beside_the_champions(service, manager, rep):
    contract(rep, "50000", "2026-10-05")
    nightly_facts()  # the signed amounts are read from the night's facts
    scope = dashboards.scope_for(manager, month=OCTOBER[0], today=dt.date(2026, 11, 10))
    chart = dashboards.build(scope, "leaderboard")
    titles = {row[1]: row[-1] for row in chart.rows}
    assert titles["rep_a1"] == "月度销售冠军, 季度销售冠军, 月度最佳服务奖"
    assert titles["rep_a3"] == "季度最佳服务奖"
    assert titles["rep_a2"] == ""
