"""Page: binding a licence to its end customer (reseller space, /space/licences/<id>/bind/).

Bind (or rebind) with the customer's email, or resend the link: each a POST with an
``action``, each one call of licensing/services/binding.py, as the API's.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_countries import countries

from licensing.entitlements import quantity_in_words
from licensing.forms.customer_links import BindForm
from licensing.models import CustomerLink, Licence
from licensing.selectors.links import live_link
from licensing.services.binding import licence_bind, licence_link_resend
from partners import roles
from portal.errors import DomainError
from portal.formats import format_date
from portal.tenancy.access import member_required
from portal.tenancy.models import get_for_tenant_or_404


@member_required(roles=roles.MANAGE_LICENCES)
@require_http_methods(["GET", "HEAD", "POST"])
def licence_bind_page(request, licence_id):
    caller = request.caller
    organisation = caller.organisation
    # Only the owner's licence: a distributor reads a reseller's licences but never binds.
    licence = get_for_tenant_or_404(
        Licence.objects.owned_by(organisation).select_related("product", "plan"),
        organisation,
        pk=licence_id,
    )
    rebind = licence.status == Licence.Status.BOUND
    form = BindForm(rebind=rebind)
    error = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "resend":
                link = licence_link_resend(actor=request.user, licence=licence)
                messages.success(
                    request,
                    f"A new link is on its way to {link.email}, valid until "
                    f"{format_date(link.expires_at)}. The earlier link no longer works.",
                )
                return redirect("licensing:licence_bind", licence_id=licence.pk)
            form = BindForm(request.POST, rebind=rebind)
            if form.is_valid():
                link = licence_bind(
                    actor=request.user, licence=licence, email=form.cleaned_data["email"]
                )
                messages.success(
                    request,
                    f"{'Rebound' if rebind else 'Bound'} to {link.email}. The customer gets "
                    f"an email with a redemption link, valid until "
                    f"{format_date(link.expires_at)}.",
                )
                return redirect("licensing:licence_bind", licence_id=licence.pk)
        except DomainError as exc:
            if exc.field in form.fields and form.is_bound:
                form.add_error(exc.field, exc.message)
            else:
                error = exc.message
            status = exc.status_code
        else:
            status = 400
        licence.refresh_from_db()
    link = live_link(licence, purpose=CustomerLink.Purpose.REDEEM)
    return render(
        request,
        "licensing/binding/bind.html",
        {
            "licence": licence,
            "quantity": quantity_in_words(licence),
            "link": link,
            "link_expired": link is not None and link.expires_at <= timezone.now(),
            "customer_country": countries.name(licence.customer_country)
            if licence.customer_country
            else "",
            "form": form,
            "error": error,
        },
        status=status,
    )


urlpatterns = [  # reseller space (mounted under /space/)
    path("licences/<uuid:licence_id>/bind/", licence_bind_page, name="licence_bind"),
]
