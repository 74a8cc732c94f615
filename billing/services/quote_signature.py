"""The end customer's signature of a quote (no account): the partner sends the quote, the
email carries a link to the customer-facing quote, the customer types their name and
accepts. Recorded: the name, the time and the client address; a link signs once, only
while the quote is sent and valid.

The link's token is ``django.core.signing`` over the quote's random ``signature_token``
(never its id, which the partner's pages show), with a salt of its own. The email task makes
the URL from the quote's id, so no link waits in the outbox or the broker. The customer's
page and the signature run in the named system context ``public:quote-signature``: the
signed token is the credential, and the quote's tenant is not known before it is read.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from billing.models import Quote
from billing.services.quotes import quote_change, quote_is_expired
from portal.errors import DomainError, LinkGone, LinkInvalid
from portal.tenancy.context import system_context

QUOTE_SIGNATURE_CONTEXT = "public:quote-signature"
_SALT = "billing.quote-signature"
MAX_NAME = 150

INVALID_LINK = (
    "Check that you opened the whole link from the email. If it still does not work, ask "
    "the company that sent you the quote to send it again."
)


def signature_token(quote: Quote) -> str:
    return signing.Signer(salt=_SALT).sign(str(quote.signature_token))


def signature_url(quote: Quote) -> str:
    path = reverse("billing:quote-signature", kwargs={"token": signature_token(quote)})
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def quote_for_signature_token(token: str) -> Quote:
    """The quote a link names, with its lines' products and its seller (run in
    ``QUOTE_SIGNATURE_CONTEXT``). Raises ``LinkInvalid``."""
    try:
        value = uuid.UUID(signing.Signer(salt=_SALT).unsign(token))
    except (signing.BadSignature, TypeError, ValueError, AttributeError) as exc:
        raise LinkInvalid(INVALID_LINK) from exc
    quote = (
        Quote.objects.select_related("organisation__partner_type__programme")
        .filter(signature_token=value)
        .first()
    )
    if quote is None:
        raise LinkInvalid(INVALID_LINK)
    return quote


def quote_signature_check(quote: Quote) -> None:
    """Raises ``LinkGone`` when the link cannot sign (any more)."""
    if quote.signed_at is not None:
        raise LinkGone(
            f"This quote was signed by {quote.signed_name} on "
            f"{timezone.localtime(quote.signed_at):%d %B %Y}.",
            code="quote_already_signed",
        )
    if quote.status != Quote.Status.SENT:
        raise LinkGone(
            "This quote is no longer open for signature: ask the company that sent it.",
            code="quote_not_open",
        )
    if quote_is_expired(quote):
        raise LinkGone(
            f"This quote expired on {quote.valid_until:%d %B %Y}: ask for a new one.",
            code="quote_expired",
        )


def quote_sign(*, token: str, name: str, accept: bool, ip: str | None) -> Quote:
    """Record the customer's signature. The row is locked, so two submissions of the same
    link sign once."""
    name = " ".join(str(name or "").split())
    if not name:
        raise DomainError("Type your full name to sign.", field="name", code="required")
    if len(name) > MAX_NAME:
        raise DomainError(f"Your name: at most {MAX_NAME} characters.", field="name")
    if not accept:
        raise DomainError("Tick the box to accept the quote.", field="accept", code="required")
    with system_context(QUOTE_SIGNATURE_CONTEXT), transaction.atomic():
        quote = quote_for_signature_token(token)
        quote = Quote.objects.select_for_update().get(pk=quote.pk)
        quote_signature_check(quote)
        quote_change(
            quote=quote,
            actor=None,  # the end customer, who has no account: named in the record
            action="quote.signed",
            changes={
                "status": Quote.Status.SIGNED,
                "signed_name": name,
                "signed_at": timezone.now(),
                "signed_ip": ip,
            },
            summary=f"Quote {quote.reference} signed by {name} for {quote.customer_name}",
            ip=ip,
        )
        from billing.tasks import send_quote_email

        send_quote_email.delay_on_commit(
            organisation_id=str(quote.organisation_id), quote_id=str(quote.pk), event="signed"
        )
    return quote
