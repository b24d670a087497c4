"""The table view of a chart: every cell written out, escaped and localized."""

import datetime as dt
from decimal import Decimal as D

from django.utils import translation

from performance.dashboards import Chart


def test_table_rows_are_escaped_and_numbers_written_in_full():
    chart = Chart(
        "t",
        "T",
        ["a", "b", "c", "d", "e"],
        [
            ["<b>王</b>", D("1234.50"), 7, None, dt.date(2026, 11, 2)],
            ["x", D("-0.10"), 0, "", True],
        ],
    )
    with translation.override("en"):
        html = chart.table_rows_html()
    assert html == (
        # amounts with thousands separators and one date format in both languages (issue 18)
        "<tr><td>&lt;b&gt;王&lt;/b&gt;</td><td>1,234.50</td><td>7</td><td>—</td>"
        "<td>2026-11-02</td></tr>"
        "<tr><td>x</td><td>-0.10</td><td>0</td><td></td><td>True</td></tr>"
    )
