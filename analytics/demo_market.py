"""Demo territories and market figures (issue 20): the seeded provinces shared out between the
three teams, the demo leads placed by their city (a third of each city's leads in one of its
districts), the customers in a city of their owner's team's provinces, and the market's growth of last year, this year and this month — the industry down,
as in seed 003 — with the director's scheme scoring against the market-adjusted target.
Set-based updates; a second run leaves everything as it is."""

import datetime as dt
from decimal import Decimal

from django.db.models import F, Q
from django.db.models.functions import Mod

from customers.models import Customer
from leads.models import Lead, Territory
from performance.models import KpiScheme, MarketGrowth
from salescrm.demo import DemoContext, demo_seeder

# team index (0..2) -> provinces it answers for
TEAM_PROVINCES = [
    ["上海市", "浙江省", "江苏省"],
    ["北京市", "天津市", "湖北省"],
    ["广东省", "四川省"],
]


@demo_seeder(order=55)
def seed_territories_and_market(ctx: DemoContext) -> None:
    for index, provinces in enumerate(TEAM_PROVINCES):
        if index < len(ctx.teams):
            Territory.objects.filter(
                kind=Territory.Kind.PROVINCE,
                name__in=provinces,
                owner_team__isnull=True,
                owner_rep__isnull=True,
            ).update(owner_team=ctx.teams[index])
    cities = Territory.objects.filter(kind=Territory.Kind.CITY).prefetch_related("children")
    for city in cities:
        Lead.objects.filter(region=city.name, territory__isnull=True).update(territory=city)
        districts = sorted(city.children.all(), key=lambda d: d.pk)
        for position, district in enumerate(districts):
            # every third lead of the city, spread over its districts by id
            Lead.objects.annotate(slot=Mod(F("id"), 3 * len(districts))).filter(
                Q(territory=city), slot=position * 3
            ).update(territory=district)
    # the customers (whose leads the customers' demo made without a region): each in a city
    # of a province its owner's team answers for, spread by id
    for index, provinces in enumerate(TEAM_PROVINCES):
        if index >= len(ctx.teams):
            continue
        team_cities = list(
            Territory.objects.filter(kind=Territory.Kind.CITY, parent__name__in=provinces).order_by(
                "pk"
            )
        )
        for position, city in enumerate(team_cities):
            Customer.objects.annotate(slot=Mod(F("id"), len(team_cities))).filter(
                territory__isnull=True,
                lead__territory__isnull=True,
                owner__team=ctx.teams[index],
                slot=position,
            ).update(territory=city)
            Lead.objects.filter(territory__isnull=True, customer__territory=city).update(
                territory=city
            )
    director = next((u for u in ctx.users.values() if u.role == "director"), None)
    this_year = dt.date(ctx.today.year, 1, 1)
    figures = [
        ("year", this_year.replace(year=this_year.year - 1), "-6.00", "industry"),
        ("year", this_year, "-12.00", "industry"),
        ("month", ctx.today.replace(day=1), "-20.00", "industry"),
    ]
    for kind, start, growth, basis in figures:
        MarketGrowth.objects.get_or_create(
            period_kind=kind,
            period_start=start,
            defaults={
                "growth": Decimal(growth),
                "basis": basis,
                "source": "中国教育培训行业协会 行业景气报告",
                "note": "行业整体下滑，主要竞品收缩线下校区",
                "recorded_by": director,
            },
        )
    KpiScheme.objects.filter(role="director").update(market_adjusted=True)
    ctx.log(
        f"  territories: {Territory.objects.count()}, leads placed: "
        f"{Lead.objects.filter(territory__isnull=False).count()}, market figures: "
        f"{MarketGrowth.objects.count()}"
    )
