"""The channel team schedules sessions and records attendance (a list to tick, or a CSV
of email addresses). Saving goes through ``session_save``, attendance through
``attendance_record`` / ``attendance_import`` (which check ``partners.record_attendance``)."""

import copy

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from partners.models import Session, SessionRegistration
from partners.services.sessions import (
    attendance_import,
    attendance_record,
    session_save,
    session_validate,
)
from portal.audit.admin import AuditTrailMixin
from portal.errors import DomainError
from portal.service_admin import ServiceModelAdmin, ServiceValidatedForm, has_staff_permission

CSV_MAX_BYTES = 512 * 1024


class SessionForm(ServiceValidatedForm):
    online_link = forms.URLField(required=False, assume_scheme="https", max_length=200)
    validated_fields = (
        "kind",
        "online_link",
        "place",
        "capacity",
        "certification_name",
        "certification_validity_months",
    )

    class Meta:
        model = Session
        fields = [
            "title",
            "kind",
            "description",
            "starts_at",
            "time_zone",
            "duration_minutes",
            "capacity",
            "online_link",
            "place",
            "partner_types",
            "min_tier_level",
            "certification_name",
            "certification_validity_months",
            "pes_points",
            "status",
        ]

    def validate(self, data: dict) -> None:
        session = copy.copy(self.instance)  # the saved row stays as it is until saving
        for field, value in data.items():
            if field != "partner_types":
                setattr(session, field, value)
        session_validate(session=session)


class SessionRegistrationInline(admin.TabularInline):
    model = SessionRegistration
    extra = 0
    can_delete = False
    fields = ["organisation", "person_name", "person_email", "status", "attended_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AttendanceForm(forms.Form):
    csv_file = forms.FileField(
        required=False,
        label="Or import a CSV",
        help_text="A column named email (or any cells holding addresses): those people are "
        "ticked as attended; nobody is marked absent.",
    )


@admin.register(Session)
class SessionAdmin(AuditTrailMixin, ServiceModelAdmin):
    form = SessionForm
    list_display = ["title", "kind", "starts_at", "time_zone", "seats", "status", "attendance"]
    list_filter = ["kind", "status", "starts_at"]
    search_fields = ["title"]
    date_hierarchy = "starts_at"
    filter_horizontal = ["partner_types"]
    inlines = [SessionRegistrationInline]

    @admin.display(description="Seats taken")
    def seats(self, obj):
        return f"{obj.seats_taken} / {obj.capacity}"

    @admin.display(description="Attendance")
    def attendance(self, obj):
        url = reverse("admin:partners_session_attendance", args=[obj.pk])
        return format_html('<a href="{}">Record</a>', url)

    def save_model(self, request, obj, form, change):
        session_save(actor=request.user, session=obj)

    def save_related(self, request, form, formsets, change):
        form.save_m2m()  # the eligible types; registrations are read-only here

    def has_attendance_permission(self, request) -> bool:
        return has_staff_permission(request, "partners.record_attendance")

    def get_urls(self):
        return [
            path(
                "<int:pk>/attendance/",
                self.admin_site.admin_view(self.attendance_view),
                name="partners_session_attendance",
            ),
            *super().get_urls(),
        ]

    def attendance_view(self, request, pk):
        """The session's registrations to tick (attended; the others absent), or a CSV."""
        if not self.has_attendance_permission(request):
            raise PermissionDenied
        session = get_object_or_404(Session, pk=pk)
        form = AttendanceForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data.get("csv_file")
            try:
                if upload is not None:
                    if upload.size > CSV_MAX_BYTES:
                        raise DomainError("The file is too large.", field="csv_file")
                    result = attendance_import(
                        actor=request.user, session=session, content=upload.read()
                    )
                else:
                    result = attendance_record(
                        actor=request.user,
                        session=session,
                        attended_ids=request.POST.getlist("attended"),
                    )
            except DomainError as exc:
                form.add_error(
                    "csv_file" if exc.field in ("file", "csv_file") else None, exc.message
                )
            else:
                message = f"{result.attended} attended, {result.absent} absent recorded."
                if result.unknown:
                    message += " Not registered: " + ", ".join(result.unknown) + "."
                self.message_user(request, message, messages.SUCCESS)
                return redirect(reverse("admin:partners_session_attendance", args=[session.pk]))
        registrations = (
            SessionRegistration.objects.filter(session=session)
            .exclude(status=SessionRegistration.Status.CANCELLED)
            .select_related("organisation")
            .order_by("organisation__name", "person_name")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Attendance: {session.title}",
            "session": session,
            "registrations": registrations,
            "form": form,
        }
        return TemplateResponse(request, "admin/partners/session/attendance.html", context)
