from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from partners.models import Agreement, Invitation, Membership, Organisation, PartnerProfile


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]


class PartnerProfileInline(admin.StackedInline):
    model = PartnerProfile
    extra = 0
    fields = [
        ("display_name", "website"),
        "description",
        ("city", "region", "country"),
        "territory",
        ("logo", "logo_width", "logo_height"),
    ]
    readonly_fields = ["logo_width", "logo_height"]


class AgreementInline(admin.TabularInline):
    model = Agreement
    extra = 0
    can_delete = False
    fields = [
        "version",
        "pdf_status",
        "agreement_pdf",
        "order_form_pdf",
        "accepted_by",
        "accepted_at",
        "accepted_ip",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "country", "partner_type", "tier", "status", "distributor", "joined_on"]
    list_filter = ["status", "partner_type__programme", "partner_type", "tier__level", "country"]
    search_fields = ["name", "profile__display_name"]
    # A tier without a name is shown by its partner type's name.
    list_select_related = ["partner_type", "tier__partner_type", "distributor"]
    autocomplete_fields = ["distributor"]
    inlines = [PartnerProfileInline, MembershipInline, AgreementInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "tier":
            kwargs["queryset"] = db_field.related_model.objects.select_related("partner_type")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__partner_type"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "organisation",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_filter = [
        "role",
        ("accepted_at", admin.EmptyFieldListFilter),
        ("revoked_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["email", "organisation__name"]
    list_select_related = ["organisation"]
    readonly_fields = ["token_hash", "created_at", "accepted_at"]
    autocomplete_fields = ["organisation", "invited_by"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    actions = ["retry_documents"]
    list_display = [
        "organisation",
        "version",
        "pdf_status",
        "accepted_by",
        "accepted_at",
        "accepted_ip",
    ]
    list_filter = ["pdf_status", "version", ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["organisation__name", "accepted_by__email"]
    list_select_related = ["organisation", "accepted_by"]
    readonly_fields = [f.name for f in Agreement._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a signature record is evidence: never edited

    @admin.action(description="Generate the documents again (failed or stuck ones)")
    def retry_documents(self, request, queryset):
        from partners.services.agreements import agreement_retry_documents

        count = sum(agreement_retry_documents(agreement=a) for a in queryset)
        self.message_user(request, f"{count} agreement(s) queued for rendering.")


@admin.register(PartnerProfile)
class PartnerProfileAdmin(admin.ModelAdmin):
    list_display = ["display_name", "organisation", "city", "country", "updated_at"]
    list_filter = ["country", "organisation__partner_type", "organisation__status"]
    search_fields = ["display_name", "organisation__name", "city"]
    list_select_related = ["organisation"]
    readonly_fields = ["logo_width", "logo_height", "updated_at"]
