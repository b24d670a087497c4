"""The pages: who sees which rows, who may edit, validation messages, exports, query counts."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from salescrm.models import User
from targets.models import Adjustment, Target, TargetPlan

D = Decimal
pytestmark = pytest.mark.django_db


def detail(plan):
    return reverse("targets:plan_detail", args=[plan.pk])


def test_rep_sees_only_their_own_targets(login, plan, rep):
    response = login(rep).get(detail(plan))
    assert response.status_code == 200
    table = response.context["table"]
    assert table.company == [] and table.teams == []
    assert [[row.label for row in rows] for _team, rows in table.rep_groups] == [["rep_a1"]]
    assert b"rep_a2" not in response.content and b"rep_b1" not in response.content


def test_manager_sees_their_team_and_its_reps(login, plan, manager):
    table = login(manager).get(detail(plan)).context["table"]
    assert table.company == []
    assert [row.label for row in table.teams] == ["Team A"]
    assert [[row.label for row in rows] for _team, rows in table.rep_groups] == [
        ["rep_a1", "rep_a2", "Total of Team A"]
    ]
    assert table.rep_groups[0][1][2].total == D("800000.04")


def test_director_sees_everything_with_totals(login, plan, director):
    table = login(director).get(detail(plan)).context["table"]
    assert table.company[0].total == D("1200000.00")
    assert [(row.label, row.total) for row in table.teams] == [
        ("Team A", D("800000.04")),
        ("Team B", D("399999.96")),
        ("Total of the teams", D("1200000.00")),
    ]
    assert table.company[0].quarters == [D("300000.00")] * 4


def test_rep_cannot_open_the_editing_view_or_post_to_it(login, plan, rep, team):
    client = login(rep)
    url = reverse("targets:plan_adjust_team", args=[plan.pk, team.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"reason": "x"}).status_code == 403


def test_manager_cannot_open_another_teams_editing_view(login, plan, manager, other_team):
    url = reverse("targets:plan_adjust_team", args=[plan.pk, other_team.pk])
    assert login(manager).get(url).status_code == 403


def test_rep_cannot_open_someone_elses_target(login, plan, rep, teammate):
    target = Target.objects.filter(plan=plan, rep=teammate).first()
    assert login(rep).get(target.get_absolute_url()).status_code == 404


def test_rep_reads_the_history_of_their_own_target(login, plan, manager, rep, teammate, team):
    target = Target.objects.get(plan=plan, rep=rep, month=dt.date(plan.year, 7, 1))
    other = Target.objects.get(plan=plan, rep=teammate, month=dt.date(plan.year, 7, 1))
    login(manager).post(
        reverse("targets:plan_adjust_team", args=[plan.pk, team.pk]),
        {f"cell_{target.pk}": "30000.00", f"cell_{other.pk}": "36666.67", "reason": "holiday"},
    )
    response = login(rep).get(target.get_absolute_url())
    assert b"holiday" in response.content and b"33,333.34" in response.content


def adjust_payload(plan, team, changes, reason="moving the Fudan account"):
    data = {"reason": reason}
    for target in Target.objects.filter(plan=plan, team=team, level="rep"):
        data[f"cell_{target.pk}"] = str(
            changes.get((target.rep.username, target.month.month), target.value)
        )
    return data


def test_manager_moves_target_between_reps_through_the_page(login, plan, manager, team):
    client = login(manager)
    url = reverse("targets:plan_adjust_team", args=[plan.pk, team.pk])
    response = client.post(
        url, adjust_payload(plan, team, {("rep_a1", 5): "40000.00", ("rep_a2", 5): "26666.67"})
    )
    assert response.status_code == 302
    assert Target.objects.get(plan=plan, rep__username="rep_a1", month__month=5).value == D(
        "40000.00"
    )
    assert Target.objects.get(plan=plan, level="team", team=team, month__month=5).value == D(
        "66666.67"
    )


def test_editing_errors_say_what_and_where_and_change_nothing(login, plan, manager, team):
    client = login(manager)
    url = reverse("targets:plan_adjust_team", args=[plan.pk, team.pk])
    response = client.post(url, adjust_payload(plan, team, {("rep_a1", 5): "40000.00"}, reason=""))
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    response = client.post(url, adjust_payload(plan, team, {("rep_a1", 5): "40000.00"}))
    assert response.status_code == 200
    assert (
        "the reps add up to 73,333.33 but the team target is 66,666.67 (difference 6,666.66)"
        in response.content.decode()
    )
    response = client.post(url, adjust_payload(plan, team, {("rep_a1", 5): "-1"}))
    assert response.status_code == 200 and response.context["form"].errors
    assert not Adjustment.objects.exists()


def test_ended_months_are_not_offered_for_editing(login, plan, manager, team, clock):
    clock.set(dt.date(plan.year, 4, 10))
    response = login(manager).get(reverse("targets:plan_adjust_team", args=[plan.pk, team.pk]))
    form = response.context["form"]
    months = sorted({target.month.month for target in form.cells.values()})
    assert months == [4, 5, 6, 7, 8, 9, 10, 11, 12]
    march = Target.objects.get(plan=plan, rep__username="rep_a1", month__month=3)
    response = login(manager).post(
        reverse("targets:plan_adjust_team", args=[plan.pk, team.pk]),
        {f"cell_{march.pk}": "0.00", "reason": "try", "spread": "on"},
    )
    march.refresh_from_db()
    assert march.value == D("33333.34")


def test_csv_and_xlsx_export_of_the_breakdown(login, plan, director):
    client = login(director)
    response = client.get(detail(plan), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][2:5] == [f"{plan.year}-01", f"{plan.year}-02", f"{plan.year}-03"]
    company = rows[1]
    assert company[2] == "100000.00" and company[5] == "300000.00" and company[-1] == "1200000.00"
    # header; company; team A, team B, total; rep_a1, rep_a2, subtotal of A; rep_b1
    assert len(rows) == 9
    response = client.get(detail(plan), {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.cell(row=2, column=19).value == 1200000


def test_rep_export_holds_only_their_row(login, plan, rep):
    response = login(rep).get(detail(plan), {"export": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == ["rep_a1"]


def test_director_creates_edits_and_publishes_a_plan(
    login, director, rep, teammate, outsider, next_year
):
    client = login(director)
    response = client.post(
        reverse("targets:plan_create"),
        {"year": next_year, "metric": "renewals", "annual_value": "120"},
    )
    plan = TargetPlan.objects.get(year=next_year, metric="renewals")
    assert response.status_code == 302
    url = reverse("targets:plan_weights", args=[plan.pk])
    form = client.get(url).context["form"]
    data = {name: field.initial for name, field in form.fields.items() if field.initial is not None}
    data.update({f"month_{m}": "0" for m in range(1, 13)})
    response = client.post(url, data)
    assert "At least one month needs a weight above zero." in response.content.decode()
    data.update({"month_12": "2", "month_11": "1", "annual_value": "120"})
    data = {k: v for k, v in data.items() if not k.endswith("_activity")}
    assert client.post(url, data).status_code == 302
    client.post(reverse("targets:plan_publish", args=[plan.pk]))
    plan.refresh_from_db()
    assert plan.is_published
    # Q4 weights 0 : 1 : 2 of 120 -> 0, 40, 80
    assert list(
        Target.objects.filter(plan=plan, level="company")
        .order_by("month")
        .values_list("value", flat=True)
    )[9:] == [D("0"), D("40"), D("80")]


def test_manager_and_rep_cannot_create_or_publish(login, manager, rep, make_plan, next_year):
    draft = make_plan(year=next_year, publish=False)
    for user in (manager, rep):
        client = login(user)
        assert client.get(reverse("targets:plan_create")).status_code == 403
        assert client.post(reverse("targets:plan_publish", args=[draft.pk])).status_code == 403
        assert client.get(detail(draft)).status_code == 404


def test_history_page_lists_changes(login, plan, manager, team, director):
    login(manager).post(
        reverse("targets:plan_adjust_team", args=[plan.pk, team.pk]),
        adjust_payload(
            plan,
            team,
            {("rep_a1", 8): "40000.00", ("rep_a2", 8): "26666.67"},
            reason="summer campaign",
        ),
    )
    response = login(director).get(reverse("targets:plan_history", args=[plan.pk]))
    assert "summer campaign" in response.content.decode()
    assert "40,000.00" in response.content.decode()


@pytest.fixture
def big_team(team, manager):
    User.objects.bulk_create(
        User(username=f"bulk{i:02d}", role="rep", team=team, last_name="王", first_name=f"{i}")
        for i in range(30)
    )
    return team


def test_breakdown_page_queries_are_bounded_for_a_team_of_30(
    login, director, manager, big_team, make_plan, next_year, django_assert_max_num_queries
):
    plan = make_plan(year=next_year)
    for user in (director, manager):
        client = login(user)
        with django_assert_max_num_queries(12):
            response = client.get(detail(plan))
        assert response.status_code == 200
    assert len(response.context["table"].rep_groups[0][1]) == 31


def test_editing_and_history_pages_queries_are_bounded_for_a_team_of_30(
    login, manager, big_team, make_plan, next_year, django_assert_max_num_queries
):
    plan = make_plan(year=next_year)
    client = login(manager)
    url = reverse("targets:plan_adjust_team", args=[plan.pk, big_team.pk])
    with django_assert_max_num_queries(12):
        assert client.get(url).status_code == 200
    client.post(url, adjust_payload(plan, big_team, {}, reason="none") | {"spread": "on"})
    targets = {
        t.rep.username: t
        for t in Target.objects.filter(
            plan=plan, team=big_team, level="rep", month__month=9
        ).select_related("rep")
    }
    for i in range(10):
        client.post(
            url,
            {
                f"cell_{targets['bulk00'].pk}": str(targets["bulk00"].value + i + 1),
                "spread": "on",
                "reason": f"r{i}",
            },
        )
    assert Adjustment.objects.count() == 10
    with django_assert_max_num_queries(12):
        assert client.get(reverse("targets:plan_history", args=[plan.pk])).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(reverse("targets:plan_list")).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(targets["bulk00"].get_absolute_url()).status_code == 200


def test_draft_preview_weights_and_member_pages_queries_are_bounded_for_a_team_of_30(
    login, director, manager, big_team, make_plan, next_year, django_assert_max_num_queries
):
    draft = make_plan(year=next_year, publish=False)
    client = login(director)
    with django_assert_max_num_queries(14):
        response = client.get(detail(draft))
    assert len(response.context["table"].rep_groups[0][1]) == 31
    with django_assert_max_num_queries(12):
        response = client.get(reverse("targets:plan_weights", args=[draft.pk]))
    assert len(response.context["form"].member_names) == 30
    published = make_plan(year=next_year + 1)
    client = login(manager)
    for name in ("member_leave", "member_join"):
        with django_assert_max_num_queries(12):
            assert client.get(reverse(f"targets:{name}", args=[published.pk])).status_code == 200


def test_director_sets_a_product_line_split_that_only_leaders_of_the_company_see(
    login, director, manager, rep, teammate, outsider, make_plan, next_year
):
    draft = make_plan(year=next_year, publish=False)
    client = login(director)
    url = reverse("targets:plan_weights", args=[draft.pk])
    form = client.get(url).context["form"]
    data = {
        name: field.initial
        for name, field in form.fields.items()
        if field.initial is not None and not name.endswith("_activity")
    }
    line_names = form.line_names
    assert len(line_names) == 3
    data.update({line_names[0]: "1", line_names[1]: "1", line_names[2]: "2"})
    assert client.post(url, data).status_code == 302
    client.post(reverse("targets:plan_publish", args=[draft.pk]))
    table = client.get(detail(draft)).context["table"]
    # 1,200,000.00 a year split 1 : 1 : 2 -> 300,000.00, 300,000.00, 600,000.00, and the total
    assert [row.total for row in table.product_lines] == [
        D("300000.00"),
        D("300000.00"),
        D("600000.00"),
        D("1200000.00"),
    ]
    assert login(manager).get(detail(draft)).context["table"].product_lines == []
