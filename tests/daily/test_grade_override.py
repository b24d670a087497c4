"""Inline grade override on the lead list (issue 18): through lead_grade_override, kept in
the history, for leaders only, and the score's rules do not undo it."""

import datetime as dt
import re

from leads.models import GradeOverride, Lead, LeadSettings
from leads.scoring import leads_rescore
from tests.leads.factories import LeadFactory


def test_a_manager_sets_a_team_leads_grade_from_the_list(login, manager, rep):
    lead = LeadFactory(owner=rep, name="手动", grade="C")
    client = login(manager)
    page = client.get("/leads/").content.decode()
    assert f'id="grade-{lead.pk}"' in page
    response = client.post(
        f"/leads/{lead.pk}/grade/", {"grade_override": "A", "next": "/leads/?grade=C"}
    )
    assert response["Location"] == "/leads/?grade=C"
    lead.refresh_from_db()
    assert (lead.grade, lead.grade_override) == ("A", "A")
    row = GradeOverride.objects.get(lead=lead)
    assert (row.from_grade, row.to_override, row.changed_by) == ("C", "A", manager)


def test_the_nightly_rescore_keeps_a_grade_set_by_hand_until_it_is_cleared(login, manager, rep):
    lead = LeadFactory(owner=rep, grade="C")  # no rule fires: a score of 0 is grade C
    client = login(manager)
    client.post(f"/leads/{lead.pk}/grade/", {"grade_override": "B"})
    leads_rescore()
    lead.refresh_from_db()
    assert lead.grade == "B"
    client.post(f"/leads/{lead.pk}/grade/", {"grade_override": ""})
    lead.refresh_from_db()
    assert (lead.grade, lead.grade_override) == ("C", "")
    assert list(
        GradeOverride.objects.filter(lead=lead).values_list("from_grade", "to_override")
    ) == [
        ("C", "B"),
        ("B", ""),
    ]
    assert LeadSettings.load().grade_for(0) == "C"


def test_a_rep_may_not_and_sees_no_selector(login, rep):
    lead = LeadFactory(owner=rep, grade="C")
    client = login(rep)
    assert f'id="grade-{lead.pk}"' not in client.get("/leads/").content.decode()
    assert client.post(f"/leads/{lead.pk}/grade/", {"grade_override": "A"}).status_code == 403
    lead.refresh_from_db()
    assert (lead.grade, lead.grade_override) == ("C", "")
    assert not GradeOverride.objects.exists()


def test_another_teams_lead_is_a_404(login, manager, outsider):
    lead = LeadFactory(owner=outsider, grade="C")
    assert (
        login(manager).post(f"/leads/{lead.pk}/grade/", {"grade_override": "A"}).status_code == 404
    )
    lead.refresh_from_db()
    assert lead.grade_override == ""


def test_a_wrong_grade_changes_nothing(login, manager, rep):
    lead = LeadFactory(owner=rep, grade="C")
    client = login(manager)
    for value in ("D", "a", "AB", "😀"):
        response = client.post(f"/leads/{lead.pk}/grade/", {"grade_override": value})
        assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.grade_override == "" and not GradeOverride.objects.exists()


def test_the_lead_edit_form_cannot_set_it(rep):
    from leads.services import lead_update

    lead = LeadFactory(owner=rep, grade="C")
    lead_update(lead=lead, actor=rep, grade_override="A")
    assert Lead.objects.get(pk=lead.pk).grade_override == ""


def test_the_lead_page_shows_the_grade_history(login, manager, rep):
    lead = LeadFactory(owner=rep, grade="C")
    client = login(manager)
    client.post(f"/leads/{lead.pk}/grade/", {"grade_override": "A"})
    client.post(f"/leads/{lead.pk}/grade/", {"grade_override": ""})
    first, second = GradeOverride.objects.filter(lead=lead)
    for row, day in ((first, 15), (second, 16)):  # noon in Shanghai
        row.changed_at = dt.datetime(2026, 6, day, 4, tzinfo=dt.UTC)
        row.save(update_fields=["changed_at"])
    for language, rows in (
        (
            "en",
            [
                "2026-06-15 12:00 · C · Cold → A · Hot · manager_a",
                "2026-06-16 12:00 · A · Hot → As scored · manager_a",
            ],
        ),
        (
            "zh-hans",
            [
                "2026-06-15 12:00 · C · 冷 → A · 热 · manager_a",
                "2026-06-16 12:00 · A · 热 → 按评分 · manager_a",
            ],
        ),
    ):
        # the rep who owns the lead reads it too (the history is not a leader's secret)
        page = login(rep).get(f"/leads/{lead.pk}/", HTTP_ACCEPT_LANGUAGE=language)
        section = page.content.decode().split('id="grade-history">')[1].split("</ul>")[0]
        items = [re.sub(r"<[^>]+>|\s+", " ", item).split() for item in section.split("</li>")]
        assert [" ".join(words) for words in items if words] == rows


def test_a_lead_never_set_by_hand_has_no_grade_history(login, rep):
    lead = LeadFactory(owner=rep, grade="C")
    assert 'id="grade-history"' not in login(rep).get(f"/leads/{lead.pk}/").content.decode()
