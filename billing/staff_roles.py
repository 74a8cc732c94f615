"""Which of the billing app's permissions each channel-team group holds (see
portal.staff_groups). Changing this needs a data migration that syncs the groups again
(tests/portal/test_staff_permissions.py fails until there is one)."""

from portal.staff_groups import CHANNEL_FINANCE, CHANNEL_REVIEWER, PROGRAMME_MANAGER

#: Every channel-team role follows what partners sell (a reviewer sees the deal an order
#: won) and how they are billed; orders, quotes and codes are never changed in the admin.
_READ = frozenset(
    {
        "billing.view_taxrate",
        "billing.view_billingaccount",
        "billing.view_resellerdiscount",
        "billing.view_order",
        "billing.view_orderline",
        "billing.view_redemptioncode",
        "billing.view_quote",
        "billing.view_quoteline",
        "billing.view_invoice",
        "billing.view_invoiceline",
        "billing.view_currencyrate",
        "billing.view_creditentry",
        "billing.view_mdfbudget",
        "billing.view_mdfrequest",
        "billing.view_mdfclaimfile",
    }
)

#: Finance keeps the VAT and currency rates (billing.services.tax_rates, currency_rates),
#: reviews payments (the proofs partners upload, marking invoices paid:
#: billing.services.payments), corrects invoices by credit note
#: (billing.services.credit_notes), marks approved marketing fund claims paid and cancels
#: a monthly subscription when a partner asks it to (billing.services.subscriptions).
FINANCE = _READ | {
    "billing.cancel_subscriptions",
    "billing.change_taxrate",
    "billing.change_currencyrate",
    "billing.view_paymentproof",
    "billing.view_invoicepayment",
    "billing.review_payments",
    "billing.issue_credit_notes",
    "billing.pay_mdf",
}

#: The programme manager sets partners' marketing budgets and decides their requests and
#: claims (billing.services.mdf); finance pays the approved claims (above).
PROGRAMME = _READ | {
    "billing.set_mdf_budgets",
    "billing.review_mdf",
}

PERMISSIONS = {
    CHANNEL_REVIEWER: _READ,
    CHANNEL_FINANCE: FINANCE,
    PROGRAMME_MANAGER: PROGRAMME,
}
