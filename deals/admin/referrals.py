"""The channel team's referrals: leads (record the sale they became, or decline them) and
referral fees (approve the partner's invoice, mark it paid), each through
deals.services.referrals. Reading needs the models' view permissions; every step needs
``deals.manage_referrals`` (offered only to those who have it, refused on POST, and refused
again by the services). Recording an online purchase is on the deal registration's page."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from deals.models import Deal, ReferralFee, ReferralLead
from deals.services.referrals import (
    REFERRAL_PERMISSION,
    referral_decline,
    referral_fee_approve,
    referral_fee_mark_paid,
    referral_fee_record_purchase,
    referral_record_sale,
)
from portal.audit.admin import AuditTrailMixin
from portal.errors import DomainError
from portal.service_admin import has_staff_permission


class SaleForm(forms.Form):
    sale_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=Decimal("0"))
    currency = forms.CharField(min_length=3, max_length=3, initial="USD")


class PurchaseForm(forms.Form):
    purchase_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    list_amount = forms.DecimalField(
        max_digits=14, decimal_places=2, min_value=Decimal("0"), label="Amount at list price"
    )
    currency = forms.CharField(min_length=3, max_length=3, initial="USD")


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "cols": 80}))


class PaidForm(forms.Form):
    payment_reference = forms.CharField(max_length=80, required=False)


class _StepsMixin:
    """Per-object steps, each a confirmation page with its form, through a service."""

    steps: dict[str, tuple[str, type | None]] = {}  # url part -> (label, form class)

    def may_manage(self, request) -> bool:
        return has_staff_permission(request, REFERRAL_PERMISSION)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_manage": self.may_manage(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        opts = self.model._meta
        return [
            *(
                path(
                    f"<uuid:pk>/{part}/",
                    self.admin_site.admin_view(self._step_view(part)),
                    name=f"{opts.app_label}_{opts.model_name}_{part.replace('-', '_')}",
                )
                for part in self.steps
            ),
            *super().get_urls(),
        ]

    def _step_view(self, part):
        def view(request, pk):
            return self.step(request, pk, part)

        return view

    def step(self, request, pk, part):
        if not self.may_manage(request):
            raise PermissionDenied
        obj = get_object_or_404(self.model, pk=pk)
        label, form_class = self.steps[part]
        form = form_class(request.POST or None) if form_class else None
        if request.method == "POST" and (form is None or form.is_valid()):
            try:
                self.do_step(request, obj, part, form.cleaned_data if form else {})
            except DomainError as exc:
                if form is None:
                    self.message_user(request, exc.message, messages.ERROR)
                    return self._back(obj)
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                self.message_user(request, f"{label}: done, the partner is emailed.")
                return self._back(obj)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": obj,
            "title": f"{label}: {obj}",
            "action": label,
            "form": form,
            "back_url": self._back(obj).url,
        }
        return TemplateResponse(request, "admin/deals/step.html", context)

    def _back(self, obj):
        opts = obj._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))

    def do_step(self, request, obj, part, data):
        raise NotImplementedError


class LeadStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return ReferralLead.Status.choices

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


@admin.register(ReferralLead)
class ReferralLeadAdmin(_StepsMixin, AuditTrailMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "organisation",
        "customer_name",
        "customer_domain",
        "status",
        "sale_amount",
        "commission_amount",
        "currency",
    ]
    list_filter = [LeadStatusFilter]
    search_fields = ["reference", "customer_name", "customer_domain", "organisation__name"]
    list_select_related = ["organisation"]
    readonly_fields = [f.name for f in ReferralLead._meta.fields]
    change_form_template = "admin/deals/referrallead/change_form.html"
    steps = {"record-sale": ("Record the sale", SaleForm), "decline": ("Decline", ReasonForm)}

    def do_step(self, request, lead, part, data):
        if part == "record-sale":
            referral_record_sale(lead=lead, actor=request.user, **data)
        else:
            referral_decline(lead=lead, actor=request.user, reason=data["reason"])


@admin.register(ReferralFee)
class ReferralFeeAdmin(_StepsMixin, AuditTrailMixin, admin.ModelAdmin):
    list_display = [
        "deal",
        "organisation",
        "status",
        "purchase_date",
        "list_amount",
        "discount_percent",
        "fee_amount",
        "currency",
        "invoice_number",
    ]
    list_filter = ["status"]
    search_fields = ["deal__reference", "invoice_number", "organisation__name"]
    list_select_related = ["deal", "organisation"]
    readonly_fields = [f.name for f in ReferralFee._meta.fields]
    change_form_template = "admin/deals/referralfee/change_form.html"
    steps = {"approve": ("Approve the invoice", None), "mark-paid": ("Mark paid", PaidForm)}

    def do_step(self, request, fee, part, data):
        if part == "approve":
            referral_fee_approve(fee=fee, actor=request.user)
        else:
            referral_fee_mark_paid(fee=fee, actor=request.user, **data)


def online_purchase_view(model_admin, request, pk):
    """On a deal registration: record that its customer bought online (a referral fee)."""
    if not has_staff_permission(request, REFERRAL_PERMISSION):
        raise PermissionDenied
    deal = get_object_or_404(Deal, pk=pk)
    form = PurchaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fee = referral_fee_record_purchase(deal=deal, actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            model_admin.message_user(
                request,
                f"Referral fee of {fee.fee_amount} {fee.currency} opened; the partner is emailed.",
            )
            return redirect(reverse("admin:deals_deal_change", args=[deal.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Deal._meta,
        "original": deal,
        "title": f"Customer bought online: {deal}",
        "action": "Record the online purchase",
        "form": form,
        "back_url": reverse("admin:deals_deal_change", args=[deal.pk]),
    }
    return TemplateResponse(request, "admin/deals/step.html", context)
