"""Customers, contracts and their approval chain, payments, refunds and service (SPEC §3).

One module per job; every model is imported here so Django registers it under the
``customers`` app and callers keep importing from ``customers.models``.
"""

from .approvals import (
    STEP_REVIEWERS,
    ApprovalDeputy,
    ApprovalDeputyQuerySet,
    ApprovalStep,
    ApprovalStepQuerySet,
    HistoricalApprovalStep,
    StepReviewer,
)
from .common import MONEY, TOO_LARGE, ZERO, money_sum
from .contracts import (
    Contract,
    ContractLine,
    ContractLineQuerySet,
    ContractQuerySet,
    HistoricalContract,
    HistoricalContractLine,
    Product,
    continues,
)
from .customers import (
    Contact,
    ContactQuerySet,
    Customer,
    CustomerQuerySet,
    HistoricalCustomer,
    Referral,
    Tier,
)
from .policies import ApprovalPolicy, TierPolicy
from .receivables import (
    DunningRecord,
    DunningRecordQuerySet,
    HistoricalInstalment,
    HistoricalPayment,
    HistoricalRefund,
    Instalment,
    InstalmentQuerySet,
    LessonDelivery,
    Payment,
    PaymentQuerySet,
    Refund,
    RefundQuerySet,
)
from .service import (
    Complaint,
    ComplaintQuerySet,
    HistoricalComplaint,
    SatisfactionSurvey,
    SurveyQuerySet,
)
from .tiers import TierChange

__all__ = [
    "MONEY",
    "STEP_REVIEWERS",
    "TOO_LARGE",
    "ZERO",
    "ApprovalDeputy",
    "ApprovalDeputyQuerySet",
    "ApprovalPolicy",
    "ApprovalStep",
    "ApprovalStepQuerySet",
    "Complaint",
    "ComplaintQuerySet",
    "Contact",
    "ContactQuerySet",
    "Contract",
    "ContractLine",
    "ContractLineQuerySet",
    "ContractQuerySet",
    "Customer",
    "CustomerQuerySet",
    "DunningRecord",
    "DunningRecordQuerySet",
    "HistoricalApprovalStep",
    "HistoricalComplaint",
    "HistoricalContract",
    "HistoricalContractLine",
    "HistoricalCustomer",
    "HistoricalInstalment",
    "HistoricalPayment",
    "HistoricalRefund",
    "Instalment",
    "InstalmentQuerySet",
    "LessonDelivery",
    "Payment",
    "PaymentQuerySet",
    "Product",
    "Referral",
    "Refund",
    "RefundQuerySet",
    "SatisfactionSurvey",
    "StepReviewer",
    "SurveyQuerySet",
    "Tier",
    "TierChange",
    "TierPolicy",
    "continues",
    "money_sum",
]
