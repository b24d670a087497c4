"""Territories (issue 20, seed 004 销售区域): the hierarchy, the director's figures by territory
rolled up from districts to cities to provinces (worked out by hand below), the territory filter
of every dashboard, bad filter input, and the data migration's region mapping."""

import datetime as dt
from decimal import Decimal as D
from importlib import import_module

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from leads.models import Lead, Territory
from performance import dashboards
from performance.dashboards.data import Data
from performance.dashboards.territories import chart_territories, plotted_rows, territory_rows
from tests.performance.factories import contract, lead_with_history, nightly_facts, payment, refund

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 11, 5)


@pytest.fixture
def places(team, outsider):
    province = Territory.objects.create(name="测试省", kind="province", owner_team=team)
    city = Territory.objects.create(name="测试市", kind="city", parent=province)
    district = Territory.objects.create(name="测试区", kind="district", parent=city)
    other = Territory.objects.create(name="另一省", kind="province", owner_rep=outsider)
    return province, city, district, other


def placed(lead, territory):
    Lead.objects.filter(pk=lead.pk).update(territory=territory)
    return lead


@pytest.fixture
def october(places, rep, teammate, outsider):
    province, city, district, other = places
    # leads created in October 2026
    placed(lead_with_history(rep, [("new", "2026-10-02"), ("won", "2026-10-10")]), district)
    placed(lead_with_history(rep, [("new", "2026-10-03"), ("contacted", "2026-10-04")]), city)
    placed(lead_with_history(teammate, [("new", "2026-10-05"), ("lost", "2026-10-06")]), province)
    placed(lead_with_history(outsider, [("new", "2026-10-07"), ("won", "2026-10-08")]), other)
    lead_with_history(rep, [("new", "2026-10-09")])  # placed nowhere
    # signed in October: 30000 by a customer placed in the district; 20000 by a customer
    # placed nowhere whose source lead is in the city; 5000 in the other province
    first = contract(rep, "30000", "2026-10-12")
    first.customer.territory = district
    first.customer.save()
    second = contract(teammate, "20000", "2026-10-13")
    placed(second.customer.lead, city)
    third = contract(outsider, "5000", "2026-10-14")
    third.customer.territory = other
    third.customer.save()
    # collected in October: 10000 less a 2000 refund in the district, 20000 in the city
    payment(first, "10000", "2026-10-15")
    refund(first, "2000", "2026-10-20")
    payment(second, "20000", "2026-10-16")
    nightly_facts(day=dt.date(2026, 10, 31))
    return places


def rows(user, **filters):
    scope = dashboards.scope_for(user, month=OCTOBER, today=TODAY, **filters)
    return [row[:8] for row in chart_territories(Data(scope)).rows]


def test_the_directors_figures_roll_districts_up_into_cities_and_provinces_once(october, director):
    assert rows(director) == [
        # the other province: 1 lead, won; 5000 signed
        ["另一省", "省", "rep_b1", 1, 1, D("100.0"), D("5000.00"), D("0.00")],
        # the province: its own lead (lost) + the city's 2 (one of them in the district):
        # 3 leads, 1 won = 33.3 %; 30000 + 20000 signed; 8000 + 20000 collected
        ["测试省", "省", "Team A", 3, 1, D("33.3"), D("50000.00"), D("28000.00")],
        # the city: the district's lead counted once with the city's own
        ["测试省 › 测试市", "市", "—", 2, 1, D("50.0"), D("50000.00"), D("28000.00")],
        # the district: 1 lead won; 30000 signed; 10000 − 2000 collected
        ["测试省 › 测试市 › 测试区", "区/县", "—", 1, 1, D("100.0"), D("30000.00"), D("8000.00")],
        ["未划分区域", "—", "—", 1, 0, D("0.0"), D("0.00"), D("0.00")],
    ]


def test_the_chart_plots_the_top_level_only_so_no_amount_is_drawn_twice(october, director):
    scope = dashboards.scope_for(director, month=OCTOBER, today=TODAY)
    data = Data(scope)
    shown = plotted_rows(territory_rows(data))
    assert [row.territory for row in shown] == ["另一省", "测试省"]
    figure = chart_territories(data).draw()
    assert figure.data[0]["y"] == [5000.0, 50000.0]
    assert figure.data[1]["y"] == [0.0, 28000.0]
    assert figure.axis_titles()["yaxis"]


def test_a_managers_table_keeps_to_their_teams_rows(october, manager):
    names = [row[0] for row in rows(manager)]
    assert "另一省" not in names  # the other team's lead and contract
    assert names[0] == "测试省"


def test_the_territory_filter_keeps_the_territory_and_its_descendants(october, director):
    _province, city, _district, _other = october
    assert [row[0] for row in rows(director, territory=city)] == [
        "测试省 › 测试市",
        "测试省 › 测试市 › 测试区",
    ]


def test_the_territory_filter_narrows_a_dashboard_to_the_responsible_reps(
    october, director, rep, teammate, outsider
):
    province, _city, district, other = october
    by_province = dashboards.scope_for(director, month=OCTOBER, territory=province)
    assert sorted(r.username for r in by_province.reps) == ["rep_a1", "rep_a2"]
    assert not by_province.whole_company
    # a district without an owner of its own: its province's team answers for it
    by_district = dashboards.scope_for(director, month=OCTOBER, territory=district)
    assert sorted(r.username for r in by_district.reps) == ["rep_a1", "rep_a2"]
    assert [r.username for r in dashboards.scope_for(director, territory=other).reps] == ["rep_b1"]
    # scoping first: the manager of Team A never sees the other team's rep
    assert dashboards.scope_for(rep.team.manager, territory=other).reps == []
    # a rep: themselves when responsible, nobody otherwise
    assert dashboards.scope_for(rep, territory=province).reps == [rep]
    assert dashboards.scope_for(rep, territory=other).reps == []


@pytest.mark.parametrize("value", ["abc", "99999999", "-1", "1.5", "\x00"])
def test_bad_territory_input_is_ignored_with_a_notice_never_a_500(october, client, director, value):
    client.force_login(director)
    for url in ("/dashboard/", "/analytics/territories/", "/analytics/lost-deals/"):
        response = client.get(url, {"territory": value})
        assert response.status_code == 200, url
        assert "筛选条件" in response.content.decode(), url  # "some filters were ignored"


def test_another_teams_territory_shows_an_empty_view_and_says_why(october, client, manager):
    _province, _city, _district, other = october
    client.force_login(manager)
    response = client.get("/dashboard/", {"territory": other.pk})
    assert response.status_code == 200
    assert "没有您可查看的人员负责" in response.content.decode()


def test_the_dashboard_pages_filter_by_territory_and_export_it(october, client, director):
    province, *_rest = october
    client.force_login(director)
    page = client.get("/dashboard/", {"territory": province.pk}).content.decode()
    assert 'id="scope-territory"' in page
    assert f"territory={province.pk}" in page  # the export links repeat the filter
    export = client.get(
        reverse("performance:dashboard_export", args=["territories"]),
        {"territory": province.pk, "month": "2026-10"},
    )
    assert export.status_code == 200
    text = export.content.decode("utf-8-sig")
    assert "测试省 › 测试市 › 测试区" in text
    assert "另一省" not in text


def test_the_territory_page_bounds_its_queries(
    october, client, director, django_assert_max_num_queries
):
    client.force_login(director)
    client.get("/analytics/territories/", {"month": "2026-10"})  # warm the session
    with django_assert_max_num_queries(25):
        response = client.get("/analytics/territories/", {"month": "2026-10"})
    assert response.status_code == 200
    # many more leads and territories: the same number of queries
    province, city, _district, _other = october
    for i in range(30):
        extra = Territory.objects.create(name=f"区{i}", kind="district", parent=city)
        placed(lead_with_history(director_rep(province), [("new", "2026-10-20")]), extra)
    with django_assert_max_num_queries(25):
        assert client.get("/analytics/territories/", {"month": "2026-10"}).status_code == 200


def director_rep(province):
    from salescrm.models import User

    return User.objects.get(username="rep_a1")


def test_the_hierarchy_is_checked():
    province = Territory(name="某省", kind="province")
    province.full_clean()
    province.save()
    with pytest.raises(ValidationError):
        Territory(name="某区", kind="district", parent=province).full_clean()  # not in a city
    with pytest.raises(ValidationError):
        Territory(name="某市", kind="city").full_clean()  # a city is part of a province
    Territory(name="某市", kind="city", parent=province).full_clean()


def test_the_migration_places_leads_whose_region_is_exactly_a_territorys_name(rep):
    province = Territory.objects.create(name="映射省", kind="province")
    city = Territory.objects.create(name="映射市", kind="city", parent=province)
    twice_a = Territory.objects.create(name="同名区", kind="district", parent=city)
    other_city = Territory.objects.create(name="映射二市", kind="city", parent=province)
    Territory.objects.create(name="同名区", kind="district", parent=other_city)
    exact = lead_with_history(rep, [("new", "2026-10-02")])
    near = lead_with_history(rep, [("new", "2026-10-02")])
    shared = lead_with_history(rep, [("new", "2026-10-02")])
    Lead.objects.filter(pk=exact.pk).update(region="映射市")
    Lead.objects.filter(pk=near.pk).update(region="映射市 ")  # not exactly
    Lead.objects.filter(pk=shared.pk).update(region="同名区")  # two territories: ambiguous
    migration = import_module("leads.migrations.0013_seed_territories_and_map_regions")
    migration.map_regions(apps.get_model("leads", "Territory"), apps.get_model("leads", "Lead"))
    migration.map_regions(apps.get_model("leads", "Territory"), apps.get_model("leads", "Lead"))
    exact.refresh_from_db()
    near.refresh_from_db()
    shared.refresh_from_db()
    assert exact.territory == city and exact.region == "映射市"  # the text stays
    assert near.territory is None
    assert shared.territory is None
    assert twice_a.pk


def test_the_seeded_places_are_real_and_map_the_demo_regions():
    migration = import_module("leads.migrations.0013_seed_territories_and_map_regions")
    migration.seed(apps, None)  # idempotent: what the migration made, or makes again
    hangzhou = Territory.objects.get(name="杭州")
    assert hangzhou.parent.name == "浙江省" and hangzhou.kind == "city"
    assert Territory.objects.get(name="西湖区").parent == hangzhou


# --- placing leads and customers ------------------------------------------------------------


def test_the_capture_form_offers_a_territory_and_places_the_lead(client, team, rep, places):
    from django.core.cache import cache

    from leads.models import LeadSettings

    cache.clear()
    LeadSettings.objects.filter(pk=1).update(capture_team=team)
    _province, city, district, _other = places
    page = client.get("/leads/capture/").content.decode()
    assert 'name="territory"' in page and "<select" in page
    assert "测试省 › 测试市 › 测试区" in page  # the path, in tree order
    response = client.post(
        "/leads/capture/",
        {"name": "李雷", "phone": "138 1234 5678", "territory": district.pk},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert (lead.territory, lead.region) == (district, "测试区")
    # an unknown territory is the field's error; nothing is stored
    response = client.post(
        "/leads/capture/",
        {"name": "韩梅梅", "phone": "138 1234 5679", "territory": "99999999"},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 400
    assert Lead.objects.count() == 1
    cache.clear()


def test_the_lead_form_places_a_lead_and_refuses_an_unknown_territory(login, rep, places):
    from tests.leads.factories import channel

    _province, city, _district, _other = places
    client = login(rep)
    response = client.post(
        "/leads/new/",
        {"name": "新", "phone": "138 1234 5670", "channel": channel().pk, "territory": "x"},
    )
    assert response.status_code == 200
    assert Lead.objects.count() == 0
    response = client.post(
        "/leads/new/",
        {"name": "新", "phone": "138 1234 5670", "channel": channel().pk, "territory": city.pk},
    )
    assert response.status_code == 302
    lead = Lead.objects.get()
    assert lead.territory == city
    assert "测试市" in client.get(f"/leads/{lead.pk}/").content.decode()


def test_a_customer_is_placed_directly_or_by_its_won_lead(rep, places):
    from customers import services
    from leads.models import Channel

    _province, city, district, _other = places
    customer = services.customer_create(
        actor=rep,
        channel=Channel.objects.get_or_create(code="phone_in", defaults={"name": "电话"})[0],
        kind="individual",
        name="王同学",
        phone="138 0000 2222",
        territory=district,
    )
    assert (customer.territory, customer.lead.territory) == (district, district)
