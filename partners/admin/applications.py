"""The channel team's review of applications: checks, age against the review time, and
approve / reject (with a reason) / request more information (with a message).

Reading needs ``partners.view_partnerapplication``; the three decisions need
``partners.review_application`` (offered only to those who have it, refused on POST, and
refused again by the services)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from partners.models import PartnerApplication
from partners.selectors.applications import (
    application_age,
    application_checks,
    application_queue_counts,
    applications_for_review,
    applications_late,
)
from partners.services.applications import (
    REVIEW_PERMISSION,
    application_approve,
    application_reject,
    application_request_info,
)
from portal.admin_filters import country_filter
from portal.admin_review import (
    ReviewDecisionMixin,
    ReviewStatusFilter,
    late_filter,
    waiting_html,
)
from portal.admin_site import ReviewQueue, register_review_queue
from portal.audit.admin import AuditTrailMixin
from portal.formats import format_date
from portal.service_admin import NoHistoryRevertMixin, has_staff_permission


class StatusFilter(ReviewStatusFilter):
    default = PartnerApplication.Status.SUBMITTED

    def lookups(self, request, model_admin):
        return PartnerApplication.Status.choices


class ReasonForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, "cols": 80}))


@admin.register(PartnerApplication)
class PartnerApplicationAdmin(
    ReviewDecisionMixin, AuditTrailMixin, NoHistoryRevertMixin, SimpleHistoryAdmin
):
    emailed = "applicant"
    list_display = [
        "company_name",
        "partner_type",
        "country",
        "status",
        "submitted",
        "age",
        "checks_summary",
    ]
    list_filter = [
        StatusFilter,
        late_filter(applications_late),
        "programme",
        ("partner_type", admin.RelatedOnlyFieldListFilter),  # the types applied for
        country_filter(),
    ]
    search_fields = ["company_name", "contact_email", "contact_name", "website"]
    list_select_related = ["programme", "partner_type"]
    date_hierarchy = "submitted_at"
    readonly_fields = [f.name for f in PartnerApplication._meta.fields] + ["checks"]
    fieldsets = [
        (
            "Review",
            {
                "fields": [
                    "status",
                    "checks",
                    "submitted_at",
                    "decided_at",
                    "decided_by",
                    "organisation",
                ]
            },
        ),
        (
            "Company",
            {"fields": ["company_name", "country", "region", "website", "years_in_operation"]},
        ),
        (
            "Partnership",
            {"fields": ["programme", "partner_type", "expectations", "customer_to_resell_to"]},
        ),
        ("Contact", {"fields": ["contact_name", "contact_email", "submitted_ip"]}),
        (
            "Conversation",
            {"fields": ["info_request", "applicant_reply", "replied_at", "rejection_reason"]},
        ),
    ]
    change_form_template = "admin/partners/partnerapplication/change_form.html"

    def get_queryset(self, request):
        # What the checks read, fetched once for the page: no query per row.
        return applications_for_review(super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # applications come from the public form

    def has_change_permission(self, request, obj=None):
        return False  # every field is read-only: decisions are the three views below

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request) -> bool:
        return has_staff_permission(request, REVIEW_PERMISSION)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_review": self.has_review_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            age, late = application_age(application=obj)
            context.update(
                review_age_days=age.days,
                review_late=late,
                review_days=obj.programme.application_review_days,
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description="submitted", ordering="submitted_at")
    def submitted(self, obj):
        return format_date(obj.submitted_at)

    @admin.display(description="waiting")
    def age(self, obj):
        """Days waited against the programme's review time (a decided application: the
        days it took)."""
        age, late = application_age(application=obj)
        return waiting_html(age.days, obj.programme.application_review_days, late)

    @admin.display(description="checks")
    def checks_summary(self, obj):
        checks = application_checks(application=obj)
        passed = sum(c.passed for c in checks)
        return f"{passed}/{len(checks)} passed"

    @admin.display(description="checks")
    def checks(self, obj):
        return format_html(
            '<ul class="portal-checks">{}</ul>',
            format_html_join(
                "",
                '<li class="{}"><span class="portal-check-mark">{}</span> {} '
                '<span class="portal-check-detail">{}</span></li>',
                (
                    (
                        "portal-check-passed" if c.passed else "portal-check-failed",
                        "Passed:" if c.passed else "Not met:",
                        c.label,
                        c.detail,
                    )
                    for c in application_checks(application=obj)
                ),
            ),
        )

    def get_urls(self):
        return [
            path(
                "<uuid:pk>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="partners_partnerapplication_approve",
            ),
            path(
                "<uuid:pk>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="partners_partnerapplication_reject",
            ),
            path(
                "<uuid:pk>/request-info/",
                self.admin_site.admin_view(self.request_info_view),
                name="partners_partnerapplication_request_info",
            ),
            *super().get_urls(),
        ]

    def _reviewable(self, request, pk) -> PartnerApplication:
        if not self.has_review_permission(request):
            raise PermissionDenied
        return get_object_or_404(PartnerApplication, pk=pk)

    def approve_view(self, request, pk):
        return self.decide_without_form(
            request,
            self._reviewable(request, pk),
            "Approve",
            lambda a: application_approve(application=a, actor=request.user),
            lambda organisation: (
                f"Approved: {organisation.name} created; its admin is invited "
                "and the agreement is being generated."
            ),
        )

    def reject_view(self, request, pk):
        return self._with_text(
            request,
            pk,
            "Reject",
            "Reason given to the applicant",
            lambda a, text: application_reject(application=a, actor=request.user, reason=text),
        )

    def request_info_view(self, request, pk):
        return self._with_text(
            request,
            pk,
            "Ask for information",
            "What the applicant should tell you",
            lambda a, text: application_request_info(
                application=a, actor=request.user, message=text
            ),
        )

    def _with_text(self, request, pk, action, label, decide):
        return self.decide_with_form(
            request,
            self._reviewable(request, pk),
            action,
            ReasonForm,
            label,
            lambda a, data: decide(a, data["text"]),
        )

    def _confirm(self, request, application, action, form):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": application,
            "title": f"{action}: {application.company_name}",
            "action": action,
            "form": form,
            "checks": application_checks(application=application),
        }
        return TemplateResponse(request, "admin/partners/partnerapplication/decide.html", context)


register_review_queue(
    ReviewQueue(
        label="Partner applications",
        model=PartnerApplication,
        waiting_query="status=submitted",
        late_query="status=submitted&late=yes",
        counts=application_queue_counts,
    )
)
