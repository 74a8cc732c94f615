"""The channel team's marketing assets: upload (checked by partners.services.marketing),
who may see each one (programme, partner types, minimum tier, published), and how many
times each partner downloaded it (read-only, with the total)."""

from django import forms
from django.contrib import admin
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce

from partners.models import AssetDownload, MarketingAsset
from partners.services.marketing import FORMATS_IN_WORDS, asset_file_check, asset_save
from portal.errors import DomainError
from portal.service_admin import (
    ServiceModelAdmin,
    ServiceValidatedForm,
    has_staff_permission,
)


class MarketingAssetForm(ServiceValidatedForm):
    upload = forms.FileField(
        required=False,
        label="File",
        help_text=f"{FORMATS_IN_WORDS}, checked by its content; SVG is refused (offer a PNG). "
        "On a change, leave empty to keep the current file.",
    )
    validated_fields = ("upload",)

    class Meta:
        model = MarketingAsset
        fields = [
            "programme",
            "title",
            "kind",
            "description",
            "partner_types",
            "min_tier_level",
            "published",
        ]

    def validate(self, data: dict) -> None:
        upload = data.get("upload")
        if upload is None and (self.instance is None or self.instance._state.adding):
            raise DomainError(f"Choose the asset's file: {FORMATS_IN_WORDS}.", field="upload")
        if upload is not None:
            try:
                asset_file_check(upload)
            except DomainError as exc:
                raise DomainError(exc.message, field="upload", code=exc.code) from exc


class AssetDownloadInline(admin.TabularInline):
    model = AssetDownload
    fields = ["organisation", "count", "first_downloaded_at", "last_downloaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["-count"]
    verbose_name_plural = "downloads per partner"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        # The counts are part of the asset's page: whoever may see the asset sees them.
        return has_staff_permission(request, "partners.view_marketingasset") or (
            has_staff_permission(request, "partners.change_marketingasset")
        )


@admin.register(MarketingAsset)
class MarketingAssetAdmin(ServiceModelAdmin):
    form = MarketingAssetForm
    list_display = [
        "title",
        "kind",
        "programme",
        "min_tier_level",
        "published",
        "partners_downloading",
        "total_downloads",
        "updated_at",
    ]
    list_filter = ["kind", "published", "programme", "partner_types", "min_tier_level"]
    search_fields = ["title", "description", "original_name"]
    filter_horizontal = ["partner_types"]
    list_select_related = ["programme"]
    readonly_fields = [
        "original_name",
        "content_type",
        "size",
        "sha256",
        "created_by",
        "created_at",
        "updated_at",
        "total_downloads",
    ]
    inlines = [AssetDownloadInline]

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (None, {"fields": ["programme", "title", "kind", "description", "upload"]}),
            ("Who sees it", {"fields": ["partner_types", "min_tier_level", "published"]}),
        ]
        if obj is not None:
            fieldsets.append(
                (
                    "File and downloads",
                    {"fields": [*self.readonly_fields]},
                )
            )
        return fieldsets

    def get_queryset(self, request):
        # Every partner's downloads: a channel-team request reads across tenants.
        return (
            super()
            .get_queryset(request)
            .annotate(
                _partners=Count("downloads", distinct=True),
                _total=Coalesce(Sum("downloads__count"), 0),
            )
        )

    @admin.display(description="partners", ordering="_partners")
    def partners_downloading(self, obj) -> int:
        return getattr(obj, "_partners", 0)

    @admin.display(description="downloads", ordering="_total")
    def total_downloads(self, obj) -> int:
        return getattr(obj, "_total", 0)

    def has_delete_permission(self, request, obj=None):
        # An asset is withdrawn by unpublishing it: its download counts stay.
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        asset_save(
            actor=request.user,
            programme=data["programme"],
            title=data["title"],
            kind=data["kind"],
            description=data.get("description", ""),
            partner_types=list(data.get("partner_types") or []),
            min_tier_level=data.get("min_tier_level"),
            published=data.get("published", False),
            upload=data.get("upload"),
            asset=obj,
        )

    def save_related(self, request, form, formsets, change):
        # The service set the partner types; the read-only inline saves nothing.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)
