"""List filters and columns shared by the licensing admin."""

from django.contrib import admin
from django.utils.html import format_html

from portal.admin_filters import DropdownFilterMixin
from portal.formats import format_date, format_datetime


class PartnerFilter(DropdownFilterMixin, admin.RelatedOnlyFieldListFilter):
    """The partners that have rows in the list, as a drop-down (there may be hundreds).
    For a ``("licence__organisation", PartnerFilter)`` entry of ``list_filter``."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.title = "partner"


def short_date(value):
    """A list cell's date; the time (UTC) on hover. The lists fit a 1366 px screen."""
    if value is None:
        return "-"
    return format_html(
        '<span class="portal-nowrap" title="{}">{}</span>',
        format_datetime(value),
        format_date(value),
    )
