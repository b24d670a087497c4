"""Pages of the customers app, one module per job (customers, contracts, approvals,
receivables, service). ``customers.urls`` reaches every view as ``views.<name>``.
"""

from customers.selectors import approval_badge

from .approvals import approval_inbox, step_confirm, step_decide
from .bulk import customer_bulk
from .common import PAGE_SIZE
from .contracts import (
    contract_archive,
    contract_create,
    contract_detail,
    contract_edit,
    contract_hand_off,
    contract_history,
    contract_list,
    contract_print,
    contract_recall,
    contract_sign,
    contract_submit,
)
from .customers import (
    activity_add,
    contact_create,
    customer_create,
    customer_detail,
    customer_from_lead_view,
    customer_ledger,
    customer_list,
    referral_create,
    tier_override,
)
from .receivables import (
    dunning_create,
    lessons_create,
    payment_create,
    payment_detail,
    receivables,
    refund_decide,
    refund_list,
    refund_request,
)
from .service import (
    complaint_close_loop,
    complaint_create,
    complaint_detail,
    complaint_list,
    complaint_route,
    complaint_update,
    survey_create,
)

__all__ = [
    "customer_bulk",
    "PAGE_SIZE",
    "activity_add",
    "approval_badge",
    "approval_inbox",
    "complaint_close_loop",
    "complaint_create",
    "complaint_detail",
    "complaint_list",
    "complaint_route",
    "complaint_update",
    "contact_create",
    "contract_archive",
    "contract_create",
    "contract_detail",
    "contract_edit",
    "contract_hand_off",
    "contract_history",
    "contract_list",
    "contract_print",
    "contract_recall",
    "contract_sign",
    "contract_submit",
    "customer_create",
    "customer_detail",
    "customer_from_lead_view",
    "customer_ledger",
    "customer_list",
    "dunning_create",
    "lessons_create",
    "payment_create",
    "payment_detail",
    "receivables",
    "referral_create",
    "refund_decide",
    "refund_list",
    "refund_request",
    "step_confirm",
    "step_decide",
    "survey_create",
    "tier_override",
]
