"""The columns of a lead list download; `salescrm.exports` writes them as CSV or XLSX."""

from django.utils import timezone
from django.utils.translation import gettext as _


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
    ]


def lead_rows(leads):
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
        ]
