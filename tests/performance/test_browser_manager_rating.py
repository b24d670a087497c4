"""The manager's rating form at 390 px (phone-first): rated and saved with the phone's own
picker, no horizontal scroll. Screenshot in test-artifacts/phone-manager-rating.png."""

import datetime as dt

import pytest

from performance.models import KpiScheme, KpiSchemeItem, ManagerRating
from salescrm.roles import Role
from tests.analytics.test_browser_phone_analytics import phone  # noqa: F401 (fixture)
from tests.daily.test_browser_phone import _no_horizontal_scroll, _sign_in
from tests.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def rated(transactional_db):
    team = TeamFactory(name="华东一组")
    manager = UserFactory(username="pm1", role=Role.MANAGER, team=team)
    team.manager = manager
    team.save()
    rep = UserFactory(username="pr1", role=Role.REP, team=team, last_name="欧阳", first_name="晓晨")
    scheme = KpiScheme.objects.create(role="rep", name="方案", effective_from=dt.date(2025, 1, 1))
    KpiSchemeItem.objects.create(scheme=scheme, kpi="lead_conversion", weight=70, target_value=20)
    KpiSchemeItem.objects.create(scheme=scheme, kpi="teamwork", weight=20, target_value=0)
    KpiSchemeItem.objects.create(
        scheme=scheme, kpi="attitude", weight=10, target_value=0, rating_scale=10
    )
    return rep


def test_the_rating_form_fits_a_phone(rated, phone, screenshot):  # noqa: F811
    page = phone
    _sign_in(page, "pm1")
    page.goto(f"/performance/ratings/{rated.pk}/")
    page.wait_for_selector("#rating-form")
    _no_horizontal_scroll(page)
    page.select_option("select[name=rating_teamwork]", "4")
    page.select_option("select[name=rating_attitude]", "9")
    page.fill("textarea[name=comment_teamwork]", "主动帮助新同事熟悉课程体系")
    page.click("#rating-form button[type=submit]")
    page.wait_for_selector("#current-ratings")
    _no_horizontal_scroll(page)
    screenshot(page, "phone-manager-rating")
    assert sorted(ManagerRating.objects.values_list("kpi", "rating", "scale")) == [
        ("attitude", 9, 10),
        ("teamwork", 4, 5),
    ]
