"""The reseller space's forms for marketing development funds; their rules are the
service's (billing.services.mdf): the forms only parse the request."""

from __future__ import annotations

from django import forms

from billing.services.mdf import ACTIVITY_MAX, REASON_MAX, RESULT_MAX
from deals.forms.registrations import _ServiceErrorsMixin
from portal.forms import BootstrapFormMixin


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class MdfRequestForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    activity = forms.CharField(max_length=ACTIVITY_MAX, label="Activity")
    start_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Starts")
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Ends")
    cost = forms.DecimalField(max_digits=14, decimal_places=2, label="Cost")
    expected_result = forms.CharField(
        max_length=RESULT_MAX, widget=forms.Textarea(attrs={"rows": 3}), label="Expected result"
    )


class MdfClaimForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    amount = forms.DecimalField(max_digits=14, decimal_places=2, label="Amount spent")
    files = MultipleFileField(
        label="Proof of execution",
        help_text="Invoices, photos or a report: PDF, PNG or JPEG files.",
    )
    note = forms.CharField(max_length=REASON_MAX, required=False, label="Note")
