import datetime as dt
from decimal import Decimal

import pytest

from salescrm.timeutil import local_today
from targets import services


@pytest.fixture
def next_year():
    """A year whose months are all still open, whatever day the suite runs on."""
    return local_today().year + 1


@pytest.fixture
def make_plan(director):
    def _make(*, year, value="1200000.00", metric="signed_amount", weights=None, publish=True):
        plan = services.plan_create(
            actor=director,
            year=year,
            metric=metric,
            annual_value=Decimal(value),
            month_weights=weights,
        )
        if publish:
            plan = services.plan_publish(plan=plan, actor=director)
        return plan

    return _make


@pytest.fixture
def plan(make_plan, rep, teammate, outsider, next_year):
    """1,200,000.00 over an even year; team A (rep, teammate: weight 1.0 each) and team B
    (outsider: 1.0) share 2:1; so every month: company 100,000.00, team A 66,666.67,
    team B 33,333.33, rep 33,333.34, teammate 33,333.33, outsider 33,333.33."""
    return make_plan(year=next_year)


def month(year, m):
    return dt.date(year, m, 1)


@pytest.fixture
def login(client):
    """login(user) -> client; pages answer in English here so tests read the msgids (the
    Chinese strings are checked by the foundation's translation test)."""

    def _login(user):
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return client

    return _login


@pytest.fixture(autouse=True)
def english():
    """Service messages in English, so tests match the msgids."""
    from django.utils import translation

    with translation.override("en"):
        yield
