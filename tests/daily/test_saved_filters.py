"""Saved filters per user on the lead list (issue 18)."""

from salescrm.models import SavedFilter
from salescrm.services import MAX_SAVED_FILTERS
from tests.leads.factories import LeadFactory


def test_save_use_and_delete_a_filter(login, rep):
    LeadFactory(owner=rep, name="甲级", grade="A")
    client = login(rep)
    response = client.post(
        "/filters/save/", {"page": "leads", "name": " 热门  线索 ", "query": "grade=A&page=3"}
    )
    saved = SavedFilter.objects.get(user=rep)
    assert (saved.name, saved.query) == ("热门 线索", "grade=A")  # page dropped, spaces tidied
    assert response["Location"] == "/leads/?grade=A"
    page = client.get("/leads/?grade=A").content.decode()
    assert 'href="?grade=A">热门 线索</a>' in page
    # saving the same name again replaces it
    client.post("/filters/save/", {"page": "leads", "name": "热门 线索", "query": "grade=B"})
    assert list(SavedFilter.objects.values_list("query", flat=True)) == ["grade=B"]
    client.post("/filters/delete/", {"page": "leads", "id": saved.pk})
    assert not SavedFilter.objects.exists()


def test_filters_are_private(login, rep, teammate):
    mine = SavedFilter.objects.create(user=rep, page="leads", name="私人筛选", query="grade=A")
    page = login(teammate).get("/leads/?grade=A").content.decode()
    assert "私人筛选" not in page
    login(teammate).post("/filters/delete/", {"page": "leads", "id": mine.pk})
    assert SavedFilter.objects.filter(pk=mine.pk).exists()


def test_bad_input_changes_nothing(login, rep):
    client = login(rep)
    for data in (
        {"page": "leads", "name": "   ", "query": "grade=A"},
        {"page": "nowhere", "name": "x", "query": "grade=A"},
        {"page": "leads"},
        {"page": "leads", "name": "\x00", "query": "q=\x00"},
    ):
        assert client.post("/filters/save/", data).status_code == 302
    for value in ("abc", "-1", "9" * 30, ""):
        assert client.post("/filters/delete/", {"page": "leads", "id": value}).status_code == 302
    assert not SavedFilter.objects.exists()


def test_at_most_thirty_per_list(login, rep):
    SavedFilter.objects.bulk_create(
        [
            SavedFilter(user=rep, page="leads", name=f"f{n}", query="")
            for n in range(MAX_SAVED_FILTERS)
        ]
    )
    client = login(rep)
    client.post("/filters/save/", {"page": "leads", "name": "one more", "query": "grade=A"})
    assert SavedFilter.objects.count() == 30
    client.post(
        "/filters/save/", {"page": "leads", "name": "f3", "query": "grade=A"}
    )  # replace: fine
    assert SavedFilter.objects.get(name="f3").query == "grade=A"
