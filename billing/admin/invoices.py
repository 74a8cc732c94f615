"""The channel team's view of invoices and credit notes, and the US dollar rates it keeps.

Invoices are read here, never changed or deleted (the database refuses it too): a
correction is a credit note (billing.services.invoices), and a payment is recorded beside
the invoice (billing.admin.payments)."""

from __future__ import annotations

from django.contrib import admin

from billing.models import CurrencyRate, Invoice, InvoiceLine
from billing.selectors.invoices import with_payment_state
from billing.services.currency_rates import (
    PERMISSION,
    currency_rate_set,
    currency_rate_validate,
)
from licensing.admin.filters import ReadOnlyAdminMixin
from portal.audit.admin import AuditTrailMixin
from portal.service_admin import ServiceModelAdmin, ServiceValidatedForm, has_staff_permission


class InvoiceLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = [
        "position",
        "product_code",
        "description",
        "quantity",
        "unit_price",
        "gross_amount",
        "partner_discount_percent",
        "partner_discount",
        "credit_applied",
        "net_amount",
        "tax_rate",
        "tax",
        "total",
    ]
    readonly_fields = fields
    verbose_name_plural = "lines"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("billing.view_invoice")


class PaymentStateFilter(admin.SimpleListFilter):
    title = "payment"
    parameter_name = "payment"

    def lookups(self, request, model_admin):
        return [("paid", "Paid"), ("unpaid", "Awaiting payment"), ("overdue", "Overdue")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(payment_state=self.value())
        return queryset


@admin.register(Invoice)
class InvoiceAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "kind",
        "organisation",
        "customer_name",
        "issued_on",
        "due_on",
        "payment_status",
        "total",
        "currency",
        "gross_usd",
    ]
    list_filter = ["kind", "purpose", PaymentStateFilter, "tax_kind", "currency", "issued_on"]
    search_fields = ["reference", "organisation__name", "buyer_name", "customer_name"]
    list_select_related = ["organisation"]
    date_hierarchy = "issued_on"
    inlines = [InvoiceLineInline]
    fields = [
        "reference",
        "kind",
        "purpose",
        "organisation",
        "order",
        "credited_invoice",
        "reason",
        "issued_on",
        "due_on",
        "period_start",
        "period_end",
        "buyer_name",
        "buyer_address",
        "buyer_country",
        "buyer_vat_number",
        "buyer_email",
        "customer_name",
        "customer_country",
        "currency",
        "list_amount",
        "charity_discount",
        "gross_amount",
        "partner_discount",
        "credit_applied",
        "net_amount",
        "tax_kind",
        "tax_rate",
        "tax_mention",
        "tax",
        "total",
        "usd_rate",
        "gross_usd",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return with_payment_state(super().get_queryset(request))

    @admin.display(description="payment", ordering="payment_state")
    def payment_status(self, invoice):
        return {
            "paid": "Paid",
            "unpaid": "Awaiting payment",
            "overdue": "Overdue",
            "credit_note": "-",
        }[invoice.payment_state]


class CurrencyRateForm(ServiceValidatedForm):
    validated_fields = ("currency", "usd_rate")

    class Meta:
        model = CurrencyRate
        fields = ["currency", "valid_from", "usd_rate"]

    def validate(self, data: dict) -> None:
        currency_rate_validate(
            currency=data.get("currency") or self.instance.currency, usd_rate=data["usd_rate"]
        )


@admin.register(CurrencyRate)
class CurrencyRateAdmin(AuditTrailMixin, ServiceModelAdmin):
    form = CurrencyRateForm
    list_display = ["currency", "valid_from", "usd_rate", "updated_at"]
    list_filter = ["currency"]
    readonly_fields = ["updated_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "currency", "valid_from"] if obj is not None else fields

    def has_view_permission(self, request, obj=None):
        return has_staff_permission(
            request, "billing.view_currencyrate"
        ) or self.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return has_staff_permission(request, PERMISSION)

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = currency_rate_set(
            currency=form.cleaned_data.get("currency") or obj.currency,
            valid_from=form.cleaned_data.get("valid_from") or obj.valid_from,
            usd_rate=form.cleaned_data["usd_rate"],
            actor=request.user,
        )
        obj.pk = saved.pk
