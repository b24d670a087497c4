"""Customer lifetime value (issue 20): per customer, by channel and by product line, to the
end of October 2026, against figures worked out by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest

from analytics.ltv import chart_ltv
from customers.models import ContractLine, Product
from leads.models import Channel
from performance import dashboards
from salescrm.models import ProductLine
from tests.performance.factories import contract, refund

pytestmark = pytest.mark.django_db

OCTOBER = dt.date(2026, 10, 1)
TODAY = dt.date(2026, 11, 10)


def line(contract_, code, amount):
    product = Product.objects.create(
        name=f"{code} {amount}",
        product_line=ProductLine.objects.get_or_create(code=code, defaults={"name": code})[0],
        list_price=D(amount),
    )
    ContractLine.objects.create(
        contract=contract_, product=product, quantity=1, list_price=D(amount), amount=D(amount)
    )


@pytest.fixture
def customers(rep, teammate, outsider):
    # A (rep_a1, website): 10000 courses in March, 5000 online in September, 2000 refunded on
    # 15 October: 13000
    a1 = contract(rep, "10000", "2026-03-01")
    line(a1, "courses", "10000")
    a2 = contract(rep, "5000", "2026-09-01", customer=a1.customer)
    line(a2, "online", "5000")
    refund(a1, "2000", "2026-10-15")
    # B (rep_a2, referral): 8000 courses on 20 October; 4000 on 5 November is after the end
    b1 = contract(teammate, "8000", "2026-10-20", channel="referral")
    line(b1, "courses", "8000")
    b2 = contract(teammate, "4000", "2026-11-05", customer=b1.customer)
    line(b2, "courses", "4000")
    # C (rep_a1, website): 6000 courses in May; its refund on 2 November is after the end
    c1 = contract(rep, "6000", "2026-05-01")
    line(c1, "courses", "6000")
    refund(c1, "1000", "2026-11-02")
    # D: a draft only, no value; another team's customer
    contract(rep, "7000", "2026-10-03", status="draft")
    contract(outsider, "99000", "2026-10-02")
    return a1.customer, b1.customer, c1.customer


def rows(user, view):
    return chart_ltv(dashboards.scope_for(user, month=OCTOBER, today=TODAY), view).rows


def test_by_channel(customers, manager):
    website, referral = (str(Channel.objects.get(code=c)) for c in ("website", "referral"))
    expected = {
        # A and C: 15000 + 6000 signed, 2000 refunded: 19000, 9500 a customer
        website: [website, 2, D("21000.00"), D("2000.00"), D("19000.00"), D("9500.00")],
        referral: [referral, 1, D("8000.00"), D("0.00"), D("8000.00"), D("8000.00")],
    }
    assert rows(manager, "channel") == [
        *(expected[name] for name in sorted(expected)),
        ["合计", 3, D("29000.00"), D("2000.00"), D("27000.00"), D("9000.00")],
    ]


def test_top_customers(customers, manager):
    a, b, c = customers
    assert rows(manager, "customer") == [
        [a.name, 1, D("15000.00"), D("2000.00"), D("13000.00"), D("13000.00")],
        [b.name, 1, D("8000.00"), D("0.00"), D("8000.00"), D("8000.00")],
        [c.name, 1, D("6000.00"), D("0.00"), D("6000.00"), D("6000.00")],
    ]


def test_by_product_line_before_refunds(customers, manager):
    courses, online = (str(ProductLine.objects.get(code=c)) for c in ("courses", "online"))
    expected = {
        # A 10000, B 8000, C 6000: 24000 over 3 customers
        courses: [courses, 3, D("24000.00"), None, D("24000.00"), D("8000.00")],
        online: [online, 1, D("5000.00"), None, D("5000.00"), D("5000.00")],
    }
    assert rows(manager, "product_line") == [expected[name] for name in sorted(expected)]


def test_the_chart_plots_the_average_per_customer(customers, manager):
    chart = chart_ltv(dashboards.scope_for(manager, month=OCTOBER, today=TODAY), "channel")
    figure = chart.draw()
    assert figure.data[0]["y"] == [float(row[5]) for row in chart.rows[:-1]]
    assert figure.axis_titles()["yaxis"] == "每位客户平均终身价值（元）"


def test_the_page_bounded_in_queries(customers, login, director, django_assert_max_num_queries):
    client = login(director)
    for view in ("channel", "product_line", "customer", "bogus"):
        with django_assert_max_num_queries(14):
            page = client.get(f"/analytics/lifetime-value/?month=2026-10&view={view}")
        assert page.status_code == 200
    export = client.get("/analytics/lifetime-value/?month=2026-10&view=customer&export=csv")
    assert "99000.00" in export.content.decode("utf-8-sig")


@pytest.mark.parametrize("who,status", [("rep", 200), ("manager", 200), ("legal", 403)])
def test_who_may_read_it(login, who, status, request):
    assert (
        login(request.getfixturevalue(who)).get("/analytics/lifetime-value/").status_code == status
    )
