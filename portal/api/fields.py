"""Serializer fields and the input base class that every request serializer uses."""

from __future__ import annotations

from collections.abc import Mapping

from django_countries import countries
from rest_framework import serializers

from portal.validation import NUMBER_DIGITS_MESSAGE, non_ascii_number_text

_NUMBER_FIELDS = (serializers.IntegerField, serializers.DecimalField, serializers.FloatField)


class InputSerializerMixin:
    """First base of every serializer that reads a request body or a query string
    (tests/portal/test_hostile_input.py checks that each does). Before DRF converts them,
    refuses per field: numbers written with other digits than 0-9, and numbers or booleans
    where text is expected (DRF would store ``0`` as "0"; JSON says what type it sent).
    Text that is not valid Unicode and over-deep bodies are refused earlier, by
    portal.api.parsers."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            errors = {}
            for name, field in self.fields.items():
                if field.read_only or name not in data:
                    continue
                message = _raw_value_error(field, data.get(name))
                if message:
                    errors[name] = [message]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def _raw_value_error(field, value) -> str | None:
    if isinstance(field, _NUMBER_FIELDS) and non_ascii_number_text(value):
        return NUMBER_DIGITS_MESSAGE
    if isinstance(field, serializers.CharField) and not isinstance(value, str | None):
        return "Give this as text (a JSON string)."
    return None


class CountryCodeField(serializers.ChoiceField):
    """A two-letter ISO 3166 code, given as text. django-countries' serializer field reads
    ``{}`` or ``[]`` as "no country" and passes an empty code on, which skipped the
    embargo check; this one refuses anything but a known code."""

    default_error_messages = {
        "not_text": "Give the country as a two-letter ISO 3166 code, such as DE.",
        "invalid_choice": '"{input}" is not a country code; use a two-letter ISO 3166 code '
        "such as DE.",
    }

    def __init__(self, **kwargs):
        super().__init__(choices=list(countries), **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("not_text")
        code = data.strip().upper()
        if code not in countries:
            self.fail("invalid_choice", input=data[:10])
        return code

    def to_representation(self, value):
        return str(value.code if hasattr(value, "code") else value)
