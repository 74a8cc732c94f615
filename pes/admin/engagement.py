"""The channel team's engagement points (SPEC §3.9).

* The catalogue (activities, benefits): programme data loaded from the programme's
  fixture; edited here by those with the model permissions, audited (AuditTrailMixin);
  never deleted (claims and redemptions point at them: make one inactive).
* Claims and redemptions: review queues opening on what waits, oldest first, with the
  age in business days against ``PES_REVIEW_DAYS``; approve, or reject with a reason,
  through the services (``pes.review_claims``, ``pes.review_redemptions``), offered only
  to those who may. The claim's evidence files download as attachments.
* The ledger: read-only; "Adjust points" adds or removes points with a reason through
  pes.services.ledger.points_adjust (``pes.adjust_points``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from partners.models import Organisation
from pes.models import Activity, Benefit, Claim, ClaimFile, PointsEntry, Redemption
from pes.selectors.engagement import (
    PES_REVIEW_DAYS,
    claim_queue_counts,
    claims_late,
    redemption_queue_counts,
    redemptions_late,
    review_age,
)
from pes.services.claims import REASON_MAX, claim_decide
from pes.services.claims import REVIEW_PERMISSION as CLAIM_PERMISSION
from pes.services.ledger import ADJUST_PERMISSION, ADJUST_REASON_MAX, points_adjust
from pes.services.redemptions import REVIEW_PERMISSION as REDEMPTION_PERMISSION
from pes.services.redemptions import redemption_decide
from portal.admin_review import ReviewDecisionMixin, ReviewStatusFilter, late_filter, waiting_html
from portal.admin_site import ReviewQueue, register_review_queue
from portal.audit.admin import AuditTrailMixin
from portal.errors import DomainError
from portal.files import private_file_response
from portal.service_admin import has_staff_permission

# --- the catalogue ----------------------------------------------------------------------


@admin.register(Activity)
class ActivityAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["name", "programme", "category", "points", "claimable", "auto_event", "active"]
    list_select_related = ["programme"]
    list_filter = ["programme", "category", "claimable", "active"]
    search_fields = ["name", "code"]
    ordering = ["programme", "category", "name"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Benefit)
class BenefitAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["name", "programme", "points", "active"]
    list_select_related = ["programme"]
    list_filter = ["programme", "active"]
    search_fields = ["name", "code"]
    ordering = ["programme", "points", "name"]

    def has_delete_permission(self, request, obj=None):
        return False


# --- the review queues -----------------------------------------------------------------


class ReasonForm(forms.Form):
    text = forms.CharField(
        label="Reason given to the partner",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
    )


class _DecisionAdmin(ReviewDecisionMixin, AuditTrailMixin, admin.ModelAdmin):
    """A queue of one model decided by ``decide(actor, obj, approve, reason)``."""

    permission = ""
    waiting_status = ""
    since_field = ""
    url_prefix = ""
    change_form_template = "admin/pes/change_form.html"
    emailed = "partner"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def decide(self, *, actor, obj, approve: bool, reason: str = ""):
        raise NotImplementedError

    @admin.display(description="waiting")
    def waiting(self, obj):
        if obj.status != self.waiting_status:
            return "—"
        days, late = review_age(getattr(obj, self.since_field))
        return waiting_html(days, PES_REVIEW_DAYS, late, unit="business days")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        may_decide = has_staff_permission(request, self.permission)
        if obj is not None and obj.status == self.waiting_status and may_decide:
            context["pes_decisions"] = [
                (reverse(f"admin:{self.url_prefix}_{part}", args=[obj.pk]), label)
                for part, label in (("approve", "Approve"), ("reject", "Reject"))
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "<uuid:pk>/approve/",
                self.admin_site.admin_view(self._decision_view(approve=True)),
                name=f"{self.url_prefix}_approve",
            ),
            path(
                "<uuid:pk>/reject/",
                self.admin_site.admin_view(self._decision_view(approve=False)),
                name=f"{self.url_prefix}_reject",
            ),
            *super().get_urls(),
        ]

    def _decision_view(self, *, approve: bool):
        def view(request, pk):
            if not has_staff_permission(request, self.permission):
                raise PermissionDenied
            obj = get_object_or_404(self.model, pk=pk)
            actor = request.user
            if approve:
                return self.decide_without_form(
                    request,
                    obj,
                    "Approve",
                    lambda o: self.decide(actor=actor, obj=o, approve=True),
                    lambda o: "Approved: the partner is emailed.",
                )
            return self.decide_with_form(
                request,
                obj,
                "Reject",
                ReasonForm,
                None,
                lambda o, data: self.decide(actor=actor, obj=o, approve=False, reason=data["text"]),
            )

        return view

    def _confirm(self, request, obj, action, form):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": f"{action}: {obj}",
            "action": action,
            "form": form,
            "files": list(obj.files.all()) if isinstance(obj, Claim) else [],
        }
        return TemplateResponse(request, "admin/pes/decide.html", context)


class ClaimStatusFilter(ReviewStatusFilter):
    default = Claim.Status.SUBMITTED

    def lookups(self, request, model_admin):
        return Claim.Status.choices


class ClaimFileInline(admin.TabularInline):
    model = ClaimFile
    fields = ["download", "content_type", "size", "sha256", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="file")
    def download(self, obj):
        url = reverse("admin:pes_claimfile_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


@admin.register(Claim)
class ClaimAdmin(_DecisionAdmin):
    permission = CLAIM_PERMISSION
    waiting_status = Claim.Status.SUBMITTED
    since_field = "submitted_at"
    url_prefix = "pes_claim"
    list_display = ["activity", "organisation", "points", "performed_on", "waiting", "status"]
    list_select_related = ["organisation", "activity"]
    list_filter = [ClaimStatusFilter, late_filter(claims_late), "activity__category"]
    search_fields = ["organisation__name", "activity__name", "description"]
    ordering = ["submitted_at", "id"]
    inlines = [ClaimFileInline]
    fields = [
        "organisation",
        "activity",
        "points",
        "performed_on",
        "description",
        "link",
        "status",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
        "rejection_reason",
    ]
    readonly_fields = fields

    def decide(self, *, actor, obj, approve, reason=""):
        return claim_decide(actor=actor, claim=obj, approve=approve, reason=reason)

    def get_urls(self):
        return [
            path(
                "files/<uuid:pk>/",
                self.admin_site.admin_view(self.download_view),
                name="pes_claimfile_download",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        claim_file = get_object_or_404(ClaimFile, pk=pk)
        if not claim_file.file:
            raise Http404
        return private_file_response(
            claim_file.file, filename=claim_file.original_name, content_type=claim_file.content_type
        )


class RedemptionStatusFilter(ReviewStatusFilter):
    default = Redemption.Status.REQUESTED

    def lookups(self, request, model_admin):
        return Redemption.Status.choices


@admin.register(Redemption)
class RedemptionAdmin(_DecisionAdmin):
    permission = REDEMPTION_PERMISSION
    waiting_status = Redemption.Status.REQUESTED
    since_field = "requested_at"
    url_prefix = "pes_redemption"
    list_display = ["benefit", "organisation", "points", "waiting", "status"]
    list_select_related = ["organisation", "benefit"]
    list_filter = [RedemptionStatusFilter, late_filter(redemptions_late)]
    search_fields = ["organisation__name", "benefit__name"]
    ordering = ["requested_at", "id"]
    fields = [
        "organisation",
        "benefit",
        "points",
        "note",
        "status",
        "requested_by",
        "requested_at",
        "decided_by",
        "decided_at",
        "rejection_reason",
    ]
    readonly_fields = fields

    def decide(self, *, actor, obj, approve, reason=""):
        return redemption_decide(actor=actor, redemption=obj, approve=approve, reason=reason)


# --- the ledger ----------------------------------------------------------------------------


class AdjustForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.order_by("name"))
    points = forms.IntegerField(help_text="Negative to remove points.")
    reason = forms.CharField(
        max_length=ADJUST_REASON_MAX, help_text="Shown to the partner in its ledger."
    )
    earned_on = forms.DateField(
        required=False, help_text="The day the points count from; today if empty."
    )


@admin.register(PointsEntry)
class PointsEntryAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = ["earned_on", "organisation", "kind", "category", "points", "description"]
    list_select_related = ["organisation"]
    list_filter = ["kind", "category"]
    search_fields = ["organisation__name", "description", "event_key"]
    ordering = ["-earned_on", "-created_at"]
    date_hierarchy = "earned_on"
    change_list_template = "admin/pes/pointsentry/change_list.html"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_adjust": has_staff_permission(request, ADJUST_PERMISSION),
        }
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "adjust/",
                self.admin_site.admin_view(self.adjust_view),
                name="pes_pointsentry_adjust",
            ),
            *super().get_urls(),
        ]

    def adjust_view(self, request):
        if not has_staff_permission(request, ADJUST_PERMISSION):
            raise PermissionDenied
        form = AdjustForm(request.POST or None, initial=request.GET or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                points_adjust(
                    actor=request.user,
                    organisation=data["organisation"],
                    points=data["points"],
                    reason=data["reason"],
                    earned_on=data["earned_on"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                self.message_user(request, "Points adjusted.", messages.SUCCESS)
                return redirect("admin:pes_pointsentry_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Adjust engagement points",
            "form": form,
        }
        return TemplateResponse(request, "admin/pes/pointsentry/adjust.html", context)


register_review_queue(
    ReviewQueue(
        label="Engagement claims",
        model=Claim,
        waiting_query="status=submitted",
        late_query="status=submitted&late=yes",
        counts=claim_queue_counts,
    )
)
register_review_queue(
    ReviewQueue(
        label="Points redemptions",
        model=Redemption,
        waiting_query="status=requested",
        late_query="status=requested&late=yes",
        counts=redemption_queue_counts,
    )
)
