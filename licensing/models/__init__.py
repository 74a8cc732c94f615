from licensing.models.catalogue import BillingPeriod, Plan, Product, SupportHours, Unit
from licensing.models.licences import Licence, LicenceEvent

__all__ = [
    "BillingPeriod",
    "Licence",
    "LicenceEvent",
    "Plan",
    "Product",
    "SupportHours",
    "Unit",
]
