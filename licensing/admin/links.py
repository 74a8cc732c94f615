"""The channel team's view of what the end customer reaches without an account (SPEC §3.7):
the emailed links and the seats of per-user licences. Read-only: links are made, resent
and revoked by binding and redemption (licensing.services.binding, .redemption), seats by
the customer through the seat-management link.

A link works by the signed token in its URL, made from its id with the portal's secret;
this admin never shows that URL, nor the key nonce a link holds between a redemption and
the email that carries the key."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

from licensing.admin.filters import LicenceColumns, PartnerFilter, ReadOnlyAdminMixin, short_date
from licensing.models import CustomerLink, Seat


class LinkStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("live", "Works"),
            ("used", "Used"),
            ("revoked", "Replaced or revoked"),
            ("expired", "Expired unused"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        unused = Q(used_at__isnull=True, revoked_at__isnull=True)
        if self.value() == "live":
            # A seat link is governed by its licence, not by its recorded end.
            return queryset.filter(unused).filter(
                Q(purpose=CustomerLink.Purpose.MANAGE_SEATS) | Q(expires_at__gt=now)
            )
        if self.value() == "used":
            return queryset.filter(used_at__isnull=False)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "expired":
            return queryset.filter(unused, purpose=CustomerLink.Purpose.REDEEM, expires_at__lte=now)
        return queryset


@admin.register(CustomerLink)
class CustomerLinkAdmin(LicenceColumns, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "email",
        "purpose_label",
        "licence_label",
        "partner",
        "sent",
        "expires",
        "state",
        "reminders",
    ]
    list_filter = [
        "purpose",
        LinkStateFilter,
        ("licence__organisation", PartnerFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = [
        "email",
        "licence__customer_name",
        "licence__customer_email",
        "licence__organisation__name",
    ]
    list_select_related = ["licence", "licence__organisation"]
    date_hierarchy = "created_at"
    # Never ``key_nonce``, nor the link's URL (its signed token).
    fields = [
        "licence_link",
        "partner",
        "purpose",
        "email",
        "created_by",
        "created_at",
        "expires_at",
        "last_sent_at",
        "reminders_sent",
        "used_at",
        "revoked_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("licence__organisation", "created_by")

    @admin.display(description="purpose", ordering="purpose")
    def purpose_label(self, obj):
        return "Redemption" if obj.purpose == CustomerLink.Purpose.REDEEM else "Seats"

    @admin.display(description="sent", ordering="created_at")
    def sent(self, obj):
        return short_date(obj.created_at)

    @admin.display(description="expires", ordering="expires_at")
    def expires(self, obj):
        return short_date(obj.expires_at)

    @admin.display(description="reminders", ordering="reminders_sent")
    def reminders(self, obj):
        return obj.reminders_sent

    @admin.display(description="state")
    def state(self, obj):
        if obj.used_at:
            return "Used"
        if obj.revoked_at:
            return "Replaced"
        if obj.purpose == CustomerLink.Purpose.REDEEM and obj.expires_at <= timezone.now():
            return "Expired"
        return "Works"


@admin.register(Seat)
class SeatAdmin(LicenceColumns, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["email", "name", "licence_label", "partner", "customer", "added"]
    list_filter = [
        ("licence__organisation", PartnerFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = [
        "email",
        "name",
        "licence__customer_name",
        "licence__customer_email",
        "licence__organisation__name",
    ]
    list_select_related = ["licence", "licence__organisation"]
    fields = ["licence_link", "partner", "customer", "email", "name", "created_at"]
    readonly_fields = fields

    @admin.display(description="added", ordering="created_at")
    def added(self, obj):
        return short_date(obj.created_at)
