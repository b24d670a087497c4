"""The list pages cost the same number of queries whatever the number of rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from enablement import services
from enablement.models import OnboardingTemplate, PromotionCase
from salescrm.roles import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _more_rows(index, rep, manager, director, template):
    newcomer = UserFactory(
        username=f"new{index}", role=Role.REP, team=rep.team, hire_date=dt.date(2026, 3, 1)
    )
    services.onboarding_plan_start(actor=manager, rep=newcomer, template=template, mentor=rep)
    services.script_create(actor=newcomer, kind="script", title=f"话术{index}", body="您好")
    PromotionCase.objects.create(
        rep=newcomer,
        first_quarter=dt.date(2026, 1, 1),
        second_quarter=dt.date(2026, 4, 1),
        opened_by=director,
        opened_on=dt.date(2026, 7, 2),
    )


@pytest.mark.parametrize(
    "url_name", ["enablement:approvals", "enablement:onboarding", "enablement:promotion"]
)
def test_list_pages_do_not_query_per_row(login, rep, manager, director, url_name):
    template = OnboardingTemplate.objects.create(name="新人")
    template.items.create(title="产品知识")
    _more_rows(0, rep, manager, director, template)
    url = reverse(url_name)
    client = login(director)
    one = _queries(client, url)
    for index in range(1, 7):
        _more_rows(index, rep, manager, director, template)
    assert _queries(client, url) == one
