"""Alerts are stored as kind + parameters and read in the reader's language (issue 18)."""

import datetime as dt

from django.utils import translation

from salescrm.models import Notification
from salescrm.services import notify, notify_many


def _inbox(client, user, language):
    user.language = language
    user.save(update_fields=["language"])
    client.force_login(user)
    return client.get("/notifications/?show=all").content.decode()


def test_a_lead_alert_reads_in_each_readers_language(client, rep):
    assert notify(recipient=rep, kind="lead_assigned", key="k1", params={"name": "陈晨"})
    note = Notification.objects.get(key="k1")
    # the stored fallback is the default language, whoever sent it
    assert note.title == "新线索已分配给您：陈晨"
    assert note.params == {"name": "陈晨"}
    english = _inbox(client, rep, "en")
    assert "New lead assigned to you: 陈晨" in english
    assert "新线索已分配给您" not in english
    chinese = _inbox(client, rep, "zh-hans")
    assert "新线索已分配给您：陈晨" in chinese
    assert "New lead assigned" not in chinese


def test_sent_in_english_read_in_chinese(rep):
    with translation.override("en"):
        notify(recipient=rep, kind="handoff", key="h", params={"number": "HT-2026-0007"})
    note = Notification.objects.get(key="h")
    with translation.override("zh-hans"):
        assert note.text_title == "合同 HT-2026-0007 已移交给您"
    note = Notification.objects.get(key="h")
    with translation.override("en"):
        assert note.text_title == "Contract HT-2026-0007 was handed to you"


def test_overdue_alert_dates_follow_the_language(rep):
    notify_many(
        [
            {
                "recipient_id": rep.pk,
                "kind": "overdue",
                "key": "o",
                "params": {"no": 2, "number": "HT-9", "due": dt.date(2026, 4, 11).isoformat()},
            }
        ]
    )
    with translation.override("en"):
        title = Notification.objects.get(key="o").text_title
    assert title == "Instalment 2 of HT-9 is overdue (due 2026-04-11)"


def test_kpi_anomaly_names_the_kpi_in_the_readers_language(manager):
    params = {
        "rep": "王小明",
        "kpi": "signed_amount",
        "change": "-35.0",
        "current": "650.00",
        "previous": "1000.00",
        "span": "06-01–06-15",
        "previous_span": "05-01–05-15",
    }
    notify(recipient=manager, kind="kpi_anomaly", key="a", params=params)
    with translation.override("en"):
        english = Notification.objects.get(key="a")
        assert english.text_title == "王小明: New signed amount -35.0 % against last month"
    with translation.override("zh-hans"):
        chinese = Notification.objects.get(key="a")
        assert "新签单金额" in chinese.text_title
        assert "Signed" not in chinese.text_body


def test_approval_events_and_unknown_parameters(rep):
    notify(
        recipient=rep,
        kind="approval",
        key="r",
        params={"event": "rejected", "number": "HT-1", "comment": "折扣过高"},
    )
    with translation.override("en"):
        note = Notification.objects.get(key="r")
        assert (note.text_title, note.text_body) == ("Contract HT-1 was rejected", "折扣过高")
    # a row whose parameters do not fit its kind shows what is stored, never a 500
    bad = Notification.objects.create(
        recipient=rep, kind="approval", key="b", title="stored", params={"event": "??"}
    )
    assert bad.text_title == "stored"


def test_a_fixed_title_still_works(rep):
    notify(recipient=rep, kind="t", key="f", title="固定标题")
    with translation.override("en"):
        assert Notification.objects.get(key="f").text_title == "固定标题"
