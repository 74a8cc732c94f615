"""Forms of the team pages: input shape only; the rules are in partners/services/team.py."""

from django import forms
from django.contrib.auth.password_validation import password_validators_help_texts

from partners.models import Membership
from portal.forms import BootstrapFormMixin


class _ServiceErrorsMixin:
    """Errors a service reports after validation (``form.add_error(exc.field, ...)``) get
    the same ``is-invalid`` styling as the form's own."""

    def add_error(self, field, error):
        super().add_error(field, error)
        if field in self.fields:
            self._mark_invalid(field)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self._mark_invalid(name)

    def _mark_invalid(self, name):
        attrs = self.fields[name].widget.attrs
        classes = dict.fromkeys([*attrs.get("class", "").split(), "is-invalid"])
        attrs["class"] = " ".join(classes)
        attrs["aria-invalid"] = "true"


class InviteForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    email = forms.EmailField(
        max_length=254,
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "placeholder": "name@company.com"}),
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.SALES)


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class AcceptInvitationForm(_ServiceErrorsMixin, BootstrapFormMixin, forms.Form):
    """A new account for the invited address (the address itself comes from the link)."""

    full_name = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    password = forms.CharField(
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=" ".join(password_validators_help_texts()),
    )
    password_confirm = forms.CharField(
        strip=False,
        label="Confirm password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", "The two passwords do not match.")
        return cleaned
