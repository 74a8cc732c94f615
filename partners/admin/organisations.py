"""The channel team's admin of partner organisations, their members, invitations,
agreements and profiles. Every write goes through a service (portal.service_admin):
an organisation's edits through ``organisation_update``, members through the team
services (the last-admin rule), invitations through ``invitation_create`` (which makes the
token and sends the email), profiles through ``profile_update`` (the partner's rules)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from partners.models import (
    Agreement,
    Invitation,
    Membership,
    Organisation,
    PartnerApplication,
    PartnerProfile,
    SalesTraining,
    TechnicalCertification,
)
from partners.selectors.agreements import DOCUMENT_FIELDS, agreement_document
from partners.services.agreements import agreement_retry_documents
from partners.services.organisations import (
    EDITABLE_FIELDS as ORGANISATION_FIELDS,
)
from partners.services.organisations import (
    organisation_update,
    organisation_validate,
)
from partners.services.profile import (
    EDITABLE_FIELDS as PROFILE_FIELDS,
)
from partners.services.profile import (
    LOGO_MAX_BYTES,
    LOGO_MIN_WIDTH,
    logo_clean,
    profile_update,
    profile_validate,
)
from partners.services.team import (
    invitation_create,
    invitation_revoke,
    invitation_validate,
    membership_change_role,
    membership_change_validate,
    membership_remove,
)
from portal.admin_filters import country_filter
from portal.audit.admin import AuditTrailMixin
from portal.errors import DomainError
from portal.files import private_file_response
from portal.formats import format_date
from portal.service_admin import (
    NoHistoryRevertMixin,
    ServiceModelAdmin,
    ServiceValidatedForm,
    has_staff_permission,
)


class _ReadOnlyInline:
    """Shown on the organisation's page; each is changed on its own page, through its
    service (``show_change_link``)."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(_ReadOnlyInline, admin.TabularInline):
    model = Membership
    verbose_name_plural = "members"
    fields = ["user", "role", "created_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


class PartnerProfileInline(_ReadOnlyInline, admin.StackedInline):
    model = PartnerProfile
    fields = [
        ("display_name", "website"),
        "description",
        ("city", "region", "country"),
        "territory",
        ("logo_width", "logo_height"),
    ]
    readonly_fields = ["display_name", "website", "description", "city", "region", "country"]
    readonly_fields += ["territory", "logo_width", "logo_height"]


class InvitationInline(_ReadOnlyInline, admin.TabularInline):
    """Who is invited and has not joined yet (a new partner's first admin, say)."""

    model = Invitation
    verbose_name_plural = "invitations"
    fields = ["email", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    readonly_fields = fields
    ordering = ["-created_at"]


class AgreementInline(_ReadOnlyInline, admin.TabularInline):
    model = Agreement
    verbose_name_plural = "agreement"
    show_change_link = False
    fields = [
        "version",
        "pdf_status",
        "documents",
        "accepted_by",
        "accepted_at",
        "accepted_ip",
    ]
    readonly_fields = fields

    def documents(self, obj):
        return agreement_documents(obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("accepted_by")


class SalesTrainingInline(_ReadOnlyInline, admin.TabularInline):
    model = SalesTraining
    verbose_name_plural = "sales training"
    fields = ["person_name", "person_email", "attended_on", "session"]
    readonly_fields = fields
    ordering = ["-attended_on"]


class TechnicalCertificationInline(_ReadOnlyInline, admin.TabularInline):
    model = TechnicalCertification
    verbose_name_plural = "technical certifications"
    fields = ["person_name", "name", "obtained_on", "expires_on"]
    readonly_fields = fields
    ordering = ["-obtained_on"]


#: What an organisation's page shows below its own fields, in this order. Later apps add
#: theirs (deals, orders, tier history) with ``register_organisation_section``; each is a
#: read-only inline, shown only to staff who may view its model (Django's own check).
ORGANISATION_SECTIONS: list[type[admin.options.InlineModelAdmin]] = [
    PartnerProfileInline,
    MembershipInline,
    InvitationInline,
    AgreementInline,
    SalesTrainingInline,
    TechnicalCertificationInline,
]


class LatestRowsSection(_ReadOnlyInline):
    """A later app's section whose rows grow without bound (licences, deal registrations):
    it shows the ``latest`` newest (by ``ordering``), so the organisation's page stays one
    size however busy the partner is; the app's own list holds them all."""

    latest = 10

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        latest = self.latest

        class LatestRows(formset):
            def get_queryset(self):
                if not hasattr(self, "_latest_rows"):
                    self._latest_rows = super().get_queryset()[:latest]
                return self._latest_rows

        return LatestRows


def register_organisation_section(inline: type[admin.options.InlineModelAdmin]) -> None:
    """Add a section to every organisation's page (after the ones already there)."""
    if inline not in ORGANISATION_SECTIONS:
        ORGANISATION_SECTIONS.append(inline)


@admin.display(description="documents")
def agreement_documents(agreement):
    """Links to the staff download view (AgreementAdmin.document_view): the files themselves
    have no URL."""
    if agreement is None or agreement.pk is None:
        return "-"
    links = [
        (reverse("admin:partners_agreement_document", args=[agreement.pk, kind]), kind)
        for kind in DOCUMENT_FIELDS
        if agreement_document(agreement=agreement, kind=kind)
    ]
    if not links:
        return agreement.get_pdf_status_display()
    return format_html_join(" · ", '<a href="{}">{}.pdf</a>', links)


# --- organisations ------------------------------------------------------------------------


class OrganisationForm(ServiceValidatedForm):
    validated_fields = ORGANISATION_FIELDS
    website = forms.URLField(required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = list(ORGANISATION_FIELDS)

    def validate(self, data: dict) -> None:
        # self.instance still holds the stored values here (the form copies its data onto
        # it only after clean()).
        organisation_validate(organisation=self.instance, changes=_changes(data))


_NO_APPLICATION = "None: not created from an application"


def _application_of(organisation) -> PartnerApplication | None:
    return PartnerApplication.objects.filter(organisation=organisation).first()


def _application_label(application: PartnerApplication) -> str:
    submitted = format_date(application.submitted_at)
    return f"{application.company_name}, submitted {submitted}"


def _changes(data: dict) -> dict:
    return {name: data[name] for name in ORGANISATION_FIELDS if name in data}


@admin.register(Organisation)
class OrganisationAdmin(
    AuditTrailMixin, NoHistoryRevertMixin, ServiceModelAdmin, SimpleHistoryAdmin
):
    form = OrganisationForm
    # Type and tier share a column, so that the list fits a laptop screen beside its
    # filters with a distributor named (tests/test_browser_console.py measures it).
    list_display = ["name", "country", "type_and_tier", "status", "distributor", "joined_on"]
    list_filter = [
        "status",
        "partner_type__programme",
        ("partner_type", admin.RelatedOnlyFieldListFilter),
        "tier__level",
        country_filter(),
    ]
    search_fields = ["name", "profile__display_name"]
    # A tier without a name is shown by its partner type's name.
    list_select_related = ["partner_type", "tier__partner_type", "distributor"]
    autocomplete_fields = ["distributor"]
    # The type and tier change with a reason, on the evaluation's "Change a partner's
    # tier" page (pes.services.tiers), never by editing the field here.
    readonly_fields = [
        "joined_on",
        "created_at",
        "application_link",
        "application_name",
        "partner_type",
        "tier",
        "tier_change",
        "programme_status",
    ]
    fieldsets = [
        (None, {"fields": ["name", "status", ("country", "website"), "joined_on"]}),
        (
            "Programme",
            {
                "fields": [
                    "partner_type",
                    "tier",
                    "tier_change",
                    "distributor",
                    "level1_support_validated_on",
                    "programme_status",
                ]
            },
        ),
        ("Origin", {"fields": ["application_link", "created_at"]}),
    ]

    def get_inlines(self, request, obj):
        return list(ORGANISATION_SECTIONS) if obj is not None else []

    def get_fieldsets(self, request, obj=None):
        # Staff who may not read applications see the application's name, not a link;
        # the link to change the tier is for those who may change tiers.
        replaced = {}
        if not has_staff_permission(request, "partners.view_partnerapplication"):
            replaced["application_link"] = "application_name"
        if not has_staff_permission(request, "pes.change_tiers"):
            replaced["tier_change"] = None
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        replaced.get(field, field)
                        for field in options["fields"]
                        if replaced.get(field, field) is not None
                    ],
                },
            )
            for name, options in super().get_fieldsets(request, obj)
        ]

    @admin.display(description="type · tier", ordering="partner_type__name")
    def type_and_tier(self, obj):
        return (
            f"{obj.partner_type.name} · {obj.tier.level}" if obj.tier_id else obj.partner_type.name
        )

    @admin.display(description="application")
    def application_link(self, obj):
        """The application the organisation came from, linked."""
        application = _application_of(obj)
        if application is None:
            return _NO_APPLICATION
        url = reverse("admin:partners_partnerapplication_change", args=[application.pk])
        return format_html('<a href="{}">{}</a>', url, _application_label(application))

    @admin.display(description="status in the programme")
    def programme_status(self, obj):
        """The partner's status as it sees it, with its evaluations (pes.admin.status)."""
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("admin:pes_partner_status", args=[obj.pk])
        return format_html(
            '<a href="{}">This quarter, the year, evaluations and tier changes</a>', url
        )

    @admin.display(description="change the type or tier")
    def tier_change(self, obj):
        """Where the tier changes, with a reason the partner and the audit trail see."""
        if obj is None or obj.pk is None:
            return "-"
        url = reverse("admin:pes_tierchange_change_tier")
        return format_html(
            '<a href="{}?organisation={}">Upgrade, override or restore, with a reason</a>',
            url,
            obj.pk,
        )

    @admin.display(description="application")
    def application_name(self, obj):
        application = _application_of(obj)
        return _NO_APPLICATION if application is None else _application_label(application)

    def has_add_permission(self, request):
        return False  # organisations come from approved applications

    def has_delete_permission(self, request, obj=None):
        return False  # suspend instead: invoices, deals and signatures point at it

    def save_model(self, request, obj, form, change):
        organisation_update(
            organisation=obj, changes=_changes(form.cleaned_data), actor=request.user
        )

    def save_related(self, request, form, formsets, change):
        # The inlines are read-only and the form has no many-to-many field: nothing to
        # save. The admin's change message still reads what each formset saved (a
        # superuser, who may view the inlines, got a 500 without this).
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


# --- members ------------------------------------------------------------------------------


class MembershipForm(ServiceValidatedForm):
    validated_fields = ("role",)

    class Meta:
        model = Membership
        fields = ["role"]

    def validate(self, data: dict) -> None:
        membership_change_validate(membership=self.instance, role=data["role"])


@admin.register(Membership)
class MembershipAdmin(AuditTrailMixin, NoHistoryRevertMixin, ServiceModelAdmin, SimpleHistoryAdmin):
    form = MembershipForm
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation__partner_type"]
    search_fields = ["user__email", "user__full_name", "organisation__name"]
    list_select_related = ["user", "organisation"]
    fields = ["user", "organisation", "role", "created_at"]
    readonly_fields = ["user", "organisation", "created_at"]

    def has_add_permission(self, request):
        return False  # people join through an invitation (see Invitations)

    def save_model(self, request, obj, form, change):
        membership_change_role(membership=obj, role=form.cleaned_data["role"], actor=request.user)

    def delete_model(self, request, obj):
        membership_remove(membership=obj, actor=request.user)


# --- invitations --------------------------------------------------------------------------


class InvitationForm(ServiceValidatedForm):
    validated_fields = ("organisation", "email", "role")

    class Meta:
        model = Invitation
        fields = ["organisation", "email", "role"]

    def validate(self, data: dict) -> None:
        invitation_validate(
            organisation=data["organisation"], email=data["email"], role=data["role"]
        )


@admin.register(Invitation)
class InvitationAdmin(AuditTrailMixin, ServiceModelAdmin):
    """Adding one invites the person: ``invitation_create`` makes the token (only its hash
    is stored, and never shown) and emails the link. An invitation is not edited
    afterwards; it is revoked (the action) and, if need be, sent again."""

    form = InvitationForm
    actions = ["revoke"]
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
    autocomplete_fields = ["organisation"]
    _shown = ["invited_by", "created_at", "expires_at", "accepted_at", "revoked_at"]

    def get_fields(self, request, obj=None):
        return ["organisation", "email", "role"] + ([] if obj is None else self._shown)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["organisation", "email", "role", *self._shown, "audit_trail"]

    def has_change_permission(self, request, obj=None):
        return False  # revoke instead

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: the record says who was invited, by whom

    def has_revoke_permission(self, request):
        return has_staff_permission(request, "partners.change_invitation")

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        invitation = invitation_create(
            organisation=data["organisation"],
            email=data["email"],
            role=data["role"],
            invited_by=request.user,
        )
        # The admin goes on with its own (unsaved) instance for its message and log:
        # make it the invitation the service created.
        for field in Invitation._meta.concrete_fields:
            setattr(obj, field.attname, getattr(invitation, field.attname))
        obj._state.adding = False
        obj._state.db = invitation._state.db

    @admin.action(description="Revoke the selected invitations", permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = 0
        for invitation in queryset:
            try:
                invitation_revoke(invitation=invitation, actor=request.user)
            except DomainError as exc:
                self.message_user(request, f"{invitation.email}: {exc.message}", messages.ERROR)
            else:
                revoked += 1
        self.message_user(request, f"{revoked} invitation(s) revoked.")


# --- agreements ---------------------------------------------------------------------------


@admin.register(Agreement)
class AgreementAdmin(AuditTrailMixin, admin.ModelAdmin):
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
    # The files have no URL (private storage): the page links to document_view instead.
    exclude = ["agreement_pdf", "order_form_pdf"]
    readonly_fields = [
        f.name for f in Agreement._meta.fields if f.name not in {"agreement_pdf", "order_form_pdf"}
    ] + ["documents"]

    def documents(self, obj):
        return agreement_documents(obj)

    def get_urls(self):
        return [
            path(
                "<uuid:pk>/documents/<slug:kind>.pdf",
                self.admin_site.admin_view(self.document_view),
                name="partners_agreement_document",
            ),
            *super().get_urls(),
        ]

    def document_view(self, request, pk, kind):
        """Staff who may view agreements download a document; nobody else."""
        agreement = get_object_or_404(Agreement, pk=pk)
        if not self.has_view_permission(request, agreement):
            raise PermissionDenied
        found = agreement_document(agreement=agreement, kind=kind)
        if found is None:
            raise Http404
        file, filename = found
        return private_file_response(file, filename=filename, content_type="application/pdf")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # a signature record is evidence: never edited

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_documents_permission(self, request):
        return has_staff_permission(request, "partners.retry_agreement_documents")

    @admin.action(
        description="Generate the documents again (failed or stuck ones)",
        permissions=["retry_documents"],
    )
    def retry_documents(self, request, queryset):
        count = sum(agreement_retry_documents(agreement=a, actor=request.user) for a in queryset)
        self.message_user(request, f"{count} agreement(s) queued for rendering.")


# --- profiles -----------------------------------------------------------------------------


class PartnerProfileForm(ServiceValidatedForm):
    """The partner's rules (partners.services.profile): the words of the description, the
    country code, the website, and the logo read by its content (never by Django's image
    field, which would decode it before our limits apply)."""

    validated_fields = PROFILE_FIELDS
    # Plain text, as on the partner's form: the service completes and checks the address.
    website = forms.CharField(required=False, max_length=200)
    logo = forms.FileField(
        required=False,
        help_text=(
            f"PNG or JPEG, at least {LOGO_MIN_WIDTH} px wide, at most "
            f"{LOGO_MAX_BYTES // (1024 * 1024)} MB. Leave empty to keep the current logo."
        ),
    )

    class Meta:
        model = PartnerProfile
        fields = list(PROFILE_FIELDS)

    def validate(self, data: dict) -> dict:
        if data.get("logo") is not None:
            logo_clean(upload=data["logo"])
        return profile_validate(data=_profile_data(data))


def _profile_data(data: dict) -> dict:
    return {name: str(data[name] or "") for name in PROFILE_FIELDS if name in data}


@admin.register(PartnerProfile)
class PartnerProfileAdmin(AuditTrailMixin, ServiceModelAdmin):
    form = PartnerProfileForm
    list_display = ["display_name", "organisation", "city", "country", "updated_at"]
    list_filter = [country_filter(), "organisation__partner_type", "organisation__status"]
    search_fields = ["display_name", "organisation__name", "city"]
    list_select_related = ["organisation"]
    fields = ["organisation", *PROFILE_FIELDS, "logo", "logo_width", "logo_height", "updated_at"]
    readonly_fields = ["organisation", "logo_width", "logo_height", "updated_at"]

    def has_add_permission(self, request):
        return False  # made with the organisation; partners' admins fill it in

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        profile_update(
            organisation=obj.organisation,
            actor=request.user,
            data=_profile_data(form.cleaned_data),
            logo=form.cleaned_data.get("logo"),
        )
