"""The partner's billing account (SPEC §3.5): the party the vendor (or its distributor)
invoices. Its country and a valid VAT number decide the tax of every purchase, so a VAT
number is checked (format and check digits, python-stdnum) before it is stored: a number
given but invalid is refused, never stored as "not valid"."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from billing.models import BillingAccount
from billing.services.sale_input import sale_country_validate
from billing.tax import vat_number_compact, vat_number_valid
from partners import roles
from partners.models import Organisation
from portal.audit.services import audit_record
from portal.errors import DomainError, Forbidden

NOT_FINANCE = "Only administrators and finance members change the billing account."
AUDITED = ("legal_name", "address", "country", "vat_number", "vat_number_valid", "invoice_email")
MAX_ADDRESS = 1000


def _text(data: dict, name: str, *, limit: int) -> str:
    value = str(data.get(name) or "").strip()
    if len(value) > limit:
        raise DomainError(f"At most {limit} characters.", field=name, code="too_long")
    return value


def billing_account_validate(*, data: dict) -> dict:
    """The values to store from ``data`` (legal_name, address, country, vat_number,
    invoice_email), or a ``DomainError`` naming the first wrong field."""
    legal_name = _text(data, "legal_name", limit=200)
    if not legal_name:
        raise DomainError(
            "Give the legal name invoices carry.", field="legal_name", code="required"
        )
    country = sale_country_validate(data.get("country"), field="country")
    raw_vat = _text(data, "vat_number", limit=40)
    vat_number = vat_number_compact(raw_vat) if raw_vat else ""
    if vat_number and not vat_number_valid(vat_number, country=country):
        raise DomainError(
            f"{raw_vat} is not a valid VAT number of {country} (check the prefix and the "
            "digits), or leave it empty.",
            field="vat_number",
            code="invalid_vat_number",
        )
    if len(vat_number) > 20:  # pragma: no cover - no valid EU VAT number is this long
        raise DomainError("At most 20 characters.", field="vat_number", code="too_long")
    invoice_email = _text(data, "invoice_email", limit=254)
    if invoice_email:
        try:
            validate_email(invoice_email)
        except ValidationError:
            raise DomainError(
                "Give a valid email address for invoices, or leave it empty.",
                field="invoice_email",
                code="email",
            ) from None
    return {
        "legal_name": legal_name,
        "address": _text(data, "address", limit=MAX_ADDRESS),
        "country": country,
        "vat_number": vat_number,
        "vat_number_valid": bool(vat_number),
        "invoice_email": invoice_email.lower(),
    }


def _values(account: BillingAccount | None) -> dict:
    if account is None:
        return {}
    return {name: str(getattr(account, name)) for name in AUDITED}


def billing_account_update(
    *, organisation: Organisation, actor, role: str | None, data: dict
) -> BillingAccount:
    """Create or change the organisation's billing account (administrators and finance).
    Nothing is written unless every field is valid; the change is audited."""
    if role not in roles.VIEW_INVOICES:
        raise Forbidden(NOT_FINANCE, code="permission_denied")
    values = billing_account_validate(data=data)
    with transaction.atomic():
        account = BillingAccount.objects.owned_by(organisation).select_for_update().first()
        before = _values(account)
        if account is None:
            account = BillingAccount(organisation=organisation)
        for name, value in values.items():
            setattr(account, name, value)
        account.save()
        after = _values(account)
        if before != after:
            audit_record(
                actor=actor,
                action="billing_account.created" if not before else "billing_account.changed",
                obj=account,
                organisation=organisation,
                before=before,
                after=after,
                summary=f"Billing account: {account.legal_name}, {account.country}"
                + (f", VAT {account.vat_number}" if account.vat_number else ", no VAT number"),
            )
    return account
