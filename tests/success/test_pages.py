"""Every customer-success page: who sees which rows (both sides), bad input, query counts."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from customers.models import Tier
from leads.models import Activity
from salescrm.models import ProductLine
from success.models import (
    AccountPlan,
    BusinessReview,
    Feedback,
    RenewalOpportunity,
    ServiceFollowUp,
    SurveyInvitation,
)
from success.services import renewals_refresh, token_for
from tests.customers.factories import CustomerFactory

from .factories import course

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)
Stage = RenewalOpportunity.Stage


@pytest.fixture(autouse=True)
def today(clock):
    clock.set(TODAY)


@pytest.fixture
def pipeline(rep, teammate, outsider):
    rows = {}
    for name, owner in (("mine", rep), ("teammate", teammate), ("outsider", outsider)):
        rows[name] = course(owner, "2026-07-31")
    renewals_refresh(as_of=TODAY)
    return {name: RenewalOpportunity.objects.get(contract=c) for name, c in rows.items()}


def listed(client, url, **query):
    response = client.get(url, query)
    assert response.status_code == 200
    return response


# --- renewals -------------------------------------------------------------------------------


def test_the_pipeline_shows_each_reader_their_rows(pipeline, rep, manager, director, login):
    def customers(user):
        page = login(user).get(reverse("success:renewals")).context["page"]
        return {o.pk for o in page}

    assert customers(rep) == {pipeline["mine"].pk}
    assert customers(manager) == {pipeline["mine"].pk, pipeline["teammate"].pk}
    assert customers(director) == {o.pk for o in pipeline.values()}


def test_legal_and_finance_have_no_pipeline(pipeline, legal, finance, login):
    for user in (legal, finance):
        assert login(user).get(reverse("success:renewals")).status_code == 403
        assert login(user).get(pipeline["mine"].get_absolute_url()).status_code == 403


def test_another_reps_renewal_is_404(pipeline, rep, other_manager, login):
    assert login(rep).get(pipeline["teammate"].get_absolute_url()).status_code == 404
    assert login(rep).get(pipeline["mine"].get_absolute_url()).status_code == 200
    assert login(other_manager).get(pipeline["mine"].get_absolute_url()).status_code == 404
    response = login(rep).post(
        reverse("success:renewal_move", args=[pipeline["teammate"].pk]), {"stage": "proposal"}
    )
    assert response.status_code == 404
    assert RenewalOpportunity.objects.get(pk=pipeline["teammate"].pk).stage == Stage.TO_CONTACT


def test_the_owner_moves_a_renewal_and_bad_moves_change_nothing(pipeline, rep, login):
    client = login(rep)
    url = reverse("success:renewal_move", args=[pipeline["mine"].pk])
    assert client.get(url).status_code == 405
    for data in (
        {"stage": "renewed"},
        {"stage": "lost"},  # without a reason
        {"stage": "lost", "lost_reason": "lapsed"},
        {"stage": "nonsense"},
        {},
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert list(response.context["messages"]), data
        assert RenewalOpportunity.objects.get(pk=pipeline["mine"].pk).stage == Stage.TO_CONTACT
    client.post(url, {"stage": "proposal"})
    assert RenewalOpportunity.objects.get(pk=pipeline["mine"].pk).stage == Stage.PROPOSAL
    client.post(url, {"stage": "lost", "lost_reason": "price", "note": "预算不够"})
    lost = RenewalOpportunity.objects.get(pk=pipeline["mine"].pk)
    assert (lost.stage, lost.lost_reason, lost.closed_on) == (Stage.LOST, "price", TODAY)


def test_a_lost_renewal_reopens_only_while_its_window_is_open(pipeline, rep, login, clock):
    client = login(rep)
    url = reverse("success:renewal_move", args=[pipeline["mine"].pk])
    client.post(url, {"stage": "lost", "lost_reason": "price"})
    clock.set(dt.date(2026, 8, 31))  # 31 July + 30 = 30 August
    client.post(url, {"stage": "to_contact"})
    assert RenewalOpportunity.objects.get(pk=pipeline["mine"].pk).stage == Stage.LOST
    clock.set(dt.date(2026, 8, 30))
    client.post(url, {"stage": "to_contact"})
    assert RenewalOpportunity.objects.get(pk=pipeline["mine"].pk).stage == Stage.TO_CONTACT


def test_the_pipeline_page_has_bounded_queries(rep, login, django_assert_max_num_queries):
    for _ in range(30):
        course(rep, "2026-07-31")
    renewals_refresh(as_of=TODAY)
    client = login(rep)
    with django_assert_max_num_queries(14):
        listed(client, reverse("success:renewals"))
    with django_assert_max_num_queries(14):
        listed(client, reverse("success:renewals"), stage="all", at_risk="on")


def test_bad_filters_are_ignored(pipeline, rep, login):
    for query in ({"stage": "x\x00"}, {"page": "-1"}, {"at_risk": "maybe"}):
        assert login(rep).get(reverse("success:renewals"), query).status_code == 200


def test_my_day_shows_my_renewals_and_follow_ups(pipeline, rep, manager, login):
    ServiceFollowUp.objects.create(
        customer=pipeline["mine"].customer,
        owner=rep,
        tier="ordinary",
        due_on=TODAY - dt.timedelta(days=1),
        opened_on=TODAY - dt.timedelta(days=1),
    )
    page = login(rep).get(reverse("leads:my_day")).content.decode()
    assert pipeline["mine"].get_absolute_url() in page
    assert pipeline["teammate"].get_absolute_url() not in page
    assert "section-service" in page and pipeline["mine"].customer.name in page
    team_page = login(manager).get(reverse("leads:my_day")).content.decode()
    assert pipeline["teammate"].get_absolute_url() in team_page
    assert pipeline["outsider"].get_absolute_url() not in team_page


def test_a_contact_logged_today_takes_the_follow_up_off_my_day(pipeline, rep, login):
    customer = pipeline["mine"].customer
    ServiceFollowUp.objects.create(
        customer=customer, owner=rep, tier="ordinary", due_on=TODAY, opened_on=TODAY
    )
    Activity.objects.create(lead=customer.lead, actor=rep, kind="phone")
    page = login(rep).get(reverse("leads:my_day")).content.decode()
    assert "section-service" in page
    assert f'href="{customer.get_absolute_url()}">{customer.name}</a></td><td>' not in page


# --- service levels, churn ------------------------------------------------------------------


def test_service_page_lists_the_readers_overdue_follow_ups(rep, teammate, manager, login):
    mine = CustomerFactory(owner=rep)
    theirs = CustomerFactory(owner=teammate)
    for customer, owner in ((mine, rep), (theirs, teammate)):
        ServiceFollowUp.objects.create(
            customer=customer, owner=owner, tier="core", due_on=dt.date(2026, 6, 1), opened_on=TODAY
        )
    rows = login(rep).get(reverse("success:service")).context["page"]
    assert [f.customer for f in rows] == [mine]
    rows = login(manager).get(reverse("success:service")).context["page"]
    assert {f.customer for f in rows} == {mine, theirs}


def test_service_page_has_bounded_queries(rep, login, django_assert_max_num_queries):
    for _ in range(30):
        ServiceFollowUp.objects.create(
            customer=CustomerFactory(owner=rep),
            owner=rep,
            tier="core",
            due_on=dt.date(2026, 6, 1),
            opened_on=TODAY,
        )
    client = login(rep)
    with django_assert_max_num_queries(14):
        listed(client, reverse("success:service"))


def test_churn_is_for_leaders(rep, manager, director, login):
    assert login(rep).get(reverse("success:churn")).status_code == 403
    assert login(manager).get(reverse("success:churn")).status_code == 200
    for year in ("abc", "1999", "9999", ""):
        assert login(director).get(reverse("success:churn"), {"year": year}).status_code == 200


# --- account plans --------------------------------------------------------------------------


@pytest.fixture
def strategic(rep):
    return CustomerFactory(owner=rep, tier=Tier.STRATEGIC)


PLAN = {
    "year": "2026",
    "goals": "管理层全员培训",
    "budget": "300000.00",
    "review_q1": "",
    "review_q2": "2026-06-20",
}


def test_a_plan_is_for_strategic_customers_only(rep, login, strategic):
    client = login(rep)
    ordinary = CustomerFactory(owner=rep)
    response = client.post(reverse("success:plan_create", args=[ordinary.pk]), PLAN, follow=True)
    assert "客户经营计划仅适用于战略级客户" in response.content.decode()
    assert AccountPlan.objects.count() == 0
    client.post(reverse("success:plan_create", args=[strategic.pk]), PLAN)
    plan = AccountPlan.objects.get()
    assert (plan.budget, plan.review_q2) == (D("300000.00"), dt.date(2026, 6, 20))


@pytest.mark.parametrize(
    "changes",
    [
        {"budget": "-1"},
        {"budget": "1e400"},
        {"year": "20260"},
        {"review_q2": "2026-07-01"},  # not in Q2
        {"goals": ""},
    ],
)
def test_bad_plans_are_refused(rep, login, strategic, changes):
    response = login(rep).post(
        reverse("success:plan_create", args=[strategic.pk]), {**PLAN, **changes}
    )
    assert response.status_code == 200
    assert AccountPlan.objects.count() == 0


def test_plans_are_scoped(rep, teammate, manager, outsider, login, strategic):
    plan = AccountPlan.objects.create(
        customer=strategic, year=2026, goals="g", budget=D("1"), created_by=rep
    )
    assert login(teammate).get(plan.get_absolute_url()).status_code == 404
    assert (
        login(outsider).get(reverse("success:plan_create", args=[strategic.pk])).status_code == 404
    )
    assert login(manager).get(plan.get_absolute_url()).status_code == 200
    assert login(rep).get(reverse("success:plans")).context["page"].object_list[0] == plan
    assert list(login(teammate).get(reverse("success:plans")).context["page"]) == []


def test_plan_vs_actual(rep, login, strategic):
    from .factories import contract

    plan = AccountPlan.objects.create(
        customer=strategic, year=2026, goals="g", budget=D("300000.00"), created_by=rep
    )
    contract(rep, "120000.50", "2026-02-01", customer=strategic)
    contract(rep, "999.00", "2025-12-31", customer=strategic)  # last year
    actuals = login(rep).get(plan.get_absolute_url()).context["actuals"]
    assert actuals["signed"] == D("120000.50")


def test_a_review_records_action_items_as_follow_ups(rep, login, strategic):
    plan = AccountPlan.objects.create(
        customer=strategic, year=2026, goals="g", budget=D("1"), created_by=rep
    )
    url = reverse("success:review_create", args=[plan.pk])
    data = {
        "quarter": "2",
        "held_on": "2026-06-10",
        "attendees": "HR 总监, 培训经理",
        "outcomes": "续签管理课程",
        "action_1": "发送下半年课程方案",
        "due_1": "2026-06-20",
    }
    bad = login(rep).post(url, {**data, "quarter": "3"})  # 10 June is Q2
    assert bad.status_code == 200 and BusinessReview.objects.count() == 0
    missing_due = login(rep).post(url, {**data, "due_1": ""})
    assert missing_due.status_code == 200 and BusinessReview.objects.count() == 0
    future = login(rep).post(url, {**data, "held_on": "2026-06-16"})
    assert future.status_code == 200 and BusinessReview.objects.count() == 0
    login(rep).post(url, data)
    review = BusinessReview.objects.get()
    action = review.actions.get()
    assert action.activity.next_follow_up_on == dt.date(2026, 6, 20)
    assert action.activity.lead == strategic.lead


# --- surveys and feedback -------------------------------------------------------------------


def test_survey_links_are_shown_only_to_who_may_send(rep, service_user, login):
    signed = course(rep, "2026-12-31")
    invitation = SurveyInvitation.objects.create(
        customer=signed.customer,
        contract=signed,
        milestone="manual",
        created_on=TODAY,
        expires_on=TODAY,
    )
    # the token's signed payload (its timestamp and signature differ by the second)
    payload = token_for(invitation).split(":")[0]
    assert payload not in login(rep).get(reverse("success:surveys")).content.decode()
    assert payload in login(service_user).get(reverse("success:surveys")).content.decode()


def test_sending_a_survey_is_scoped(rep, other_manager, manager, login):
    signed = course(rep, "2026-12-31")
    url = reverse("success:survey_send", args=[signed.pk])
    assert login(other_manager).post(url).status_code == 404
    assert login(manager).post(url).status_code == 302
    assert SurveyInvitation.objects.get().expires_on == TODAY + dt.timedelta(days=14)


def test_anyone_records_feedback_and_the_director_sees_it_by_quarter(legal, rep, director, login):
    line = ProductLine.objects.get_or_create(code="courses", defaults={"name": "课程"})[0]
    url = reverse("success:feedback_create")
    data = {"product_line": line.pk, "kind": "need", "source": "visit", "heard_on": "2026-06-01"}
    login(legal).post(url, {**data, "text": "希望有周末班"})
    login(rep).post(url, {**data, "text": "需要线上回放"})
    login(rep).post(url, {**data, "kind": "suggestion", "text": "教材更新"})
    login(rep).post(url, {**data, "text": ""})  # refused
    login(rep).post(url, {**data, "heard_on": "2026-06-16", "text": "未来"})  # refused
    assert Feedback.objects.count() == 3
    assert login(rep).get(reverse("success:feedback")).status_code == 403
    groups = login(director).get(reverse("success:feedback")).context["groups"]
    assert [(g.kind, g.count) for g in groups] == [("need", 2), ("suggestion", 1)]
    assert groups[0].quotes == ("需要线上回放", "希望有周末班")
    earlier = login(director).get(reverse("success:feedback"), {"quarter": "2026-03-01"})
    assert earlier.context["groups"] == []
    export = login(director).get(
        reverse("success:feedback"), {"quarter": "2026-04-01", "export": "csv"}
    )
    assert export.status_code == 200 and "教材更新" in export.content.decode("utf-8-sig")
    assert login(director).get(reverse("success:feedback"), {"quarter": "x"}).status_code == 200


def test_the_customer_page_shows_lessons_renewals_plans_and_survey_links(
    pipeline, rep, service_user, login
):
    from .factories import line

    ending = pipeline["mine"].contract
    line(ending, bought=32, used=12)
    line(ending, bought=16, used=16)
    customer = ending.customer
    customer.tier = Tier.STRATEGIC
    customer.save()
    page = login(rep).get(customer.get_absolute_url()).content.decode()
    assert "28 / 48" in page  # lessons delivered of bought, over the course lines
    assert pipeline["mine"].get_absolute_url() in page
    assert reverse("success:plan_create", args=[customer.pk]) in page
    assert reverse("success:survey_send", args=[ending.pk]) not in page  # scores the rep
    page = login(service_user).get(customer.get_absolute_url()).content.decode()
    assert reverse("success:survey_send", args=[ending.pk]) in page
    assert reverse("success:plan_create", args=[customer.pk]) not in page
