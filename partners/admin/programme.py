from django.contrib import admin

from partners.models import DiscountRule, EmbargoedTerritory, PartnerType, Programme, Tier
from portal.audit.admin import AuditTrailMixin


class PartnerTypeInline(admin.TabularInline):
    model = PartnerType
    extra = 0
    fields = ["code", "name", "can_resell", "listed_in_locator", "discount_range"]
    show_change_link = True


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
                    "discount_requires_deal_registration",
                    "first_sale_credit",
                    "min_customer_sales_per_year",
                ]
            },
        ),
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
    list_display = [
        "name",
        "code",
        "programme",
        "can_resell",
        "charity_discounts_allowed",
        "complimentary_nfr",
        "mdf_from_tier",
        "sales_account_manager_from_tier",
        "listed_in_locator",
        "discount_range",
    ]
    list_filter = ["programme", "can_resell", "listed_in_locator", "complimentary_nfr"]
    search_fields = ["name", "code"]
    list_select_related = ["programme"]
    inlines = [TierInline]


@admin.register(Tier)
class TierAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "partner_type",
        "level",
        "min_gross_invoiced",
        "min_pes",
        "min_partner_owned_share",
        "max_co_led_share",
        "max_late_involvement_share",
    ]
    list_filter = ["partner_type__programme", "partner_type", "level"]
    search_fields = ["name", "partner_type__name"]
    list_select_related = ["partner_type"]


@admin.register(DiscountRule)
class DiscountRuleAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["__str__", "programme", "partner_type", "tier_level", "engagement_model"]
    list_filter = ["programme", "partner_type", "engagement_model", "tier_level"]
    search_fields = ["partner_type__name", "programme__name"]
    list_select_related = ["programme", "partner_type"]


@admin.register(EmbargoedTerritory)
class EmbargoedTerritoryAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["__str__", "programme", "country", "region_code"]
    list_filter = ["programme", "country"]
    search_fields = ["region_name", "region_code"]
