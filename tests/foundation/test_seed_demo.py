import pytest
from django.core.management import CommandError, call_command

from salescrm.demo import DemoContext
from salescrm.models import Team, User
from salescrm.org_demo import seed_organisation
from tests.factories import UserFactory


@pytest.fixture
def org(db):
    import datetime as dt
    import random

    ctx = DemoContext(today=dt.date(2026, 11, 22), rng=random.Random(1), log=lambda s: None)
    seed_organisation(ctx)
    return ctx


def test_demo_organisation_has_exactly_the_spec_logins(org):
    expected = {"director", "legal", "finance", "service", "admin"}
    expected |= {f"manager{i}" for i in (1, 2, 3)} | {f"rep{i}" for i in range(1, 16)}
    assert set(User.objects.values_list("username", flat=True)) == expected
    for number in range(1, 16):
        rep = User.objects.get(username=f"rep{number}")
        team_number = (number - 1) // 5 + 1
        assert rep.team.manager.username == f"manager{team_number}"
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="rep7").check_password("demo-pass-2026")
    assert Team.objects.count() == 3


def test_demo_users_carry_their_role_group(org):
    rep = User.objects.get(username="rep1")
    assert list(rep.groups.values_list("name", flat=True)) == ["rep"]
    assert User.objects.get(username="manager2").role == "manager"


def test_seeding_twice_changes_nothing(org):
    before = sorted(User.objects.values_list("username", "team__name", "role"))
    seed_organisation(org)
    assert sorted(User.objects.values_list("username", "team__name", "role")) == before


def test_seed_demo_refuses_a_database_with_real_users(db):
    UserFactory(username="real.person")
    with pytest.raises(CommandError, match="not demo users"):
        call_command("seed_demo")
    assert not User.objects.filter(username="rep1").exists()
