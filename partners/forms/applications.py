from django import forms
from django_countries.fields import CountryField

from partners.models import PartnerApplication, PartnerType
from partners.selectors.programme import public_partner_types
from portal.forms import BootstrapFormMixin, IntegerField
from portal.validation import is_ascii_digits


class PartnerTypeField(forms.TypedChoiceField):
    """The active programme's partner types (the service refuses any other)."""

    def __init__(self, **kwargs):
        super().__init__(coerce=self._to_type, **kwargs)

    @staticmethod
    def _to_type(value) -> PartnerType:
        return public_partner_types().get(pk=value)

    def load_choices(self):
        types = public_partner_types().order_by("name")
        self.choices = [("", "Choose a partner type"), *((t.pk, t.name) for t in types)]

    def valid_value(self, value):
        # "²".isdigit() is true, yet the database lookup would raise on it (a 500).
        return is_ascii_digits(value) and public_partner_types().filter(pk=value).exists()


def _column_length(name: str) -> int:
    return PartnerApplication._meta.get_field(name).max_length


class ApplicationForm(BootstrapFormMixin, forms.Form):
    company_name = forms.CharField(max_length=200)
    country = CountryField(blank_label="Choose a country").formfield()
    region = forms.CharField(
        max_length=100,
        required=False,
        label="State or region",
        help_text="Where your main office is.",
    )
    # The lengths are the columns': Django's EmailField alone lets 320 characters through.
    website = forms.URLField(assume_scheme="https", max_length=_column_length("website"))
    years_in_operation = IntegerField(min_value=0, max_value=300)
    partner_type = PartnerTypeField(label="Partner type wanted")
    contact_name = forms.CharField(max_length=150, label="Your name")
    contact_email = forms.EmailField(label="Your email", max_length=_column_length("contact_email"))
    expectations = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text="What do you expect from the partnership? Which customers and markets?",
    )
    customer_to_resell_to = forms.CharField(
        max_length=200,
        required=False,
        label="Customer to resell to",
        help_text="If a customer asked you to buy for them, name it.",
    )
    # A honeypot: hidden from people, filled in by bots. A filled one stores nothing.
    fax = forms.CharField(required=False, label="Fax (leave empty)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner_type"].load_choices()


class ReplyForm(BootstrapFormMixin, forms.Form):
    reply = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=4000)
