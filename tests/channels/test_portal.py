"""The partner portal: a partner login sees its own partner's leads (stage only) and
settlements, submits leads with the usual duplicate rules, and gets 404 for every other
page of the site, walked from the URLconf with another partner's ids."""

import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from channels.models import Event, PartnerLead, PartnerSettlement
from channels.services import KNOWN, NEW, ChannelError, portal_lead_submit
from leads.models import Channel, Lead, LeadSettings

from .factories import credited_contract, make_partner, make_plan, partner_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rep, manager, team):
    LeadSettings.objects.filter(pk=1).update(capture_team=team)
    plan = make_plan()
    mine = make_partner(manager, name="我方代理", plan=plan)
    theirs = make_partner(manager, name="别家代理", plan=plan)
    own = credited_contract(mine, rep, signed_on=dt.date(2026, 7, 1))
    other = credited_contract(theirs, rep, signed_on=dt.date(2026, 7, 1))
    settlements = {
        key: PartnerSettlement.objects.create(
            partner=partner,
            month=dt.date(2026, 7, 1),
            plan=plan,
            base_amount=Decimal("1"),
            quarter_base=Decimal("1"),
            total=Decimal("0.05"),
        )
        for key, partner in (("mine", mine), ("theirs", theirs))
    }
    Event.objects.create(
        kind="seminar",
        title="讲座",
        starts_at=dt.datetime(2026, 7, 1, 6, tzinfo=dt.UTC),
        channel=Channel.objects.get(code="website"),
        owner=manager,
    )
    return {
        "user": partner_user(mine, "agent_a"),
        "mine": mine,
        "theirs": theirs,
        "own_contract": own,
        "other_contract": other,
        "settlements": settlements,
    }


def _patterns(patterns=None, prefix="", namespace=""):
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _patterns(pattern.url_patterns, route, ns)
        elif isinstance(pattern, URLPattern):
            yield route, f"{namespace}{pattern.name}"


# Pages a partner login may open besides the portal: its own account's, and the public ones.
OPEN_TO_PARTNERS = {
    "channels:portal_home",
    "channels:portal_lead_create",
    "channels:event_register",
    "channels:event_registered",
    "logout",
    "password_change",
    "password_change_done",
    "set_language",
    "login",
    "healthz",
}
SKIP = ("admin/", "accounts/reset", "accounts/password_reset", "i18n/", "^")


def test_every_other_page_of_the_site_is_404_to_a_partner(client, world):
    """Every URL pattern, its ids filled with the other partner's rows (their settlement,
    partner, contract…) or any row: a partner login gets 404, never the page."""
    client.force_login(world["user"])
    theirs = {
        "channels:portal_settlement": world["settlements"]["theirs"].pk,
        "channels:settlement_detail": world["settlements"]["theirs"].pk,
        "channels:settlement_close": world["settlements"]["theirs"].pk,
    }
    walked, offending = 0, []
    for route, name in _patterns():
        if route.startswith(SKIP) or name in OPEN_TO_PARTNERS:
            continue
        path = route
        for converter, param in re.findall(r"<(?:(\w+):)?(\w+)>", route):
            value = {
                "uuid": str(uuid.uuid4()),
                "slug": "x",
                "str": "x",
            }.get(converter, str(theirs.get(name, world["theirs"].pk)))
            if converter == "int" and param != "pk":
                value = str(world["other_contract"].customer_id)
            path = path.replace(f"<{converter}:{param}>" if converter else f"<{param}>", value)
        path = "/" + path
        for method in ("get", "post"):
            status = getattr(client, method)(path).status_code
            walked += 1
            if status not in (404, 405) and name != "dashboard" and path != "/":
                offending.append(f"{method.upper()} {path} ({name}) → {status}")
    assert walked > 100
    assert offending == []
    assert client.get("/").status_code == 302
    assert client.get(reverse("dashboard"))["Location"] == reverse("channels:portal_home")


def test_own_settlement_yes_another_partners_no(client, world):
    client.force_login(world["user"])
    own = world["settlements"]["mine"]
    assert client.get(reverse("channels:portal_settlement", args=[own.pk])).status_code == 200
    other = world["settlements"]["theirs"]
    assert client.get(reverse("channels:portal_settlement", args=[other.pk])).status_code == 404


def test_portal_shows_own_leads_stage_only(client, world, rep):
    client.force_login(world["user"])
    page = client.get(reverse("channels:portal_home")).content.decode()
    own_lead = world["own_contract"].customer.lead
    other_lead = world["other_contract"].customer.lead
    assert own_lead.name in page and own_lead.get_stage_display() in page
    assert other_lead.name not in page
    assert own_lead.phone not in page  # no contact details, no owner
    assert str(rep) not in page


def test_staff_cannot_open_the_portal(client, world, director):
    client.force_login(director)
    assert client.get(reverse("channels:portal_home")).status_code == 404


def test_a_partner_submits_a_new_lead_and_is_credited(world, rep):
    outcome, lead = portal_lead_submit(actor=world["user"], name="新学员", phone="13512345678")
    assert outcome == NEW
    assert PartnerLead.objects.get(lead=lead).partner == world["mine"]
    assert lead.owner == rep  # round robin of the capture team


def test_a_known_lead_stays_with_whoever_had_it_first(client, world, outsider):
    known = Lead.objects.create(
        name="老线索",
        phone="13512345679",
        channel=Channel.objects.get(code="website"),
        owner=outsider,
    )
    client.force_login(world["user"])
    response = client.post(
        reverse("channels:portal_lead_create"),
        {"name": "改个名", "phone": "135-1234-5679"},
        follow=True,
    )
    content = response.content.decode()
    assert "Already known" in content or "已在跟进" in content
    assert "老线索" not in content and str(outsider) not in content
    known.refresh_from_db()
    assert (known.owner, known.name) == (outsider, "老线索")
    assert not PartnerLead.objects.filter(lead=known).exists()
    assert portal_lead_submit(actor=world["user"], name="x", phone="13512345679") == (KNOWN, None)


def test_an_ended_partner_cannot_be_credited(world, director):
    from channels.services import partner_review_record

    partner_review_record(
        actor=director,
        partner=world["mine"],
        quarter=dt.date(2026, 7, 1),
        decision="end",
        comment="连续两季度无签约",
    )
    with pytest.raises(ChannelError):
        portal_lead_submit(actor=world["user"], name="新学员", phone="13512340000")
    assert not Lead.objects.filter(phone="13512340000").exists()
    partner_review_record(
        actor=director,
        partner=world["mine"],
        quarter=dt.date(2026, 7, 1),
        decision="warn",
        comment="再观察一季",
    )
    assert portal_lead_submit(actor=world["user"], name="新学员", phone="13512340000")[0] == NEW


def test_only_the_director_reviews(world, manager, rep, finance):
    from channels.services import partner_review_record

    for someone in (manager, rep, finance, world["user"]):
        with pytest.raises(PermissionDenied):
            partner_review_record(
                actor=someone,
                partner=world["theirs"],
                quarter=dt.date(2026, 7, 1),
                decision="end",
                comment="x",
            )
    world["theirs"].refresh_from_db()
    assert world["theirs"].status == "active"


def test_staff_cannot_submit_portal_leads(world, rep, manager):
    for someone in (rep, manager):
        with pytest.raises(PermissionDenied):
            portal_lead_submit(actor=someone, name="x", phone="13512349999")
