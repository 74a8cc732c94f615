from django.contrib import admin

from partners.models import DiscountRule, EmbargoedTerritory, PartnerType, Programme, Tier
from partners.selectors.programme import discount_range, partner_types_with_discounts
from portal.admin_filters import country_filter
from portal.audit.admin import AuditTrailMixin


@admin.display(description="discount")
def discount_range_display(obj):
    """Derived from the discount rules (what quotes apply), never typed in: it cannot
    drift from them."""
    if obj is None or obj.pk is None:
        return "From the programme's discount rules, once saved"
    return discount_range(partner_type=obj)


class PartnerTypeInline(admin.TabularInline):
    model = PartnerType
    extra = 0
    fields = ["code", "name", "can_resell", "listed_in_locator", "discount"]
    readonly_fields = ["discount"]
    show_change_link = True

    def get_queryset(self, request):
        return partner_types_with_discounts(super().get_queryset(request))

    def discount(self, obj):
        return discount_range_display(obj)

    discount.short_description = "discount"


class DiscountRuleInline(admin.TabularInline):
    model = DiscountRule
    extra = 0
    fields = ["partner_type", "tier_level", "engagement_model", "percent"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "partner_type" and request.resolver_match.kwargs.get("object_id"):
            kwargs["queryset"] = PartnerType.objects.filter(
                programme_id=request.resolver_match.kwargs["object_id"]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EmbargoedTerritoryInline(admin.TabularInline):
    model = EmbargoedTerritory
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "is_default",
        "protection_window_days",
        "discount_requires_deal_registration",
        "agreement_version",
    ]
    list_filter = ["is_default", "discount_requires_deal_registration", "first_sale_credit"]
    search_fields = ["name", "code"]
    inlines = [PartnerTypeInline, DiscountRuleInline, EmbargoedTerritoryInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "is_default", "reporting_currency"]}),
        (
            "Rules",
            {
                "fields": [
                    "protection_window_days",
                    "deal_review_days",
                    "deal_expiry_reminder_days",
                    "discount_requires_deal_registration",
                    "first_sale_credit",
                    "min_customer_sales_per_year",
                ]
            },
        ),
        ("Payments", {"fields": ["hold_licences_until_paid", "payment_review_days"]}),
        (
            "Applications",
            {
                "fields": [
                    "min_years_in_operation",
                    "requires_named_customer",
                    "application_review_days",
                    "agreement_version",
                    "agreement_terms",
                ]
            },
        ),
    ]


class TierInline(admin.StackedInline):
    model = Tier
    extra = 0
    fieldsets = [
        (None, {"fields": [("level", "name")]}),
        (
            "Requirements",
            {
                "fields": [
                    ("min_gross_invoiced", "level1_support_required"),
                    ("min_certified_sales", "min_certified_technical", "min_pes"),
                    (
                        "min_partner_owned_share",
                        "max_co_led_share",
                        "max_late_involvement_share",
                    ),
                    ("min_webinars", "requires_sales_training_for_upgrade"),
                ]
            },
        ),
        ("Benefits", {"fields": ["benefits"]}),
    ]


@admin.register(PartnerType)
class PartnerTypeAdmin(AuditTrailMixin, admin.ModelAdmin):
    # Short column titles: the list fits a 1366 px screen beside its filters.
    list_display = [
        "name",
        "programme",
        "discount",
        "resells",
        "charity",
        "nfr",
        "mdf_from",
        "sam_from",
        "listed",
    ]
    list_filter = ["programme", "can_resell", "listed_in_locator", "complimentary_nfr"]
    search_fields = ["name", "code"]
    list_select_related = ["programme"]
    readonly_fields = ["discount"]
    inlines = [TierInline]

    def get_queryset(self, request):
        return partner_types_with_discounts(super().get_queryset(request))

    @admin.display(description="discount")
    def discount(self, obj):
        return discount_range_display(obj)

    @admin.display(boolean=True, description="resells", ordering="can_resell")
    def resells(self, obj):
        return obj.can_resell

    @admin.display(boolean=True, description="listed", ordering="listed_in_locator")
    def listed(self, obj):
        return obj.listed_in_locator

    @admin.display(boolean=True, description="charity", ordering="charity_discounts_allowed")
    def charity(self, obj):
        return obj.charity_discounts_allowed

    @admin.display(boolean=True, description="NFR", ordering="complimentary_nfr")
    def nfr(self, obj):
        return obj.complimentary_nfr

    @admin.display(description="MDF from", ordering="mdf_from_tier")
    def mdf_from(self, obj):
        return obj.mdf_from_tier

    @admin.display(description="SAM from", ordering="sales_account_manager_from_tier")
    def sam_from(self, obj):
        return obj.sales_account_manager_from_tier


@admin.register(Tier)
class TierAdmin(AuditTrailMixin, admin.ModelAdmin):
    # Short column titles: the list fits a 1366 px screen beside its filters.
    list_display = [
        "__str__",
        "partner_type",
        "level",
        "min_gross",
        "min_pes",
        "owned_share",
        "co_led_share",
        "late_share",
    ]
    list_filter = ["partner_type__programme", "partner_type", "level"]
    search_fields = ["name", "partner_type__name"]
    list_select_related = ["partner_type"]

    @admin.display(description="min. gross invoiced", ordering="min_gross_invoiced")
    def min_gross(self, obj):
        return obj.min_gross_invoiced

    @admin.display(description="partner-owned ≥ %", ordering="min_partner_owned_share")
    def owned_share(self, obj):
        return obj.min_partner_owned_share

    @admin.display(description="co-led ≤ %", ordering="max_co_led_share")
    def co_led_share(self, obj):
        return obj.max_co_led_share

    @admin.display(description="late ≤ %", ordering="max_late_involvement_share")
    def late_share(self, obj):
        return obj.max_late_involvement_share


@admin.register(DiscountRule)
class DiscountRuleAdmin(AuditTrailMixin, admin.ModelAdmin):
    # The percent is a column of its own (it was only inside each rule's name).
    list_display = ["type_name", "tier", "engagement", "discount", "programme"]
    list_filter = ["programme", "partner_type", "engagement_model", "tier_level"]
    search_fields = ["partner_type__name", "programme__name"]
    list_select_related = ["programme", "partner_type"]
    empty_value_display = "any"

    @admin.display(description="partner type", ordering="partner_type__name")
    def type_name(self, obj):
        return obj.partner_type.name if obj.partner_type else "any type"

    @admin.display(description="percent", ordering="percent")
    def discount(self, obj):
        return f"{obj.percent.normalize():f}%"

    @admin.display(description="tier", ordering="tier_level")
    def tier(self, obj):
        return obj.tier_level or "any"

    @admin.display(description="engagement model", ordering="engagement_model")
    def engagement(self, obj):
        return obj.get_engagement_model_display() or "any"


@admin.register(EmbargoedTerritory)
class EmbargoedTerritoryAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["__str__", "programme", "country", "region_code"]
    list_filter = ["programme", country_filter()]
    search_fields = ["region_name", "region_code"]
