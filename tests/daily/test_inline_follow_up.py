"""Inline edit of the next follow-up date on the lead list (issue 18)."""

import datetime as dt

from tests.leads.factories import LeadFactory


def test_a_rep_sets_the_date_from_the_list_and_returns_to_it(login, rep):
    lead = LeadFactory(owner=rep, next_follow_up_on=None)
    client = login(rep)
    page = client.get("/leads/?grade=C").content.decode()
    assert f'id="follow-up-{lead.pk}"' in page and "data-autosubmit" in page
    response = client.post(
        f"/leads/{lead.pk}/next-follow-up/",
        {"next_follow_up_on": "2026-12-01", "next": "/leads/?grade=C"},
    )
    assert response["Location"] == "/leads/?grade=C"
    lead.refresh_from_db()
    assert lead.next_follow_up_on == dt.date(2026, 12, 1)
    client.post(f"/leads/{lead.pk}/next-follow-up/", {"next_follow_up_on": ""})
    lead.refresh_from_db()
    assert lead.next_follow_up_on is None


def test_bad_dates_and_foreign_next_change_nothing(login, rep):
    lead = LeadFactory(owner=rep, next_follow_up_on=dt.date(2026, 12, 1))
    client = login(rep)
    nexts = ("https://evil.example/", "😀", "' OR 1=1 --", "1e-400", "//evil.example/")
    for value, next_url in zip(
        ("2026-13-01", "tomorrow", "0001-01-01", "9999-12-31", "x"), nexts, strict=True
    ):
        response = client.post(
            f"/leads/{lead.pk}/next-follow-up/",
            {"next_follow_up_on": value, "next": next_url},
        )
        assert response["Location"] == "/leads/"
        lead.refresh_from_db()
        assert lead.next_follow_up_on == dt.date(2026, 12, 1)


def test_another_reps_lead_is_a_404(login, rep, outsider):
    lead = LeadFactory(owner=outsider, next_follow_up_on=None)
    response = login(rep).post(
        f"/leads/{lead.pk}/next-follow-up/", {"next_follow_up_on": "2026-12-01"}
    )
    assert response.status_code == 404
    lead.refresh_from_db()
    assert lead.next_follow_up_on is None


def test_back_office_may_not(login, finance, rep):
    lead = LeadFactory(owner=rep, next_follow_up_on=None)
    response = login(finance).post(
        f"/leads/{lead.pk}/next-follow-up/", {"next_follow_up_on": "2026-12-01"}
    )
    assert response.status_code == 403
