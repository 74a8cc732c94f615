"""The channel team's review of trial extension requests and partner evaluation licence
requests: lists that open on "awaiting review" with each request's age, queues on the
admin home, and approve / reject (with a reason) through the services.

Reading needs the model's view permission; deciding needs
``licensing.review_trial_extension`` / ``licensing.review_evaluation_licence`` (offered
only to those who have it, refused on POST, and refused again by the services)."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse

from licensing.models import EvaluationLicenceRequest, RequestStatus, TrialExtensionRequest
from licensing.selectors.evaluation import (
    EVALUATION_REVIEW_DAYS,
    evaluation_queue_counts,
    evaluation_request_age,
    evaluation_requests_for_review,
    evaluation_requests_late,
)
from licensing.selectors.trials import (
    EXTENSION_REVIEW_DAYS,
    extension_queue_counts,
    extension_request_age,
    extension_requests_for_review,
    extension_requests_late,
)
from licensing.services import evaluation as evaluation_services
from licensing.services import trials as trial_services
from licensing.services.licences import term_days
from portal.admin_review import (
    ReviewDecisionMixin,
    ReviewStatusFilter,
    late_filter,
    waiting_html,
)
from portal.admin_site import ReviewQueue, register_review_queue
from portal.audit.admin import AuditTrailMixin
from portal.formats import format_date
from portal.service_admin import has_staff_permission


class StatusFilter(ReviewStatusFilter):
    default = RequestStatus.PENDING

    def lookups(self, request, model_admin):
        return RequestStatus.choices


class ReasonForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "cols": 80}))


class NoteForm(forms.Form):
    text = forms.CharField(
        required=False,
        label="Note for the partner (optional)",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
    )


class _RequestReviewAdmin(ReviewDecisionMixin, AuditTrailMixin, admin.ModelAdmin):
    """Read-only requests, decided with the two buttons of the change page."""

    review_permission = ""
    review_days = 0
    approve_service = None
    reject_service = None
    approve_help = ""
    change_form_template = "admin/licensing/request_change_form.html"
    list_filter: list = [StatusFilter]
    date_hierarchy = "created_at"

    def age_of(self, obj):
        raise NotImplementedError

    def has_add_permission(self, request):
        return False  # requests come from the partners

    def has_change_permission(self, request, obj=None):
        return False  # decisions are the two views below

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request) -> bool:
        return has_staff_permission(request, self.review_permission)

    @admin.display(description="sent", ordering="created_at")
    def sent(self, obj):
        return format_date(obj.created_at)

    @admin.display(description="waiting")
    def age(self, obj):
        """Days waited against the review time (a decided request: the days it took)."""
        age, late = self.age_of(obj)
        return waiting_html(age.days, self.review_days, late)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            age, late = self.age_of(obj)
            opts = self.model._meta
            context.update(
                review_age_days=age.days,
                review_late=late,
                review_days=self.review_days,
                can_review=self.has_review_permission(request),
                approve_url=reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_approve", args=[obj.pk]
                ),
                reject_url=reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_reject", args=[obj.pk]
                ),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        opts = self.model._meta
        prefix = f"{opts.app_label}_{opts.model_name}"
        return [
            path(
                "<uuid:pk>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name=f"{prefix}_approve",
            ),
            path(
                "<uuid:pk>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name=f"{prefix}_reject",
            ),
            *super().get_urls(),
        ]

    def _reviewable(self, request, pk):
        if not self.has_review_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def approve_view(self, request, pk):
        return self._decide(request, pk, "Approve", NoteForm, type(self).approve_service)

    def reject_view(self, request, pk):
        return self._decide(request, pk, "Reject", ReasonForm, type(self).reject_service)

    def _decide(self, request, pk, action, form_class, service):
        return self.decide_with_form(
            request,
            self._reviewable(request, pk),
            action,
            form_class,
            "Reason given to the partner" if action == "Reject" else None,
            lambda obj, data: service(actor=request.user, request=obj, reason=data["text"]),
        )

    def _confirm(self, request, obj, action, form):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": f"{action}: {obj}",
            "action": action,
            "form": form,
            "approve_help": self.approve_help if action == "Approve" else "",
        }
        return TemplateResponse(request, "admin/licensing/request_decide.html", context)


@admin.register(TrialExtensionRequest)
class TrialExtensionRequestAdmin(_RequestReviewAdmin):
    review_permission = trial_services.REVIEW_PERMISSION
    review_days = EXTENSION_REVIEW_DAYS
    approve_service = trial_services.trial_extension_approve
    reject_service = trial_services.trial_extension_reject
    approve_help = "Approving extends the trial to the requested end and emails the partner."
    list_display = ["prospect", "organisation", "product", "term", "asked", "sent", "age", "status"]
    list_filter = [StatusFilter, late_filter(extension_requests_late)]
    search_fields = ["organisation__name", "licence__customer_name", "project_details"]
    readonly_fields = [
        "organisation",
        "licence",
        "prospect",
        "term",
        "ends_on",
        "project_details",
        "status",
        "requested_by",
        "created_at",
        "decided_at",
        "decided_by",
        "decision_reason",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        return extension_requests_for_review(super().get_queryset(request))

    def age_of(self, obj):
        return extension_request_age(request=obj)

    @admin.display(description="prospect", ordering="licence__customer_name")
    def prospect(self, obj):
        return obj.licence.customer_name

    @admin.display(description="product")
    def product(self, obj):
        return f"{obj.licence.product_name} x {obj.licence.quantity}"

    @admin.display(description="current term")
    def term(self, obj):
        licence = obj.licence
        days = term_days(licence.starts_on, licence.ends_on)
        return f"{format_date(licence.starts_on)} to {format_date(licence.ends_on)} ({days} days)"

    @admin.display(description="asked until", ordering="ends_on")
    def asked(self, obj):
        days = term_days(obj.licence.starts_on, obj.ends_on)
        return f"{format_date(obj.ends_on)} ({days} days)"


@admin.register(EvaluationLicenceRequest)
class EvaluationLicenceRequestAdmin(_RequestReviewAdmin):
    review_permission = evaluation_services.REVIEW_PERMISSION
    review_days = EVALUATION_REVIEW_DAYS
    approve_service = evaluation_services.evaluation_approve
    reject_service = evaluation_services.evaluation_reject
    approve_help = (
        "Approving issues a one-year evaluation licence of the programme's per-user product "
        "(from the end of the current one, for a renewal) and emails the requester."
    )
    list_display = ["organisation", "partner_type", "users", "sent", "age", "status"]
    list_filter = [StatusFilter, late_filter(evaluation_requests_late)]
    search_fields = ["organisation__name", "purpose"]
    readonly_fields = [
        "organisation",
        "partner_type",
        "users",
        "purpose",
        "status",
        "requested_by",
        "created_at",
        "decided_at",
        "decided_by",
        "decision_reason",
        "licence",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        return evaluation_requests_for_review(super().get_queryset(request))

    def age_of(self, obj):
        return evaluation_request_age(request=obj)

    @admin.display(description="partner type")
    def partner_type(self, obj):
        return obj.organisation.partner_type.name


register_review_queue(
    ReviewQueue(
        label="Trial extensions",
        model=TrialExtensionRequest,
        waiting_query="status=pending",
        late_query="status=pending&late=yes",
        counts=extension_queue_counts,
    )
)
register_review_queue(
    ReviewQueue(
        label="Evaluation licences",
        model=EvaluationLicenceRequest,
        waiting_query="status=pending",
        late_query="status=pending&late=yes",
        counts=evaluation_queue_counts,
    )
)
