"""A chart's numbers are typed rows computed apart from its figure: they read by name without
drawing anything, and the figure is drawn from rows alone (no database). The scenarios are
those of test_chart_numbers, the values worked out by hand there."""

import datetime as dt
from decimal import Decimal as D

import pytest

from performance import dashboards
from performance.dashboards import figures
from performance.dashboards.data import Data
from performance.dashboards.director import TeamRow, by_team_rows, draw_by_team
from performance.dashboards.funnel import FunnelRow, funnel_rows
from performance.dashboards.manager import ForecastRow, draw_forecast
from performance.forecast import Projection
from tests.dashboards.test_chart_numbers import OCTOBER, TODAY, funnel, sales  # noqa: F401
from tests.performance.factories import nightly_facts


def data_for(user) -> Data:
    nightly_facts()
    return Data(dashboards.scope_for(user, month=OCTOBER, today=TODAY))


@pytest.fixture
def no_drawing(monkeypatch):
    """Any attempt to build a figure fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the numbers of a chart must not draw its figure")

    monkeypatch.setattr(figures.Figure, "add", refuse)
    monkeypatch.setattr(figures.Figure, "__init__", refuse)


@pytest.mark.django_db
def test_team_funnel_rows_name_each_stage_count_without_drawing(funnel, manager, no_drawing):  # noqa: F811
    rows = funnel_rows(data_for(manager))
    # team: 20, 14, 9, 7, 5, 3, 3 reached; conversions 14/20, 9/14, 7/9, 5/7, 3/5, 3/3
    assert rows == [
        FunnelRow(stage="新线索", reached=20, open_leads=2, conversion=D("70.0"), drop_off=6),
        FunnelRow(stage="已联系", reached=14, open_leads=2, conversion=D("64.3"), drop_off=5),
        FunnelRow(stage="需求分析", reached=9, open_leads=2, conversion=D("77.8"), drop_off=2),
        FunnelRow(stage="试听", reached=7, open_leads=2, conversion=D("71.4"), drop_off=2),
        FunnelRow(stage="方案报价", reached=5, open_leads=2, conversion=D("60.0"), drop_off=2),
        FunnelRow(stage="谈判", reached=3, open_leads=2, conversion=D("100.0"), drop_off=0),
        FunnelRow(stage="成交", reached=3, open_leads=2, conversion=None, drop_off=None),
    ]
    assert rows[1].conversion == D("64.3")


@pytest.mark.django_db
def test_company_by_team_rows_mark_the_total_which_the_figure_leaves_out(sales, director):  # noqa: F811
    rows = by_team_rows(data_for(director))
    # Team A target 60000+50000, signed 50000+40000; Team B 90000 / 99000
    assert rows == [
        TeamRow("Team A", D("110000.00"), D("90000.00"), D("81.8"), D("0.00")),
        TeamRow("Team B", D("90000.00"), D("99000.00"), D("110.0"), D("0.00")),
        TeamRow("合计", D("200000.00"), D("189000.00"), D("94.5"), D("0.00"), is_total=True),
    ]
    # the table keeps the total row, without the flag as a column
    assert figures.cells(rows[2]) == ["合计", D("200000.00"), D("189000.00"), D("94.5"), D("0.00")]
    target, signed, collected = draw_by_team(rows).data
    assert target["x"] == ["Team A", "Team B"]
    assert target["y"] == [110000.0, 90000.0]
    assert signed["y"] == [90000.0, 99000.0]
    assert collected["y"] == [0.0, 0.0]


def test_forecast_figure_is_drawn_from_rows_alone():
    """No database: the figure reads only the rows it is given."""
    row = ForecastRow(
        metric="签单金额",
        quarter="2026 Q4",
        point=D("300"),
        low=D("250"),
        high=D("380"),
        target=D("320.00"),
        mape=D("5.0"),
        months_of_history=6,
        history=[(dt.date(2026, month, 1), D(month * 10)) for month in range(4, 10)],
        projection=Projection(point=D("300"), low=D("250"), high=D("380"), seasonal=False),
    )
    assert figures.cells(row) == [
        "签单金额",
        "2026 Q4",
        D("300"),
        D("250"),
        D("380"),
        D("320.00"),
        D("5.0"),
        6,
        "",
    ]
    actual, forecast, target = draw_forecast([row]).data
    # April to June 40+50+60, July to September 70+80+90
    assert actual["x"] == ["2026Q2", "2026Q3"]
    assert actual["y"] == [150.0, 240.0]
    assert forecast["x"] == ["2026Q4"]
    assert forecast["y"] == [300.0]
    assert forecast["error_y"]["array"] == [80.0]
    assert forecast["error_y"]["arrayminus"] == [50.0]
    assert target["x"] == ["2026Q4"]
    assert target["y"] == [320.0]
