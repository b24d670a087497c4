"""Every CSV and XLSX download defuses text that a spreadsheet would run as a formula: a
rep whose profile name is `=HYPERLINK(...)` must not put a live link into the exports their
manager, the director or finance open."""

import csv
import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from performance.dashboards import DASHBOARDS
from performance.models import (
    CommissionLine,
    CommissionPlan,
    CommissionStatement,
    FunnelSnapshot,
    KpiScheme,
    ScoreCard,
)
from tests.leads.factories import LeadFactory
from tests.performance.factories import (
    contract,
    instalment,
    lead_with_history,
    nightly_facts,
    targets,
)

pytestmark = pytest.mark.django_db

EVIL_NAME = '=HYPERLINK("http://x","y")'
LIVE_STARTS = ("=", "+", "-", "@", "\t", "\r")
STAGES = ["new", "contacted", "needs_analysis", "trial", "proposal", "negotiation", "won"]


@pytest.fixture
def poisoned(team, manager, rep, teammate, director):
    """A rep named like a formula, on a team named like one, with something in every export."""
    rep.first_name, rep.last_name = EVIL_NAME, ""
    rep.save()
    team.name = "@SUM(1+1)"
    team.save()
    now = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
    scheme = KpiScheme.objects.create(role="rep", name="2026", effective_from=dt.date(2026, 1, 1))
    plan = CommissionPlan.objects.create(name="2026", effective_from=dt.date(2026, 1, 1))
    for person in (rep, teammate):
        FunnelSnapshot.objects.bulk_create(
            FunnelSnapshot(
                day=dt.date(2026, 10, 31),
                team=team,
                rep=person,
                stage=stage,
                open_leads=3,
                amount=D("1000"),
                entered=1,
                reached=20 - 2 * i,
            )
            for i, stage in enumerate(STAGES)
        )
        ScoreCard.objects.create(
            person=person,
            period_kind="month",
            period_start=dt.date(2026, 10, 1),
            period_end=dt.date(2026, 10, 31),
            scheme=scheme,
            total_score=D("80"),
            computed_at=now,
        )
        statement = CommissionStatement.objects.create(
            rep=person,
            month=dt.date(2026, 10, 1),
            plan=plan,
            team=team,
            base_kind="collected",
            base_amount=D("1000"),
            commission=D("50"),
            team_bonus=D("0"),
            total=D("50"),
            computed_at=timezone.now(),
        )
        CommissionLine.objects.create(
            statement=statement,
            position=1,
            kind="payment",
            occurred_on=dt.date(2026, 10, 3),
            description="-退款 +调整 @备注",
            base=D("1000"),
            rate=D("5"),
            amount=D("-50"),
        )
        signed = contract(person, "5000", "2026-10-03")
        instalment(signed, "5000", "2026-10-01")
        lead_with_history(person, [("new", "2026-10-02"), ("contacted", "2026-10-03")])
    LeadFactory(owner=rep, name="+86 138", company="=1+1")
    target_plan = targets(
        "signed_amount",
        [("rep", team, rep, "2026-10", "10000"), ("rep", team, teammate, "2026-10", "9000")],
        created_by=director,
    )
    nightly_facts()
    return target_plan


def _endpoints():
    yield "rep", "/leads/export/?format={fmt}"
    yield "manager", "/leads/export/?format={fmt}"
    yield "manager", "/performance/statements/export/?month=2026-10&format={fmt}"
    yield "finance", "/performance/statements/export/?month=2026-10&format={fmt}"
    yield "director", "/performance/statements/export/?month=2026-10&format={fmt}"
    for who, kind in (("rep", "rep"), ("manager", "manager"), ("director", "director")):
        for key in DASHBOARDS[kind]:
            for period in ("month", "year"):
                yield (
                    who,
                    f"/performance/dashboard/export/{key}/?month=2026-10&period={period}&format={{fmt}}",
                )
    yield "finance", "/performance/dashboard/export/receivables/?month=2026-10&format={fmt}"
    for who in ("rep", "manager", "director"):
        yield who, "/targets/plans/{plan}/?export={fmt}"
        for period in ("month", "quarter", "year"):
            yield who, f"/targets/progress/?plan={{plan}}&period={period}&month=10&export={{fmt}}"


def _cells(response, fmt) -> list:
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.content)).active
        return [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    text = response.content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _is_number(text: str) -> bool:
    try:
        D(text)
    except ArithmeticError:
        return False
    return True


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_export_cell_starts_a_live_formula(poisoned, fmt, request, login):
    # One test per format walking every endpoint: the data set takes seconds to build.
    live, answers = {}, {}
    for who, url in _endpoints():
        client = login(request.getfixturevalue(who))
        url = url.format(fmt=fmt, plan=poisoned.pk)
        response = client.get(url)
        answers[(who, url)] = response.status_code
        live[(who, url)] = [
            cell
            for cell in _cells(response, fmt)
            if response.status_code == 200
            if isinstance(cell, str) and cell.startswith(LIVE_STARTS) and not _is_number(cell)
        ]
    assert {key: code for key, code in answers.items() if code != 200} == {}
    assert {key: cells for key, cells in live.items() if cells} == {}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "who,url",
    [
        ("manager", "/leads/export/?format={fmt}"),
        ("finance", "/performance/statements/export/?month=2026-10&format={fmt}"),
        ("manager", "/performance/dashboard/export/target_by_rep/?month=2026-10&format={fmt}"),
        ("manager", "/performance/dashboard/export/leaderboard/?month=2026-10&format={fmt}"),
        ("director", "/targets/plans/{plan}/?export={fmt}"),
        ("manager", "/targets/progress/?plan={plan}&period=month&month=10&export={fmt}"),
    ],
)
def test_the_formula_like_name_is_kept_as_text(poisoned, who, url, fmt, request, login):
    client = login(request.getfixturevalue(who))
    cells = _cells(client.get(url.format(fmt=fmt, plan=poisoned.pk)), fmt)
    assert "'" + EVIL_NAME in cells


def test_numbers_stay_numbers_in_xlsx(poisoned, finance, login):
    response = login(finance).get("/performance/statements/export/?month=2026-10&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    amounts = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert amounts == [-50, -50]
    descriptions = [row[10] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert descriptions == ["'-退款 +调整 @备注", "'-退款 +调整 @备注"]
