from billing.models.accounts import BillingAccount, ResellerDiscount
from billing.models.orders import IdempotencyKey, Order, OrderLine, RedemptionCode
from billing.models.priced import Space
from billing.models.quotes import Quote, QuoteLine
from billing.models.tax import TaxRate

__all__ = [
    "BillingAccount",
    "IdempotencyKey",
    "Order",
    "OrderLine",
    "Quote",
    "QuoteLine",
    "RedemptionCode",
    "ResellerDiscount",
    "Space",
    "TaxRate",
]
