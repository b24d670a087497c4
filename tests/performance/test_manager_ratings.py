"""KPIs rated by the manager (issue 20, seed 002: 团队协作、工作态度): who may rate, the open
periods, the history, and the scorecard total with a rated line (hand-worked figures)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance.models import KpiScheme, KpiSchemeItem, ManagerRating, ScoreCard
from performance.services import (
    RatingError,
    manager_rating_record,
    rated_score,
    scorecards_compute,
)
from salescrm.roles import Role
from tests.factories import UserFactory

from .factories import lead_with_history

pytestmark = pytest.mark.django_db

NOV = dt.date(2026, 11, 1)
Q4 = dt.date(2026, 10, 1)
DAY = dt.date(2026, 11, 20)  # the business date when "today" is 2026-11-21


@pytest.fixture
def today(clock):
    clock.set(dt.date(2026, 11, 21))
    return clock


@pytest.fixture
def scheme(db):
    """Reps: lead conversion (target 100 %, weight 70) and teamwork rated 1–5 (weight 30)."""
    scheme = KpiScheme.objects.create(role="rep", name="Reps", effective_from=dt.date(2026, 1, 1))
    KpiSchemeItem.objects.create(
        scheme=scheme, kpi="lead_conversion", weight=70, target_value=100, cap=120
    )
    KpiSchemeItem.objects.create(
        scheme=scheme, kpi="teamwork", weight=30, target_value=0, rating_scale=5
    )
    return scheme


def _nine_of_ten_won(owner):
    """10 leads created in November, 9 won: lead conversion 90 % → score 90.00."""
    for n in range(10):
        day = f"2026-11-{n + 2:02d}"
        stages = [("new", day)]
        if n < 9:
            stages.append(("won", f"2026-11-{n + 3:02d} 10:00"))
        lead_with_history(owner, stages)


def _rate(actor, person, value=4, kind="month", start=NOV, comment="主动帮助新同事"):
    return manager_rating_record(
        actor=actor,
        person=person,
        period_kind=kind,
        period_start=start,
        ratings={"teamwork": value},
        comments={"teamwork": comment},
    )


# --- the score ------------------------------------------------------------------------------


def test_a_rating_scores_rating_over_the_scale():
    assert rated_score(4, 5) == D("80.00")
    assert rated_score(2, 3) == D("66.67")
    assert rated_score(10, 10) == D("100.00")


def test_the_rated_line_is_weighted_like_any_kpi(today, scheme, rep, manager):
    # conversion 90.00 × 70 % + teamwork 4/5 = 80.00 × 30 % = 63.00 + 24.00 = 87.00
    _nine_of_ten_won(rep)
    _rate(manager, rep, 4)
    scorecards_compute(day=DAY, catch_up_months=0)
    card = ScoreCard.objects.get(person=rep, period_kind="month")
    assert card.total_score == D("87.00")
    lines = {line.kpi: line for line in card.lines.all()}
    assert lines["lead_conversion"].score == D("90.00")
    assert lines["lead_conversion"].weighted_score == D("63.00")
    teamwork = lines["teamwork"]
    assert (teamwork.actual, teamwork.target, teamwork.score) == (D("4"), D("5"), D("80.00"))
    assert teamwork.weighted_score == D("24.00")
    assert teamwork.rated_by == manager and teamwork.rated_at is not None
    # the quarter has no rating of its own: not rated there
    quarter = ScoreCard.objects.get(person=rep, period_kind="quarter")
    assert quarter.total_score == D("90.00")


def test_a_missing_rating_counts_for_nothing_and_is_flagged(today, scheme, rep, manager):
    # not rated: the conversion alone makes the total, 90.00 × 70 ÷ 70 = 90.00
    _nine_of_ten_won(rep)
    scorecards_compute(day=DAY, catch_up_months=0)
    card = ScoreCard.objects.get(person=rep, period_kind="month")
    assert card.total_score == D("90.00")
    teamwork = card.lines.get(kpi="teamwork")
    assert teamwork.actual is None and teamwork.target == D("5")
    assert teamwork.no_value_reason == "尚未由经理评分"
    shown = {line.kpi: line for line in card.explained_lines()}
    assert shown["teamwork"].effective_weight is None
    assert shown["lead_conversion"].effective_weight == D("100.00")


def test_the_scorecard_page_shows_the_rating_who_and_when(today, scheme, rep, manager, login):
    _nine_of_ten_won(rep)
    _rate(manager, rep, 4)
    scorecards_compute(day=DAY, catch_up_months=0)
    card = ScoreCard.objects.get(person=rep, period_kind="month")
    page = login(manager).get(card.get_absolute_url()).content.decode()
    assert "4 / 5" in page
    assert "由 manager_a 于" in page or "manager_a" in page
    assert 'id="rate-link"' in page
    assert "87.00" in page
    # the rep sees the rating but no link to rate
    page = login(rep).get(card.get_absolute_url()).content.decode()
    assert "4 / 5" in page and 'id="rate-link"' not in page


# --- the nightly job ------------------------------------------------------------------------


def _queries_of_the_night():
    with CaptureQueriesContext(connection) as night:
        scorecards_compute(day=DAY, catch_up_months=0)
    return len(night)


def test_the_job_reads_ratings_set_based_and_is_idempotent(today, scheme, rep, manager, team):
    # each count is of a night that replaces existing scorecards (the first night deletes none)
    _rate(manager, rep, 4)
    _queries_of_the_night()
    alone = _queries_of_the_night()
    for n in range(6):
        other = UserFactory(username=f"rep_more{n}", role=Role.REP, team=team)
        _rate(manager, other, 1 + n % 5)
    _queries_of_the_night()
    many = _queries_of_the_night()
    assert many == alone
    first = sorted(
        ScoreCard.objects.filter(period_kind="month").values_list("person__username", "total_score")
    )
    _queries_of_the_night()
    again = sorted(
        ScoreCard.objects.filter(period_kind="month").values_list("person__username", "total_score")
    )
    assert again == first
    # no leads: teamwork alone counts; rep_more0 rated 1/5 → 20.00, rep_a1 4/5 → 80.00
    assert ("rep_a1", D("80.00")) in first and ("rep_more0", D("20.00")) in first


# --- who may rate ---------------------------------------------------------------------------


def test_the_reps_manager_and_the_director_rate(today, scheme, rep, manager, director):
    _rate(manager, rep, 4)
    _rate(director, rep, 5, comment="")
    row = ManagerRating.objects.get(person=rep, kpi="teamwork")
    assert (row.rating, row.scale, row.rated_by, row.comment) == (5, 5, director, "")


@pytest.mark.parametrize("role", ["rep", "legal", "finance", "service_user"])
def test_the_rep_and_the_back_office_are_refused(today, scheme, rep, role, request):
    actor = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        _rate(actor, rep, 4)
    assert not ManagerRating.objects.exists()


def test_another_teams_manager_is_refused(today, scheme, rep, other_manager):
    with pytest.raises(RatingError):
        _rate(other_manager, rep, 4)
    assert not ManagerRating.objects.exists()


def test_the_page_for_each_role(
    today,
    scheme,
    rep,
    manager,
    director,
    other_manager,
    outsider,
    legal,
    finance,
    service_user,
    login,
):
    url = reverse("performance:manager_rating", args=[rep.pk])
    data = {"period": "month", "rating_teamwork": "3", "comment_teamwork": "按时交付"}
    assert login(manager).post(url, data).status_code == 302
    assert login(director).get(url).status_code == 200
    assert login(other_manager).get(url).status_code == 404
    assert login(other_manager).post(url, data).status_code == 404
    for refused in (rep, legal, finance, service_user):
        assert login(refused).post(url, {**data, "rating_teamwork": "1"}).status_code == 403
    # another team's rep id → 404 to this manager; a non-rep → 404 to the director
    other = reverse("performance:manager_rating", args=[outsider.pk])
    assert login(manager).get(other).status_code == 404
    assert (
        login(director).get(reverse("performance:manager_rating", args=[manager.pk])).status_code
        == 404
    )
    row = ManagerRating.objects.get()
    assert (row.rating, row.comment, row.rated_by) == (3, "按时交付", manager)


def test_the_page_shows_current_ratings_and_history(today, scheme, rep, manager, login):
    _rate(manager, rep, 4)
    _rate(manager, rep, 3, comment="本月配合不足")
    page = login(manager).get(reverse("performance:manager_rating", args=[rep.pk])).content.decode()
    assert 'id="rating-form"' in page and 'id="rating-history"' in page
    assert "本月配合不足" in page and "主动帮助新同事" in page  # the history keeps the first


def test_bad_input_changes_nothing(today, scheme, rep, manager, login):
    url = reverse("performance:manager_rating", args=[rep.pk])
    client = login(manager)
    for data in (
        {"period": "month", "rating_teamwork": "6"},
        {"period": "month", "rating_teamwork": "x"},
        {"period": "month", "rating_teamwork": ""},
        {"period": "month", "rating_attitude": "3"},
    ):
        response = client.post(url, data)
        assert response.status_code == 200
    assert not ManagerRating.objects.exists()
    with pytest.raises(RatingError, match="1 到 5"):
        manager_rating_record(
            actor=manager,
            person=rep,
            period_kind="month",
            period_start=NOV,
            ratings={"teamwork": 6},
        )
    with pytest.raises(RatingError):  # attitude is not in the scheme
        manager_rating_record(
            actor=manager,
            person=rep,
            period_kind="month",
            period_start=NOV,
            ratings={"attitude": 3},
        )
    assert not ManagerRating.objects.exists()


# --- open and frozen periods; history -------------------------------------------------------


def test_a_rating_changes_until_the_period_ends_with_history(clock, scheme, rep, manager):
    clock.set(dt.date(2026, 11, 30))  # business date 11-29: November still open
    _rate(manager, rep, 4)
    _rate(manager, rep, 4)  # unchanged: no history row
    _rate(manager, rep, 2, comment="改为 2")
    row = ManagerRating.objects.get()
    assert [h.rating for h in row.history.order_by("history_date")] == [4, 2]
    clock.set(dt.date(2026, 12, 1))  # business date 11-30: November's final scorecards tonight
    with pytest.raises(RatingError, match="2026-11"):
        _rate(manager, rep, 5)
    row.refresh_from_db()
    assert row.rating == 2 and row.history.count() == 2
    # the quarter is still open
    _rate(manager, rep, 5, kind="quarter", start=Q4)
    # an earlier, closed quarter and a future month are refused
    with pytest.raises(RatingError, match="2026 Q3"):
        _rate(manager, rep, 5, kind="quarter", start=dt.date(2026, 7, 1))
    with pytest.raises(RatingError):
        _rate(manager, rep, 5, start=dt.date(2027, 1, 1))


def test_the_page_has_a_bounded_number_of_queries(
    today, scheme, rep, manager, login, django_assert_max_num_queries
):
    for value in (1, 2, 3, 4, 5):
        _rate(manager, rep, value)
    client = login(manager)
    url = reverse("performance:manager_rating", args=[rep.pk])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
