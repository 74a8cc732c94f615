from licensing.models.activation import Activation, SigningKey
from licensing.models.catalogue import BillingPeriod, Plan, Product, SupportHours, Unit
from licensing.models.licences import Licence, LicenceEvent

__all__ = [
    "Activation",
    "BillingPeriod",
    "Licence",
    "LicenceEvent",
    "Plan",
    "Product",
    "SigningKey",
    "SupportHours",
    "Unit",
]
