"""Bulk actions on the lead list (issue 18): one confirmation, the same services, a summary."""

from django.contrib.messages import get_messages
from django.utils import timezone

from leads.models import Assignment, Lead, LostReason, StageChange
from tests.leads.factories import LeadFactory


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_stage_change_asks_once_then_changes_only_visible_leads(login, rep, outsider):
    mine = [LeadFactory(owner=rep, name=f"我的{n}", stage="new") for n in range(2)]
    theirs = LeadFactory(owner=outsider, name="别人的", stage="new")
    ids = [lead.pk for lead in mine] + [theirs.pk]
    client = login(rep)
    confirm = client.post("/leads/bulk/", {"action": "stage", "ids": ids})
    assert confirm.status_code == 200
    page = confirm.content.decode()
    assert "我的0" in page and "我的1" in page and "别人的" not in page
    assert Lead.objects.filter(stage="contacted").count() == 0  # nothing before confirming
    done = client.post(
        "/leads/bulk/", {"action": "stage", "ids": ids, "confirm": "1", "to_stage": "contacted"}
    )
    assert done.status_code == 302
    assert "2 条线索中有 2 条已更改。" in _messages(done) or "2 of 2 leads changed." in _messages(
        done
    )
    assert set(Lead.objects.filter(stage="contacted").values_list("name", flat=True)) == {
        "我的0",
        "我的1",
    }
    assert StageChange.objects.filter(to_stage="contacted").count() == 2
    theirs.refresh_from_db()
    assert theirs.stage == "new"


def test_lost_needs_a_reason_in_bulk_too(login, rep):
    lead = LeadFactory(owner=rep, stage="trial")
    client = login(rep)
    response = client.post(
        "/leads/bulk/", {"action": "stage", "ids": [lead.pk], "confirm": "1", "to_stage": "lost"}
    )
    assert response.status_code == 200  # the confirmation again, with the error
    lead.refresh_from_db()
    assert lead.stage == "trial"
    reason = LostReason.objects.get(name_en="Price too high")
    client.post(
        "/leads/bulk/",
        {
            "action": "stage",
            "ids": [lead.pk],
            "confirm": "1",
            "to_stage": "lost",
            "lost_reason": reason.pk,
        },
    )
    lead.refresh_from_db()
    assert lead.stage == "lost"


def test_a_refused_lead_is_named_in_the_summary(login, rep):
    open_lead = LeadFactory(owner=rep, name="开放", stage="new")
    won = LeadFactory(owner=rep, name="已成交", stage="won", won_at=timezone.now())
    response = login(rep).post(
        "/leads/bulk/",
        {"action": "stage", "ids": [open_lead.pk, won.pk], "confirm": "1", "to_stage": "trial"},
    )
    messages = _messages(response)
    assert any("1" in m and "2" in m for m in messages[:1])
    assert any(m.startswith("已成交") for m in messages)
    won.refresh_from_db()
    assert won.stage == "won"


def test_manager_reassigns_within_the_team_only(
    login, manager, rep, teammate, other_manager, outsider
):
    lead = LeadFactory(owner=rep, stage="new")
    client = login(manager)
    client.post(
        "/leads/bulk/",
        {"action": "assign", "ids": [lead.pk], "confirm": "1", "to_owner": outsider.pk},
    )
    lead.refresh_from_db()
    assert lead.owner == rep  # another team's rep is no choice
    client.post(
        "/leads/bulk/",
        {"action": "assign", "ids": [lead.pk], "confirm": "1", "to_owner": teammate.pk},
    )
    lead.refresh_from_db()
    assert lead.owner == teammate
    assert Assignment.objects.filter(lead=lead, to_owner=teammate, changed_by=manager).count() == 1


def test_a_rep_cannot_reassign_in_bulk(login, rep, teammate):
    lead = LeadFactory(owner=rep)
    login(rep).post(
        "/leads/bulk/",
        {"action": "assign", "ids": [lead.pk], "confirm": "1", "to_owner": teammate.pk},
    )
    lead.refresh_from_db()
    assert lead.owner == rep


def test_export_selected_holds_the_ticked_visible_leads_only(login, rep, outsider):
    a = LeadFactory(owner=rep, name="导出甲")
    LeadFactory(owner=rep, name="未勾选")
    c = LeadFactory(owner=outsider, name="别组丙")
    response = login(rep).post("/leads/bulk/", {"action": "export", "ids": [a.pk, c.pk]})
    body = (
        b"".join(response.streaming_content).decode("utf-8-sig")
        if response.streaming
        else response.content.decode("utf-8-sig")
    )
    assert "导出甲" in body and "未勾选" not in body and "别组丙" not in body


def test_nothing_ticked_or_junk_ids(login, rep):
    client = login(rep)
    for ids, message in (
        ([], "Tick at least one lead."),
        (["abc"], "The ticked rows could not be read; reload the list and tick them again."),
        (["-1"], "The ticked rows could not be read; reload the list and tick them again."),
        (
            ["99999999999999999999"],
            "The ticked rows could not be read; reload the list and tick them again.",
        ),
    ):
        response = client.post(
            "/leads/bulk/", {"action": "stage", "ids": ids}, HTTP_ACCEPT_LANGUAGE="en"
        )
        assert response.status_code == 302
        assert _messages(response)[-1] == message


def test_the_list_has_the_checkboxes(login, rep):
    lead = LeadFactory(owner=rep)
    page = login(rep).get("/leads/").content.decode()
    assert f'id="select-{lead.pk}"' in page and 'form="bulk-form"' in page
