"""The vendor in the admin: one page, saved through ``vendor_update``."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.http import HttpResponseRedirect
from django.urls import reverse

from portal.audit.admin import AuditTrailMixin
from portal.models import Vendor
from portal.service_admin import ServiceModelAdmin, ServiceValidatedForm, has_staff_permission
from portal.vendor.services import EDITABLE_FIELDS, vendor_update, vendor_validate


class VendorForm(ServiceValidatedForm):
    validated_fields = EDITABLE_FIELDS
    support_url = forms.URLField(label="Support website", required=False, assume_scheme="https")

    class Meta:
        model = Vendor
        fields = list(EDITABLE_FIELDS)
        widgets = {
            "registered_address": forms.Textarea(attrs={"rows": 3, "cols": 50}),
            "legal_name": forms.TextInput(attrs={"size": 50}),
            "courts": forms.TextInput(attrs={"size": 60}),
            "governing_law": forms.TextInput(attrs={"size": 40}),
            "support_url": forms.URLInput(attrs={"size": 40}),
        }

    def validate(self, data: dict) -> dict:
        values = vendor_validate(data=_changes(data))
        values.pop("logo", None)  # the upload stays as the form holds it
        return values


def _changes(data: dict) -> dict:
    changes = {name: data[name] for name in EDITABLE_FIELDS if name in data}
    logo = changes.get("logo")
    # An untouched file field gives back the stored file: not an upload to check or save.
    if logo is not None and not hasattr(logo, "content_type"):
        changes.pop("logo")
    return changes


@admin.register(Vendor)
class VendorAdmin(AuditTrailMixin, ServiceModelAdmin):
    form = VendorForm
    list_display = ["brand_name", "legal_name", "vat_number", "updated_at"]
    readonly_fields = ["updated_at"]
    fieldsets = [
        ("Brand", {"fields": ["brand_name", "logo"]}),
        (
            "Legal entity",
            {
                "fields": [
                    "legal_name",
                    "registered_address",
                    "country",
                    ("vat_number", "company_number", "company_registry"),
                    "governing_law",
                    "courts",
                ],
                "description": "Printed on every partner agreement, order form and email.",
            },
        ),
        (
            "Bank details for wire transfers",
            {"fields": ["bank_name", ("iban", "bic")]},
        ),
        (
            "Contacts",
            {
                "fields": [
                    ("support_email", "support_url"),
                    ("channel_team_email", "channel_team_phone"),
                ]
            },
        ),
        (None, {"fields": ["updated_at"]}),
    ]

    def has_view_permission(self, request, obj=None):
        return has_staff_permission(request, "portal.view_vendor") or self.has_change_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        return has_staff_permission(request, "portal.change_vendor")

    def has_add_permission(self, request):
        # One vendor: it is added once (seed_demo does it), then changed.
        return self.has_change_permission(request) and not Vendor.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        """There is one vendor: the list opens it."""
        vendor = Vendor.objects.first()
        if vendor is not None and self.has_view_permission(request, vendor):
            return HttpResponseRedirect(reverse("admin:portal_vendor_change", args=[vendor.pk]))
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        saved = vendor_update(changes=_changes(form.cleaned_data), actor=request.user)
        obj.pk = saved.pk  # the admin's redirect and message name the saved row
