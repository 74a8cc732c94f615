"""Forms of the trials, NFR and evaluation pages: input shape only; the rules are in
licensing/services/."""

from django import forms

from portal.forms import BootstrapFormMixin, IntegerField


class _ServiceErrorsForm(BootstrapFormMixin, forms.Form):
    """A form that shows a service's ``DomainError`` beside its field (or above the form)."""

    def add_service_error(self, exc) -> None:
        field = exc.field if exc.field in self.fields else None
        self.add_error(field, exc.message)
        if field is not None:
            widget = self.fields[field].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
            widget.attrs["aria-invalid"] = "true"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TrialRequestForm(_ServiceErrorsForm):
    product = forms.ChoiceField(choices=())
    quantity = IntegerField(min_value=1, max_value=100000, initial=1)
    prospect_name = forms.CharField(max_length=200, label="Prospect (company)")
    prospect_email = forms.EmailField(max_length=254, required=False, label="Prospect's email")
    project = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [
            (p.code, f"{p} ({p.get_unit_display().lower()})") for p in products
        ]


class TrialExtendForm(_ServiceErrorsForm):
    ends_on = forms.DateField(label="New end", widget=DateInput())


class TrialExtensionRequestForm(_ServiceErrorsForm):
    ends_on = forms.DateField(label="End asked for", widget=DateInput())
    project_details = forms.CharField(
        max_length=4000,
        label="Project details",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="The prospect's project, where the evaluation stands and why it needs longer.",
    )


class NfrRequestForm(_ServiceErrorsForm):
    product = forms.ChoiceField(choices=())
    quantity = IntegerField(min_value=1, max_value=100000, initial=1)

    def __init__(self, *args, products=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [(p.code, str(p)) for p in products]


class EvaluationRequestForm(_ServiceErrorsForm):
    users = IntegerField(min_value=1, max_value=100000, label="Users")
    purpose = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you will use it for: demonstrations, your own team, a pilot.",
    )

    def __init__(self, *args, max_users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if max_users:
            self.fields["users"].widget.attrs["max"] = max_users
            self.fields["users"].help_text = f"Up to {max_users}."
            self.fields["users"].initial = max_users
