"""One business clock (salescrm.timeutil.clock): the `clock` fixture pins the date that
views, forms and services see, whichever way a module imports the helpers; without it the
real Shanghai date is used."""

import datetime as dt
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.services import open_month
from salescrm import timeutil
from targets.models import is_month_locked

pytestmark = pytest.mark.django_db

TESTS = Path(__file__).resolve().parent.parent


def _real_shanghai_dates() -> set[dt.date]:
    # Two readings so that a test running across midnight still finds the date it saw.
    return {timezone.now().astimezone(ZoneInfo("Asia/Shanghai")).date() for _ in range(2)}


def test_the_clock_fixture_fixes_the_date_a_view_renders(login, director, clock):
    clock.set(dt.date(2031, 6, 15))
    response = login(director).get(reverse("targets:plan_create"))
    assert response.status_code == 200
    assert response.context["form"].initial["year"] == 2031
    assert 'value="2031"' in response.content.decode()


def test_the_clock_fixture_fixes_the_date_services_see(clock):
    clock.set(dt.date(2026, 12, 1))
    assert timeutil.local_today() == dt.date(2026, 12, 1)
    # the business date is the Shanghai day that has just ended: 30 November
    assert timeutil.business_date() == dt.date(2026, 11, 30)
    assert open_month() == dt.date(2026, 11, 1)
    assert timeutil.latest_business_date() == dt.date(2036, 12, 1)
    # a month that has ended is locked; the current one is not
    assert is_month_locked(dt.date(2026, 11, 1)) is True
    assert is_month_locked(dt.date(2026, 12, 1)) is False


def test_a_date_is_pinned_at_noon_in_shanghai_and_an_aware_instant_as_given(clock):
    clock.set(dt.date(2026, 3, 1))
    assert timeutil.local_now() == dt.datetime(2026, 3, 1, 12, tzinfo=timeutil.SHANGHAI)
    # 23:30 UTC on 28 February is already 1 March in Shanghai
    clock.set(dt.datetime(2026, 2, 28, 23, 30, tzinfo=dt.UTC))
    assert timeutil.local_today() == dt.date(2026, 3, 1)
    assert timeutil.business_date() == dt.date(2026, 2, 28)
    with pytest.raises(ValueError):
        clock.set(dt.datetime(2026, 3, 1, 12))


def test_without_the_fixture_views_and_services_see_the_real_date(login, director):
    timeutil.clock.set(dt.date(2031, 6, 15))
    timeutil.clock.reset()
    assert timeutil.local_today() in _real_shanghai_dates()
    response = login(director).get(reverse("targets:plan_create"))
    assert response.context["form"].initial["year"] in {d.year for d in _real_shanghai_dates()}


def test_no_test_patches_a_clock_by_module_path():
    pattern = re.compile(
        r"""(setattr|patch)\(\s*["'][\w.]+\.(local_today|local_now|business_date)["']"""
    )
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in TESTS.rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
