"""The reseller space's form for a proof of payment; its rules are the service's
(billing.services.payments and billing.services.proof_files), which check the file by its
content: the form only parses the request."""

from __future__ import annotations

from django import forms
from django.conf import settings

from billing.services.payments import NOTE_MAX
from billing.services.proof_files import FORMATS_IN_WORDS
from deals.forms.registrations import _ServiceErrorsMixin
from portal.forms import BootstrapFormMixin


class PaymentProofForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label="Proof of the transfer",
        error_messages={"required": f"Choose the proof of your transfer: {FORMATS_IN_WORDS}."},
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )
    note = forms.CharField(
        max_length=NOTE_MAX,
        required=False,
        label="Note for the channel team",
        help_text="Such as the date of the transfer or the account it came from.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.PAYMENT_PROOF_MAX_BYTES / (1024 * 1024)
        self.fields["file"].help_text = (
            f"Your bank's confirmation of the transfer: a PDF, PNG or JPEG file of at most "
            f"{limit:.0f} MB."
        )
