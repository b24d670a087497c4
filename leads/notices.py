"""The wording of the leads app's alerts, in the reader's language (salescrm.notices)."""

from django.utils.translation import gettext as _

from salescrm.notices import notice_text


@notice_text("lead_assigned")
def _assigned(params):
    return _("New lead assigned to you: %(name)s") % params, ""


@notice_text("lead_re_enquiry")
def _re_enquiry(params):
    return _("%(name)s enquired again") % params, ""


@notice_text("lead_pool_reminder")
def _pool_reminder(params):
    return _("Follow up %(name)s or it returns to the pool") % params, ""
