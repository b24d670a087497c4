"""Admin fixes (issue 18): "Save as new" on a read-only KPI scheme or commission plan keeps
its lines; the start is a month input; KPI targets name their unit; scoring rules are
edited in the list."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from leads.models import ScoringRule
from performance.models import CommissionPlan, CommissionTier, KpiScheme, KpiSchemeItem
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 22)  # open month: 2026-11


@pytest.fixture
def root_client(client, clock):
    clock.set(TODAY)
    client.force_login(
        UserFactory(username="root", is_superuser=True, is_staff=True, language="en")
    )
    return client


@pytest.fixture
def closed_scheme(db):
    scheme = KpiScheme.objects.create(
        role="rep", name="Reps 2026-10", effective_from=dt.date(2026, 10, 1)
    )
    for kpi, weight in (("signed_amount", "60"), ("effective_visits", "40")):
        KpiSchemeItem.objects.create(
            scheme=scheme,
            kpi=kpi,
            weight=Decimal(weight),
            target_value=Decimal("100"),
            rule="linear",
            cap=Decimal("120"),
        )
    return scheme


def _value(html, name):
    match = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{re.escape(name)}"', html
    )
    return match.group(1) if match else None


def _selected(html, name):
    select = re.search(rf'<select name="{re.escape(name)}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]*)" selected', select).group(1)


def test_save_as_new_on_a_closed_scheme_keeps_its_lines(root_client, closed_scheme):
    change = reverse("admin:performance_kpischeme_change", args=[closed_scheme.pk])
    page = root_client.get(change).content.decode()
    assert 'name="_saveasnew"' in page  # offered on the read-only page
    # the read-only page posts no fields, only the button
    response = root_client.post(change, {"_saveasnew": "Save as new"})
    add = reverse("admin:performance_kpischeme_add")
    assert (
        response.status_code == 302
        and response["Location"] == f"{add}?copy_from={closed_scheme.pk}"
    )
    html = root_client.get(response["Location"]).content.decode()
    assert _value(html, "name") == "Reps 2026-10"
    assert _value(html, "effective_from") == "2026-11"  # the open month, as a month input
    assert re.search(r'<input type="month" name="effective_from"', html)
    assert _value(html, "items-TOTAL_FORMS") == "2"
    assert [_selected(html, f"items-{i}-kpi") for i in (0, 1)] == [
        "signed_amount",
        "effective_visits",
    ]
    assert _value(html, "items-0-weight") == "60.00"
    # posting that page as the browser would creates the new version with both lines
    data = {
        "role": "rep",
        "name": "Reps 2026-11",
        "effective_from": "2026-11",
        "items-TOTAL_FORMS": "2",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for i, (kpi, weight) in enumerate((("signed_amount", "60"), ("effective_visits", "40"))):
        data.update(
            {
                f"items-{i}-kpi": kpi,
                f"items-{i}-weight": weight,
                f"items-{i}-target_value": "100",
                f"items-{i}-rule": "linear",
                f"items-{i}-cap": "120",
                f"items-{i}-steps": "",
            }
        )
    assert root_client.post(add, data).status_code == 302
    new = KpiScheme.objects.get(name="Reps 2026-11")
    assert new.effective_from == dt.date(2026, 11, 1)
    assert sorted(new.items.values_list("kpi", flat=True)) == ["effective_visits", "signed_amount"]
    assert closed_scheme.items.count() == 2


def test_save_as_new_on_an_open_scheme_still_posts_its_lines(root_client):
    scheme = KpiScheme.objects.create(role="rep", name="Open", effective_from=dt.date(2026, 12, 1))
    item = KpiSchemeItem.objects.create(
        scheme=scheme,
        kpi="signed_amount",
        weight=Decimal("100"),
        target_value=Decimal("100"),
        rule="linear",
        cap=Decimal("120"),
    )
    change = reverse("admin:performance_kpischeme_change", args=[scheme.pk])
    data = {
        "_saveasnew": "Save as new",
        "role": "rep",
        "name": "Open copy",
        "effective_from": "2027-01",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "1",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-id": str(item.pk),
        "items-0-scheme": str(scheme.pk),
        "items-0-kpi": "signed_amount",
        "items-0-weight": "100",
        "items-0-target_value": "100",
        "items-0-rule": "linear",
        "items-0-cap": "120",
        "items-0-steps": "",
    }
    assert root_client.post(change, data).status_code == 302
    copy = KpiScheme.objects.get(name="Open copy")
    assert copy.effective_from == dt.date(2027, 1, 1)
    assert copy.items.count() == 1 and scheme.items.count() == 1


def test_save_as_new_on_a_closed_commission_plan_keeps_its_tiers(root_client):
    plan = CommissionPlan.objects.create(name="2026 H2", effective_from=dt.date(2026, 7, 1))
    CommissionTier.objects.create(plan=plan, threshold=Decimal("0"), rate=Decimal("3"))
    CommissionTier.objects.create(plan=plan, threshold=Decimal("100"), rate=Decimal("5"))
    change = reverse("admin:performance_commissionplan_change", args=[plan.pk])
    response = root_client.post(change, {"_saveasnew": "Save as new"})
    html = root_client.get(response["Location"]).content.decode()
    assert _value(html, "name") == "2026 H2"
    assert _value(html, "effective_from") == "2026-11"
    assert _value(html, "tiers-TOTAL_FORMS") == "2"
    assert [_value(html, f"tiers-{i}-rate") for i in (0, 1)] == ["3.00", "5.00"]


def test_a_closed_month_is_still_refused_when_typed(root_client):
    response = root_client.post(
        reverse("admin:performance_kpischeme_add"),
        {
            "role": "rep",
            "name": "x",
            "effective_from": "2026-10",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
            "items-MIN_NUM_FORMS": "0",
            "items-MAX_NUM_FORMS": "1000",
        },
    )
    assert "2026-10 is closed" in response.content.decode()


def test_kpi_targets_name_their_unit(root_client):
    html = root_client.get(reverse("admin:performance_kpischeme_add")).content.decode()
    assert "New signed amount (CNY)" in html
    assert "Lead conversion rate (%)" in html


def test_scoring_rules_are_edited_in_the_list(root_client):
    rules = list(ScoringRule.objects.order_by("pk")[:2])
    url = reverse("admin:leads_scoringrule_changelist")
    html = root_client.get(url).content.decode()
    assert 'name="form-0-points"' in html
    data = {
        "form-TOTAL_FORMS": str(ScoringRule.objects.count()),
        "form-INITIAL_FORMS": str(ScoringRule.objects.count()),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    ordered = re.findall(r'name="form-(\d+)-id" value="(\d+)"', html)
    for index, pk in ordered:
        rule = ScoringRule.objects.get(pk=pk)
        data[f"form-{index}-id"] = pk
        data[f"form-{index}-points"] = str(rule.points + (7 if rule.pk == rules[0].pk else 0))
        if rule.is_active:
            data[f"form-{index}-is_active"] = "on"
    before = rules[0].points
    assert root_client.post(url, data).status_code == 302
    rules[0].refresh_from_db()
    assert rules[0].points == before + 7
