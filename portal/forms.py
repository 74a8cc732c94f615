"""Bootstrap styling for every form of the project, in one place."""

from django import forms

from portal.validation import NUMBER_DIGITS_MESSAGE, non_ascii_number_text


class BootstrapFormMixin:
    """Gives widgets Bootstrap's classes, and ``is-invalid`` to fields with errors, so
    templates render a field with ``{% include "includes/field.html" %}``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
                widget.attrs["aria-invalid"] = "true"


class IntegerField(forms.IntegerField):
    """Django's IntegerField, taking the digits 0-9 only (portal.validation)."""

    def to_python(self, value):
        if non_ascii_number_text(value):
            raise forms.ValidationError(NUMBER_DIGITS_MESSAGE, code="invalid")
        return super().to_python(value)
