"""Writes of the customers app, one module per job: customers, contracts (drafting and
lifecycle), approvals, receivables, service and tiers. Every function is keyword-only, atomic,
and raises ``BusinessRuleError`` (a ValidationError) with a clear message (and changes nothing)
when a rule forbids the action. Callers import from ``customers.services``.
"""

from .approvals import (
    approval_decide,
    approval_deputy_set,
    approval_steps_for,
    contract_recall,
    contract_submit,
)
from .common import TERM_FIELDS, Decision, Status
from .contracts import (
    contract_archive,
    contract_create,
    contract_custom_update,
    contract_hand_off,
    contract_mark_signed,
    contract_update,
)
from .customers import (
    contact_add,
    customer_activity_log,
    customer_assign,
    customer_create,
    customer_create_from_lead,
    customer_custom_update,
    customer_from_lead,
    referral_add,
)
from .receivables import (
    dunning_record_add,
    instalments_mark_overdue,
    lessons_record,
    payment_record,
    refund_decide,
    refund_proposal,
    refund_request,
    refundable_amount,
)
from .service import (
    complaint_confirm,
    complaint_open,
    complaint_reopen,
    complaint_resolve,
    complaint_respond,
    complaint_route,
    complaints_escalate,
    register_deadline_rule,
    survey_record,
)
from .tiers import (
    customer_referral_counts,
    customer_set_tier_override,
    customer_value_scores,
    tiers_reevaluate,
)

__all__ = [
    "Decision",
    "Status",
    "TERM_FIELDS",
    "approval_decide",
    "approval_deputy_set",
    "approval_steps_for",
    "complaint_confirm",
    "complaint_open",
    "complaint_reopen",
    "complaint_resolve",
    "complaint_route",
    "complaint_respond",
    "complaints_escalate",
    "register_deadline_rule",
    "contact_add",
    "contract_archive",
    "contract_create",
    "contract_custom_update",
    "contract_hand_off",
    "contract_mark_signed",
    "contract_recall",
    "contract_submit",
    "contract_update",
    "customer_activity_log",
    "customer_assign",
    "customer_create",
    "customer_create_from_lead",
    "customer_custom_update",
    "customer_from_lead",
    "customer_referral_counts",
    "customer_set_tier_override",
    "customer_value_scores",
    "dunning_record_add",
    "instalments_mark_overdue",
    "lessons_record",
    "payment_record",
    "referral_add",
    "refund_decide",
    "refund_proposal",
    "refund_request",
    "refundable_amount",
    "survey_record",
    "tiers_reevaluate",
]
