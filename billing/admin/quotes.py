"""The channel team's view of quotes: read-only (partners make, send, sign and convert them
through billing.services.quotes), with their lines. The signature link's secret and the
stored PDF files stay out of the admin; their fingerprints show."""

from __future__ import annotations

from django.contrib import admin

from billing.models import Quote, QuoteLine

_HIDDEN = {"pdf", "customer_pdf", "signature_token"}


class _ReadOnly:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class QuoteLineInline(_ReadOnly, admin.TabularInline):
    model = QuoteLine
    extra = 0
    fields = [
        "position",
        "product_name",
        "quantity",
        "list_amount",
        "charity_discount",
        "partner_discount_percent",
        "partner_discount",
        "discount_rule",
        "net_amount",
        "tax",
        "total",
    ]
    readonly_fields = fields


@admin.register(Quote)
class QuoteAdmin(_ReadOnly, admin.ModelAdmin):
    list_display = [
        "reference",
        "organisation",
        "customer_name",
        "customer_country",
        "net_amount",
        "currency",
        "status",
        "pdf_status",
        "valid_until",
        "created_at",
    ]
    list_filter = ["status", "pdf_status", "billing_period", "currency", "customer_nonprofit"]
    list_select_related = ["organisation"]
    search_fields = ["reference", "customer_name", "customer_email", "organisation__name"]
    date_hierarchy = "created_at"
    exclude = sorted(_HIDDEN)
    readonly_fields = [f.name for f in Quote._meta.fields if f.name not in _HIDDEN]
    inlines = [QuoteLineInline]
