"""Pages for the end customer, who has no account (mounted under /licence/): redeeming a
licence through the emailed link, and naming the users who hold the seats of a per-user
licence through the management link.

Opening a link (GET) only shows a page and changes nothing: mail scanners open links.
Redeeming and changing seats are POSTs, rate-limited per client address. The signed token
is the credential: these pages read the link in the named system contexts of
licensing/services/redemption.py and seats.py, which the services open for their writes.
A link that is not valid, or no longer works, gets a page saying so (400 or 410).
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_countries import countries

from licensing.entitlements import entitlements_in_words, quantity_in_words
from licensing.forms.customer_links import RedeemForm, SeatForm
from licensing.models import CustomerLink, Unit
from licensing.selectors.links import (
    LinkGone,
    LinkInvalid,
    customer_link_check,
    customer_link_for_token,
    licence_seats,
)
from licensing.services.redemption import REDEMPTION_CONTEXT, licence_redeem
from licensing.services.seats import SEATS_CONTEXT, seat_add, seat_remove
from licensing.throttles import CustomerLinkRateThrottle
from portal.client_address import client_ip
from portal.errors import DomainError
from portal.pagination import page_of
from portal.tenancy.context import system_context
from portal.views import link_refused

_TERMS_FIELDS = ("accept_terms", "terms_version")
THROTTLED = "Too many attempts from your network. Please wait a while and try again."


def _link_refused(request, exc: DomainError):
    heading = (
        "This link is not valid" if isinstance(exc, LinkInvalid) else "This link no longer works"
    )
    return link_refused(request, exc, heading=heading)


def _licence_context(link: CustomerLink) -> dict:
    licence = link.licence
    words = entitlements_in_words(licence)
    return {
        "link": link,
        "licence": licence,
        "seller": licence.organisation.name,
        "quantity": quantity_in_words(licence),
        "support": words.support,
        "features": words.features,
    }


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def redeem(request, token):
    purpose = CustomerLink.Purpose.REDEEM
    with system_context(REDEMPTION_CONTEXT):
        try:
            link = customer_link_for_token(token=token, purpose=purpose)
            customer_link_check(link)
        except (LinkInvalid, LinkGone) as exc:
            return _link_refused(request, exc)
        programme = link.licence.product.programme
        context = {
            **_licence_context(link),
            "programme": programme,
            "per_user": link.licence.unit == Unit.PER_USER,
        }
    form = RedeemForm(
        request.POST if request.method == "POST" else None,
        initial={"terms_version": programme.resale_terms_version},
    )
    status = 200
    if request.method == "POST":
        if not CustomerLinkRateThrottle().allow_request(request, None):
            context.update(form=form, throttled=THROTTLED)
            return render(request, "licensing/redeem/redeem.html", context, status=429)
        if form.is_valid():
            data = form.cleaned_data
            try:
                redemption = licence_redeem(
                    link_id=link.pk,
                    organisation_name=data["organisation_name"],
                    country=str(data["country"]),
                    region=data["region"],
                    installation_name=data["installation_name"],
                    accept_terms=data["accept_terms"],
                    terms_version=data["terms_version"],
                    ip=client_ip(request),
                )
            except (LinkInvalid, LinkGone) as exc:
                return _link_refused(request, exc)
            except DomainError as exc:
                if exc.code == "terms_changed":
                    # Show the current terms, unaccepted, keeping the other answers.
                    answers = {k: v for k, v in data.items() if k not in _TERMS_FIELDS}
                    form = RedeemForm(
                        initial={**answers, "terms_version": programme.resale_terms_version}
                    )
                    context["error"] = exc.message
                else:
                    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                licence = redemption.licence
                return render(
                    request,
                    "licensing/redeem/redeemed.html",
                    {
                        **context,
                        "licence": licence,
                        "key": redemption.key,
                        "country": countries.name(licence.customer_country),
                    },
                )
        status = 400
    context["form"] = form
    return render(request, "licensing/redeem/redeem.html", context, status=status)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def seats(request, token):
    purpose = CustomerLink.Purpose.MANAGE_SEATS
    with system_context(SEATS_CONTEXT):
        try:
            link = customer_link_for_token(token=token, purpose=purpose)
            customer_link_check(link)
        except (LinkInvalid, LinkGone) as exc:
            return _link_refused(request, exc)
    form = SeatForm()
    status = 200
    throttled = error = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if not CustomerLinkRateThrottle().allow_request(request, None):
            throttled, status = THROTTLED, 429
        else:
            try:
                if action == "remove":
                    seat = seat_remove(link_id=link.pk, seat_id=request.POST.get("seat", ""))
                    messages.success(request, f"{seat.name or seat.email} no longer holds a seat.")
                    return redirect(request.path)
                form = SeatForm(request.POST)
                if form.is_valid():
                    seat = seat_add(link_id=link.pk, **form.cleaned_data)
                    messages.success(request, f"{seat.name or seat.email} now holds a seat.")
                    return redirect(request.path)
                status = 400
            except (LinkInvalid, LinkGone) as exc:
                return _link_refused(request, exc)
            except DomainError as exc:
                if exc.field in form.fields and form.is_bound:
                    form.add_error(exc.field, exc.message)
                else:
                    error = exc.message
                status = exc.status_code
    with system_context(SEATS_CONTEXT):
        page = page_of(request, licence_seats(link.licence))
        return render(
            request,
            "licensing/redeem/seats.html",
            {
                **_licence_context(link),
                "page_obj": page,
                "seats": list(page.object_list),
                "used": page.paginator.count,
                "free": max(link.licence.quantity - page.paginator.count, 0),
                "form": form,
                "throttled": throttled,
                "error": error,
            },
            status=status,
        )


public_urlpatterns = [  # the end customer's links (no account)
    path("licence/redeem/<str:token>/", redeem, name="redeem"),
    path("licence/seats/<str:token>/", seats, name="seats"),
]
