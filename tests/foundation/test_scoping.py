"""Record scoping (SPEC §1) through the queryset and through a view, on the user directory.
Each app's own tests cover its owned models with the same mechanism."""

import pytest

from salescrm.models import User
from salescrm.scoping import visible_q


@pytest.fixture
def people(rep, teammate, manager, outsider, other_manager, director, legal, finance):
    return locals()


def usernames(qs):
    return sorted(qs.values_list("username", flat=True))


def test_rep_sees_only_own_row(people, rep):
    assert usernames(User.objects.visible_to(rep)) == ["rep_a1"]


def test_manager_sees_own_team(people, manager):
    assert usernames(User.objects.visible_to(manager)) == ["manager_a", "rep_a1", "rep_a2"]


def test_manager_of_parent_team_sees_sub_teams(people, manager, other_team):
    other_team.parent = manager.team
    other_team.save()
    manager.__dict__.pop("_managed_team_ids", None)
    assert usernames(User.objects.visible_to(manager)) == [
        "manager_a",
        "manager_b",
        "rep_a1",
        "rep_a2",
        "rep_b1",
    ]


@pytest.mark.parametrize("role_fixture", ["director", "legal", "finance"])
def test_company_wide_roles_see_all(people, request, role_fixture):
    viewer = request.getfixturevalue(role_fixture)
    assert User.objects.visible_to(viewer).count() == 8


def test_inactive_user_sees_nothing(people, rep):
    rep.is_active = False
    assert usernames(User.objects.visible_to(rep)) == []


def test_owner_path_follows_relations(rep):
    # a payment-like model reaches its owner through its contract
    assert str(visible_q(rep, "contract__owner")) == f"(AND: ('contract__owner__pk', {rep.pk}))"


def test_guessed_id_of_someone_elses_record_is_404(people, login, manager, outsider, teammate):
    client = login(manager)
    assert client.get(f"/team/{teammate.pk}/").status_code == 200
    assert client.get(f"/team/{outsider.pk}/").status_code == 404


def test_rep_cannot_open_the_member_directory(people, login, rep, teammate):
    client = login(rep)
    assert client.get("/team/").status_code == 403
    assert client.get(f"/team/{teammate.pk}/").status_code == 404
    assert client.get(f"/team/{rep.pk}/").status_code == 200


def test_member_list_queries_are_bounded(
    people, login, director, django_assert_max_num_queries, team
):
    from tests.factories import UserFactory

    for i in range(30):
        UserFactory(username=f"bulk{i}", team=team)
    client = login(director)
    with django_assert_max_num_queries(8):
        response = client.get("/team/")
    assert response.status_code == 200
    assert "bulk29" in response.content.decode() or "bulk9" in response.content.decode()
