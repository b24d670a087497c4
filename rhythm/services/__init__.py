"""The writes of team rhythm, one module per job; every write is re-exported here."""

from .attendance import (
    attendance_check_in,
    attendance_check_out,
    attendance_nightly,
    attendance_record,
    compute_month,
)
from .bulletins import bulletins_build
from .feeds import calendar_feed_issue, calendar_feed_revoke, calendar_feed_user
from .meetings import (
    action_item_add,
    action_item_done,
    generate_agenda,
    meeting_schedule,
    meeting_take_attendance,
    meeting_update,
)
from .reports import report_comment, report_submit

__all__ = [
    "calendar_feed_issue",
    "calendar_feed_revoke",
    "calendar_feed_user",
    "action_item_add",
    "action_item_done",
    "attendance_check_in",
    "attendance_check_out",
    "attendance_nightly",
    "attendance_record",
    "bulletins_build",
    "compute_month",
    "generate_agenda",
    "meeting_schedule",
    "meeting_take_attendance",
    "meeting_update",
    "report_comment",
    "report_submit",
]
