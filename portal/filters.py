"""Filters shared by the list pages and APIs of every app (django-filter)."""

from __future__ import annotations

import django_filters
from django.db.models import Q


class TextSearchFilter(django_filters.CharFilter):
    """The rows where any of ``fields`` contains the value (stripped, case-insensitive);
    a blank value narrows nothing."""

    def __init__(self, *args, fields: tuple[str, ...], **kwargs):
        self.search_fields = fields
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        value = (value or "").strip()
        if not value:
            return qs
        query = Q()
        for field in self.search_fields:
            query |= Q(**{f"{field}__icontains": value})
        return qs.filter(query)
