from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partners.models import Membership, Organisation, PartnerType, Tier


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0


@admin.register(PartnerType)
class PartnerTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]
    inlines = [TierInline]


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ["__str__", "partner_type", "level"]
    list_filter = ["partner_type", "level"]
    search_fields = ["name", "partner_type__name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "country", "partner_type", "tier", "status", "distributor"]
    list_filter = ["status", "partner_type", "tier__level", "country"]
    search_fields = ["name"]
    list_select_related = ["partner_type", "tier", "distributor"]
    autocomplete_fields = ["distributor"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__partner_type"]
    search_fields = ["user__email", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]
