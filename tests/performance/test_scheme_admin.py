"""KPI schemes in Django admin: weights add up to 100 %, closed periods are frozen, a preview
of last month's ranking saves nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from performance.models import KpiScheme, KpiSchemeItem
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)


@pytest.fixture
def root_client(client, clock):
    # The open month is that of the business date (the day before TODAY); pin the clock.
    clock.set(TODAY)
    client.force_login(
        UserFactory(username="root", is_superuser=True, is_staff=True, language="en")
    )
    return client


def _post(items, **scheme):
    data = {
        "role": "rep",
        "name": "Reps 2026-12",
        "effective_from": "2026-12-01",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        **scheme,
    }
    for index, (kpi, weight) in enumerate(items):
        data.update(
            {
                f"items-{index}-kpi": kpi,
                f"items-{index}-weight": weight,
                f"items-{index}-target_value": "100",
                f"items-{index}-rule": "linear",
                f"items-{index}-cap": "120",
                f"items-{index}-steps": "",
            }
        )
    return data


def test_weights_not_adding_up_to_100_are_refused_naming_the_sum(root_client):
    response = root_client.post(
        reverse("admin:performance_kpischeme_add"),
        _post([("signed_amount", "60"), ("effective_visits", "35")]),
    )
    assert response.status_code == 200
    assert "The weights add up to 95.00 %; they must add up to 100 %." in response.content.decode()
    assert not KpiScheme.objects.exists()


def test_weights_of_100_are_saved(root_client):
    response = root_client.post(
        reverse("admin:performance_kpischeme_add"),
        _post([("signed_amount", "60"), ("effective_visits", "40")]),
    )
    assert response.status_code == 302
    scheme = KpiScheme.objects.get()
    assert sorted(scheme.items.values_list("kpi", "weight")) == [
        ("effective_visits", Decimal("40.00")),
        ("signed_amount", Decimal("60.00")),
    ]


def test_a_scheme_cannot_start_in_a_closed_month(root_client):
    response = root_client.post(
        reverse("admin:performance_kpischeme_add"),
        _post([("signed_amount", "100")], effective_from="2026-10-01"),
    )
    assert response.status_code == 200
    assert (
        "2026-10 is closed; a new version can start from 2026-11 at the earliest."
        in response.content.decode()
    )
    assert not KpiScheme.objects.exists()


def test_a_scheme_used_for_a_closed_period_cannot_be_changed(root_client):
    old = KpiScheme.objects.create(role="rep", name="Old", effective_from=dt.date(2026, 1, 1))
    KpiSchemeItem.objects.create(scheme=old, kpi="signed_amount", weight=100, target_value=1)
    url = reverse("admin:performance_kpischeme_change", args=[old.pk])
    response = root_client.post(
        url, _post([("signed_amount", "100")], name="Rewritten", effective_from="2026-01-01")
    )
    assert response.status_code == 403
    old.refresh_from_db()
    assert old.name == "Old"


def test_steps_rule_needs_readable_steps(root_client):
    data = _post([("signed_amount", "100")])
    data["items-0-rule"] = "steps"
    data["items-0-steps"] = "eighty is sixty"
    response = root_client.post(reverse("admin:performance_kpischeme_add"), data)
    assert "Write the steps as" in response.content.decode()
    assert not KpiScheme.objects.exists()


def test_preview_shows_last_months_ranking_and_saves_nothing(root_client, rep, teammate):
    data = _post([("lead_conversion", "100")])
    data["_preview"] = "1"
    response = root_client.post(reverse("admin:performance_kpischeme_add"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "2026-10" in page  # last month, the open month being 2026-11
    assert "rep_a1" in page and "rep_a2" in page
    assert not KpiScheme.objects.exists()


def test_the_admin_role_may_edit_schemes_and_plans_and_the_director_only_read(client, director):
    from salescrm.services import user_set_role

    admin_user = user_set_role(user=UserFactory(username="ops", role="admin"), role="admin")
    client.force_login(admin_user)
    assert client.get(reverse("admin:performance_kpischeme_add")).status_code == 200
    assert client.get(reverse("admin:performance_commissionplan_add")).status_code == 200
    director_user = user_set_role(user=director, role="director")
    director_user.is_staff = True
    director_user.save()
    client.force_login(director_user)
    assert client.get(reverse("admin:performance_kpischeme_changelist")).status_code == 200
    assert client.get(reverse("admin:performance_kpischeme_add")).status_code == 403


def test_preview_of_a_read_only_scheme_shows_its_stored_ranking_to_the_superuser(
    root_client, rep, teammate
):
    old = KpiScheme.objects.create(role="rep", name="Old", effective_from=dt.date(2026, 1, 1))
    KpiSchemeItem.objects.create(scheme=old, kpi="lead_conversion", weight=100, target_value=1)
    url = reverse("admin:performance_kpischeme_change", args=[old.pk])
    # the read-only change page posts only the button: no fields of the frozen scheme
    page = root_client.get(url).content.decode()
    assert 'name="_preview"' in page
    response = root_client.post(url, {"_preview": "1"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "2026-10" in body
    assert "rep_a1" in body and "rep_a2" in body
    old.refresh_from_db()
    assert (old.name, old.effective_from) == ("Old", dt.date(2026, 1, 1))


def test_a_director_who_only_reads_schemes_previews_an_open_one_without_a_403(
    client, director, rep, teammate, clock
):
    from salescrm.services import user_set_role

    clock.set(TODAY)
    scheme = KpiScheme.objects.create(role="rep", name="Open", effective_from=dt.date(2026, 12, 1))
    KpiSchemeItem.objects.create(scheme=scheme, kpi="lead_conversion", weight=100, target_value=1)
    director_user = user_set_role(user=director, role="director")
    director_user.is_staff = True
    director_user.save()
    client.force_login(director_user)
    url = reverse("admin:performance_kpischeme_change", args=[scheme.pk])
    assert 'name="_preview"' in client.get(url).content.decode()
    response = client.post(url, {"_preview": "1"})
    assert response.status_code == 200
    assert "rep_a1" in response.content.decode()
    scheme.refresh_from_db()
    assert scheme.name == "Open"
