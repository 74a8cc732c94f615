"""The channel team's marketing development funds (SPEC §3.11).

* Budgets: set through billing.services.mdf.mdf_budget_set (``billing.set_mdf_budgets``),
  never saved directly; the list shows each budget's figures.
* Requests: the review queue (requests and claims awaiting a decision, oldest first, with
  their age in business days against ``MDF_REVIEW_DAYS``), and the decisions through
  intermediate pages: approve or reject a request, approve or reject a claim
  (``billing.review_mdf``), mark paid (``billing.pay_mdf``): offered only to those who
  have the permission, refused otherwise, and refused again by the services.
  The claim's files download as attachments to whoever may view requests.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from billing.models import MdfBudget, MdfClaimFile, MdfRequest
from billing.selectors.mdf import (
    AWAITING,
    MDF_REVIEW_DAYS,
    budgets_with_figures,
    mdf_queue_counts,
    mdf_requests_late,
    mdf_review_age,
    summary_of_annotated,
)
from billing.services.mdf import (
    BUDGET_PERMISSION,
    PAY_PERMISSION,
    REASON_MAX,
    REVIEW_PERMISSION,
    mdf_budget_set,
    mdf_claim_decide,
    mdf_mark_paid,
    mdf_request_decide,
)
from portal.admin_review import ReviewDecisionMixin, ReviewStatusFilter, late_filter, waiting_html
from portal.admin_site import ReviewQueue, register_review_queue
from portal.audit.admin import AuditTrailMixin
from portal.files import private_file_response
from portal.service_admin import ServiceModelAdmin, ServiceValidatedForm, has_staff_permission

S = MdfRequest.Status


class BudgetForm(ServiceValidatedForm):
    class Meta:
        model = MdfBudget
        fields = ["organisation", "year", "amount", "currency"]

    def validate(self, data):
        return None  # the service checks again under its lock; its refusal is a message


@admin.register(MdfBudget)
class MdfBudgetAdmin(AuditTrailMixin, ServiceModelAdmin):
    form = BudgetForm
    list_display = ["organisation", "year", "amount_label", "figures"]
    list_select_related = ["organisation"]
    list_filter = ["year"]
    search_fields = ["organisation__name"]
    autocomplete_fields = ["organisation"]

    def get_readonly_fields(self, request, obj=None):
        return ["organisation", "year"] if obj else []

    def has_add_permission(self, request):
        return has_staff_permission(request, BUDGET_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return has_staff_permission(request, BUDGET_PERMISSION)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="budget", ordering="amount")
    def amount_label(self, obj):
        return f"{obj.amount} {obj.currency}"

    def get_queryset(self, request):
        return budgets_with_figures(super().get_queryset(request))

    @admin.display(description="committed · claimed · paid · remaining")
    def figures(self, obj):
        s = summary_of_annotated(obj)
        return f"{s.committed} · {s.claimed} · {s.paid} · {s.remaining}"

    def save_model(self, request, obj, form, change):
        saved = mdf_budget_set(
            actor=request.user,
            organisation=form.cleaned_data.get("organisation") or obj.organisation,
            year=form.cleaned_data.get("year") or obj.year,
            amount=form.cleaned_data["amount"],
            currency=form.cleaned_data["currency"],
        )
        obj.pk = saved.pk


class StatusFilter(ReviewStatusFilter):
    """Opens on what awaits the channel team (requests and claims)."""

    default = "awaiting"

    def lookups(self, request, model_admin):
        return [("awaiting", "Awaiting a decision"), *S.choices]

    def queryset(self, request, queryset):
        if self.value() == "awaiting":
            return queryset.filter(status__in=AWAITING)
        return super().queryset(request, queryset)


class ReasonForm(forms.Form):
    text = forms.CharField(
        label="Reason given to the partner",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
    )


class ClaimFileInline(admin.TabularInline):
    model = MdfClaimFile
    fields = ["download", "content_type", "size", "sha256", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="file")
    def download(self, obj):
        url = reverse("admin:billing_mdfclaimfile_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


#: The decisions: url part -> (label, the status it is taken from, the permission).
DECISIONS = {
    "approve": ("Approve request", S.SUBMITTED, REVIEW_PERMISSION),
    "reject": ("Reject request", S.SUBMITTED, REVIEW_PERMISSION),
    "approve-claim": ("Approve claim", S.CLAIMED, REVIEW_PERMISSION),
    "reject-claim": ("Reject claim", S.CLAIMED, REVIEW_PERMISSION),
    "mark-paid": ("Mark paid", S.CLAIM_APPROVED, PAY_PERMISSION),
}


@admin.register(MdfRequest)
class MdfRequestAdmin(ReviewDecisionMixin, AuditTrailMixin, admin.ModelAdmin):
    list_display = [
        "activity",
        "organisation",
        "cost_label",
        "dates",
        "claimed_amount",
        "waiting",
        "status",
    ]
    list_select_related = ["organisation", "budget"]
    list_filter = [StatusFilter, late_filter(mdf_requests_late)]
    search_fields = ["activity", "organisation__name"]
    ordering = ["submitted_at", "id"]
    inlines = [ClaimFileInline]
    fields = [
        "organisation",
        "activity",
        "start_date",
        "end_date",
        "cost",
        "currency",
        "expected_result",
        "status",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "decision_reason",
        "claimed_amount",
        "claimed_at",
        "claim_note",
        "claim_decided_by",
        "claim_decided_at",
        "claim_rejection_reason",
        "paid_amount",
        "paid_at",
        "paid_by",
    ]
    readonly_fields = fields
    change_form_template = "admin/billing/mdfrequest/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="cost", ordering="cost")
    def cost_label(self, obj):
        return f"{obj.cost} {obj.currency}"

    @admin.display(description="dates")
    def dates(self, obj):
        return f"{obj.start_date} to {obj.end_date}"

    @admin.display(description="waiting")
    def waiting(self, obj):
        if obj.status not in (S.SUBMITTED, S.CLAIMED):
            return "—"
        days, late = mdf_review_age(obj)
        return waiting_html(days, MDF_REVIEW_DAYS, late, unit="business days")

    def decisions_for(self, request, obj) -> list[tuple[str, str]]:
        """The decisions ``request``'s user may take on ``obj`` now: (url, label)."""
        return [
            (reverse(f"admin:billing_mdfrequest_{part.replace('-', '_')}", args=[obj.pk]), label)
            for part, (label, status, permission) in DECISIONS.items()
            if obj.status == status and has_staff_permission(request, permission)
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["mdf_decisions"] = self.decisions_for(request, obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            *(
                path(
                    f"<uuid:pk>/{part}/",
                    self.admin_site.admin_view(self._decision_view(part)),
                    name=f"billing_mdfrequest_{part.replace('-', '_')}",
                )
                for part in DECISIONS
            ),
            path(
                "files/<uuid:pk>/",
                self.admin_site.admin_view(self.download_view),
                name="billing_mdfclaimfile_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        claim_file = get_object_or_404(MdfClaimFile, pk=pk)
        if not claim_file.file:
            raise Http404
        return private_file_response(
            claim_file.file,
            filename=claim_file.original_name,
            content_type=claim_file.content_type,
        )

    def _decision_view(self, part):
        label, _, permission = DECISIONS[part]

        def view(request, pk):
            if not has_staff_permission(request, permission):
                raise PermissionDenied
            obj = get_object_or_404(MdfRequest, pk=pk)
            actor = request.user
            if part == "approve":
                decide = lambda o: mdf_request_decide(actor=actor, request=o, approve=True)  # noqa: E731
            elif part == "approve-claim":
                decide = lambda o: mdf_claim_decide(actor=actor, request=o, approve=True)  # noqa: E731
            elif part == "mark-paid":
                decide = lambda o: mdf_mark_paid(actor=actor, request=o)  # noqa: E731
            elif part == "reject":
                return self.decide_with_form(
                    request,
                    obj,
                    label,
                    ReasonForm,
                    None,
                    lambda o, data: mdf_request_decide(
                        actor=actor, request=o, approve=False, reason=data["text"]
                    ),
                )
            else:
                return self.decide_with_form(
                    request,
                    obj,
                    label,
                    ReasonForm,
                    None,
                    lambda o, data: mdf_claim_decide(
                        actor=actor, request=o, approve=False, reason=data["text"]
                    ),
                )
            return self.decide_without_form(
                request, obj, label, decide, lambda o: f"{label}: done, the partner is emailed."
            )

        return view

    def _confirm(self, request, obj, action, form):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": f"{action}: {obj.activity}",
            "action": action,
            "form": form,
            "files": list(obj.claim_files.all()),
        }
        return TemplateResponse(request, "admin/billing/mdfrequest/decide.html", context)


register_review_queue(
    ReviewQueue(
        label="Marketing fund requests and claims",
        model=MdfRequest,
        waiting_query="status=awaiting",
        late_query="status=awaiting&late=yes",
        counts=mdf_queue_counts,
    )
)
