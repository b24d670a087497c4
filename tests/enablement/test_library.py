"""The script library: writing, approval before publishing, versions, the lead page's panel
and the "script used" on a follow-up, with usage rates."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from enablement import services
from enablement.models import Script, ScriptUsage, ScriptVersion
from enablement.selectors import usage_by_rep, usage_by_script
from leads.models import Activity, Lead
from salescrm.errors import BusinessRuleError
from salescrm.models import ProductLine
from tests.leads.factories import LeadFactory

from .factories import pending_version, published_script

pytestmark = pytest.mark.django_db


def test_a_new_entry_waits_for_approval_and_reps_do_not_see_it(rep, teammate, manager):
    script = services.script_create(
        actor=rep, kind="script", title="开场白", stage="contact", body="您好"
    )
    assert script.published_version is None
    assert pending_version(script).number == 1
    assert list(Script.objects.visible_to(teammate)) == []
    assert list(Script.objects.visible_to(rep)) == [script]  # the author follows their draft
    assert list(Script.objects.visible_to(manager)) == [script]


def test_a_manager_publishes_and_everyone_then_sees_it(rep, teammate, manager, outsider):
    script = services.script_create(
        actor=rep, kind="script", title="开场白", stage="contact", body="您好"
    )
    services.version_decide(actor=manager, version=pending_version(script), approve=True)
    script.refresh_from_db()
    assert script.published_version.status == ScriptVersion.Status.PUBLISHED
    assert script.published_version.decided_by == manager
    assert set(Script.objects.visible_to(outsider).published()) == {script}


def test_nobody_approves_their_own_version(manager):
    script = services.script_create(actor=manager, kind="script", title="开场白", body="您好")
    with pytest.raises(BusinessRuleError, match="own version"):
        services.version_decide(actor=manager, version=pending_version(script), approve=True)
    assert Script.objects.get().published_version is None


def test_a_rep_cannot_approve(rep, teammate):
    script = services.script_create(actor=rep, kind="script", title="开场白", body="您好")
    with pytest.raises(PermissionDenied):
        services.version_decide(actor=teammate, version=pending_version(script), approve=True)


def test_a_rejection_needs_a_reason_and_keeps_the_published_version(rep, manager):
    script = published_script(rep, manager)
    services.script_revise(actor=rep, script=script, body="新版本")
    with pytest.raises(BusinessRuleError):
        services.version_decide(actor=manager, version=pending_version(script), approve=False)
    services.version_decide(
        actor=manager, version=pending_version(script), approve=False, note="太长"
    )
    script.refresh_from_db()
    assert script.published_version.number == 1
    assert script.versions.get(number=2).status == ScriptVersion.Status.REJECTED


def test_publishing_a_new_version_supersedes_the_old_one(rep, manager):
    script = published_script(rep, manager)
    services.script_revise(actor=rep, script=script, body="第二版")
    services.version_decide(actor=manager, version=pending_version(script), approve=True)
    script.refresh_from_db()
    assert (script.published_version.number, script.published_version.body) == (2, "第二版")
    assert script.versions.get(number=1).status == ScriptVersion.Status.SUPERSEDED


def test_a_version_is_decided_once(rep, manager, director):
    script = services.script_create(actor=rep, kind="script", title="开场白", body="您好")
    version = pending_version(script)
    services.version_decide(actor=manager, version=version, approve=True)
    with pytest.raises(BusinessRuleError, match="not waiting"):
        services.version_decide(actor=director, version=version, approve=False, note="x")


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("script", {"body": "   "}, "text"),
        ("objection", {"body": "答复"}, "objection"),
        ("case", {"body": "故事", "customer": "某企业"}, "customer"),
    ],
)
def test_entries_missing_their_parts_are_refused(rep, kind, text, message):
    with pytest.raises(BusinessRuleError, match=message):
        services.script_create(actor=rep, kind=kind, title="x", **text)
    assert Script.objects.count() == 0


# --- the lead page ----------------------------------------------------------------------------


@pytest.fixture
def library(rep, manager):
    online = ProductLine.objects.get(code="online")
    return {
        "contact": published_script(rep, manager, title="接触话术", stage="contact"),
        "trial": published_script(rep, manager, title="试听邀约话术", stage="trial"),
        "every_stage": published_script(
            rep, manager, title="太贵了怎么办", stage="", kind="objection"
        ),
        "online_only": published_script(
            rep, manager, title="线上课接触", stage="contact", product_line=online
        ),
    }


def test_a_lead_is_offered_its_stage_and_product_line(rep, library):
    lead = LeadFactory(owner=rep, stage=Lead.Stage.CONTACTED)
    assert set(Script.objects.for_lead(lead)) == {library["contact"], library["every_stage"]}
    lead.product_line = ProductLine.objects.get(code="online")
    assert set(Script.objects.for_lead(lead)) == {
        library["contact"],
        library["every_stage"],
        library["online_only"],
    }
    lead.stage = Lead.Stage.WON
    assert list(Script.objects.for_lead(lead)) == []


def test_the_lead_page_shows_the_scripts_of_its_stage(login, rep, library):
    lead = LeadFactory(owner=rep, stage=Lead.Stage.TRIAL)
    page = login(rep).get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "试听邀约话术" in page and "太贵了怎么办" in page
    assert "接触话术" not in page
    assert 'name="script_used"' in page


def _log(client, lead, **extra):
    data = {
        "kind": "visit",
        "occurred_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "outcome": "面谈",
        **extra,
    }
    return client.post(reverse("leads:activity_add", args=[lead.pk]), data)


def test_a_follow_up_marks_the_script_used(login, rep, library):
    lead = LeadFactory(owner=rep, stage=Lead.Stage.TRIAL)
    response = _log(login(rep), lead, script_used=library["trial"].pk)
    assert response.status_code == 302
    usage = ScriptUsage.objects.get()
    assert (usage.script, usage.rep, usage.version.number) == (library["trial"], rep, 1)
    assert usage.activity.lead == lead


def test_a_script_not_offered_for_the_stage_is_refused_and_nothing_is_logged(login, rep, library):
    lead = LeadFactory(owner=rep, stage=Lead.Stage.TRIAL)
    response = _log(login(rep), lead, script_used=library["contact"].pk)
    assert response.status_code == 200
    assert "script_used" in response.context["activity_form"].errors
    assert Activity.objects.count() == 0 and ScriptUsage.objects.count() == 0


def test_an_unknown_script_id_is_a_form_error(login, rep, library):
    lead = LeadFactory(owner=rep, stage=Lead.Stage.TRIAL)
    assert _log(login(rep), lead, script_used="999999").status_code == 200
    assert _log(login(rep), lead, script_used="abc").status_code == 200
    assert Activity.objects.count() == 0


def test_the_service_refuses_a_script_of_another_stage(rep, library):
    lead = LeadFactory(owner=rep, stage=Lead.Stage.TRIAL)
    activity = Activity.objects.create(lead=lead, actor=rep, kind="visit")
    with pytest.raises(BusinessRuleError):
        services.script_usage_record(activity=activity, actor=rep, script=library["contact"])


def test_a_follow_up_without_a_script_is_still_logged(login, rep, library):
    lead = LeadFactory(owner=rep, stage=Lead.Stage.TRIAL)
    assert _log(login(rep), lead).status_code == 302
    assert Activity.objects.count() == 1 and ScriptUsage.objects.count() == 0


# --- usage rates ------------------------------------------------------------------------------


def _follow_ups(rep, lead, count, *, script=None, kind="phone", day=dt.date(2026, 6, 10)):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    for _ in range(count):
        activity = Activity.objects.create(lead=lead, actor=rep, kind=kind, occurred_at=moment)
        if script is not None:
            ScriptUsage.objects.create(
                activity=activity,
                script=script,
                version=script.published_version,
                rep=rep,
                used_at=moment,
            )


def test_usage_rate_per_rep_and_the_80_percent_goal(rep, teammate, manager, outsider, library):
    lead = LeadFactory(owner=rep, stage=Lead.Stage.CONTACTED)
    _follow_ups(rep, lead, 4, script=library["contact"])  # 4 of 5 = 80.00 %: meets the goal
    _follow_ups(rep, lead, 1)
    _follow_ups(rep, lead, 3, kind="note")  # notes are not follow-ups
    _follow_ups(teammate, lead, 7, script=library["contact"])  # 7 of 9 = 77.78 %
    _follow_ups(teammate, lead, 2)
    _follow_ups(rep, lead, 5, day=dt.date(2026, 7, 1))  # another month
    rows = {
        row.rep.username: (row.follow_ups, row.with_script, str(row.rate), row.meets_goal)
        for row in usage_by_rep(manager, dt.date(2026, 6, 1), dt.date(2026, 6, 30), 80)
    }
    assert rows == {
        "rep_a1": (5, 4, "80.00", True),
        "rep_a2": (9, 7, "77.78", False),
    }
    own = usage_by_rep(rep, dt.date(2026, 6, 1), dt.date(2026, 6, 30), 80)
    assert [row.rep for row in own] == [rep]
    assert usage_by_rep(outsider, dt.date(2026, 6, 1), dt.date(2026, 6, 30), 80)[0].rep == outsider


def test_usage_per_script_is_a_share_of_its_stage(rep, manager, library):
    lead = LeadFactory(owner=rep, stage=Lead.Stage.CONTACTED)
    _follow_ups(rep, lead, 3, script=library["contact"])
    _follow_ups(rep, lead, 1, script=library["online_only"])
    rows = {
        row.title: (row.uses, str(row.share))
        for row in usage_by_script(manager, dt.date(2026, 6, 1), dt.date(2026, 6, 30))
    }
    assert rows == {"接触话术": (3, "75.00"), "线上课接触": (1, "25.00")}


def test_the_usage_page_counts_and_bounds_its_queries(
    login, rep, teammate, manager, library, django_assert_max_num_queries, clock
):
    clock.set(dt.date(2026, 6, 20))
    lead = LeadFactory(owner=rep, stage=Lead.Stage.CONTACTED)
    _follow_ups(rep, lead, 4, script=library["contact"])
    _follow_ups(teammate, lead, 2)
    client = login(manager)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("enablement:usage")).content.decode()
    assert "100.00 %" in page and "0.00 %" in page
    assert client.get(reverse("enablement:usage"), {"month": "2026-13"}).status_code == 200


# --- the pages --------------------------------------------------------------------------------


def test_a_draft_is_a_404_to_other_reps_and_visible_to_its_author_and_reviewers(
    client, rep, teammate, outsider, manager, director, legal
):
    script = services.script_create(actor=rep, kind="script", title="开场白", body="您好")
    url = script.get_absolute_url()
    for user in (rep, manager, director):
        client.force_login(user)
        assert client.get(url).status_code == 200, user
    for user in (teammate, outsider):
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    client.force_login(legal)
    assert client.get(url).status_code == 403


def test_the_create_form_refuses_bad_input_and_saves_nothing(login, rep):
    client = login(rep)
    base = {"kind": "script", "title": "开场白", "stage": "contact", "body": "您好"}
    for change in (
        {"kind": "poem"},
        {"stage": "heaven"},
        {"title": ""},
        {"body": ""},
        {"title": "x" * 121},
        {"product_line": "999999"},
        {"kind": "objection"},  # no objection named
    ):
        assert (
            client.post(reverse("enablement:script_create"), {**base, **change}).status_code == 200
        )
    assert Script.objects.count() == 0
    assert client.post(reverse("enablement:script_create"), base).status_code == 302
    assert Script.objects.count() == 1


def test_a_manager_publishes_from_the_approvals_page(login, rep, manager):
    script = services.script_create(actor=rep, kind="script", title="开场白", body="您好")
    client = login(manager)
    assert "开场白" in client.get(reverse("enablement:approvals")).content.decode()
    version = pending_version(script)
    url = reverse("enablement:version_decide", args=[version.pk])
    assert client.post(url, {"approve": "maybe"}).status_code == 302
    assert client.post(url, {"approve": "0", "note": ""}).status_code == 302  # needs a note
    version.refresh_from_db()
    assert version.status == ScriptVersion.Status.PENDING
    client.post(url, {"approve": "1", "next": "approvals"})
    script.refresh_from_db()
    assert script.published_version == version


def test_the_library_lists_published_entries_with_bounded_queries(
    login, rep, manager, django_assert_max_num_queries
):
    for index in range(12):
        published_script(rep, manager, title=f"话术{index}", stage="trial")
    services.script_create(actor=manager, kind="script", title="草稿", body="x")
    client = login(rep)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("enablement:library"), {"stage": "trial"}).content.decode()
    assert "话术11" in page and "草稿" not in page
    assert client.get(reverse("enablement:library"), {"stage": "heaven"}).status_code == 200


def test_a_rep_revises_a_published_entry_which_waits_for_approval(login, rep, teammate, manager):
    script = published_script(rep, manager)
    client = login(teammate)
    url = reverse("enablement:script_revise", args=[script.pk])
    assert client.post(url, {"body": ""}).status_code == 200
    assert client.post(url, {"body": "更好的开场白"}).status_code == 302
    script.refresh_from_db()
    assert script.published_version.number == 1
    assert pending_version(script).author == teammate


def test_a_case_study_links_one_of_the_authors_signed_contracts(rep, outsider, login):
    from customers.models import Contract
    from tests.customers.factories import make_contract

    own = make_contract(rep)
    Contract.objects.filter(pk=own.pk).update(status="signed", signed_on=dt.date(2026, 5, 1))
    own.refresh_from_db()
    others = make_contract(outsider)
    Contract.objects.filter(pk=others.pk).update(status="signed", signed_on=dt.date(2026, 5, 1))
    draft = make_contract(rep)
    case = {"customer": "某企业", "problem": "流失", "result": "留存提升", "body": "方案"}
    for contract in (others, draft):
        with pytest.raises(BusinessRuleError, match="signed contracts"):
            services.script_create(actor=rep, kind="case", title="案例", contract=contract, **case)
    script = services.script_create(actor=rep, kind="case", title="案例", contract=own, **case)
    assert pending_version(script).contract == own
    client = login(rep)
    data = {"kind": "case", "title": "案例二", **case, "contract": others.pk}
    assert client.post(reverse("enablement:script_create"), data).status_code == 200
    assert Script.objects.count() == 1


def test_a_new_entry_posted_twice_is_saved_once(login, rep):
    import uuid

    client = login(rep)
    data = {
        "kind": "script",
        "title": "开场白",
        "stage": "contact",
        "body": "您好",
        "submission_token": str(uuid.uuid4()),
    }
    first = client.post(reverse("enablement:script_create"), data)
    second = client.post(reverse("enablement:script_create"), data)
    assert first.status_code == second.status_code == 302
    assert second.url == first.url
    assert Script.objects.count() == 1 and ScriptVersion.objects.count() == 1
