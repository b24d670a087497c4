"""The wording of the customers app's alerts, in the reader's language (salescrm.notices)."""

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from salescrm.notices import notice_text


@notice_text("complaint")
def _complaint(params):
    return _("Complaint escalated: %(subject)s") % params, ""


@notice_text("handoff")
def _handoff(params):
    return _("Contract %(number)s was handed to you") % params, ""


@notice_text("overdue")
def _overdue(params):
    due = date_format(dt.date.fromisoformat(params["due"]))
    return _("Instalment %(no)s of %(number)s is overdue (due %(due)s)") % {
        **params,
        "due": due,
    }, ""


@notice_text("approval")
def _approval(params):
    event = params["event"]
    if event == "review":
        return _("Contract %(number)s waits for your review") % params, ""
    if event == "rejected":
        return _("Contract %(number)s was rejected") % params, params.get("comment", "")
    if event == "approved":
        return _("Contract %(number)s is approved") % params, ""
    raise ValueError(event)
