"""The profile form of the reseller space. It only collects the input: every rule (word
count, country code, website, logo content) is checked by partners.services.profile, the
same service the API calls, and its errors are shown next to the fields."""

from django import forms
from django.forms.boundfield import BoundField
from django_countries import countries

from partners.services.profile import (
    DESCRIPTION_MAX_WORDS,
    DESCRIPTION_MIN_WORDS,
    LOGO_MAX_BYTES,
    LOGO_MAX_SIDE,
    LOGO_MIN_WIDTH,
    TEXT_FIELDS,
)


class _BootstrapBoundField(BoundField):
    """Marks a field with errors ``is-invalid``, as Bootstrap shows them."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            base = (widget or self.field.widget).attrs.get("class", "")
            attrs["class"] = f"{base} is-invalid".strip()
        return attrs


def _text(label: str, name: str, help_text: str = "", **attrs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"class": "form-control", "maxlength": TEXT_FIELDS[name], **attrs}
        ),
    )


class ProfileForm(forms.Form):
    bound_field_class = _BootstrapBoundField

    display_name = _text(
        "Display name",
        "display_name",
        "The name the partner locator shows.",
        autocomplete="organization",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        help_text=(
            f"{DESCRIPTION_MIN_WORDS} to {DESCRIPTION_MAX_WORDS} words: what you do, for whom, "
            "and where."
        ),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 6}),
    )
    city = _text("City", "city", autocomplete="address-level2")
    region = _text("State or region", "region", autocomplete="address-level1")
    country = forms.CharField(
        label="Country",
        required=False,
        widget=forms.Select(attrs={"class": "form-select", "autocomplete": "country"}),
    )
    website = forms.CharField(
        label="Website",
        required=False,
        widget=forms.URLInput(
            attrs={
                "class": "form-control",
                "maxlength": TEXT_FIELDS["website"],
                "placeholder": "https://www.example.com",
            }
        ),
    )
    territory = _text(
        "Territory",
        "territory",
        "Where you sell, for resellers (e.g. Germany, Austria and Switzerland).",
    )
    logo = forms.FileField(
        label="Logo",
        required=False,
        help_text=(
            f"PNG or JPEG, at least {LOGO_MIN_WIDTH} px wide, at most {LOGO_MAX_SIDE:,} px "
            f"wide and high and {LOGO_MAX_BYTES // (1024 * 1024)} MB. Leave empty to keep the "
            "current logo."
        ),
        widget=forms.FileInput(attrs={"class": "form-control", "accept": "image/png,image/jpeg"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].widget.choices = [("", "Choose a country"), *countries]
