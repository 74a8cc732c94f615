"""The forms of a licence's next sale: its upgrade (the plan and quantity to move to) and
its renewal (a confirmation). Each carries the Idempotency-Key it was rendered with, so a
double submit places one order. The rules are the services' (billing.services.upgrades,
renewals)."""

from __future__ import annotations

from django import forms

from billing.forms.orders import _ServiceErrorsMixin
from billing.services.orders import MAX_KEY
from portal.forms import BootstrapFormMixin, IntegerField

MAX_QUANTITY = 1_000_000


class UpgradeForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    idempotency_key = forms.CharField(max_length=MAX_KEY, widget=forms.HiddenInput)
    product = forms.ChoiceField(label="New plan")
    quantity = IntegerField(min_value=1, max_value=MAX_QUANTITY, label="Quantity")

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [
            ("", "Choose a plan"),
            *((p.code, f"{p} ({p.get_unit_display().lower()})") for p in products),
        ]


class RenewForm(BootstrapFormMixin, forms.Form):
    idempotency_key = forms.CharField(max_length=MAX_KEY, widget=forms.HiddenInput)
