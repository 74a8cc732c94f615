"""Copying a priced sale onto a quote or an order (and its lines): the one mapping from the
engine's result to the stored columns, so a quote and the order made from it agree."""

from __future__ import annotations

from billing.services.pricing import PricedLineResult, Pricing


def priced_document_values(pricing: Pricing) -> dict:
    return {
        "space": pricing.space,
        "billing_period": pricing.billing_period,
        "currency": pricing.currency,
        "engagement_model": pricing.engagement_model,
        "list_amount": pricing.list_amount,
        "charity_discount": pricing.charity_discount,
        "gross_amount": pricing.gross_amount,
        "partner_discount": pricing.partner_discount,
        "credit_applied": pricing.credit_applied,
        "net_amount": pricing.net_amount,
        "tax": pricing.tax_amount,
        "total": pricing.total,
        "tax_kind": pricing.tax.kind,
        "tax_mention": pricing.tax.mention,
        "distributor": pricing.distributor,
        "distributor_discount": pricing.distributor_discount,
        "distributor_net": pricing.distributor_net,
        "distributor_tax": pricing.distributor_tax_amount,
        "distributor_total": pricing.distributor_total,
    }


def priced_document_audit(document) -> dict:
    """What the audit trail records of a quote or an order when it is made."""
    return {
        "reference": document.reference,
        "customer": document.customer_name,
        "currency": document.currency,
        "gross_amount": document.gross_amount,
        "net_amount": document.net_amount,
        "total": document.total,
    }


def priced_line_values(line: PricedLineResult, *, position: int) -> dict:
    return {
        "position": position,
        "product": line.product,
        "product_code": line.product.code,
        "product_name": line.product.name,
        "plan": line.plan,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "list_amount": line.list_amount,
        "charity_discount_percent": line.charity_discount_percent,
        "charity_discount": line.charity_discount,
        "gross_amount": line.gross_amount,
        "partner_discount_percent": line.partner_discount_percent,
        "partner_discount": line.partner_discount,
        "discount_rule": line.discount_rule[:200],
        "credit_applied": line.credit_applied,
        "net_amount": line.net_amount,
        "tax_rate": line.tax_rate,
        "tax": line.tax,
        "total": line.total,
        "distributor_discount_percent": line.distributor_discount_percent,
        "distributor_discount": line.distributor_discount,
        "distributor_net": line.distributor_net,
    }


#: A priced document's amounts and tax, in the order the API shows them (quotes and orders).
PRICED_AMOUNT_FIELDS = [
    "list_amount",
    "charity_discount",
    "gross_amount",
    "partner_discount",
    "credit_applied",
    "net_amount",
    "tax",
    "total",
    "tax_kind",
    "tax_mention",
]

#: A priced line's amounts, in the order the API shows them (preview, quotes and orders).
PRICED_LINE_AMOUNT_FIELDS = [
    "unit_price",
    "list_amount",
    "charity_discount_percent",
    "charity_discount",
    "gross_amount",
    "partner_discount_percent",
    "partner_discount",
    "discount_rule",
    "credit_applied",
    "net_amount",
    "tax_rate",
    "tax",
    "total",
]

#: The stored line columns a quote hands to the order made from it (its prices, as quoted).
COPIED_LINE_FIELDS = [
    "position",
    "product",
    "product_code",
    "product_name",
    "plan",
    "quantity",
    *PRICED_LINE_AMOUNT_FIELDS,
    "distributor_discount_percent",
    "distributor_discount",
    "distributor_net",
]
