"""The channel team's view of activation (SPEC §3.7): the vendor's signing keys and the
machines licences run on. Both are read here, never edited:

* a signing key's private half never appears (not on the list, the key's page, a search
  or a filter); rotating the key is the "Rotate the signing key" button, which calls
  ``signing_key_rotate`` (it checks ``licensing.add_signingkey`` and writes the audit
  record), after a confirmation page;
* a machine is released with the list's action "Release the selected machines", which
  calls ``activation_release`` for each one (it checks ``licensing.manage_licences`` and
  writes the licence's history and the audit record); a machine it refuses is named in
  an error message, the others are released.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from licensing.admin.filters import LicenceColumns, PartnerFilter, ReadOnlyAdminMixin, short_date
from licensing.models import Activation, SigningKey
from licensing.services.activation import activation_release
from licensing.services.signing import signing_key_rotate
from licensing.signing import public_key_pem
from portal.audit.admin import AuditTrailMixin
from portal.errors import DomainError
from portal.formats import format_datetime
from portal.service_admin import has_staff_permission

ROTATE_PERMISSION = "licensing.add_signingkey"
RELEASE_PERMISSION = "licensing.manage_licences"


# --- signing keys ----------------------------------------------------------------------


class CurrentFilter(admin.BooleanFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "current"


@admin.register(SigningKey)
class SigningKeyAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The keys that sign licence files, the current one first. Read-only: a key is made
    by rotating, never typed in (the button; the ``rotate_licence_key`` command does the
    same), and none is deleted (files it signed name it: every key stays published)."""

    list_display = ["key_id", "algorithm", "created_at", "current", "retired_at"]
    list_filter = [("is_current", CurrentFilter)]
    search_fields = ["kid"]
    ordering = ["-is_current", "-created_at", "-id"]
    # Never ``private_key_encrypted``: it is named nowhere in this admin.
    fields = ["key_id", "algorithm", "public_key", "pem", "current", "created_at", "retired_at"]
    readonly_fields = fields
    change_list_template = "admin/licensing/signingkey/change_list.html"

    @admin.display(description="key id", ordering="kid")
    def key_id(self, obj):
        return obj.kid

    @admin.display(boolean=True, description="current", ordering="is_current")
    def current(self, obj):
        """Signs new licence files (a retired key still verifies the files it signed)."""
        return obj.is_current

    @admin.display(description="public key (PEM)")
    def pem(self, obj):
        return format_html("<pre class='portal-pem'>{}</pre>", public_key_pem(obj.public_key))

    def has_rotate_permission(self, request) -> bool:
        return has_staff_permission(request, ROTATE_PERMISSION)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_rotate": self.has_rotate_permission(request)}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "rotate/",
                self.admin_site.admin_view(self.rotate_view),
                name="licensing_signingkey_rotate",
            ),
            *super().get_urls(),
        ]

    def rotate_view(self, request):
        """GET: what rotating does, and a button; POST: rotate."""
        if not self.has_rotate_permission(request):
            raise PermissionDenied
        changelist = reverse("admin:licensing_signingkey_changelist")
        if request.method == "POST":
            try:
                key = signing_key_rotate(actor=request.user)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(
                    request,
                    f"Rotated: key {key.kid} signs new licence files from now on. The previous "
                    "key stays published, so the files it signed still verify.",
                    messages.SUCCESS,
                )
            return redirect(changelist)
        current = SigningKey.objects.filter(is_current=True).first()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Rotate the signing key",
            "current": current,
            "created": format_datetime(current.created_at) if current else "",
            "changelist_url": changelist,
        }
        return TemplateResponse(request, "admin/licensing/signingkey/rotate.html", context)


# --- activations -----------------------------------------------------------------------


class MachineStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "machine"

    def lookups(self, request, model_admin):
        return [
            ("live", "In use"),
            ("deactivated", "Deactivated or released"),
            ("released", "Released by the partner"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.filter(deactivated_at__isnull=True)
        if self.value() == "deactivated":
            return queryset.filter(deactivated_at__isnull=False)
        if self.value() == "released":
            return queryset.filter(deactivated_by=Activation.DeactivatedBy.PARTNER)
        return queryset


@admin.register(Activation)
class ActivationAdmin(LicenceColumns, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Every machine a licence is (or was) activated on. Read-only: the appliance
    activates and deactivates with its key; the channel team releases a machine with the
    action, as the partner does on its licence's page. A released machine keeps its row:
    the licence's history names it."""

    actions = ["release"]
    list_display = [
        "machine",
        "licence_label",
        "partner",
        "customer",
        "activated",
        "last_file",
        "state",
    ]
    list_filter = [
        MachineStatusFilter,
        ("licence__organisation", PartnerFilter),
        ("activated_at", admin.DateFieldListFilter),
    ]
    search_fields = [
        "fingerprint",
        "hostname",
        "licence__customer_name",
        "licence__customer_email",
    ]
    list_select_related = ["licence", "licence__organisation"]
    date_hierarchy = "activated_at"
    fields = [
        "licence_link",
        "partner",
        "hostname",
        "fingerprint",
        "activated_at",
        "last_issued_at",
        "signing_key",
        "deactivated_at",
        "deactivated_by",
        "released_by",
    ]
    readonly_fields = fields

    def get_queryset(self, request) -> QuerySet[Activation]:
        return (
            super()
            .get_queryset(request)
            .select_related("licence__organisation", "signing_key", "released_by")
        )

    @admin.display(description="machine", ordering="hostname")
    def machine(self, obj):
        return format_html(
            '<span class="portal-nowrap">{}</span><div class="portal-muted" title="{}">{}</div>',
            obj.hostname or "Unnamed machine",
            obj.fingerprint,
            obj.fingerprint[:20] + ("…" if len(obj.fingerprint) > 20 else ""),
        )

    @admin.display(description="activated", ordering="activated_at")
    def activated(self, obj):
        return short_date(obj.activated_at)

    @admin.display(description="last file", ordering="last_issued_at")
    def last_file(self, obj):
        return short_date(obj.last_issued_at)

    @admin.display(description="status", ordering="deactivated_at")
    def state(self, obj):
        if obj.is_active:
            return "In use"
        label = (
            "Released" if obj.deactivated_by == Activation.DeactivatedBy.PARTNER else "Deactivated"
        )
        return format_html("{}<div>{}</div>", label, short_date(obj.deactivated_at))

    def has_release_permission(self, request) -> bool:
        return has_staff_permission(request, RELEASE_PERMISSION)

    @admin.action(description="Release the selected machines", permissions=["release"])
    def release(self, request, queryset):
        released = []
        for activation in queryset.order_by("activated_at", "id"):
            label = activation.hostname or f"machine {activation.fingerprint[:16]}"
            try:
                activation_release(actor=request.user, activation=activation)
            except DomainError as exc:
                self.message_user(request, f"{label}: {exc.message}", messages.ERROR)
            else:
                released.append(label)
        if released:
            self.message_user(
                request,
                f"Released {len(released)} machine{'s' if len(released) != 1 else ''} "
                f"({', '.join(released)}): each licence has the place free again.",
                messages.SUCCESS,
            )
