"""The reseller space's billing forms; the rules are the services' (billing.services)."""

from __future__ import annotations

from django import forms
from django_countries import countries

from billing.models import Space
from deals.forms.registrations import _ServiceErrorsMixin
from licensing.models import BillingPeriod
from portal.forms import BootstrapFormMixin

COUNTRY_CHOICES = [("", "—"), *countries]


class BillingAccountForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    legal_name = forms.CharField(max_length=200, label="Legal name")
    address = forms.CharField(
        max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    country = forms.ChoiceField(choices=COUNTRY_CHOICES)
    vat_number = forms.CharField(
        max_length=40,
        required=False,
        label="VAT number",
        help_text="With its country prefix, e.g. DE136695976. EU businesses with a valid "
        "number buy under the reverse charge.",
    )
    invoice_email = forms.EmailField(
        max_length=254, required=False, label="Invoice email", help_text="Where invoices go."
    )


class DiscountForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    reseller = forms.UUIDField(required=False, widget=forms.HiddenInput)
    percent = forms.DecimalField(
        min_value=0, max_value=100, max_digits=5, decimal_places=2, label="Discount off list (%)"
    )


class PricingForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    """The calculator's question (sent with GET: a preview changes nothing)."""

    space = forms.ChoiceField(
        choices=Space.choices, initial=Space.RESELLER, required=False, widget=forms.HiddenInput
    )
    product = forms.ChoiceField(choices=())
    quantity = forms.IntegerField(min_value=1, max_value=1_000_000, initial=3)
    billing_period = forms.ChoiceField(
        choices=BillingPeriod.choices, initial=BillingPeriod.YEARLY, required=False
    )
    customer_country = forms.ChoiceField(
        choices=COUNTRY_CHOICES, required=False, label="Customer's country"
    )
    customer_nonprofit = forms.BooleanField(
        required=False, label="The customer is a charity, education or non-profit"
    )
    deal = forms.ChoiceField(choices=(), required=False, label="Approved deal registration")
    reseller = forms.ChoiceField(choices=(), required=False, label="For your reseller")

    def __init__(self, *args, products, deals, resellers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [(p.code, p.name) for p in products]
        self.fields["deal"].choices = [("", "None (late involvement)")] + [
            (str(d.pk), f"{d.reference}: {d.customer_name} ({d.get_engagement_model_display()})")
            for d in deals
        ]
        if resellers:
            self.fields["reseller"].choices = [("", "None: your own sale")] + [
                (str(r.pk), r.name) for r in resellers
            ]
        else:
            del self.fields["reseller"]
