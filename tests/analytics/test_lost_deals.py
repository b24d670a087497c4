"""Lost-deal analysis (issue 20): the leads lost in October 2026 by reason and by the stage,
rep, month and channel they were lost at, with the amount lost (the lead's budget), against
figures worked out by hand; the top reasons per rep in the funnel diagnosis; who may read it."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import translation

from analytics.lost import chart_lost_deals, draw_lost_deals, lost_deal_rows
from leads.models import Channel, Lead, LostReason
from performance import dashboards
from tests.performance.factories import lead_with_history, nightly_facts

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 10)
OCTOBER = dt.date(2026, 10, 1)


def lost(owner, stages, budget, reason, channel="website"):
    lead = lead_with_history(owner, stages, budget=budget, channel=channel)
    if reason:
        Lead.objects.filter(pk=lead.pk).update(
            lost_reason=LostReason.objects.get_or_create(name=reason)[0]
        )
    return lead


@pytest.fixture
def losses(rep, teammate, outsider):
    # rep_a1: two lost at the proposal for price (10000 + 5000), one at the trial for timing
    # (no budget: 0)
    lost(
        rep,
        [("new", "2026-09-01"), ("proposal", "2026-10-03"), ("lost", "2026-10-10")],
        "10000",
        "价格太高",
    )
    lost(
        rep,
        [("new", "2026-09-02"), ("proposal", "2026-10-01"), ("lost", "2026-10-20")],
        "5000",
        "价格太高",
        channel="referral",
    )
    lost(
        rep,
        [("new", "2026-10-01"), ("trial", "2026-10-05"), ("lost", "2026-10-25")],
        None,
        "时间不合适",
    )
    # rep_a2: lost at the negotiation on 31 October at 23:30 Shanghai (still October)
    lost(
        teammate,
        [("new", "2026-09-01"), ("negotiation", "2026-10-02"), ("lost", "2026-10-31 23:30")],
        "20000",
        "价格太高",
    )
    # not October: lost ten minutes into November, and one minute before October
    lost(teammate, [("new", "2026-10-01"), ("lost", "2026-11-01 00:10")], "7000", "价格太高")
    lost(rep, [("new", "2026-09-01"), ("lost", "2026-09-30 23:59")], "3000", "价格太高")
    # lost in October and re-opened since: not lost
    lead_with_history(
        rep, [("new", "2026-10-01"), ("lost", "2026-10-08"), ("contacted", "2026-10-12")]
    )
    # another team's loss: the director's only
    lost(
        outsider,
        [("new", "2026-09-01"), ("trial", "2026-10-02"), ("lost", "2026-10-15")],
        "99000",
        "价格太高",
    )


def scope(user, **filters):
    return dashboards.scope_for(user, month=OCTOBER, today=TODAY, **filters)


def table(user, by):
    return [list(row) for row in chart_lost_deals(scope(user), by).rows]


def test_by_stage_for_the_manager(losses, manager):
    assert table(manager, "stage") == [
        ["试听", "时间不合适", 1, D("0.00"), None],  # the group lost no amount: no share
        ["方案报价", "价格太高", 2, D("15000.00"), D("100.0")],
        ["谈判", "价格太高", 1, D("20000.00"), D("100.0")],
        ["合计", "", 4, D("35000.00"), None],
    ]


def test_by_rep_with_the_share_of_each_reps_amount(losses, manager):
    assert table(manager, "rep") == [
        ["rep_a1", "价格太高", 2, D("15000.00"), D("100.0")],
        ["rep_a1", "时间不合适", 1, D("0.00"), D("0.0")],
        ["rep_a2", "价格太高", 1, D("20000.00"), D("100.0")],
        ["合计", "", 4, D("35000.00"), None],
    ]


def test_by_month_the_last_loss_counts_in_shanghai_time(losses, manager):
    assert table(manager, "month") == [
        ["2026-10", "价格太高", 3, D("35000.00"), D("100.0")],
        ["2026-10", "时间不合适", 1, D("0.00"), D("0.0")],
        ["合计", "", 4, D("35000.00"), None],
    ]


def test_by_channel_for_the_director_includes_every_team(losses, director):
    website, referral = (str(Channel.objects.get(code=code)) for code in ("website", "referral"))
    # website: 10000 + 20000 + 99000 for price, 0 for timing; referral: 5000 for price
    expected = {
        website: [
            [website, "价格太高", 3, D("129000.00"), D("100.0")],
            [website, "时间不合适", 1, D("0.00"), D("0.0")],
        ],
        referral: [[referral, "价格太高", 1, D("5000.00"), D("100.0")]],
    }
    rows = table(director, "channel")
    assert rows[:-1] == [row for name in sorted(expected) for row in expected[name]]
    assert rows[-1] == ["合计", "", 5, D("134000.00"), None]


def test_a_rep_sees_only_their_own_losses(losses, rep):
    assert table(rep, "rep")[-1] == ["合计", "", 3, D("15000.00"), None]


def test_the_chart_plots_the_tables_amounts_stacked_by_reason(losses, manager):
    rows = lost_deal_rows(scope(manager), "stage")
    figure = draw_lost_deals(rows, "stage")
    assert [trace["name"] for trace in figure.data] == ["价格太高", "时间不合适"]
    price, timing = figure.data
    assert price["x"] == ["试听", "方案报价", "谈判"]
    assert price["y"] == [0.0, 15000.0, 20000.0]
    assert timing["y"] == [0.0, 0.0, 0.0]
    assert figure.axis_titles() == {"xaxis": "丢单阶段", "yaxis": "丢失金额（元）"}


@pytest.mark.parametrize(
    "language,price",
    # the seeded reason reads in the reader's language; the test's own one has no translation
    [("zh-hans", "价格太高"), ("en", "Price too high")],
)
def test_top_lost_reasons_per_rep_in_the_funnel_diagnosis(losses, manager, language, price):
    nightly_facts()
    with translation.override(language):
        chart = dashboards.build(scope(manager), "diagnosis")
    # amounts as every page writes money, in both languages: thousands separators, two decimals
    assert [row[-1] for row in chart.rows] == [
        f"{price} 2 (¥15,000.00) · 时间不合适 1 (¥0.00)",
        f"{price} 1 (¥20,000.00)",
    ]


def test_the_page_its_export_and_a_bad_dimension(losses, login, manager):
    client = login(manager)
    page = client.get("/analytics/lost-deals/?month=2026-10&by=rep")
    assert page.status_code == 200
    html = page.content.decode()
    assert "rep_a1" in html and "data-chart-period" in html
    export = client.get("/analytics/lost-deals/?month=2026-10&by=rep&export=csv")
    assert export.status_code == 200
    assert "rep_a2" in export.content.decode("utf-8-sig")
    assert client.get("/analytics/lost-deals/?month=2026-10&by=nonsense").status_code == 200


@pytest.mark.parametrize(
    "language,amount_head", [("zh-hans", "丢失金额（元）"), ("en", "Amount lost (¥)")]
)
def test_the_page_writes_amounts_the_way_every_page_does(
    losses, login, manager, language, amount_head
):
    """Thousands separators and two decimals in both languages (rep_a1's price losses:
    10000 + 5000; the total 35000)."""
    html = (
        login(manager)
        .get("/analytics/lost-deals/?month=2026-10&by=rep", HTTP_ACCEPT_LANGUAGE=language)
        .content.decode()
    )
    assert f"<th>{amount_head}</th>" in html
    assert "<td>15,000.00</td>" in html and "<td>35,000.00</td>" in html
    assert "15000.00" not in html


def test_nothing_lost_is_said_so(login, manager):
    html = login(manager).get("/analytics/lost-deals/?month=2026-10").content.decode()
    assert 'data-chart-empty="lost_deals"' in html


@pytest.mark.parametrize("who", ["rep", "manager", "director"])
def test_sales_roles_may_read_it(login, who, request):
    assert login(request.getfixturevalue(who)).get("/analytics/lost-deals/").status_code == 200


@pytest.mark.parametrize("who", ["legal", "finance", "service_user"])
def test_other_roles_may_not(login, who, request):
    assert login(request.getfixturevalue(who)).get("/analytics/lost-deals/").status_code == 403


def test_the_page_runs_a_bounded_number_of_queries(
    login, manager, rep, teammate, django_assert_max_num_queries
):
    for i in range(30):
        lost(
            rep if i % 2 else teammate,
            [
                ("new", "2026-09-01"),
                ("proposal", "2026-10-03"),
                ("lost", f"2026-10-{i % 28 + 1:02d}"),
            ],
            str(1000 + i),
            f"原因{i % 7}",
        )
    client = login(manager)
    for by in ("stage", "rep", "channel", "month", "product_line"):
        with django_assert_max_num_queries(14):
            assert client.get(f"/analytics/lost-deals/?month=2026-10&by={by}").status_code == 200
