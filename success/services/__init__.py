"""The writes of customer success, one module per job (renewals, cadence, surveys, plans and
feedback), re-exported here."""

from .cadence import cadence_refresh, customers_with_last_contact, served_on_cadence
from .plans import (
    account_plan_create,
    account_plan_update,
    action_item_mark,
    business_review_record,
    feedback_record,
)
from .renewals import CONTACT_KINDS, renewal_move, renewals_refresh
from .surveys import (
    SurveyLinkError,
    invitation_for,
    survey_answer,
    survey_emails_send,
    survey_invitations_create,
    survey_send,
    survey_send_again,
    token_for,
)

__all__ = [
    "CONTACT_KINDS",
    "SurveyLinkError",
    "account_plan_create",
    "action_item_mark",
    "account_plan_update",
    "business_review_record",
    "cadence_refresh",
    "customers_with_last_contact",
    "feedback_record",
    "invitation_for",
    "renewal_move",
    "renewals_refresh",
    "served_on_cadence",
    "survey_answer",
    "survey_emails_send",
    "survey_invitations_create",
    "survey_send",
    "survey_send_again",
    "token_for",
]
