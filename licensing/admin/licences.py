"""The channel team's view of licences and their history (SPEC §3.7).

Licences are read here, never edited: every change goes through licensing's services
(binding, redemption, extension), each writing the licence's history and the audit trail.
"Add licence" issues one through ``licence_issue`` (the only way a licence comes to exist),
for staff holding ``licensing.manage_licences``; the service's refusal shows beside its
field."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers, widgets
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from licensing.admin.filters import LicenceColumns, PartnerFilter, ReadOnlyAdminMixin, short_date
from licensing.models import Licence, LicenceEvent, LicenceReminder, Plan, Product, Trial
from licensing.selectors.catalogue import entitlement_lines
from licensing.services.licences import licence_issue
from partners.admin.organisations import LatestRowsSection, register_organisation_section
from partners.models import Organisation
from portal.audit.admin import AuditTrailMixin
from portal.errors import DomainError
from portal.permissions import require_staff_permission
from portal.service_admin import has_staff_permission

MANAGE_LICENCES = "licensing.manage_licences"


class LicenceEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LicenceEvent
    extra = 0
    can_delete = False
    fields = ["at", "kind", "summary", "actor"]
    readonly_fields = fields
    ordering = ["at", "id"]
    verbose_name_plural = "history"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class TrialInline(ReadOnlyAdminMixin, admin.StackedInline):
    """What a trial has beyond its licence: the prospect's address and the project (its
    licence's customer name is the prospect's name). Shown on trial licences only."""

    model = Trial
    extra = 0
    max_num = 1
    can_delete = False
    fields = ["prospect_email", "project", "requested_by", "created_at"]
    readonly_fields = fields
    verbose_name_plural = "trial"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requested_by")


class LicenceIssueForm(forms.Form):
    """What ``licence_issue`` takes; the service decides what is valid (its DomainError
    shows beside the field it names)."""

    organisation = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(status=Organisation.Status.ACTIVE).order_by("name"),
        help_text="The partner that owns the licence.",
    )
    distributor = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(status=Organisation.Status.ACTIVE).order_by("name"),
        required=False,
        help_text="The distributor it was supplied through, if any (it reads, never changes it).",
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.filter(is_active=True).select_related("programme"),
        help_text="A product of the partner's programme.",
    )
    plan = forms.ModelChoiceField(
        queryset=Plan.objects.filter(is_active=True).select_related("product"),
        required=False,
        help_text="The price it was sold at: required for a customer licence.",
    )
    kind = forms.ChoiceField(choices=Licence.Kind.choices, initial=Licence.Kind.CUSTOMER)
    quantity = forms.IntegerField(min_value=1, max_value=100_000)
    starts_on = forms.DateField(required=False, help_text="Empty: today.")
    ends_on = forms.DateField(
        required=False, help_text="Empty: the plan's period (a trial: the programme's trial days)."
    )
    customer_name = forms.CharField(
        max_length=200, required=False, help_text="For a trial: the prospect's name."
    )
    source = forms.CharField(
        max_length=80, required=False, help_text="Why it was issued, e.g. a ticket or order."
    )

    fieldsets = [
        (None, {"fields": ["organisation", "distributor"]}),
        ("Product", {"fields": ["product", "plan", "kind", "quantity"]}),
        ("Term", {"fields": ["starts_on", "ends_on"]}),
        ("Reason", {"fields": ["customer_name", "source"]}),
    ]

    def __init__(self, *args, admin_site, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin's own widgets: partners are searched (there may be hundreds), dates
        # picked from a calendar.
        for name in ("organisation", "distributor"):
            field = self.fields[name]
            field.widget = widgets.AutocompleteSelect(Licence._meta.get_field(name), admin_site)
            field.widget.choices = field.choices
        for name in ("starts_on", "ends_on"):
            self.fields[name].widget = widgets.AdminDateWidget()


@admin.register(Licence)
class LicenceAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = [
        "product_label",
        "quantity",
        "organisation",
        "distributor",
        "kind",
        "status",
        "customer",
        "ends_on",
    ]
    list_filter = ["status", "kind", "product__programme", "product"]
    search_fields = [
        "customer_name",
        "customer_email",
        "installation_name",
        "organisation__name",
        "product_name",
    ]
    list_select_related = ["organisation", "distributor"]
    date_hierarchy = "created_at"
    inlines = [TrialInline, LicenceEventInline]
    fieldsets = [
        (None, {"fields": ["product_name", "product_code", "kind", "status", "quantity", "unit"]}),
        ("Term", {"fields": [("starts_on", "ends_on"), "billing_period", "plan"]}),
        (
            "Partner",
            {"fields": ["organisation", "distributor", "source", "issued_by", "created_at"]},
        ),
        (
            "End customer",
            {
                "fields": [
                    ("customer_name", "customer_email", "customer_country"),
                    "installation_name",
                    ("bound_at", "redeemed_at"),
                    ("terms_version", "terms_accepted_at", "terms_accepted_ip"),
                ]
            },
        ),
        ("Entitlements", {"fields": ["entitlement_summary", "machine_limit", "key_hint"]}),
    ]
    readonly_fields = [
        "product_name",
        "product_code",
        "kind",
        "status",
        "quantity",
        "unit",
        "starts_on",
        "ends_on",
        "billing_period",
        "plan",
        "organisation",
        "distributor",
        "source",
        "issued_by",
        "created_at",
        "customer_name",
        "customer_email",
        "customer_country",
        "installation_name",
        "bound_at",
        "redeemed_at",
        "terms_version",
        "terms_accepted_at",
        "terms_accepted_ip",
        "entitlement_summary",
        "machine_limit",
        "key_hint",
    ]

    @admin.display(description="product", ordering="product_name")
    def product_label(self, obj):
        return obj.product_name

    @admin.display(description="customer", ordering="customer_name")
    def customer(self, obj):
        return obj.customer_name or obj.customer_email or "-"

    @admin.display(description="entitlements")
    def entitlement_summary(self, obj):
        return format_html_join(
            "", "<div>{}</div>", ((line,) for line in entitlement_lines(obj.entitlements))
        )

    def get_inlines(self, request, obj):
        if obj is None or obj.kind != Licence.Kind.TRIAL:
            return [LicenceEventInline]
        return super().get_inlines(request, obj)

    # --- read-only: changes go through the services -------------------------------------

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return has_staff_permission(request, MANAGE_LICENCES)

    # --- issuing: the admin's "add" is licence_issue ----------------------------------------

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = LicenceIssueForm(request.POST or None, admin_site=self.admin_site)
        if request.method == "POST" and form.is_valid():
            licence = self._issue(request, form)
            if licence is not None:
                self.message_user(
                    request,
                    f"Issued: {licence.product_name} x {licence.quantity} for "
                    f"{licence.organisation.name}.",
                    messages.SUCCESS,
                )
                return redirect(reverse("admin:licensing_licence_change", args=[licence.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Issue a licence",
            "opts": self.model._meta,
            "form": form,
            "adminform": helpers.AdminForm(form, form.fieldsets, {}, model_admin=self),
            "media": self.media + form.media,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/licensing/licence/issue.html", context)

    def _issue(self, request, form) -> Licence | None:
        data = form.cleaned_data
        require_staff_permission(request.user, MANAGE_LICENCES)
        try:
            return licence_issue(
                actor=request.user,
                organisation=data["organisation"],
                distributor=data["distributor"],
                product=data["product"],
                plan=data["plan"],
                kind=data["kind"],
                quantity=data["quantity"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                customer_name=data["customer_name"],
                source=data["source"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            return None


@admin.register(LicenceEvent)
class LicenceEventAdmin(LicenceColumns, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The licences' history, append-only: read here, written only by the services."""

    list_display = ["at", "kind", "licence_label", "organisation", "short_summary", "actor_name"]
    list_filter = ["kind", ("at", admin.DateFieldListFilter)]
    search_fields = [
        "summary",
        "licence__customer_email",
        "licence__customer_name",
        "licence__organisation__name",
    ]
    list_select_related = ["licence", "licence__organisation", "actor"]
    date_hierarchy = "at"
    fields = ["at", "kind", "licence", "summary", "detail", "actor"]
    readonly_fields = fields

    @admin.display(description="partner", ordering="licence__organisation__name")
    def organisation(self, obj):
        return obj.licence.organisation

    @admin.display(description="by", ordering="actor__email")
    def actor_name(self, obj):
        if obj.actor is None:
            return "-"
        return obj.actor.get_full_name() or obj.actor.email

    @admin.display(description="summary")
    def short_summary(self, obj):
        # The whole sentence on hover and on the event's page; the list stays one screen wide.
        return format_html(
            '<span title="{}">{}</span>', obj.summary, Truncator(obj.summary).chars(60)
        )


@admin.register(LicenceReminder)
class LicenceReminderAdmin(LicenceColumns, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The reminders the expiry job sent partners before a licence's end (one per licence,
    days before and end). Read-only: written only by the job."""

    list_display = ["sent", "licence_label", "organisation", "days_before", "ends_on"]
    list_filter = [
        "days_before",
        ("organisation", PartnerFilter),
        ("sent_at", admin.DateFieldListFilter),
    ]
    search_fields = [
        "organisation__name",
        "licence__customer_name",
        "licence__customer_email",
        "licence__product_name",
    ]
    list_select_related = ["licence", "organisation"]
    date_hierarchy = "sent_at"
    fields = ["sent_at", "licence", "organisation", "days_before", "ends_on"]
    readonly_fields = fields

    @admin.display(description="sent", ordering="sent_at")
    def sent(self, obj):
        return short_date(obj.sent_at)


class OrganisationLicencesSection(LatestRowsSection, admin.TabularInline):
    """The partner's latest licences on its organisation page (staff who may view
    licences); every one is under Licensing > Licences."""

    model = Licence
    fk_name = "organisation"
    verbose_name_plural = "licences (the latest 10)"
    fields = ["product_name", "quantity", "kind", "status", "customer_name", "ends_on"]
    readonly_fields = fields
    ordering = ["-created_at"]


register_organisation_section(OrganisationLicencesSection)
