from django import forms

from portal.forms import BootstrapFormMixin


class SignForm(BootstrapFormMixin, forms.Form):
    accept = forms.BooleanField(
        label="I have read the partner agreement and the order form, and I accept them on "
        "behalf of my organisation."
    )
    name = forms.CharField(max_length=150, label="Your full name, as signature")
