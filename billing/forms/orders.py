"""The reseller space's order form: the customer, the billing period, a few product
lines (server-rendered rows, no JavaScript), the deal and, for distributors, the reseller
ordered for. The rules are the services' (billing.services.sale_input, orders)."""

from __future__ import annotations

from django import forms
from django_countries import countries

from billing.models import OrderLine, Space
from billing.services.orders import MAX_KEY
from billing.services.sale_input import MAX_COPIES
from licensing.models import BillingPeriod
from portal.forms import BootstrapFormMixin, IntegerField

#: The blank product rows the page offers (a partner needing more places two orders or
#: uses the API, which takes up to 50).
LINE_ROWS = 5
LINE_FIELDS = ("product", "quantity", "fulfilment", "copies")


class _ServiceErrorsMixin:
    """A service's ``DomainError`` added after validation marks its field invalid too."""

    def add_error(self, field, error):
        super().add_error(field, error)
        if field in self.fields:
            widget = self.fields[field].widget
            if "is-invalid" not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"


class OrderForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    space = forms.ChoiceField(choices=Space.choices, widget=forms.HiddenInput)
    idempotency_key = forms.CharField(max_length=MAX_KEY, widget=forms.HiddenInput)
    reseller = forms.ChoiceField(
        required=False,
        label="Order for a reseller of yours",
        help_text="The order is the reseller's; you read it and see your own price.",
    )
    customer_name = forms.CharField(max_length=200, required=False, label="Customer (company)")
    customer_email = forms.CharField(
        max_length=254,
        required=False,
        label="Customer contact's email",
        help_text="No anonymous sales: the person the licences are for.",
    )
    customer_country = forms.ChoiceField(required=False, label="Customer's country")
    billing_period = forms.ChoiceField(
        choices=BillingPeriod.choices, initial=BillingPeriod.YEARLY, label="Billing"
    )
    deal = forms.ChoiceField(
        required=False,
        label="Approved deal registration",
        help_text="Gives its engagement model to the discount; without one, late involvement.",
    )
    customer_nonprofit = forms.BooleanField(
        required=False, label="The customer is a charity, education or non-profit"
    )

    def __init__(self, *args, space: str, deals=(), resellers=(), **kwargs):
        super().__init__(*args, **kwargs)
        if space == Space.RESELLER:  # no anonymous sales
            for name in ("customer_name", "customer_email", "customer_country"):
                self.fields[name].required = True
        self.fields["customer_country"].choices = [("", "Choose a country"), *countries]
        self.fields["deal"].choices = [
            ("", "No deal (late involvement)"),
            *((str(d.pk), f"{d.reference} · {d.customer_name} · {d.product}") for d in deals),
        ]
        self.fields["reseller"].choices = [
            ("", "My own order"),
            *((str(r.pk), r.name) for r in resellers),
        ]

    def data_for_service(self, lines: list[dict]) -> dict:
        """The API's body, from the page (the service takes one shape)."""
        data = self.cleaned_data
        body = {
            "billing_period": data["billing_period"],
            "space": data["space"],
            "lines": lines,
            "deal": data["deal"] or None,
            "customer_nonprofit": data["customer_nonprofit"],
        }
        if data["space"] == Space.RESELLER:
            body.update(
                customer_name=data["customer_name"],
                customer_email=data["customer_email"],
                customer_country=data["customer_country"],
            )
        else:
            body.update(deal=None, customer_nonprofit=False)
        return body


class OrderLineForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    product = forms.ChoiceField(required=False, label="Product")
    quantity = IntegerField(min_value=1, max_value=1_000_000, required=False, label="Quantity")
    fulfilment = forms.ChoiceField(
        choices=[
            (OrderLine.Fulfilment.LICENCE, "A licence"),
            (OrderLine.Fulfilment.CODES, "Redemption codes"),
        ],
        initial=OrderLine.Fulfilment.LICENCE,
        label="Fulfilment",
    )
    copies = IntegerField(
        min_value=1, max_value=MAX_COPIES, initial=1, label="Copies (codes)", required=False
    )

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [
            ("", "—"),
            *((p.code, f"{p.name} ({p.quantity_noun or p.get_unit_display()})") for p in products),
        ]

    def line(self) -> dict | None:
        """The API's line, or None for a blank row."""
        data = self.cleaned_data
        if not data.get("product"):
            return None
        return {
            "product": data["product"],
            "quantity": data.get("quantity"),
            "fulfilment": data.get("fulfilment") or OrderLine.Fulfilment.LICENCE,
            "copies": data.get("copies") or 1,
        }


def line_forms(data, *, products) -> list[OrderLineForm]:
    return [OrderLineForm(data, prefix=f"line-{n}", products=products) for n in range(LINE_ROWS)]


class RedeemCodeForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    """The end customer's redemption-code form (shape only; billing.services.codes)."""

    code = forms.CharField(
        max_length=40,
        label="Redemption code",
        help_text="As your supplier gave it, such as ABCD-EFGH-JKLM-NPQR.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    name = forms.CharField(
        max_length=200, label="Your name", widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    company = forms.CharField(
        max_length=200,
        label="Your company",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    email = forms.EmailField(
        max_length=254,
        label="Your email address",
        help_text="We email you the link to accept the terms and get the licence key.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    country = forms.ChoiceField(label="Country", help_text="Where the software will be used.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", "Choose a country"), *countries]
