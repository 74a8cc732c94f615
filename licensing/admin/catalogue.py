"""The channel team's catalogue: products and their plans (SPEC §3.5), programme data the
programme manager edits. Every edit is in the audit trail (AuditTrailMixin). A licence,
order or invoice already made keeps its own copy of names, prices and entitlements, so an
edit here changes only what is sold next.

Products and plans are never deleted (licences point at them): a product or plan taken off
sale is made inactive."""

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.html import format_html_join

from licensing.models import Plan, Product
from licensing.selectors.catalogue import entitlement_lines, plan_price, product_quantity_limits
from portal.audit.admin import AuditTrailMixin


class PlanInline(admin.TabularInline):
    model = Plan
    extra = 0
    can_delete = False  # licences name the plan they were sold at: make it inactive instead
    fields = ["billing_period", "currency", "price", "is_active"]


@admin.register(Product)
class ProductAdmin(AuditTrailMixin, admin.ModelAdmin):
    # Short column titles: the list fits a 1366 px screen beside its filters.
    list_display = ["__str__", "code", "programme", "unit", "limits", "prices", "on_sale"]
    list_filter = ["programme", "family", "unit", "is_active"]
    search_fields = ["name", "code", "family", "description"]
    list_select_related = ["programme"]
    inlines = [PlanInline]
    fieldsets = [
        (
            None,
            {"fields": ["programme", "code", ("family", "name"), "description", "position"]},
        ),
        (
            "Sale",
            {"fields": ["is_active", "unit", "quantity_noun", ("min_quantity", "max_quantity")]},
        ),
        (
            "Entitlements",
            {
                "description": "Copied into each licence when it is issued (and into its "
                "signed file); a change here applies to licences issued afterwards.",
                "fields": [
                    ("support_hours", "support_tickets_per_year", "critical_response_hours"),
                    "hypervisor_licences_all_hosts",
                    "management_appliances",
                    "complete_feature_access",
                    "setup_assistance",
                    "in_words",
                ],
            },
        ),
        ("Activation", {"fields": ["machine_limit"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "plans",
                    queryset=Plan.objects.filter(is_active=True).order_by("billing_period"),
                    to_attr="active_plans",
                )
            )
        )

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "in_words"]
        if obj is not None:
            # Deals, orders and licences name a product by its programme and code.
            fields += ["programme", "code"]
        return fields

    def has_delete_permission(self, request, obj=None):
        return False  # licences point at it: take it off sale (inactive) instead

    @admin.display(description="as partners read them")
    def in_words(self, obj):
        """The saved entitlements as the catalogue page and licences word them."""
        return format_html_join(
            "", "<div>{}</div>", ((line,) for line in entitlement_lines(obj.entitlements()))
        )

    @admin.display(boolean=True, description="on sale", ordering="is_active")
    def on_sale(self, obj):
        return obj.is_active

    @admin.display(description="quantity")
    def limits(self, obj):
        return product_quantity_limits(obj) or "any"

    @admin.display(description="prices")
    def prices(self, obj):
        return (
            "; ".join(
                plan_price(plan, unit=obj.unit, noun=obj.quantity_noun) for plan in obj.active_plans
            )
            or "none on sale"
        )
