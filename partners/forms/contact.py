from django import forms

from partners.models import ContactRequest
from portal.forms import BootstrapFormMixin


def _column_length(name: str) -> int:
    return ContactRequest._meta.get_field(name).max_length


class ContactForm(BootstrapFormMixin, forms.Form):
    """The locator's contact form; the rules are the service's (partners.services.contact)."""

    name = forms.CharField(max_length=_column_length("name"), label="Your name")
    email = forms.EmailField(max_length=_column_length("email"), label="Your email")
    company = forms.CharField(max_length=_column_length("company"), required=False)
    message = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=_column_length("message"),
        help_text="What you need: the product, the number of users, your timeline.",
    )
    # A honeypot, as on the application form: hidden from people, filled in by bots.
    fax = forms.CharField(required=False, label="Fax (leave empty)")
