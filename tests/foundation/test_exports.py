"""The one export helper: which cells are defused and which are left as they are."""

import datetime as dt
import io
from decimal import Decimal as D
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from salescrm.exports import csv_text, safe_cell, xlsx_bytes


@pytest.mark.parametrize(
    "value,expected",
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+86 138", "'+86 138"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("张伟", "张伟"),
        ("a=b", "a=b"),
        (None, ""),
        (D("-50.00"), D("-50.00")),
        (-3, -3),
        (1.5, 1.5),
        (dt.date(2026, 11, 1), dt.date(2026, 11, 1)),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_lazy_text_is_written_as_plain_text():
    with translation.override("en"):
        cell = safe_cell(gettext_lazy("Company"))
    assert (cell, type(cell)) == ("Company", str)


def test_aware_datetimes_are_written_as_shanghai_wall_clock_time():
    moment = dt.datetime(2026, 11, 1, 2, 30, tzinfo=dt.UTC)
    assert safe_cell(moment) == dt.datetime(2026, 11, 1, 10, 30)
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["when"], [[moment]]))).active
    assert sheet.cell(row=2, column=1).value == dt.datetime(2026, 11, 1, 10, 30)
    assert csv_text(["when"], [[moment.astimezone(ZoneInfo("Asia/Shanghai"))]]) == (
        "\ufeffwhen\r\n2026-11-01 10:30\r\n"
    )


def test_xlsx_keeps_numbers_as_numbers_and_text_as_text():
    sheet = load_workbook(io.BytesIO(xlsx_bytes(["=h", "n"], [["=1+1", D("-5.00")]]))).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["'=h", "n"], ["'=1+1", -5]]
    assert sheet.cell(row=2, column=1).data_type == "s"
    assert sheet.cell(row=2, column=2).data_type == "n"
