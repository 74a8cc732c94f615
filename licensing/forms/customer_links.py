"""Forms of the binding page and the customer's pages: input shape only; the rules are in
licensing/services/binding.py, redemption.py and seats.py."""

from django import forms
from django_countries.fields import CountryField

from portal.forms import BootstrapFormMixin


class _ServiceErrorsMixin:
    """Errors a service reports after validation (``form.add_error(exc.field, ...)``) get
    the same ``is-invalid`` styling as the form's own."""

    def add_error(self, field, error):
        super().add_error(field, error)
        if field in self.fields:
            attrs = self.fields[field].widget.attrs
            classes = dict.fromkeys([*attrs.get("class", "").split(), "is-invalid"])
            attrs["class"] = " ".join(classes)
            attrs["aria-invalid"] = "true"


class BindForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    email = forms.EmailField(
        max_length=254,
        label="Customer's email address",
        help_text="The person who will accept the terms and receive the licence key.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "it@customer.com"}),
    )

    def __init__(self, *args, rebind: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if rebind:
            self.fields["email"].label = "The other customer's email address"


class RedeemForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    organisation_name = forms.CharField(
        max_length=200,
        label="Your organisation",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    country = CountryField(blank_label="Choose a country").formfield(
        label="Country", help_text="Where the software will be used."
    )
    region = forms.CharField(max_length=80, required=False, label="State or region")
    installation_name = forms.CharField(
        max_length=120,
        label="Installation name",
        help_text='A name to recognise this installation by, e.g. "Production cluster, Lyon".',
    )
    accept_terms = forms.BooleanField(
        label="I have read and accept the resale terms above.",
        error_messages={"required": "Please read and accept the resale terms to redeem."},
    )
    terms_version = forms.CharField(max_length=20, widget=forms.HiddenInput)


class SeatForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    name = forms.CharField(max_length=150, required=False, label="Name")
    email = forms.EmailField(max_length=254, label="Email address")
