"""The reseller space's deal forms; the rules are the services' (deals.services)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django_countries import countries

from deals.selectors.registrations import deal_products
from deals.services.registrations import MAX_ANSWER, MAX_NOTES
from partners.models import EngagementModel
from portal.forms import BootstrapFormMixin
from portal.validation import NUMBER_DIGITS_MESSAGE, non_ascii_number_text


class _AmountField(forms.DecimalField):
    """An amount written with the digits 0-9 (portal.validation)."""

    def to_python(self, value):
        if non_ascii_number_text(value):
            raise forms.ValidationError(NUMBER_DIGITS_MESSAGE, code="invalid")
        return super().to_python(value)


class _ServiceErrorsMixin:
    """A service's ``DomainError`` added after validation marks its field invalid too."""

    def add_error(self, field, error):
        super().add_error(field, error)
        if field in self.fields:
            widget = self.fields[field].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"


class DealForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    customer_name = forms.CharField(max_length=200, label="Customer (company name)")
    customer_domain = forms.CharField(
        max_length=2000,
        label="Customer's web domain",
        help_text="Such as example.com, or the customer's web address. With the product, it "
        "identifies the opportunity.",
    )
    customer_country = forms.ChoiceField(label="Customer's country")
    customer_region = forms.CharField(
        max_length=80,
        required=False,
        label="Region",
        help_text="Where the country's regions matter, its ISO 3166-2 code or name (e.g. UA-43).",
    )
    customer_email = forms.EmailField(
        max_length=254,
        label="Customer contact's email",
        help_text="The person you are selling to: no anonymous sales.",
    )
    product = forms.ChoiceField(label="Product")
    estimated_value = _AmountField(
        max_digits=14, decimal_places=2, min_value=Decimal("0"), label="Estimated value"
    )
    currency = forms.CharField(min_length=3, max_length=3, label="Currency")
    expected_close_date = forms.DateField(
        label="Expected close date", widget=forms.DateInput(attrs={"type": "date"})
    )
    engagement_model = forms.ChoiceField(
        choices=EngagementModel.choices,
        label="Engagement model",
        help_text="Who leads the deal. It sets your discount on the order.",
    )
    notes = forms.CharField(
        max_length=MAX_NOTES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Anything the channel team should know: the project, the competition, "
        "the timeline.",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer_country"].choices = [("", "Choose a country"), *countries]
        self.fields["product"].choices = [
            ("", "Choose a product"),
            *((p.code, str(p)) for p in deal_products(organisation=organisation)),
        ]
        self.fields["currency"].initial = organisation.partner_type.programme.reporting_currency

    def clean_currency(self):
        return self.cleaned_data["currency"].strip().upper()


class AnswerForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    answer = forms.CharField(
        max_length=MAX_ANSWER,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Your answer",
    )


class LostForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        max_length=MAX_ANSWER,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why",
    )


class ReferralForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    customer_name = forms.CharField(max_length=200, label="Prospect (company name)")
    customer_domain = forms.CharField(max_length=2000, label="Prospect's web domain")
    customer_country = forms.ChoiceField(label="Country")
    customer_email = forms.EmailField(max_length=254, label="Contact's email")
    notes = forms.CharField(
        max_length=MAX_NOTES,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the prospect needs, and who to talk to.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer_country"].choices = [("", "Choose a country"), *countries]


class InvoiceForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    invoice_number = forms.CharField(max_length=60, label="Your invoice's number")
