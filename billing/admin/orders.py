"""The channel team's view of orders and their redemption codes (issue 10).

Orders are read here, never added, changed or deleted: an order's amounts are the
engine's, copied when it was placed (billing.services.orders), and its licences are
licensing's (linked to their admin page)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from billing.models import Order, OrderLine, RedemptionCode
from billing.services import subscriptions
from licensing.admin.filters import ReadOnlyAdminMixin
from portal.audit.admin import AuditTrailMixin
from portal.errors import DomainError
from portal.service_admin import has_staff_permission


def _licence_link(licence_id, label: str = "licence"):
    if licence_id is None:
        return "-"
    url = reverse("admin:licensing_licence_change", args=[licence_id])
    return format_html('<a href="{}">{}</a>', url, label)


class OrderLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = [
        "position",
        "product_name",
        "quantity",
        "copies",
        "list_amount",
        "charity_discount",
        "partner_discount_percent",
        "partner_discount",
        "net_amount",
        "tax",
        "total",
        "discount_rule",
        "fulfilment",
        "licence_link",
        "code_count",
    ]
    readonly_fields = fields
    verbose_name_plural = "lines"

    def has_view_permission(self, request, obj=None):
        # The lines are part of the order: whoever may view the order sees them.
        return request.user.has_perm("billing.view_order")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("licence")
            .annotate(codes_made=Count("codes"))
        )

    @admin.display(description="licence")
    def licence_link(self, obj):
        return _licence_link(obj.licence_id)

    @admin.display(description="codes")
    def code_count(self, obj):
        return obj.codes_made


@admin.register(Order)
class OrderAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "organisation",
        "distributor",
        "customer_name",
        "space",
        "status",
        "total_label",
        "placed_by_distributor",
        "created_at",
    ]
    list_filter = ["status", "kind", "space", "currency", "placed_by_distributor"]
    search_fields = ["reference", "customer_name", "customer_email", "organisation__name"]
    list_select_related = ["organisation", "distributor"]
    date_hierarchy = "created_at"
    inlines = [OrderLineInline]
    actions = ["cancel_subscriptions"]
    fieldsets = [
        (
            None,
            {"fields": ["reference", "status", "kind", "space", "billing_period", "created_at"]},
        ),
        # A monthly subscription the partner cancelled, and its last day.
        ("Subscription", {"fields": [("subscription_cancelled_at", "subscription_end")]}),
        (
            "Partner",
            {"fields": ["organisation", "distributor", "placed_by_distributor", "created_by"]},
        ),
        (
            "End customer",
            {
                "fields": [
                    ("customer_name", "customer_email", "customer_country"),
                    "customer_nonprofit",
                ]
            },
        ),
        ("Deal", {"fields": ["deal", "engagement_model", "quote"]}),
        (
            "Amounts",
            {
                "fields": [
                    "currency",
                    ("list_amount", "charity_discount", "gross_amount"),
                    ("partner_discount", "credit_applied", "upgrade_credit", "net_amount"),
                    ("tax", "total"),
                    ("tax_kind", "tax_mention"),
                ]
            },
        ),
        (
            "The vendor's price to the distributor",
            {
                "fields": [
                    ("distributor_discount", "distributor_net"),
                    ("distributor_tax", "distributor_total"),
                ]
            },
        ),
    ]
    readonly_fields = [
        name
        for _, section in fieldsets
        for row in section["fields"]
        for name in (row if isinstance(row, tuple) else (row,))
    ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not has_staff_permission(request, subscriptions.STAFF_PERMISSION):
            actions.pop("cancel_subscriptions", None)
        return actions

    @admin.action(description="Cancel the monthly subscription at the end of the month billed")
    def cancel_subscriptions(self, request, queryset):
        """For a partner that asks the channel team: the same service as its own page."""
        for order in queryset.select_related("organisation"):
            try:
                order = subscriptions.subscription_cancel_for_partner(
                    actor=request.user, order=order
                )
            except DomainError as exc:
                self.message_user(request, f"{order.reference}: {exc.message}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"{order.reference}: cancelled; its licences run to "
                    f"{order.subscription_end:%d %b %Y}, and {order.organisation.name} is "
                    "emailed.",
                    messages.SUCCESS,
                )

    @admin.display(description="total", ordering="total")
    def total_label(self, obj):
        return f"{obj.total} {obj.currency}"


@admin.register(RedemptionCode)
class RedemptionCodeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "code",
        "order_reference",
        "organisation",
        "product",
        "redeemed_at",
        "redeemed_email",
        "licence_link",
    ]
    list_filter = [("redeemed_at", admin.EmptyFieldListFilter)]
    search_fields = ["code", "line__order__reference", "organisation__name", "redeemed_email"]
    list_select_related = ["line__order", "organisation"]
    fields = [
        "code",
        "order_reference",
        "organisation",
        "distributor",
        "product",
        "redeemed_at",
        "redeemed_email",
        "licence_link",
        "created_at",
    ]
    readonly_fields = fields

    @admin.display(description="order", ordering="line__order__reference")
    def order_reference(self, obj):
        url = reverse("admin:billing_order_change", args=[obj.line.order_id])
        return format_html('<a href="{}">{}</a>', url, obj.line.order.reference)

    @admin.display(description="product")
    def product(self, obj):
        return f"{obj.line.product_name} x {obj.line.quantity}"

    @admin.display(description="licence")
    def licence_link(self, obj):
        return _licence_link(obj.licence_id)
