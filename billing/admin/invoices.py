"""The channel team's view of invoices and credit notes, and the US dollar rates it keeps.

Invoices are read here, never changed or deleted (the database refuses it too). From an
invoice's page, staff who hold the permission correct it by credit note
(``billing.issue_credit_notes``, billing.services.credit_notes) or record its payment
without a proof, a transfer that arrived without one (``billing.review_payments``,
billing.services.payments); proofs have their own queue (billing.admin.payments)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from billing.models import CurrencyRate, Invoice, InvoiceLine
from billing.selectors.invoices import invoice_amount_due, with_payment_state
from billing.services.credit_notes import PERMISSION as CREDIT_PERMISSION
from billing.services.credit_notes import credit_note_issue, invoice_uncredited
from billing.services.currency_rates import (
    PERMISSION,
    currency_rate_set,
    currency_rate_validate,
)
from billing.services.payments import REVIEW_PERMISSION, invoice_mark_paid
from licensing.admin.filters import ReadOnlyAdminMixin
from portal.audit.admin import AuditTrailMixin
from portal.errors import DomainError
from portal.service_admin import ServiceModelAdmin, ServiceValidatedForm, has_staff_permission


class InvoiceLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = InvoiceLine
    extra = 0
    can_delete = False
    fields = [
        "position",
        "product_code",
        "description",
        "quantity",
        "unit_price",
        "gross_amount",
        "partner_discount_percent",
        "partner_discount",
        "credit_applied",
        "net_amount",
        "tax_rate",
        "tax",
        "total",
    ]
    readonly_fields = fields
    verbose_name_plural = "lines"

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("billing.view_invoice")


class PaymentStateFilter(admin.SimpleListFilter):
    title = "payment"
    parameter_name = "payment"

    def lookups(self, request, model_admin):
        return [("paid", "Paid"), ("unpaid", "Awaiting payment"), ("overdue", "Overdue")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(payment_state=self.value())
        return queryset


class CreditNoteForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount to credit, before tax",
        required=False,
        max_digits=14,
        decimal_places=2,
        help_text="Empty: all that is left of the invoice. Spread over its lines; the "
        "invoice's VAT applies.",
    )
    reason = forms.CharField(
        label="Reason (printed on the credit note)",
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
    )


class MarkPaidForm(forms.Form):
    paid_on = forms.DateField(
        label="The day the transfer arrived",
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@admin.register(Invoice)
class InvoiceAdmin(AuditTrailMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "reference",
        "kind",
        "organisation",
        "customer_name",
        "issued_on",
        "due_on",
        "payment_status",
        "total",
        "currency",
        "gross_usd",
    ]
    list_filter = ["kind", "purpose", PaymentStateFilter, "tax_kind", "currency", "issued_on"]
    search_fields = ["reference", "organisation__name", "buyer_name", "customer_name"]
    list_select_related = ["organisation"]
    date_hierarchy = "issued_on"
    inlines = [InvoiceLineInline]
    fields = [
        "reference",
        "kind",
        "purpose",
        "organisation",
        "order",
        "credited_invoice",
        "reason",
        "issued_on",
        "due_on",
        "period_start",
        "period_end",
        "buyer_name",
        "buyer_address",
        "buyer_country",
        "buyer_vat_number",
        "buyer_email",
        "customer_name",
        "customer_country",
        "currency",
        "list_amount",
        "charity_discount",
        "gross_amount",
        "partner_discount",
        "credit_applied",
        "net_amount",
        "tax_kind",
        "tax_rate",
        "tax_mention",
        "tax",
        "total",
        "usd_rate",
        "gross_usd",
        "created_by",
        "created_at",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return with_payment_state(super().get_queryset(request))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(
                can_credit=has_staff_permission(request, CREDIT_PERMISSION)
                and not obj.is_credit_note
                and invoice_uncredited(obj) > 0,
                can_mark_paid=has_staff_permission(request, REVIEW_PERMISSION)
                and obj.payment_state in ("unpaid", "overdue"),
                amount_due=invoice_amount_due(obj),
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        return [
            path(
                "<uuid:pk>/credit-note/",
                self.admin_site.admin_view(self.credit_note_view),
                name="billing_invoice_credit_note",
            ),
            path(
                "<uuid:pk>/mark-paid/",
                self.admin_site.admin_view(self.mark_paid_view),
                name="billing_invoice_mark_paid",
            ),
            *super().get_urls(),
        ]

    def credit_note_view(self, request, pk):
        return self._decide(
            request,
            pk,
            permission=CREDIT_PERMISSION,
            form_class=CreditNoteForm,
            title="Issue a credit note",
            apply=lambda invoice, data: credit_note_issue(
                actor=request.user, invoice=invoice, reason=data["reason"], amount=data["amount"]
            ),
            done="Credit note {reference} issued.",
        )

    def mark_paid_view(self, request, pk):
        return self._decide(
            request,
            pk,
            permission=REVIEW_PERMISSION,
            form_class=MarkPaidForm,
            title="Mark invoice paid",
            apply=lambda invoice, data: invoice_mark_paid(
                actor=request.user, invoice=invoice, paid_on=data["paid_on"]
            ),
            done="{reference} recorded as paid.",
        )

    def _decide(self, request, pk, *, permission, form_class, title, apply, done):
        """The decision's form, then the service (which checks the permission again); a
        refusal shows on the form."""
        if not has_staff_permission(request, permission):
            raise PermissionDenied
        invoice = get_object_or_404(self.get_queryset(request), pk=pk)
        confirmed = request.method == "POST" and "confirm" in request.POST
        form = form_class(
            request.POST if confirmed else None, initial={"paid_on": timezone.localdate()}
        )
        if confirmed and form.is_valid():
            try:
                made = apply(invoice, form.cleaned_data)
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                reference = getattr(made, "reference", invoice.reference)
                self.message_user(request, done.format(reference=reference), messages.SUCCESS)
                return redirect(reverse("admin:billing_invoice_change", args=[invoice.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "invoice": invoice,
            "amount_due": invoice_amount_due(invoice),
            "uncredited": invoice_uncredited(invoice) if not invoice.is_credit_note else None,
            "form": form,
        }
        return TemplateResponse(request, "admin/billing/invoice/decide.html", context)

    @admin.display(description="payment", ordering="payment_state")
    def payment_status(self, invoice):
        return {
            "paid": "Paid",
            "unpaid": "Awaiting payment",
            "overdue": "Overdue",
            "credit_note": "-",
        }[invoice.payment_state]


class CurrencyRateForm(ServiceValidatedForm):
    validated_fields = ("currency", "usd_rate")

    class Meta:
        model = CurrencyRate
        fields = ["currency", "valid_from", "usd_rate"]

    def validate(self, data: dict) -> None:
        currency_rate_validate(
            currency=data.get("currency") or self.instance.currency, usd_rate=data["usd_rate"]
        )


@admin.register(CurrencyRate)
class CurrencyRateAdmin(AuditTrailMixin, ServiceModelAdmin):
    form = CurrencyRateForm
    list_display = ["currency", "valid_from", "usd_rate", "updated_at"]
    list_filter = ["currency"]
    readonly_fields = ["updated_at"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "currency", "valid_from"] if obj is not None else fields

    def has_view_permission(self, request, obj=None):
        return has_staff_permission(
            request, "billing.view_currencyrate"
        ) or self.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return has_staff_permission(request, PERMISSION)

    def has_add_permission(self, request):
        return self.has_change_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = currency_rate_set(
            currency=form.cleaned_data.get("currency") or obj.currency,
            valid_from=form.cleaned_data.get("valid_from") or obj.valid_from,
            usd_rate=form.cleaned_data["usd_rate"],
            actor=request.user,
        )
        obj.pk = saved.pk
