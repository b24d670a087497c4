"""CSV and XLSX export of a lead list. Text cells are escaped against formula injection
(a cell starting with = + - @ would run as a formula in Excel/WPS)."""

import csv
import io

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _rows(leads):
    yield [
        _("Name"),
        _("Company"),
        _("Phone"),
        _("E-mail"),
        _("WeChat ID"),
        _("Channel"),
        _("Stage"),
        _("Grade"),
        _("Score"),
        _("Owner"),
        _("Region"),
        _("Budget (CNY)"),
        _("Created"),
        _("Last follow-up"),
    ]
    for lead in leads:
        yield [
            safe_cell(value)
            for value in (
                lead.name,
                lead.company,
                lead.phone,
                lead.email,
                lead.wechat,
                str(lead.channel),
                lead.get_stage_display(),
                lead.grade,
                lead.score,
                str(lead.owner) if lead.owner else "",
                lead.region,
                lead.budget,
                timezone.localtime(lead.created_at).strftime("%Y-%m-%d %H:%M"),
                timezone.localtime(lead.last_activity_at).strftime("%Y-%m-%d %H:%M")
                if lead.last_activity_at
                else "",
            )
        ]


def export_response(leads, fmt: str) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("leads")
        for row in _rows(leads):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.xlsx"'
        return response
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="leads-{stamp}.csv"'
    response.write("\ufeff")  # BOM: Excel opens UTF-8 Chinese correctly
    writer = csv.writer(response)
    for row in _rows(leads):
        writer.writerow(row)
    return response
