"""The channel team's review of deal registrations: the queue (age against the programme's
deal review time, conflicts, the holder of each opportunity) and the decisions approve /
reject (with a reason) / ask for information / extend, each through deals.services.review.

Reading needs ``deals.view_deal``; the decisions need ``deals.review_deal`` (offered only to
those who have it, refused on POST, and refused again by the services)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from deals.models import Deal, DealEvent
from deals.selectors.registrations import (
    deal_queue_counts,
    deal_review_age,
    deals_late,
    opportunity_holder,
)
from deals.services.referrals import REFERRAL_PERMISSION
from deals.services.review import (
    MAX_EXTENSION_DAYS,
    REVIEW_PERMISSION,
    deal_approve,
    deal_extend,
    deal_reject,
    deal_request_info,
)
from partners.admin.organisations import LatestRowsSection, register_organisation_section
from portal.admin_filters import country_filter
from portal.admin_review import (
    ReviewDecisionMixin,
    ReviewStatusFilter,
    late_filter,
    waiting_html,
)
from portal.admin_site import ReviewQueue, register_review_queue
from portal.audit.admin import AuditTrailMixin
from portal.errors import DomainError
from portal.formats import format_date
from portal.service_admin import has_staff_permission

WAITING = "waiting"


class StatusFilter(ReviewStatusFilter):
    """Opens on "Awaiting review" (submitted or in conflict: what the channel team has to
    decide); "All" and each status are one click away."""

    default = WAITING

    def lookups(self, request, model_admin):
        return [(WAITING, "Awaiting review"), *Deal.Status.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "all":
            return queryset
        if value == WAITING:
            return queryset.filter(status__in=Deal.WAITING)
        if value in Deal.Status.values:
            return queryset.filter(status=value)
        return queryset.none()


class DealEventInline(admin.TabularInline):
    model = DealEvent
    extra = 0
    fields = ["at", "kind", "author", "text"]
    readonly_fields = fields
    can_delete = False
    verbose_name = "history entry"
    verbose_name_plural = "conversation and history"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description="by")
    def author(self, event):
        if event.actor is not None:
            return event.actor.email
        return "Channel team" if event.by_channel_team else "Partner"


class TextForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, "cols": 80}))


class ExtendForm(forms.Form):
    days = forms.IntegerField(min_value=1, max_value=MAX_EXTENSION_DAYS, initial=30)


@admin.register(Deal)
class DealAdmin(ReviewDecisionMixin, AuditTrailMixin, admin.ModelAdmin):
    list_display = [
        "reference_nowrap",
        "organisation",
        "customer",
        "product_name",
        "engagement",
        "status",
        "waiting",
        "protection",
    ]
    list_filter = [
        StatusFilter,
        late_filter(deals_late),
        "engagement_model",
        ("product__programme", admin.RelatedOnlyFieldListFilter),
        country_filter("customer_country"),
    ]
    search_fields = [
        "reference",
        "customer_name",
        "customer_domain",
        "customer_email",
        "organisation__name",
    ]
    list_select_related = ["organisation", "product__programme"]
    date_hierarchy = "submitted_at"
    actions = ["approve_selected"]
    inlines = [DealEventInline]
    readonly_fields = [f.name for f in Deal._meta.fields] + ["holder"]
    fieldsets = [
        (
            "Review",
            {
                "fields": [
                    "reference",
                    "status",
                    "holder",
                    "protected_until",
                    "submitted_at",
                    "decided_at",
                    "decided_by",
                    "rejection_reason",
                ]
            },
        ),
        (
            "Customer",
            {
                "fields": [
                    "organisation",
                    "customer_name",
                    "customer_domain",
                    "customer_country",
                    "customer_region",
                    "customer_email",
                ]
            },
        ),
        (
            "Opportunity",
            {
                "fields": [
                    "product",
                    "estimated_value",
                    "currency",
                    "expected_close_date",
                    "engagement_model",
                    "notes",
                    "submitted_by",
                ]
            },
        ),
    ]
    change_form_template = "admin/deals/deal/change_form.html"

    def has_add_permission(self, request):
        return False  # partners register deals

    def has_change_permission(self, request, obj=None):
        return False  # decisions are the views below

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request) -> bool:
        return has_staff_permission(request, REVIEW_PERMISSION)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_review_permission(request):
            actions.pop("approve_selected", None)
        return actions

    @admin.display(description="reference", ordering="reference")
    def reference_nowrap(self, obj):
        return format_html('<span class="portal-nowrap">{}</span>', obj.reference)

    @admin.display(description="product", ordering="product__name")
    def product_name(self, obj):
        return obj.product.name

    @admin.display(description="engagement", ordering="engagement_model")
    def engagement(self, obj):
        return obj.get_engagement_model_display()

    @admin.display(description="customer", ordering="customer_name")
    def customer(self, obj):
        return format_html(
            '{}<br><span class="portal-nowrap">{}</span>', obj.customer_name, obj.customer_domain
        )

    @admin.display(description="waiting")
    def waiting(self, obj):
        """Days waited for review against the programme's deal review time."""
        if obj.status not in Deal.WAITING:
            return "—"
        age = deal_review_age(deal=obj)
        return waiting_html(age.days, age.review_days, age.late)

    @admin.display(description="protected", ordering="protected_until")
    def protection(self, obj):
        return format_date(obj.protected_until) if obj.protected_until else "—"

    @admin.display(description="opportunity held by")
    def holder(self, obj):
        held = opportunity_holder(deal=obj)
        if held is None:
            return "Nobody else: it may be approved." if obj.is_open else "—"
        url = reverse("admin:deals_deal_change", args=[held.pk])
        return format_html(
            '<a href="{}">{}</a> of {} until {}',
            url,
            held.reference,
            held.organisation.name,
            format_date(held.protected_until),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_review": self.has_review_permission(request),
            "can_manage_referrals": has_staff_permission(request, REFERRAL_PERMISSION),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            age = deal_review_age(deal=obj)
            context.update(
                review_age_days=age.days, review_late=age.late, review_days=age.review_days
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- decisions ---------------------------------------------------------------------

    @admin.action(description="Approve the selected registrations")
    def approve_selected(self, request, queryset):
        if not self.has_review_permission(request):
            raise PermissionDenied
        approved, refused = 0, []
        for deal in queryset.order_by("submitted_at", "pk"):
            try:
                deal_approve(deal=deal, actor=request.user)
            except DomainError as exc:
                refused.append(f"{deal.reference}: {exc.message}")
            else:
                approved += 1
        if approved:
            self.message_user(request, f"{approved} approved.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    def get_urls(self):
        return [
            path(
                "<uuid:pk>/approve/",
                self.admin_site.admin_view(self.approve_view),
                name="deals_deal_approve",
            ),
            path(
                "<uuid:pk>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="deals_deal_reject",
            ),
            path(
                "<uuid:pk>/request-info/",
                self.admin_site.admin_view(self.request_info_view),
                name="deals_deal_request_info",
            ),
            path(
                "<uuid:pk>/extend/",
                self.admin_site.admin_view(self.extend_view),
                name="deals_deal_extend",
            ),
            path(
                "<uuid:pk>/online-purchase/",
                self.admin_site.admin_view(self.online_purchase_view),
                name="deals_deal_online_purchase",
            ),
            *super().get_urls(),
        ]

    def online_purchase_view(self, request, pk):
        from deals.admin.referrals import online_purchase_view

        return online_purchase_view(self, request, pk)

    def _reviewable(self, request, pk) -> Deal:
        if not self.has_review_permission(request):
            raise PermissionDenied
        return get_object_or_404(Deal.objects.select_related("organisation", "product"), pk=pk)

    def approve_view(self, request, pk):
        return self.decide_without_form(
            request,
            self._reviewable(request, pk),
            "Approve",
            lambda deal: deal_approve(deal=deal, actor=request.user),
            lambda deal: (
                f"Approved: {deal.reference} is protected until "
                f"{format_date(deal.protected_until)}; the partner is emailed."
            ),
        )

    def reject_view(self, request, pk):
        return self._with_form(
            request,
            pk,
            "Reject",
            TextForm,
            "Reason given to the partner",
            lambda deal, data: deal_reject(deal=deal, actor=request.user, reason=data["text"]),
        )

    def request_info_view(self, request, pk):
        return self._with_form(
            request,
            pk,
            "Ask for information",
            TextForm,
            "What the partner should tell you",
            lambda deal, data: deal_request_info(
                deal=deal, actor=request.user, question=data["text"]
            ),
        )

    def extend_view(self, request, pk):
        return self._with_form(
            request,
            pk,
            "Extend the protection",
            ExtendForm,
            None,
            lambda deal, data: deal_extend(deal=deal, actor=request.user, days=data["days"]),
        )

    def _with_form(self, request, pk, action, form_class, label, decide):
        deal = self._reviewable(request, pk)
        return self.decide_with_form(request, deal, action, form_class, label, decide)

    def _confirm(self, request, deal, action, form):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": deal,
            "title": f"{action}: {deal.reference}",
            "action": action,
            "form": form,
            "holder": self.holder(deal),
        }
        return TemplateResponse(request, "admin/deals/deal/decide.html", context)


register_review_queue(
    ReviewQueue(
        label="Deal registrations",
        model=Deal,
        waiting_query=f"status={WAITING}",
        late_query=f"status={WAITING}&late=yes",
        counts=deal_queue_counts,
    )
)


class OrganisationDealsSection(LatestRowsSection, admin.TabularInline):
    """The partner's latest deal registrations on its organisation page (staff who may
    view them); every one is under Deals > Deal registrations."""

    model = Deal
    verbose_name_plural = "deal registrations (the latest 10)"
    fields = ["reference", "customer_name", "product", "status", "protected_until"]
    readonly_fields = fields
    ordering = ["-submitted_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")


register_organisation_section(OrganisationDealsSection)
