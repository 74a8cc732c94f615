"""The end customer's quote page (no account), mounted at /quote/<signed token>/: the
customer-facing quote (never the partner's discount or price) and a form to sign it.

Opening the link (GET) only shows the page and changes nothing: mail scanners open links.
Signing is a POST, rate-limited per client address. The signed token is the credential:
the page reads the quote in the named system context of billing/services/quote_signature.py,
which the service opens for its write. A link that is not valid, or no longer signs, gets
a page saying so (400 or 410); a signed quote's page shows who signed it, and when.
"""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from billing.forms.quotes import SignatureForm
from billing.services.quote_signature import (
    QUOTE_SIGNATURE_CONTEXT,
    LinkGone,
    LinkInvalid,
    quote_for_signature_token,
    quote_sign,
    quote_signature_check,
)
from billing.throttles import QuoteSignatureRateThrottle
from portal.client_address import client_ip
from portal.errors import DomainError
from portal.tenancy.context import system_context
from portal.vendor.selectors import current_vendor
from portal.views import link_refused

THROTTLED = "Too many attempts from your network. Please wait a while and try again."


def _refused(request, exc: DomainError):
    heading = (
        "This link is not valid" if isinstance(exc, LinkInvalid) else "This quote cannot be signed"
    )
    return link_refused(request, exc, heading=heading)


def _context(token: str) -> dict:
    """The quote as the customer may read it (raises LinkInvalid)."""
    with system_context(QUOTE_SIGNATURE_CONTEXT):
        quote = quote_for_signature_token(token)
        return {
            "quote": quote,
            "lines": list(quote.lines.all()),
            "organisation": quote.organisation,
            "vendor": current_vendor(),
        }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def quote_signature(request, token):
    try:
        context = _context(token)
    except LinkInvalid as exc:
        return _refused(request, exc)
    quote = context["quote"]
    if quote.signed_at is not None and request.method != "POST":
        return render(request, "billing/quotes/signature.html", context)  # who signed, when
    try:
        quote_signature_check(quote)
    except LinkGone as exc:
        return _refused(request, exc)
    form = SignatureForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if not QuoteSignatureRateThrottle().allow_request(request, None):
            context.update(form=form, throttled=THROTTLED)
            return render(request, "billing/quotes/signature.html", context, status=429)
        if form.is_valid():
            try:
                quote_sign(
                    token=token,
                    name=form.cleaned_data["name"],
                    accept=form.cleaned_data["accept"],
                    ip=client_ip(request),
                )
            except (LinkInvalid, LinkGone) as exc:
                return _refused(request, exc)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                context = {**_context(token), "just_signed": True}
                return render(request, "billing/quotes/signature.html", context)
        status = 400
    context["form"] = form
    return render(request, "billing/quotes/signature.html", context, status=status)


urlpatterns = [
    path("quote/<str:token>/", quote_signature, name="quote-signature"),
]
