"""The channel team's admin for billing settings: the VAT rates (changed through
``tax_rate_set`` by staff holding ``billing.change_taxrate``), and partners' billing
accounts and resale discounts, read-only (partners keep them in their space)."""

from __future__ import annotations

from django.contrib import admin

from billing.models import BillingAccount, ResellerDiscount, TaxRate
from billing.services.tax_rates import PERMISSION, tax_rate_set, tax_rate_validate
from licensing.admin.filters import ReadOnlyAdminMixin
from portal.admin_filters import country_filter
from portal.audit.admin import AuditTrailMixin
from portal.service_admin import ServiceModelAdmin, ServiceValidatedForm, has_staff_permission


class TaxRateForm(ServiceValidatedForm):
    validated_fields = ("country", "rate")

    class Meta:
        model = TaxRate
        fields = ["country", "rate"]

    def validate(self, data: dict) -> None:
        # On a change page the country is read-only: the rate's own.
        country = data.get("country") or self.instance.country
        tax_rate_validate(country=country, rate=data["rate"])


@admin.register(TaxRate)
class TaxRateAdmin(AuditTrailMixin, ServiceModelAdmin):
    form = TaxRateForm
    list_display = ["country", "rate", "updated_at"]
    search_fields = ["country"]
    readonly_fields = ["updated_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # A rate belongs to its country: changing the country would be another rate.
        return [*fields, "country"] if obj is not None else fields

    def has_view_permission(self, request, obj=None):
        return has_staff_permission(request, "billing.view_taxrate") or self.has_change_permission(
            request, obj
        )

    def has_change_permission(self, request, obj=None):
        return has_staff_permission(request, PERMISSION)

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        country = form.cleaned_data.get("country") or obj.country
        saved = tax_rate_set(country=country, rate=form.cleaned_data["rate"], actor=request.user)
        obj.pk = saved.pk


@admin.register(BillingAccount)
class BillingAccountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["legal_name", "organisation", "country", "vat_number", "vat_number_valid"]
    list_filter = ["vat_number_valid", country_filter()]
    search_fields = ["legal_name", "vat_number", "organisation__name", "invoice_email"]
    list_select_related = ["organisation"]
    fields = [
        "organisation",
        "legal_name",
        "address",
        "country",
        "vat_number",
        "vat_number_valid",
        "invoice_email",
        "updated_at",
    ]
    readonly_fields = fields


@admin.register(ResellerDiscount)
class ResellerDiscountAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organisation", "reseller_label", "percent", "updated_at"]
    search_fields = ["organisation__name", "reseller__name"]
    list_select_related = ["organisation", "reseller"]
    fields = ["organisation", "reseller_label", "percent", "updated_at"]
    readonly_fields = fields

    @admin.display(description="reseller", ordering="reseller__name")
    def reseller_label(self, obj):
        return obj.reseller.name if obj.reseller_id else "Every attached reseller (default)"
