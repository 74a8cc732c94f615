"""The channel team's review of payment proofs (SPEC §3.10): the queue (proofs awaiting
review, oldest first, each with its age in business days against its programme's payment
review time), the proof downloaded as an attachment, and the decisions "Mark invoice
paid" (the day the transfer arrived) and "Reject proof" (the reason the partner reads),
each through billing.services.payments, from the proof's page or as list actions.

Reading needs ``billing.view_paymentproof``; the decisions need
``billing.review_payments`` (offered only to those who have it, refused on POST, and
refused again by the services). Recorded payments are listed read-only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from billing.models import InvoicePayment, PaymentProof
from billing.selectors.payments import (
    payment_proof_filename,
    proof_queue,
    proof_queue_counts,
    proof_review_age,
    proofs_late,
)
from billing.services.payments import (
    REASON_MAX,
    REVIEW_PERMISSION,
    invoice_mark_paid,
    payment_proof_reject,
)
from licensing.admin.filters import ReadOnlyAdminMixin
from portal.admin_review import ReviewStatusFilter, late_filter, waiting_html
from portal.admin_site import ReviewQueue, register_review_queue
from portal.audit.admin import AuditTrailMixin
from portal.errors import DomainError
from portal.files import private_file_response
from portal.formats import format_date
from portal.service_admin import has_staff_permission

SUBMITTED = PaymentProof.Status.SUBMITTED


class StatusFilter(ReviewStatusFilter):
    """Opens on the proofs awaiting review; "All" and each status are one click away."""

    default = SUBMITTED

    def lookups(self, request, model_admin):
        return PaymentProof.Status.choices


class PaidOnForm(forms.Form):
    paid_on = forms.DateField(
        label="The day the transfer arrived",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The invoice is recorded as paid in full on this day.",
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason given to the partner",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
    )


@dataclass(frozen=True)
class Decision:
    action: str  # the list action's name
    title: str
    form_class: type[forms.Form]
    apply: Callable  # (actor, proof, cleaned_data) -> None
    done: str  # the success message, one proof: {reference}
    help: str


DECISIONS = {
    "mark_paid": Decision(
        action="mark_paid",
        title="Mark invoice paid",
        form_class=PaidOnForm,
        apply=lambda actor, proof, data: invoice_mark_paid(
            actor=actor, invoice=proof.invoice, paid_on=data["paid_on"], proof=proof
        ),
        done="Invoice {reference} is paid; the partner is emailed.",
        help="Records the invoice as paid in full and accepts the proof (and any other proof "
        "of the invoice awaiting review). When all its order's invoices are paid, the order "
        "is paid and licences held until payment are released. The partner is emailed.",
    ),
    "reject": Decision(
        action="reject",
        title="Reject proof",
        form_class=ReasonForm,
        apply=lambda actor, proof, data: payment_proof_reject(
            actor=actor, proof=proof, reason=data["reason"]
        ),
        done="The proof for {reference} is rejected; the partner is emailed the reason.",
        help="The partner is emailed the reason and may upload another proof; the invoice "
        "stays unpaid.",
    ),
}


@admin.register(PaymentProof)
class PaymentProofAdmin(AuditTrailMixin, admin.ModelAdmin):
    list_display = [
        "invoice_reference",
        "organisation",
        "amount",
        "file_link",
        "uploaded",
        "waiting",
        "status",
    ]
    list_filter = [
        StatusFilter,
        late_filter(proofs_late),
        ("organisation__partner_type__programme", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["invoice__reference", "organisation__name", "original_name", "sha256"]
    ordering = ["uploaded_at", "id"]  # the oldest waits longest
    date_hierarchy = "uploaded_at"
    actions = ["mark_paid", "reject"]
    fields = [
        "invoice_reference",
        "organisation",
        "amount",
        "status",
        "file_link",
        "content_type",
        "size",
        "sha256",
        "note",
        "uploaded_by",
        "uploaded_at",
        "reviewed_by",
        "reviewed_at",
        "rejection_reason",
    ]
    readonly_fields = fields
    change_form_template = "admin/billing/paymentproof/change_form.html"

    def get_queryset(self, request):
        return proof_queue(super().get_queryset(request))

    def has_add_permission(self, request):
        return False  # partners upload proofs

    def has_change_permission(self, request, obj=None):
        return False  # the decisions below

    def has_delete_permission(self, request, obj=None):
        return False

    def has_review_permission(self, request) -> bool:
        return has_staff_permission(request, REVIEW_PERMISSION)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_review_permission(request):
            for name in DECISIONS:
                actions.pop(name, None)
        return actions

    # --- columns ---------------------------------------------------------------------------

    @admin.display(description="invoice", ordering="invoice__reference")
    def invoice_reference(self, obj):
        return format_html('<span class="portal-nowrap">{}</span>', obj.invoice.reference)

    @admin.display(description="amount due")
    def amount(self, obj):
        invoice = obj.invoice
        return format_html(
            '<span class="portal-nowrap">{} {}</span> (due {})',
            invoice.total,
            invoice.currency,
            format_date(invoice.due_on),
        )

    @admin.display(description="file")
    def file_link(self, obj):
        url = reverse("admin:billing_paymentproof_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a> ({})', url, obj.original_name, obj.content_type)

    @admin.display(description="sent", ordering="uploaded_at")
    def uploaded(self, obj):
        return format_date(obj.uploaded_at)

    @admin.display(description="waiting")
    def waiting(self, obj):
        """Business days waited against the programme's payment review time."""
        if obj.status != SUBMITTED:
            return "—"
        age = proof_review_age(proof=obj)
        unit = "business day" if age.review_days == 1 else "business days"
        return waiting_html(age.days, age.review_days, age.late, unit=unit)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            age = proof_review_age(proof=obj)
            context.update(
                review_age_days=age.days,
                review_days=age.review_days,
                review_late=age.late,
                can_review=self.has_review_permission(request),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- the file and the decisions ---------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "<uuid:pk>/download/",
                self.admin_site.admin_view(self.download_view),
                name="billing_paymentproof_download",
            ),
            path(
                "<uuid:pk>/mark-paid/",
                self.admin_site.admin_view(self.mark_paid_view),
                name="billing_paymentproof_mark_paid",
            ),
            path(
                "<uuid:pk>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="billing_paymentproof_reject",
            ),
            *super().get_urls(),
        ]

    def download_view(self, request, pk):
        if not self.has_view_permission(request):
            raise PermissionDenied
        proof = get_object_or_404(PaymentProof, pk=pk)
        if not proof.file:
            raise Http404
        return private_file_response(
            proof.file, filename=payment_proof_filename(proof), content_type=proof.content_type
        )

    def mark_paid_view(self, request, pk):
        return self._decide(request, [self._proof(request, pk)], DECISIONS["mark_paid"])

    def reject_view(self, request, pk):
        return self._decide(request, [self._proof(request, pk)], DECISIONS["reject"])

    @admin.action(description="Mark invoice paid")
    def mark_paid(self, request, queryset):
        return self._decide(request, list(queryset), DECISIONS["mark_paid"], from_list=True)

    @admin.action(description="Reject proof")
    def reject(self, request, queryset):
        return self._decide(request, list(queryset), DECISIONS["reject"], from_list=True)

    def _proof(self, request, pk) -> PaymentProof:
        if not self.has_review_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def _decide(self, request, proofs, decision: Decision, *, from_list: bool = False):
        """The decision's form for ``proofs`` (one from its page, or those selected in the
        list), then the service for each: a refusal is shown on the form (one proof) or as
        a message (several)."""
        if not self.has_review_permission(request):
            raise PermissionDenied
        confirmed = request.method == "POST" and "confirm" in request.POST
        initial = {"paid_on": timezone.localdate()}
        form = decision.form_class(request.POST if confirmed else None, initial=initial)
        if confirmed and form.is_valid():
            done, refused = [], []
            for proof in proofs:
                try:
                    decision.apply(request.user, proof, form.cleaned_data)
                except DomainError as exc:
                    if len(proofs) == 1:
                        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
                    refused.append(f"{proof.invoice.reference}: {exc.message}")
                else:
                    done.append(proof)
            if done or len(proofs) > 1:
                for proof in done:
                    message = decision.done.format(reference=proof.invoice.reference)
                    self.message_user(request, message, messages.SUCCESS)
                for message in refused:
                    self.message_user(request, message, messages.ERROR)
                if from_list or len(proofs) > 1:
                    return redirect(reverse("admin:billing_paymentproof_changelist"))
                return redirect(reverse("admin:billing_paymentproof_change", args=[proofs[0].pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": decision.title,
            "decision": decision,
            "proofs": proofs,
            "form": form,
            "from_list": from_list,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/billing/paymentproof/decide.html", context)


register_review_queue(
    ReviewQueue(
        label="Payment proofs",
        model=PaymentProof,
        waiting_query=f"status={SUBMITTED}",
        late_query=f"status={SUBMITTED}&late=yes",
        counts=proof_queue_counts,
    )
)


@admin.register(InvoicePayment)
class InvoicePaymentAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Recorded payments: written only by "Mark invoice paid" (a proof's page or list)."""

    list_display = ["invoice", "organisation", "amount_label", "paid_on", "recorded_by"]
    list_select_related = ["invoice", "organisation", "recorded_by"]
    search_fields = ["invoice__reference", "organisation__name"]
    date_hierarchy = "paid_on"
    fields = ["invoice", "organisation", "amount", "paid_on", "proof", "recorded_by", "recorded_at"]
    readonly_fields = fields

    @admin.display(description="amount", ordering="amount")
    def amount_label(self, obj):
        return f"{obj.amount} {obj.invoice.currency}"
