"""Statement pages: scoping, closing by finance, CSV/XLSX export, query counts."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from django.utils import timezone

from performance.models import CommissionLine, CommissionPlan, CommissionStatement
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOV = dt.date(2026, 11, 1)


@pytest.fixture
def plan():
    return CommissionPlan.objects.create(name="v1", effective_from=dt.date(2026, 1, 1))


def _statement(rep, plan, total="1500.00", lines=1):
    statement = CommissionStatement.objects.create(
        rep=rep,
        month=NOV,
        plan=plan,
        team=rep.team,
        base_kind="collected",
        base_amount=D("50000"),
        commission=D(total),
        team_bonus=D("0"),
        total=D(total),
        computed_at=timezone.now(),
    )
    share = D(total) / lines
    for position in range(1, lines + 1):
        CommissionLine.objects.create(
            statement=statement,
            position=position,
            kind="payment",
            occurred_on=NOV,
            description=f"回款 {position}",
            base=D("50000") / lines,
            rate=D("3"),
            amount=share,
        )
    return statement


def test_a_rep_sees_only_their_own_statement(login, rep, teammate, plan):
    own, other = _statement(rep, plan), _statement(teammate, plan)
    client = login(rep)
    page = client.get(reverse("performance:statements")).content.decode()
    assert own.get_absolute_url() in page and other.get_absolute_url() not in page
    assert client.get(own.get_absolute_url()).status_code == 200
    assert client.get(other.get_absolute_url()).status_code == 404


def test_a_manager_sees_the_teams_statements_only(login, manager, rep, outsider, plan):
    mine, foreign = _statement(rep, plan), _statement(outsider, plan)
    client = login(manager)
    page = client.get(reverse("performance:statements")).content.decode()
    assert mine.get_absolute_url() in page and foreign.get_absolute_url() not in page
    assert client.get(foreign.get_absolute_url()).status_code == 404


def test_finance_closes_a_statement_and_others_cannot(login, finance, manager, rep, plan):
    statement = _statement(rep, plan)
    url = reverse("performance:statement_close", args=[statement.pk])
    assert login(manager).post(url).status_code == 403
    assert login(finance).get(url).status_code == 405
    response = login(finance).post(url)
    assert response.status_code == 302
    statement.refresh_from_db()
    assert statement.status == "closed" and statement.closed_by == finance
    again = login(finance).post(url, follow=True)
    assert "already closed" in again.content.decode() or "已经关闭" in again.content.decode()


def test_managers_export_their_teams_lines_as_csv(login, manager, rep, outsider, plan):
    _statement(rep, plan, total="1500.00", lines=2)
    _statement(outsider, plan, total="900.00")
    response = login(manager).get(
        reverse("performance:statements_export"), {"month": "2026-11", "format": "csv"}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="commission-2026-11.csv"'
    rows = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(rows) == 3  # header + the rep's two lines, nothing of the other team
    assert rows[1].endswith(",750.00") and "rep_a1" in rows[1]


def test_finance_exports_every_statement_as_xlsx(login, finance, rep, outsider, plan):
    from openpyxl import load_workbook

    _statement(rep, plan, total="1500.00")
    _statement(outsider, plan, total="900.00")
    response = login(finance).get(
        reverse("performance:statements_export"), {"month": "2026-11", "format": "xlsx"}
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sorted(D(str(v)) for v in values) == [D("900.00"), D("1500.00")]


def test_reps_cannot_export_and_a_month_is_required(login, rep, manager):
    assert (
        login(rep).get(reverse("performance:statements_export"), {"month": "2026-11"}).status_code
        == 403
    )
    response = login(manager).get(reverse("performance:statements_export"))
    assert response.status_code == 302


def test_statement_pages_have_a_fixed_number_of_queries(
    login, director, team, plan, django_assert_max_num_queries
):
    statements = [
        _statement(UserFactory(username=f"r{i}", team=team), plan, lines=3) for i in range(60)
    ]
    client = login(director)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("performance:statements")).status_code == 200
    # 7: one of them is the allowance line the rhythm app's page panel adds
    with django_assert_max_num_queries(7):
        assert client.get(statements[0].get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(6):
        assert (
            client.get(reverse("performance:statements_export"), {"month": "2026-11"}).status_code
            == 200
        )


def test_the_statements_achievement_is_named_apart_from_the_scorecards_in_both_languages(
    login, rep, plan
):
    from django.utils import translation

    from performance.kpis import KPI_BY_CODE

    collected = _statement(rep, plan)
    collected.target_amount, collected.achievement = D("40000"), D("125.00")
    collected.save()
    signed = CommissionStatement(base_kind="signed")
    with translation.override("zh-hans"):
        assert collected.achievement_label == "回款达成率"
        assert signed.achievement_label == "签约达成率"
        assert str(KPI_BY_CODE["target_achievement"].label) == "签约达成率"
    with translation.override("en"):
        assert collected.achievement_label == "Collection achievement"
        assert signed.achievement_label == "Signing achievement"
        assert str(KPI_BY_CODE["target_achievement"].label) == "Signing achievement rate"
    page = login(rep).get(collected.get_absolute_url()).content.decode()
    assert "回款达成率 125.00 %" in page
