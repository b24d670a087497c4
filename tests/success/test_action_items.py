"""A business review's action items done and undone: who and when, open vs done on the plan,
the follow-up they created closed and opened again, and who may mark them (both sides)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from customers.models import Tier
from leads.models import Lead
from success.models import AccountPlan, ActionItem, BusinessReview
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


@pytest.fixture(autouse=True)
def today(clock):
    clock.set(TODAY)


@pytest.fixture
def review(rep, login):
    customer = CustomerFactory(owner=rep, tier=Tier.STRATEGIC)
    plan = AccountPlan.objects.create(
        customer=customer, year=2026, goals="g", budget=D("1"), created_by=rep
    )
    login(rep).post(
        reverse("success:review_create", args=[plan.pk]),
        {
            "quarter": "2",
            "held_on": "2026-06-10",
            "attendees": "HR 总监",
            "outcomes": "续签",
            "action_1": "发送课程方案",
            "due_1": "2026-06-20",
            "action_2": "安排回访",
            "due_2": "2026-06-25",
        },
    )
    return BusinessReview.objects.get()


def mark(client, item, done):
    return client.post(reverse("success:action_item_mark", args=[item.pk]), {"done": done})


def next_follow_up(review):
    return Lead.objects.get(pk=review.plan.customer.lead_id).next_follow_up_on


def test_done_records_who_and_when_and_closes_the_follow_up(review, rep, login):
    first, second = review.actions.order_by("due_on")
    assert next_follow_up(review) == dt.date(2026, 6, 20)  # the earliest action's follow-up
    response = mark(login(rep), first, "1")
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.done_by == rep and first.done_at is not None
    # the follow-up of 20 June is closed: the next one is the other open action's
    assert next_follow_up(review) == dt.date(2026, 6, 25)
    page = login(rep).get(review.plan.get_absolute_url())
    assert (page.context["actions_open"], page.context["actions_done"]) == (1, 1)
    # done twice keeps the first who and when
    when = first.done_at
    mark(login(rep), first, "1")
    first.refresh_from_db()
    assert first.done_at == when
    mark(login(rep), second, "1")
    assert next_follow_up(review) is None
    # My day no longer lists done actions
    my_day = login(rep).get(reverse("leads:my_day")).content.decode()
    assert "发送课程方案" not in my_day and "安排回访" not in my_day


def test_undone_opens_the_follow_up_again(review, rep, manager, login):
    first, second = review.actions.order_by("due_on")
    mark(login(rep), first, "1")
    mark(login(manager), first, "0")  # the manager undoes it
    first.refresh_from_db()
    assert (first.done_at, first.done_by) == (None, None)
    assert next_follow_up(review) == dt.date(2026, 6, 20)
    assert "发送课程方案" in login(rep).get(reverse("leads:my_day")).content.decode()
    # the manager marks done too
    mark(login(manager), second, "1")
    second.refresh_from_db()
    assert second.done_by == manager


def test_another_team_or_a_teammate_gets_404_and_nothing_changes(
    review, teammate, outsider, other_manager, login
):
    item = review.actions.order_by("due_on").first()
    for user in (teammate, outsider, other_manager):
        assert mark(login(user), item, "1").status_code == 404
    item.refresh_from_db()
    assert item.done_at is None
    assert next_follow_up(review) == dt.date(2026, 6, 20)


def test_roles_that_do_not_work_accounts_are_refused(review, service_user, legal, login):
    item = review.actions.first()
    for user in (service_user, legal):
        assert mark(login(user), item, "1").status_code == 403
    assert ActionItem.objects.open().count() == 2


@pytest.mark.parametrize("data", [{}, {"done": "yes"}, {"done": ""}])
def test_bad_input_changes_nothing(review, rep, login, data):
    item = review.actions.first()
    response = login(rep).post(reverse("success:action_item_mark", args=[item.pk]), data)
    assert response.status_code == 302
    assert ActionItem.objects.open().count() == 2
    assert login(rep).get(reverse("success:action_item_mark", args=[item.pk])).status_code == 405


def test_the_plan_page_shows_open_and_done_in_chinese(review, rep, login, client):
    from django.utils import translation

    first = review.actions.order_by("due_on").first()
    mark(login(rep), first, "1")
    with translation.override("zh-hans"):
        html = client.get(review.plan.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans")
    text = html.content.decode()
    assert 'id="action-counts"' in text
    assert "已完成" in text and "待完成" in text
