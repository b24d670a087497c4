from salescrm.models import Notification
from salescrm.services import notify, notify_many


def test_notify_is_idempotent_per_recipient_and_key(rep, teammate):
    assert notify(
        recipient=rep,
        kind="pool",
        key="pool:lead:7:2026-11-20",
        title="Lead 7 returns to the pool soon",
    )
    assert not notify(recipient=rep, kind="pool", key="pool:lead:7:2026-11-20", title="again")
    rows = [
        {"recipient_id": rep.pk, "kind": "pool", "key": "pool:lead:7:2026-11-20", "title": "dup"},
        {
            "recipient_id": teammate.pk,
            "kind": "pool",
            "key": "pool:lead:7:2026-11-20",
            "title": "other person",
        },
        {"recipient_id": rep.pk, "kind": "overdue", "key": "overdue:9", "title": "new"},
    ]
    assert notify_many(rows) == 2
    assert Notification.objects.filter(recipient=rep).count() == 2
    assert (
        Notification.objects.get(recipient=rep, key="pool:lead:7:2026-11-20").title
        == "Lead 7 returns to the pool soon"
    )


def test_inbox_shows_only_own_unread_and_marks_read(
    rep, teammate, login, django_assert_max_num_queries
):
    for i in range(40):
        notify(recipient=rep, kind="t", key=f"k{i}", title=f"mine {i}")
    notify(recipient=teammate, kind="t", key="x", title="not yours")
    client = login(rep)
    with django_assert_max_num_queries(8):
        response = client.get("/notifications/")
    body = response.content.decode()
    assert "mine 39" in body and "not yours" not in body
    theirs = Notification.objects.get(recipient=teammate)
    mine = Notification.objects.get(recipient=rep, key="k3")
    response = client.post("/notifications/read/", {"ids": [mine.pk, theirs.pk]})
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None
    client.post("/notifications/read/")
    assert Notification.objects.filter(recipient=rep, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=teammate, read_at__isnull=True).count() == 1


def test_mark_read_needs_post(rep, login):
    assert login(rep).get("/notifications/read/").status_code == 405
