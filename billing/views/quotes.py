"""Pages: the organisation's quotes in the reseller space (those made through it, as a
distributor, read-only): the list, the new quote form (Preview, then Create), a quote's
page with every step of its price and its actions, and the PDF downloads."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from billing.forms.quotes import QuoteForm
from billing.models import Quote
from billing.selectors.quotes import (
    QuoteFilterSet,
    quote_document,
    quote_for,
    quote_is_supplied,
    quote_order,
    quotes_for,
)
from billing.services.preview import pricing_preview
from billing.services.quotes import (
    quote_cancel,
    quote_convert,
    quote_create,
    quote_is_expired,
    quote_send_to_customer,
)
from partners import roles
from partners.models import EngagementModel
from portal.errors import DomainError
from portal.files import private_file_response
from portal.pagination import filtered_page
from portal.tenancy.access import member_required


def engagement_label(code: str) -> str:
    return dict(EngagementModel.choices).get(code, code.replace("_", " ").capitalize())


#: Seconds between reloads of a quote's page while its PDFs render.
PDF_REFRESH_SECONDS = 3


@member_required(roles=roles.ALL)
@require_safe
def quote_list(request):
    organisation = request.caller.organisation
    quotes = quotes_for(organisation=organisation)
    filterset = QuoteFilterSet(request.GET, queryset=quotes)
    listing = filtered_page(request, filterset, filters=("status", "search"))
    return render(
        request,
        "billing/quotes/list.html",
        {
            **listing,
            "quotes": listing["page_obj"].object_list,
            "statuses": Quote.Status.choices,
            "can_quote": request.caller.role in roles.BUY,
            "organisation": organisation,
        },
    )


@member_required(roles=roles.BUY)
@require_http_methods(["GET", "HEAD", "POST"])
def quote_new(request):
    organisation = request.caller.organisation
    form = QuoteForm(request.POST or None, organisation=organisation)
    pricing = None
    if request.method == "POST" and form.is_valid():
        data = form.service_data()
        try:
            if request.POST.get("action") == "create":
                quote = quote_create(
                    organisation=organisation,
                    actor=request.user,
                    role=request.caller.role,
                    data=data,
                )
                messages.success(
                    request, f"Quote {quote.reference} is made; its PDFs are being generated."
                )
                return redirect("billing:quote-detail", quote_id=quote.pk)
            pricing, _ = pricing_preview(organisation=organisation, data=data, for_quote=True)
        except DomainError as exc:
            form.add_service_error(exc.field, exc.message)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "billing/quotes/new.html",
        {
            "form": form,
            "pricing": pricing,
            "engagement": engagement_label(pricing.engagement_model) if pricing else "",
            "organisation": organisation,
        },
        status=status,
    )


_ACTIONS = {
    "send": (quote_send_to_customer, "The quote is emailed to {email} to sign."),
    "cancel": (quote_cancel, "Quote {reference} is cancelled."),
}


@member_required(roles=roles.ALL)
@require_http_methods(["GET", "HEAD", "POST"])
def quote_detail(request, quote_id):
    caller = request.caller
    if request.method == "POST" and caller.role not in roles.BUY:
        raise PermissionDenied("Your role does not allow changing quotes.")
    quote = quote_for(organisation=caller.organisation, quote_id=quote_id)
    supplied = quote_is_supplied(quote, organisation=caller.organisation)
    can_act = caller.role in roles.BUY and not supplied
    if request.method == "POST":
        if supplied:
            raise Http404  # a distributor reads what it supplied, never changes it
        action = request.POST.get("action")
        try:
            if action == "convert":
                order = quote_convert(quote=quote, actor=request.user, role=caller.role).order
                messages.success(
                    request, f"Order {order.reference} is placed at the quoted prices."
                )
                return redirect("billing:order-detail", order_id=order.pk)
            if action not in _ACTIONS:
                raise DomainError("Choose an action.", code="unknown_action")
            service, done = _ACTIONS[action]
            service(quote=quote, actor=request.user, role=caller.role)
            messages.success(
                request, done.format(email=quote.customer_email, reference=quote.reference)
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("billing:quote-detail", quote_id=quote.pk)
    expired = quote_is_expired(quote)
    live = quote.status in (Quote.Status.OPEN, Quote.Status.SENT, Quote.Status.SIGNED)
    needs_signature = quote.organisation.partner_type.requires_customer_quote_signature
    return render(
        request,
        "billing/quotes/detail.html",
        {
            "quote": quote,
            "lines": list(quote.lines.all()),
            "order": quote_order(quote),
            "engagement": engagement_label(quote.engagement_model),
            "expired": expired,
            "supplied": supplied,
            "can_act": can_act,
            "may_send": live and not expired and quote.status != Quote.Status.SIGNED,
            "may_convert": live and not expired and (quote.signed_at or not needs_signature),
            "may_cancel": live,
            "needs_signature": needs_signature,
            "refresh": PDF_REFRESH_SECONDS if quote.pdf_status == Quote.PdfStatus.PENDING else None,
            "organisation": caller.organisation,
        },
    )


@member_required(roles=roles.ALL)
@require_safe
def quote_download(request, quote_id, kind):
    """One of the quote's PDFs, to the owner and the distributor it was made through (any
    member); someone else's, a missing one and one not rendered yet are the same 404."""
    quote = quote_for(organisation=request.caller.organisation, quote_id=quote_id)
    found = quote_document(quote=quote, kind=kind)
    if found is None:
        raise Http404
    file, filename = found
    return private_file_response(file, filename=filename, content_type="application/pdf")


urlpatterns = [
    path("quotes/", quote_list, name="quote-list"),
    path("quotes/new/", quote_new, name="quote-new"),
    path("quotes/<uuid:quote_id>/", quote_detail, name="quote-detail"),
    path("quotes/<uuid:quote_id>/<slug:kind>.pdf", quote_download, name="quote-download"),
]
