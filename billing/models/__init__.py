from billing.models.accounts import BillingAccount, ResellerDiscount
from billing.models.credits import CreditEntry
from billing.models.invoices import (
    CurrencyRate,
    Invoice,
    InvoiceCounter,
    InvoiceDocument,
    InvoiceLine,
)
from billing.models.mdf import MdfBudget, MdfClaimFile, MdfRequest
from billing.models.orders import IdempotencyKey, Order, OrderLine, RedemptionCode
from billing.models.payments import InvoicePayment, InvoiceReminder, PaymentProof
from billing.models.priced import Space
from billing.models.quotes import Quote, QuoteLine
from billing.models.renewals import RenewalReminder
from billing.models.tax import TaxRate

__all__ = [
    "BillingAccount",
    "CreditEntry",
    "CurrencyRate",
    "IdempotencyKey",
    "Invoice",
    "InvoiceCounter",
    "InvoiceDocument",
    "InvoiceLine",
    "InvoicePayment",
    "InvoiceReminder",
    "MdfBudget",
    "MdfClaimFile",
    "MdfRequest",
    "Order",
    "OrderLine",
    "PaymentProof",
    "Quote",
    "QuoteLine",
    "RedemptionCode",
    "RenewalReminder",
    "ResellerDiscount",
    "Space",
    "TaxRate",
]
