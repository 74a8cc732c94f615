"""The channel team records sales training attendances and technical certifications.

The rules (the member belongs to the organisation, a person is named, expiry after
obtention) are the service's: the forms call its validators so that errors show beside the
fields, and saving goes through ``sales_training_record`` / ``certification_record``.
"""

import datetime

from django import forms
from django.contrib import admin
from django.utils import timezone

from partners.models import SalesTraining, TechnicalCertification
from partners.selectors.training import EXPIRY_WARNING_DAYS
from partners.services.training import (
    certification_record,
    certification_validate,
    person_record_validate,
    sales_training_record,
)
from portal.audit.admin import AuditTrailMixin
from portal.service_admin import ServiceValidatedForm, has_staff_permission

_PERSON_HELP = "Leave blank to use the member's name and email."


class _PersonRecordForm(ServiceValidatedForm):
    person_name = forms.CharField(max_length=150, required=False, help_text=_PERSON_HELP)
    person_email = forms.EmailField(required=False, help_text=_PERSON_HELP)

    validated_fields: tuple[str, ...] = ("organisation", "membership")


class SalesTrainingForm(_PersonRecordForm):
    validated_fields = ("organisation", "membership", "person_name", "person_email")

    class Meta:
        model = SalesTraining
        fields = [
            "organisation",
            "membership",
            "person_name",
            "person_email",
            "attended_on",
            "session",
        ]

    def validate(self, data: dict) -> None:
        person_record_validate(
            organisation=data["organisation"],
            membership=data.get("membership"),
            person_name=data.get("person_name", ""),
            person_email=data.get("person_email", ""),
        )


class TechnicalCertificationForm(_PersonRecordForm):
    validated_fields = (
        "organisation",
        "membership",
        "person_name",
        "person_email",
        "obtained_on",
        "expires_on",
    )

    class Meta:
        model = TechnicalCertification
        fields = [
            "organisation",
            "membership",
            "person_name",
            "person_email",
            "name",
            "obtained_on",
            "expires_on",
        ]

    def validate(self, data: dict) -> None:
        certification_validate(
            organisation=data["organisation"],
            membership=data.get("membership"),
            obtained_on=data["obtained_on"],
            expires_on=data.get("expires_on"),
            person_name=data.get("person_name", ""),
            person_email=data.get("person_email", ""),
        )


class CurrentMemberFilter(admin.SimpleListFilter):
    title = "person"
    parameter_name = "member"

    def lookups(self, request, model_admin):
        return [("current", "Current member"), ("left", "No longer a member")]

    def queryset(self, request, queryset):
        if self.value() == "current":
            return queryset.filter(membership__isnull=False)
        if self.value() == "left":
            return queryset.filter(membership__isnull=True)
        return queryset


class ExpiryFilter(admin.SimpleListFilter):
    title = "validity today"
    parameter_name = "validity"

    def lookups(self, request, model_admin):
        return [
            ("valid", "Valid"),
            ("soon", f"Expires within {EXPIRY_WARNING_DAYS} days"),
            ("expired", "Expired"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        soon = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
        if self.value() == "valid":
            return queryset.filter(obtained_on__lte=today).exclude(expires_on__lt=today)
        if self.value() == "soon":
            return queryset.filter(expires_on__gte=today, expires_on__lte=soon)
        if self.value() == "expired":
            return queryset.filter(expires_on__lt=today)
        return queryset


class _PersonRecordAdmin(AuditTrailMixin, admin.ModelAdmin):
    autocomplete_fields = ["organisation", "membership"]
    readonly_fields = ["recorded_by", "created_at"]
    list_select_related = ["organisation", "recorded_by"]
    #: Recording and correcting are one right, the service's (not Django's add/change).
    record_permission = ""

    def has_add_permission(self, request):
        return has_staff_permission(request, self.record_permission)

    def has_change_permission(self, request, obj=None):
        return has_staff_permission(request, self.record_permission)

    @admin.display(boolean=True, description="current member")
    def is_current_member(self, obj) -> bool:
        return obj.membership_id is not None


@admin.register(SalesTraining)
class SalesTrainingAdmin(_PersonRecordAdmin):
    form = SalesTrainingForm
    record_permission = "partners.record_training"
    list_display = [
        "person_name",
        "person_email",
        "organisation",
        "attended_on",
        "session",
        "is_current_member",
        "recorded_by",
    ]
    list_filter = [
        "organisation__partner_type__programme",
        "organisation__partner_type",
        "attended_on",
        CurrentMemberFilter,
    ]
    search_fields = ["person_name", "person_email", "organisation__name", "session"]
    date_hierarchy = "attended_on"
    fieldsets = [
        (None, {"fields": ["organisation", "membership", ("person_name", "person_email")]}),
        ("Training", {"fields": ["attended_on", "session"]}),
        ("Record", {"fields": ["recorded_by", "created_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        sales_training_record(
            actor=request.user,
            organisation=data["organisation"],
            membership=data.get("membership"),
            person_name=data.get("person_name", ""),
            person_email=data.get("person_email", ""),
            attended_on=data["attended_on"],
            session=data.get("session", ""),
            training=obj,
        )


@admin.register(TechnicalCertification)
class TechnicalCertificationAdmin(_PersonRecordAdmin):
    form = TechnicalCertificationForm
    record_permission = "partners.record_certification"
    # The person's email is searched, not shown: the list fits a 1366 px screen.
    list_display = [
        "person_name",
        "organisation",
        "name",
        "obtained_on",
        "expires_on",
        "is_current_member",
        "recorded_by",
    ]
    list_filter = [
        "organisation__partner_type__programme",
        "organisation__partner_type",
        ExpiryFilter,
        "obtained_on",
        "expires_on",
        CurrentMemberFilter,
    ]
    search_fields = ["person_name", "person_email", "organisation__name", "name"]
    date_hierarchy = "obtained_on"
    fieldsets = [
        (None, {"fields": ["organisation", "membership", ("person_name", "person_email")]}),
        ("Certification", {"fields": ["name", ("obtained_on", "expires_on")]}),
        ("Record", {"fields": ["recorded_by", "created_at"]}),
    ]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        certification_record(
            actor=request.user,
            organisation=data["organisation"],
            membership=data.get("membership"),
            person_name=data.get("person_name", ""),
            person_email=data.get("person_email", ""),
            name=data["name"],
            obtained_on=data["obtained_on"],
            expires_on=data.get("expires_on"),
            certification=obj,
        )
