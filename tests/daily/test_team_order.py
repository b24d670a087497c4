"""Teams are listed in the order of their numbers, Chinese numerals included (issue 18):
一组, 二组, 三组 … 十组, 十一组, not by code point (一 U+4E00 < 三 U+4E09 < 二 U+4E8C)."""

from django.urls import reverse

from salescrm.models import Team, User, natural_sort_key
from salescrm.org_demo import TEAM_NAMES


def test_the_key_reads_chinese_and_arabic_numbers():
    assert natural_sort_key("销售一组") == "销售000001组"
    assert natural_sort_key("销售十组") == "销售000010组"
    assert natural_sort_key("销售十二组") == "销售000012组"
    assert natural_sort_key("销售二十组") == "销售000020组"
    assert natural_sort_key("一百零五") == "000105"
    assert natural_sort_key("Team 7") == "Team 000007"
    assert natural_sort_key("华东大区") == "华东大区"


def test_teams_come_out_in_numeral_order(db):
    for name in ["销售三组", "销售十组", "销售一组", "销售二组"]:
        Team.objects.create(name=name)
    assert list(Team.objects.filter(name__startswith="销售").values_list("name", flat=True)) == [
        "销售一组",
        "销售二组",
        "销售三组",
        "销售十组",
    ]
    assert sorted(["销售一组", "销售二组", "销售三组"]) == ["销售一组", "销售三组", "销售二组"]


def test_a_renamed_team_takes_its_new_place(db):
    first = Team.objects.create(name="销售一组")
    Team.objects.create(name="销售二组")
    first.name = "销售九组"
    first.save(update_fields=["name"])
    assert list(Team.objects.values_list("name", flat=True)) == ["销售二组", "销售九组"]


def test_the_member_list_shows_the_demo_teams_in_order(login, director):
    for n, name in enumerate(reversed(TEAM_NAMES)):
        team, _created = Team.objects.get_or_create(name=name)
        User.objects.create(username=f"member{n}", role="rep", team=team)
    page = login(director).get(reverse("member_list")).content.decode()
    positions = [page.find(name) for name in TEAM_NAMES]
    assert -1 not in positions and positions == sorted(positions), positions
