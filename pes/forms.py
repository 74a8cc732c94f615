"""The reseller space's engagement forms; their rules are the services'
(pes.services.claims, pes.services.redemptions): the forms only parse the request."""

from __future__ import annotations

from django import forms

from billing.forms.mdf import MultipleFileField
from deals.forms.registrations import _ServiceErrorsMixin
from pes.services.claims import DESCRIPTION_MAX, MAX_CLAIM_FILES
from pes.services.redemptions import NOTE_MAX
from portal.forms import BootstrapFormMixin


class ClaimForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    activity = forms.ChoiceField(label="Activity")
    performed_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label="When it took place"
    )
    description = forms.CharField(
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What was done, for whom",
    )
    link = forms.CharField(max_length=200, required=False, label="Public link")
    files = MultipleFileField(
        required=False,
        label="Evidence",
        help_text=f"Up to {MAX_CLAIM_FILES} PDF, PNG or JPEG files.",
    )

    def __init__(self, *args, activities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity"].choices = [("", "Choose an activity")] + [
            (a.code, f"{a.get_category_display()}: {a.name} ({a.points} points)")
            for a in activities
        ]


class RedemptionForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    benefit = forms.ChoiceField(label="Benefit")
    note = forms.CharField(max_length=NOTE_MAX, required=False, label="Note")

    def __init__(self, *args, benefits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benefit"].choices = [("", "Choose a benefit")] + [
            (b.code, f"{b.name} ({b.points} points)") for b in benefits
        ]
