"""Every CSV and XLSX download of the application goes through here, so every one of them is
safe to open in Excel or WPS.

A text cell that starts with = + - @ or a tab or carriage return would be read as a formula
by a spreadsheet program (`=HYPERLINK("http://x","y")` in a profile name becomes a live link
in a manager's export). Such a cell gets a leading apostrophe, the spreadsheet convention for
"this is text". Numbers, dates and booleans are written as themselves, so a negative amount
stays a number and sums still work."""

import csv
import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_KEPT_TYPES = (int, float, Decimal, dt.date, dt.datetime, dt.time)


def safe_cell(value):
    """The value as a spreadsheet cell: numbers and dates unchanged, None empty, anything else
    as text (lazy translations included) with a formula start defused."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        # Spreadsheets have no time zones: show the Shanghai wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, _KEPT_TYPES):  # bool is an int
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _csv_value(value):
    value = safe_cell(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def csv_text(header: list, rows: Iterable[list]) -> str:
    """CSV with a BOM, so spreadsheet programs read the Chinese names as UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_value(value) for value in header])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def xlsx_bytes(header: list, rows: Iterable[list], *, sheet_name: str = "export") -> bytes:
    # openpyxl takes a quarter of a second to import: only an .xlsx export loads it
    from openpyxl import Workbook

    # write_only streams rows to the file instead of holding a cell object per value.
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    sheet.append([safe_cell(value) for value in header])
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_response(*, filename: str, header: list, rows: Iterable[list], fmt: str) -> HttpResponse:
    """A download of `header` and `rows` as XLSX when `fmt` is "xlsx", else as CSV."""
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(header, rows), content_type=XLSX_CONTENT_TYPE)
        name = f"{filename}.xlsx"
    else:
        response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
        name = f"{filename}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
