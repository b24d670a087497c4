"""The columns of a lead list download; `salescrm.exports` writes them as CSV or XLSX."""

from django.utils import timezone
from django.utils.translation import gettext as _

from customfields import values as custom_values


def lead_header() -> list[str]:
    return [
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
        *custom_values.export_header(custom_values.fields_for("lead")),
    ]


def lead_rows(leads):
    definitions = custom_values.fields_for("lead")
    for lead in leads:
        yield [
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
            *custom_values.export_cells(lead, definitions),
        ]
