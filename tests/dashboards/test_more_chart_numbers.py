"""The numbers behind the rates, product-line, complaint and approval charts, on small fixed
datasets worked out by hand."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from customers.models import Complaint, ContractLine, Product
from performance import dashboards
from salescrm.models import ProductLine
from tests.customers.conftest import run_chain
from tests.customers.factories import make_contract
from tests.performance.factories import (
    contract,
    instalment,
    nightly_facts,
    payment,
    refund,
    targets,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 10)


def build(user, key, month=dt.date(2026, 10, 1)):
    nightly_facts()
    return dashboards.build(dashboards.scope_for(user, month=month, today=TODAY), key)


def test_renewal_refund_and_collection_rates(director, rep):
    first = contract(rep, "10000", "2026-04-01", ends_on="2026-10-15")
    contract(rep, "8000", "2026-04-02", ends_on="2026-10-20")
    contract(rep, "12000", "2026-10-10", is_renewal=True, customer=first.customer)
    paid = instalment(first, "10000", "2026-10-10", sequence=1)
    instalment(first, "5000", "2026-10-25", sequence=2)
    payment(first, "10000", "2026-10-05", instalment_=paid)
    refund(first, "1000", "2026-10-20")
    chart = build(director, "rates")
    # renewals 1 of the 2 contracts ending in October; refunds 1000 of 10000 received;
    # 10000 of the 15000 due paid on time; 5000 of 15000 still unpaid at the month's end
    assert [row[1] for row in chart.rows] == [D("50.0"), D("10.0"), D("66.7"), D("33.3")]


def test_signed_amount_by_product_line_with_shares(director, rep, outsider):
    lines = {line.code: line for line in ProductLine.objects.all()}

    def sell(owner, amount, line, signed_on="2026-10-08"):
        sold = contract(owner, amount, signed_on)
        product = Product.objects.create(
            name=f"课程{line}", product_line=lines[line], list_price=D(amount)
        )
        ContractLine.objects.create(
            contract=sold, product=product, quantity=1, list_price=D(amount), amount=D(amount)
        )

    sell(rep, "8000", "courses")
    sell(rep, "2000", "courses")
    sell(outsider, "30000", "corporate")
    sell(rep, "50000", "online", signed_on="2026-09-30")  # September: not in the period
    chart = build(director, "product_lines")
    amounts = {row[0]: row[1:] for row in chart.rows}
    # 10000 + 30000 = 40000: courses 25 %, corporate 75 %, online 0
    assert amounts == {
        str(lines["courses"]): [D("10000.00"), D("25.0")],
        str(lines["corporate"]): [D("30000.00"), D("75.0")],
        str(lines["online"]): [D("0.00"), D("0.0")],
    }


def test_open_complaints_past_their_deadlines_by_severity(service_user, rep):
    customer = contract(rep, "1000", "2026-10-01").customer
    now = timezone.now()

    def complaint(severity, hours_ago, responded=False, resolved=False):
        Complaint.objects.create(
            customer=customer,
            severity=severity,
            subject="课程安排",
            opened_by=service_user,
            opened_at=now - dt.timedelta(hours=hours_ago),
            first_response_at=now if responded else None,
            resolved_at=now if resolved else None,
        )

    complaint("high", 30)  # no answer after 24 h; not yet 48 h
    complaint("high", 50, responded=True)  # answered, but open after 48 h
    complaint("medium", 1)
    complaint("severe", 100, resolved=True)  # resolved: not open
    chart = build(service_user, "complaints")
    assert chart.rows == [["中", 1, 0, 0], ["高", 2, 1, 1]]


def test_approval_counts_for_legal_at_each_step(rep, manager, legal):
    from customers import services

    submitted = make_contract(rep, non_standard_terms=True)  # non-standard: legal reviews it

    services.contract_submit(contract=submitted, actor=rep)
    waiting = {row[0]: row[1:] for row in build(legal, "approvals").rows}
    assert waiting["销售经理审核"] == [1, 0]
    assert waiting["法务审核"] == [0, 0]
    run_chain(submitted, manager)
    waiting = {row[0]: row[1:] for row in build(legal, "approvals").rows}
    assert waiting["销售经理审核"] == [0, 0]
    assert waiting["法务审核"] == [1, 1]


def test_forecast_of_next_quarter_on_a_noiseless_seasonal_history(director, rep, manager, team):
    # one contract (one new customer) a month from January 2025 (t = 0) to October 2026
    # (t = 21, the last complete month before "today"): 10000 + 1000·t + the quarter's shift
    season = {1: 0, 2: 3000, 3: -2000, 4: 1000}
    for t in range(22):
        month = dt.date(2025 + t // 12, t % 12 + 1, 1)
        amount = 10000 + 1000 * t + season[(month.month - 1) // 3 + 1]
        contract(rep, str(amount), f"{month:%Y-%m}-15")
    targets(
        "signed_amount",
        [("rep", team, rep, f"2027-{m:02d}", "40000") for m in (1, 2, 3)],
        year=2027,
        created_by=manager,
    )
    nightly_facts(history_months=24)
    chart = dashboards.build(
        dashboards.scope_for(director, month=dt.date(2026, 10, 1), today=TODAY), "forecast"
    )
    # next quarter 2027 Q1 is t = 24, 25, 26 with no shift: 3 × 10000 + 1000 × (24 + 25 + 26)
    # = 105000; without noise the interval has no width. The back-test projects the last four
    # complete quarters from the months before each: 2026 Q1–Q3 exactly (every quarter of the
    # year seen); 2025 Q4 from January–September 2025 alone, which has no Q4, so by the trend
    # only: the least-squares line through t = 0..8 (10000, 11000, 12000, 16000, 17000, 18000,
    # 14000, 15000, 16000) has slope 42000 ÷ 60 = 700 and value 14333.33 at t = 4, so it gives
    # 3 × 11533.33 + 700 × (9 + 10 + 11) = 55600 against 20000 + 21000 + 22000 = 63000: an
    # error of 11.75 %, and a MAPE of 11.75 ÷ 4 = 2.9 %.
    # Enrolments: one new customer every month, so 3 in the quarter. 22 months of history.
    # No plan of new customers covers 2027 Q1: no target (None), not a target of 0.
    # First the open quarter's pipeline view (2026 Q4 is in progress): no win probability nor
    # stage weight has been learned, so it is not available (no figure, not 0), and no plan
    # covers 2026 Q4.
    assert chart.rows == [
        [
            "签约金额 — 本季度（进行中），按在途线索加权",
            "2026 Q4",
            None,
            None,
            None,
            None,
            None,
            None,
            "不可用：尚无赢单概率或阶段权重（每晚根据已结束线索学习）。",
        ],
        [
            "签约金额",
            "2027 Q1",
            D(105000),
            D(105000),
            D(105000),
            D("120000.00"),
            D("2.9"),
            22,
            "可用：回测平均误差 2.9 %。",
        ],
        [
            "招生数（新客户）",
            "2027 Q1",
            D(3),
            D(3),
            D(3),
            None,
            D("0.0"),
            22,
            "可用：回测平均误差 0.0 %。",
        ],
    ]


def test_a_period_the_nightly_job_has_not_computed_says_so(director, rep):
    contract(rep, "10000", "2024-03-05")
    nightly_facts()  # the last 14 months only
    chart = build(director, "product_lines", month=dt.date(2024, 3, 1))
    assert chart.rows == []
    assert chart.note == "尚未计算：夜间任务首次运行后填充该期间。"
