"""Assistance programmes: definitions and rules as data, applications and their review, public notices
with objections, enrolments, payment cycles with entitlements, payment batches and bank results.

Every row that belongs to a family carries `org_unit`, the village-level branch, so scoping is one indexed
range on the branch path (accounts/scoping.py), like everywhere else. Months are integer indexes
(programmes/periods.py)."""

from guanhuai.programmes.models.payments import (
    Cycle,
    CycleApproval,
    Enrolment,
    Entitlement,
    Payment,
    PaymentBatch,
    ResultFile,
)
from guanhuai.programmes.models.programmes import (
    AmountRule,
    Application,
    ApplicationDocument,
    Grievance,
    Objection,
    Programme,
    PublicNotice,
    ReviewDecision,
    RuleVersion,
    _default_steps,
)

__all__ = [
    "AmountRule",
    "Application",
    "ApplicationDocument",
    "Cycle",
    "CycleApproval",
    "Enrolment",
    "Entitlement",
    "Grievance",
    "Objection",
    "Payment",
    "PaymentBatch",
    "Programme",
    "PublicNotice",
    "ResultFile",
    "ReviewDecision",
    "RuleVersion",
    "_default_steps",  # named by migration 0001 (Programme.steps' default)
]
