"""Redemption codes (issue 10): a line of an order fulfilled as a batch of single-use
codes; the end customer, without an account, enters one on the public page with their
name, company, email and country, and gets a licence of the line's product, quantity and
plan, owned by the partner that ordered (its distributor kept), bound to their email:
licensing then emails them the usual redemption link.

Exactly once: the code's row is locked (``SELECT ... FOR UPDATE``) and its state read
under the lock, so simultaneous submissions of one code queue on it and only the first
redeems. An unknown code, a used one and one of a cancelled order get the same answer,
so the page tells a guesser nothing. The visitor has no tenant: the work runs in the
named system context ``public:redemption-code`` (the code is the credential), which this
service opens.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_countries import countries

from billing.models import Order, RedemptionCode, Space
from billing.selectors.payments import order_awaiting_payment
from licensing.models import Licence
from licensing.services.binding import licence_bind_for_code
from licensing.services.licences import licence_issue
from partners.selectors.programme import is_embargoed
from portal.audit.services import audit_record
from portal.errors import DomainError
from portal.tenancy.context import system_context

CODE_CONTEXT = "public:redemption-code"
NOT_VALID = "This code is not valid or already used."
#: The partner's programme holds an order's licences until it is paid (the code is the
#: credential: the customer may know the order is not paid, never which invoice).
NOT_YET_PAID = (
    "This code can be used once the partner's order is paid. Try again later, or ask the "
    "partner who gave it to you."
)
CODE_LENGTH = 16


@dataclass(frozen=True)
class CodeRedemption:
    licence: Licence
    email: str


def code_normalise(raw: str) -> str:
    """``abcd efgh-ijkl mnop`` as typed → ``ABCD-EFGH-IJKL-MNOP`` (as stored)."""
    letters = "".join(ch for ch in str(raw or "").upper() if ch.isalnum())
    if len(letters) != CODE_LENGTH:
        return ""
    return "-".join(letters[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def code_hint(code: str) -> str:
    """The code as history shows it: its last group only."""
    return f"…{code[-4:]}"


def _customer_clean(*, name: str, company: str, email: str, country: str) -> dict:
    name = " ".join(str(name or "").split())[:200]
    company = " ".join(str(company or "").split())[:200]
    if not name:
        raise DomainError("Give your name.", field="name", code="required")
    if not company:
        raise DomainError("Give your company's name.", field="company", code="required")
    email = str(email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise DomainError("Give your email address.", field="email", code="email") from None
    country = str(country or "").strip().upper()
    if country not in countries:
        raise DomainError("Choose your country.", field="country", code="country")
    return {"name": name, "company": company, "email": email, "country": country}


def code_redeem(
    *, code: str, name: str, company: str, email: str, country: str, ip: str | None = None
) -> CodeRedemption:
    """Redeem ``code`` for the customer: issue the line's licence and bind it to
    ``email`` (see the module's note). ``DomainError`` with the field at fault."""
    customer = _customer_clean(name=name, company=company, email=email, country=country)
    normalised = code_normalise(code)
    if not normalised:
        raise DomainError(NOT_VALID, field="code", code="invalid_code")
    with system_context(CODE_CONTEXT), transaction.atomic():
        row = (
            RedemptionCode.objects.select_for_update(of=("self",))
            .select_related(
                "line__order", "line__product", "line__plan", "organisation__partner_type"
            )
            .filter(code=normalised, redeemed_at__isnull=True)
            .exclude(line__order__status=Order.Status.CANCELLED)
            .first()
        )
        if row is None:
            raise DomainError(NOT_VALID, field="code", code="invalid_code")
        organisation = row.organisation
        programme = organisation.partner_type.programme
        if is_embargoed(programme=programme, country=customer["country"]):
            raise DomainError(
                "This licence cannot be delivered to your country (embargo).",
                field="country",
                code="embargoed",
            )
        line, order = row.line, row.line.order
        if order_awaiting_payment(order) is not None:
            raise DomainError(NOT_YET_PAID, field="code", code="awaiting_payment")
        kind = Licence.Kind.NFR if order.space == Space.PERSONAL else Licence.Kind.CUSTOMER
        licence = licence_issue(
            actor=None,
            organisation=organisation,
            product=line.product,
            quantity=line.quantity,
            kind=kind,
            plan=line.plan,
            distributor=row.distributor,
            customer_name=customer["company"],
            source=f"order {order.reference}, redemption code {code_hint(normalised)}",
            billing_period=order.billing_period,
        )
        licence_bind_for_code(
            licence=licence, email=customer["email"], code_hint=code_hint(normalised)
        )
        row.licence = licence
        row.redeemed_at = timezone.now()
        row.redeemed_email = customer["email"]
        row.save(update_fields=["licence", "redeemed_at", "redeemed_email"])
        audit_record(
            actor=None,
            action="order.code_redeemed",
            obj=order,
            organisation=organisation,
            after={
                "code": code_hint(normalised),
                "licence": str(licence.pk),
                "customer": customer["company"],
                "contact": customer["name"],
                "email": customer["email"],
                "country": customer["country"],
            },
            summary=f"Redemption code {code_hint(normalised)} of order {order.reference} "
            f"redeemed by {customer['name']} ({customer['company']})",
            ip=ip,
        )
    return CodeRedemption(licence=licence, email=customer["email"])


def redeem_code_url() -> str:
    """The public page where end customers redeem their codes: the order email and the
    codes CSV give it to the partner, who hands codes on."""
    return settings.PORTAL_BASE_URL.rstrip("/") + reverse("billing:redeem-code")
