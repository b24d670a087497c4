"""The market-relative view (issue 20, seed 003: "80 % achievement counts as excellent when
the industry is down"): the director records the market's growth per period, the director's
dashboard shows our growth and the achievement against the market-adjusted target beside it,
and a scheme may score against that target. Figures worked out by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from performance import dashboards
from performance.dashboards.data import Data
from performance.dashboards.market import chart_market
from performance.market import adjusted_target, growth_for
from performance.models import KpiScheme, KpiSchemeItem, MarketGrowth, ScoreCard
from performance.services import market_growth_record, scorecards_compute
from salescrm.roles import Role
from tests.factories import UserFactory
from tests.performance.factories import contract, nightly_facts, targets

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 11, 20)  # the open month is November: October is closed


def record(actor, kind="month", start=OCTOBER, growth="-20", **extra):
    return market_growth_record(
        actor=actor,
        period_kind=kind,
        period_start=start,
        growth=D(growth),
        source=extra.pop("source", "行业协会月报"),
        **extra,
    )


def test_the_adjusted_target_of_the_handbook_example():
    # ¥100,000.00 with the market 20 % down → ¥80,000.00
    assert adjusted_target(D("100000.00"), D("-20")) == D("80000.00")
    assert adjusted_target(D("100000.00"), D("12.5")) == D("112500.00")
    assert adjusted_target(D("333.33"), D("-33.33")) == D("222.23")  # 222.2290… half-up
    assert adjusted_target(D("100000.00"), None) == D("100000.00")


def test_the_most_specific_figure_covers_a_period(director):
    record(director, "year", dt.date(2026, 1, 1), "5")
    record(director, "quarter", dt.date(2026, 10, 1), "-10")
    record(director, "month", dt.date(2026, 11, 1), "-20")
    assert growth_for("month", dt.date(2026, 11, 1)).growth == D("-20.00")  # its own
    assert growth_for("month", dt.date(2026, 12, 1)).growth == D("-10.00")  # its quarter's
    assert growth_for("month", dt.date(2026, 3, 1)).growth == D("5.00")  # its year's
    assert growth_for("quarter", dt.date(2026, 10, 1)).growth == D("-10.00")
    assert growth_for("quarter", dt.date(2026, 4, 1)).growth == D("5.00")
    assert growth_for("year", dt.date(2026, 1, 1)).growth == D("5.00")
    assert growth_for("month", dt.date(2025, 11, 1)) is None


def test_a_second_figure_for_a_period_replaces_the_first(director):
    record(director, growth="-20")
    record(director, growth="-15", source="国家统计局")
    figure = MarketGrowth.objects.get()
    assert (figure.growth, figure.source, figure.recorded_by) == (
        D("-15.00"),
        "国家统计局",
        director,
    )


@pytest.mark.parametrize("role", ["rep", "manager", "legal", "finance", "service"])
def test_only_the_director_or_an_admin_records_the_market(role, people):
    with pytest.raises(PermissionDenied):
        record(people[role])
    assert not MarketGrowth.objects.exists()


@pytest.mark.parametrize("role", ["director", "admin"])
def test_the_director_and_an_admin_record_the_market(role, people):
    record(people[role])
    assert MarketGrowth.objects.get().recorded_by == people[role]


@pytest.mark.parametrize(
    "kind, start, growth",
    [
        ("month", OCTOBER, "-100"),  # below −99.99: a market that vanished divides nothing
        ("month", OCTOBER, "1000.01"),
        ("quarter", dt.date(2026, 11, 1), "5"),  # a quarter starts in Jan, Apr, Jul, Oct
        ("year", dt.date(2026, 3, 1), "5"),
        ("month", dt.date(1, 1, 1), "5"),  # outside the business dates
    ],
)
def test_a_bad_figure_is_refused_and_nothing_is_written(director, kind, start, growth):
    with pytest.raises(ValidationError):
        record(director, kind, start, growth)
    assert not MarketGrowth.objects.exists()


@pytest.fixture
def people(rep, manager, director, legal, finance, service_user):
    return {
        "rep": rep,
        "manager": manager,
        "director": director,
        "legal": legal,
        "finance": finance,
        "service": service_user,
        "admin": UserFactory(username="admin_x", role=Role.ADMIN),
    }


# --- the page -----------------------------------------------------------------------------


def test_the_director_records_a_quarter_by_any_of_its_months(client, director):
    client.force_login(director)
    response = client.post(
        reverse("analytics:market"),
        {
            "period_kind": "quarter",
            "month": "2026-11",
            "basis": "competitor",
            "growth": "-8.5",
            "source": "竞品财报",
            "note": "主要对手收缩",
        },
    )
    assert response.status_code == 302
    figure = MarketGrowth.objects.get()
    assert (figure.period_kind, figure.period_start, figure.growth) == (
        "quarter",
        dt.date(2026, 10, 1),
        D("-8.50"),
    )
    page = client.get(reverse("analytics:market")).content.decode()
    assert "2026 Q4" in page and "竞品财报" in page


@pytest.mark.parametrize(
    "data",
    [
        {"period_kind": "month", "month": "2026-10", "growth": "abc", "source": "x"},
        {"period_kind": "month", "month": "2026-10", "growth": "-150", "source": "x"},
        {"period_kind": "month", "month": "0001-01", "growth": "5", "source": "x"},
        {"period_kind": "decade", "month": "2026-10", "growth": "5", "source": "x"},
        {"period_kind": "month", "month": "2026-10", "growth": "5", "source": ""},
        {"period_kind": "month", "month": "2026-10", "growth": "NaN", "source": "x"},
    ],
)
def test_bad_input_on_the_page_is_a_clear_message_and_nothing_changes(client, director, data):
    client.force_login(director)
    response = client.post(reverse("analytics:market"), {"basis": "industry", **data})
    assert response.status_code == 400
    assert "invalid-feedback" in response.content.decode() or "alert" in response.content.decode()
    assert not MarketGrowth.objects.exists()


@pytest.mark.parametrize("role", ["rep", "manager", "legal", "finance", "service"])
def test_other_roles_are_refused_the_page(client, people, role):
    client.force_login(people[role])
    assert client.get(reverse("analytics:market")).status_code == 403
    response = client.post(
        reverse("analytics:market"),
        {"period_kind": "month", "month": "2026-10", "growth": "5", "source": "x"},
    )
    assert response.status_code == 403
    assert not MarketGrowth.objects.exists()


# --- scorecards ---------------------------------------------------------------------------


@pytest.fixture
def signed_80000(rep):
    contract(rep, "80000", "2026-10-12")


def scheme(*, market_adjusted):
    reps = KpiScheme.objects.create(
        role="rep", name="Reps", effective_from=dt.date(2026, 1, 1), market_adjusted=market_adjusted
    )
    KpiSchemeItem.objects.create(
        scheme=reps,
        kpi="signed_amount",
        weight=100,
        target_value=D("100000.00"),
        rule="linear",
        cap=120,
    )
    return reps


def october_line(rep):
    scorecards_compute(day=dt.date(2026, 10, 31), today=TODAY, catch_up_months=0)
    card = ScoreCard.objects.get(person=rep, period_kind="month", period_start=OCTOBER)
    return card, card.lines.get()


def test_a_market_adjusted_scheme_scores_80_percent_as_100_when_the_market_fell_20(
    signed_80000, rep, director
):
    scheme(market_adjusted=True)
    record(director, growth="-20")
    card, line = october_line(rep)
    # target ¥100,000.00 × (1 − 20 %) = ¥80,000.00; signed ¥80,000.00 → 100.00
    assert (line.actual, line.target, line.score, line.market_growth) == (
        D("80000.0000"),
        D("80000.00"),
        D("100.00"),
        D("-20.00"),
    )
    assert card.total_score == D("100.00")


def test_a_plain_scheme_scores_the_same_month_80(signed_80000, rep, director):
    scheme(market_adjusted=False)
    record(director, growth="-20")
    card, line = october_line(rep)
    assert (line.target, line.score, line.market_growth) == (D("100000.00"), D("80.00"), None)
    assert card.total_score == D("80.00")


def test_without_a_market_figure_the_plain_target_applies_and_the_page_says_so(
    signed_80000, rep, client
):
    scheme(market_adjusted=True)
    card, line = october_line(rep)
    assert (line.target, line.score, line.market_growth) == (D("100000.00"), D("80.00"), None)
    client.force_login(rep)
    page = client.get(reverse("performance:scorecard_detail", args=[card.pk])).content.decode()
    assert 'id="market-missing"' in page
    assert "按原目标计算" in page


def test_the_scorecard_page_marks_the_adjusted_target(signed_80000, rep, director, client):
    scheme(market_adjusted=True)
    record(director, growth="-20")
    card, _line = october_line(rep)
    client.force_login(rep)
    page = client.get(reverse("performance:scorecard_detail", args=[card.pk])).content.decode()
    assert "data-market-adjusted" in page
    assert 'id="market-missing"' not in page


# --- the director's dashboard -----------------------------------------------------------


@pytest.fixture
def year(rep, team, manager, director):
    # a target of ¥100,000.00 for October 2026 only; ¥50,000.00 signed in October 2025 (the
    # history starts there) and ¥80,000.00 in October 2026
    targets("signed_amount", [("rep", team, rep, "2026-10", "100000")], created_by=manager)
    contract(rep, "50000", "2025-10-10")
    contract(rep, "80000", "2026-10-12")
    record(director, "month", OCTOBER, "-20", source="行业协会月报")
    nightly_facts(day=dt.date(2026, 10, 31))


def market_table(user, **filters):
    scope = dashboards.scope_for(user, month=OCTOBER, today=TODAY, **filters)
    return chart_market(Data(scope))


def test_the_directors_market_view_for_october(year, director):
    chart = market_table(director)
    october = chart.rows[-1]
    assert october == [
        "2026-10",
        D("-20.00"),
        "行业 · 行业协会月报",
        D("60.00"),  # (80000 − 50000) ÷ 50000
        D("100000.00"),
        D("80000.00"),  # 100000 × (1 − 20 %)
        D("80000.00"),
        D("80.00"),  # against the plain target
        D("100.00"),  # against the market-adjusted target
    ]
    # January to September: no market figure, no target: the plain target applies, said so
    assert [row[1] for row in chart.rows[:9]] == [None] * 9
    assert "2026-01" in chart.note and "按原目标计算" in chart.note
    figure = chart.draw()
    assert figure.data[0]["y"][-1] == 60.0  # our growth
    assert figure.data[1]["y"][-1] == -20.0  # the market's
    assert figure.data[2]["y"][-1] == 80.0
    assert figure.data[3]["y"][-1] == 100.0


def test_the_quarter_row_uses_the_quarters_figure_or_says_it_is_plain(year, director):
    chart = market_table(director, period="quarter")
    quarter = chart.rows[-1]
    # Q4 2026: no quarter or year figure (the October one covers only October)
    assert quarter[0] == "2026 Q4"
    assert quarter[1] is None
    assert quarter[4] == quarter[5] == D("100000.00")  # the plain target
    assert "2026 Q4" in chart.note
