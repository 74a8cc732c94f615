from licensing.models.activation import Activation, SigningKey
from licensing.models.catalogue import BillingPeriod, Plan, Product, SupportHours, Unit
from licensing.models.licences import Licence, LicenceEvent
from licensing.models.links import CustomerLink, Seat
from licensing.models.trials import (
    EvaluationLicenceRequest,
    LicenceReminder,
    RequestStatus,
    Trial,
    TrialExtensionRequest,
)

__all__ = [
    "Activation",
    "BillingPeriod",
    "CustomerLink",
    "EvaluationLicenceRequest",
    "Licence",
    "LicenceEvent",
    "LicenceReminder",
    "Plan",
    "Product",
    "RequestStatus",
    "Seat",
    "SigningKey",
    "SupportHours",
    "Trial",
    "TrialExtensionRequest",
    "Unit",
]
