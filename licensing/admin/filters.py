"""List filters, columns and the read-only mixin shared by the licensing admin."""

from django.contrib import admin
from django.urls import reverse
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


class ReadOnlyAdminMixin:
    """Rows shown, never added, changed or deleted here (a ModelAdmin or an inline): what
    changes them is a service, called by an action or a button of the admin that says so."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LicenceColumns:
    """The licence a row belongs to, its partner and its customer, as list columns and a
    page link (for the admins of a model with a ``licence``)."""

    @admin.display(description="licence", ordering="licence__product_name")
    def licence_label(self, obj):
        return f"{obj.licence.product_name} x {obj.licence.quantity}"

    @admin.display(description="licence")
    def licence_link(self, obj):
        url = reverse("admin:licensing_licence_change", args=[obj.licence_id])
        return format_html('<a href="{}">{}</a>', url, self.licence_label(obj))

    @admin.display(description="partner", ordering="licence__organisation__name")
    def partner(self, obj):
        return obj.licence.organisation

    @admin.display(description="customer", ordering="licence__customer_name")
    def customer(self, obj):
        return obj.licence.customer_name or obj.licence.customer_email or "-"
