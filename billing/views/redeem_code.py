"""Page for the end customer, who has no account: redeeming a single-use code a partner
gave them (``/redeem-code/``). Opening the page changes nothing; each POST is
rate-limited per client address. A code that is unknown or used gets one answer."""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from billing.forms.orders import RedeemCodeForm
from billing.services.codes import code_redeem
from billing.throttles import RedemptionCodeRateThrottle
from licensing.entitlements import quantity_in_words
from portal.client_address import client_ip
from portal.errors import DomainError

THROTTLED = "Too many attempts from your network. Please wait a while and try again."


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def redeem_code(request):
    form = RedeemCodeForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "throttled": ""}
    if request.method != "POST":
        return render(request, "billing/redeem_code/form.html", context)
    if not RedemptionCodeRateThrottle().allow_request(request, None):
        context["throttled"] = THROTTLED
        return render(request, "billing/redeem_code/form.html", context, status=429)
    if form.is_valid():
        try:
            redemption = code_redeem(**form.cleaned_data, ip=client_ip(request))
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            licence = redemption.licence
            return render(
                request,
                "billing/redeem_code/done.html",
                {
                    "licence": licence,
                    "quantity": quantity_in_words(licence),
                    "email": redemption.email,
                    "seller": licence.organisation,
                },
            )
    return render(request, "billing/redeem_code/form.html", context, status=400)


public_urlpatterns = [
    path("redeem-code/", redeem_code, name="redeem-code"),
]
