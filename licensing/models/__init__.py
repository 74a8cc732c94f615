from licensing.models.activation import Activation, SigningKey
from licensing.models.catalogue import BillingPeriod, Plan, Product, SupportHours, Unit
from licensing.models.licences import Licence, LicenceEvent
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
    "EvaluationLicenceRequest",
    "Licence",
    "LicenceEvent",
    "LicenceReminder",
    "Plan",
    "Product",
    "RequestStatus",
    "SigningKey",
    "SupportHours",
    "Trial",
    "TrialExtensionRequest",
    "Unit",
]
