"""Pages: paying an invoice by wire transfer (reseller space). The invoice's page shows how
to pay, its payment proofs and the form that uploads one (``payment_section_context`` and
the partial billing/payments/_payment.html); the form posts to ``invoice-payment-proof``,
which goes back to the invoice's page, or shows that page again with what was refused. A
proof downloads as an attachment. Administrators and finance people only (as invoices)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.views.decorators.http import require_http_methods, require_safe

from billing.forms.payments import PaymentProofForm
from billing.models import Invoice
from billing.selectors.invoices import credit_notes_applied, invoice_amount_due
from billing.selectors.payments import (
    invoice_for_payment,
    invoice_payment_state,
    payment_proof_filename,
    payment_proof_for,
    payment_proofs_of,
)
from billing.services.payments import payment_proof_upload
from billing.views.invoices import invoice_page
from partners import roles
from portal.errors import DomainError
from portal.files import private_file_response
from portal.tenancy.access import member_required


def payment_section_context(invoice: Invoice, *, form: PaymentProofForm | None = None) -> dict:
    """What billing/payments/_payment.html shows of an invoice: its payment, how to pay,
    its proofs and (while it may take one) the upload form."""
    state = invoice_payment_state(invoice)
    applied = list(credit_notes_applied(invoice))
    return {
        "invoice": invoice,
        "credit_notes_applied": applied,
        "amount_due": invoice_amount_due(invoice, applied),
        "payment_state": state,
        "payment_proofs": list(payment_proofs_of(invoice)),
        "proof_form": form or PaymentProofForm(),
        "may_upload_proof": state.status in ("due", "overdue"),
        "payment_review_days": invoice.organisation.partner_type.programme.payment_review_days,
    }


@member_required(roles=roles.VIEW_INVOICES)
@require_http_methods(["GET", "HEAD", "POST"])
def invoice_payment_proof(request, pk):
    """Upload a proof (POST, multipart); a GET shows the invoice's payment with the form."""
    organisation = request.caller.organisation
    invoice = invoice_for_payment(organisation=organisation, invoice_id=pk)
    if request.method != "POST":
        return invoice_page(request, invoice_id=invoice.pk)
    form = PaymentProofForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            proof = payment_proof_upload(
                organisation=organisation,
                actor=request.user,
                role=request.caller.role,
                invoice_id=invoice.pk,
                file=form.cleaned_data["file"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, exc.message)
            else:  # about the invoice (paid meanwhile): said whether or not the form shows
                messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"Your proof ({proof.original_name}) is with the channel team, who confirm "
                "the payment once the transfer arrives.",
            )
            return redirect("billing:invoice-detail", invoice_id=invoice.pk)
    return invoice_page(request, invoice_id=invoice.pk, form=form, status=400)


@member_required(roles=roles.VIEW_INVOICES)
@require_safe
def payment_proof_download(request, pk):
    """A proof as an attachment, to its organisation's administrators and finance people."""
    proof = payment_proof_for(organisation=request.caller.organisation, proof_id=pk)
    if not proof.file:
        raise Http404
    return private_file_response(
        proof.file, filename=payment_proof_filename(proof), content_type=proof.content_type
    )


urlpatterns = [
    path("invoices/<uuid:pk>/payment-proof/", invoice_payment_proof, name="invoice-payment-proof"),
    path("payment-proofs/<uuid:pk>/", payment_proof_download, name="payment-proof-download"),
]
