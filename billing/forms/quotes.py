"""The reseller space's quote forms; the rules are the services' (billing.services)."""

from __future__ import annotations

from django import forms
from django_countries import countries

from billing.selectors.sale_choices import linkable_deals, sellable_products
from billing.services.quote_signature import MAX_NAME
from billing.services.quotes import MAX_NOTES
from licensing.models import BillingPeriod
from portal.forms import BootstrapFormMixin, IntegerField

#: Product lines the form offers (blank ones are left out); the API takes up to 50.
LINE_ROWS = 5
MAX_QUANTITY = 1_000_000


class QuoteForm(BootstrapFormMixin, forms.Form):
    customer_name = forms.CharField(max_length=200, label="Customer (company name)")
    customer_country = forms.ChoiceField(label="Customer's country")
    customer_email = forms.EmailField(
        max_length=254,
        label="Customer contact's email",
        help_text="Who receives the quote to sign: no anonymous sales.",
    )
    customer_nonprofit = forms.BooleanField(
        required=False, label="Charity, education or non-profit customer"
    )
    billing_period = forms.ChoiceField(
        choices=BillingPeriod.choices, initial=BillingPeriod.YEARLY, label="Billing"
    )
    deal = forms.ChoiceField(
        required=False,
        label="Deal registration",
        help_text="An approved registration gives its engagement model's discount.",
    )
    valid_until = forms.DateField(
        required=False,
        label="Valid until",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="By default your programme's validity; you may choose an earlier day.",
    )
    notes = forms.CharField(
        max_length=MAX_NOTES, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer_country"].choices = [("", "Choose a country"), *countries]
        products = sellable_products(organisation=organisation)
        choices = [("", "No product"), *((p.code, str(p)) for p in products)]
        deals = linkable_deals(organisation=organisation)
        self.fields["deal"].choices = [
            ("", "No registration (late involvement)"),
            *((str(d.pk), f"{d.reference}: {d.customer_name}") for d in deals),
        ]
        for i in range(LINE_ROWS):
            # Added after BootstrapFormMixin styled the declared fields: styled here.
            self.fields[f"product_{i}"] = forms.ChoiceField(
                choices=choices,
                required=False,
                label=f"Product {i + 1}",
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            self.fields[f"quantity_{i}"] = IntegerField(
                min_value=1,
                max_value=MAX_QUANTITY,
                required=False,
                label="Quantity",
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )
        self.line_rows = [(self[f"product_{i}"], self[f"quantity_{i}"]) for i in range(LINE_ROWS)]

    def clean(self):
        cleaned = super().clean()
        lines = []
        for i in range(LINE_ROWS):
            product, quantity = cleaned.get(f"product_{i}"), cleaned.get(f"quantity_{i}")
            if product and quantity is None and f"quantity_{i}" not in self.errors:
                self.add_error(f"quantity_{i}", "Give the quantity.")
            elif product and quantity is not None:
                lines.append({"product": product, "quantity": quantity})
        if not lines and not self.errors:
            self.add_error("product_0", "Add at least one product.")
        cleaned["lines"] = lines
        return cleaned

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "customer_name": data["customer_name"],
            "customer_country": data["customer_country"],
            "customer_email": data["customer_email"],
            "customer_nonprofit": data["customer_nonprofit"],
            "billing_period": data["billing_period"],
            "deal": data["deal"] or None,
            "valid_until": data["valid_until"],
            "notes": data["notes"],
            "lines": data["lines"],
        }

    def add_service_error(self, field: str | None, message: str) -> None:
        """A service's refusal beside its field (a line's field on the first line)."""
        if field in ("product", "quantity", "lines"):
            field = {"lines": "product_0"}.get(field, f"{field}_0")
        self.add_error(field if field in self.fields else None, message)


class SignatureForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(max_length=MAX_NAME, label="Your full name")
    accept = forms.BooleanField(
        label="I accept this quote on behalf of the customer named above", required=True
    )
