"""Navigation badges are registered by the app that owns the page (salescrm.navigation), so
the core names no app."""

import pytest

from salescrm import navigation


@pytest.fixture
def dashboard_badge():
    saved = navigation.registered_badges()
    navigation.nav_badge("dashboard")(lambda user: 7)
    yield
    navigation._BADGES.clear()
    navigation._BADGES.update(saved)


@pytest.mark.django_db
def test_a_registered_badge_shows_beside_its_entry(rep, dashboard_badge):
    items = {item["url"]: item["badge"] for item in navigation.items_for(rep)}
    assert items["/dashboard/"] == 7
    assert items["/notifications/"] == 0


def test_the_customers_app_registers_the_approval_inbox_badge():
    assert "customers:approval_inbox" in navigation.registered_badges()
