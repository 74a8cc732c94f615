"""Pages: the partner agreement and order form, their click-signature, and the Documents
page that keeps every signed document and every quote's PDFs downloadable."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from billing.selectors.invoices import invoices_for
from billing.selectors.quotes import quote_documents_for
from partners import roles
from partners.forms.agreement import SignForm
from partners.models import Agreement, Membership
from partners.selectors.agreements import agreement_document as document_file
from partners.selectors.agreements import agreement_state, current_agreement, document_list
from partners.services.agreements import agreement_accept
from portal.client_address import client_ip
from portal.errors import DomainError
from portal.files import private_file_response
from portal.pagination import page_of
from portal.tenancy.access import member_required
from portal.tenancy.models import get_for_tenant_or_404


@member_required(allow_pending=True)
@require_http_methods(["GET", "POST"])
def agreement(request):
    organisation = request.caller.organisation
    current = current_agreement(organisation=organisation)
    is_admin = request.caller.role == Membership.Role.ADMIN
    if request.method == "POST" and not is_admin:
        # As the API answers: a refusal, not a form error (the page offers no form to them).
        raise PermissionDenied("Only an administrator of your organisation can sign the agreement.")
    form = SignForm(request.POST or None, initial={"name": request.caller.user.full_name})
    if request.method == "POST" and current is not None and form.is_valid():
        try:
            agreement_accept(
                agreement=current,
                actor=request.caller.user,
                ip=client_ip(request),
                name=form.cleaned_data["name"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            # Signing confirms itself: the dashboard says so, and its checklist shows it.
            messages.success(
                request,
                f"Agreement version {current.version} signed. Your reseller space is open; "
                "a copy of both documents stays on your Documents page.",
            )
            return redirect("space:dashboard")
    if request.headers.get("HX-Request"):
        # Polled while the documents are generated; once they are, reload the whole page
        # so the signature form appears.
        response = render(request, "partners/agreement/status.html", {"agreement": current})
        if current and current.pdf_status != Agreement.PdfStatus.PENDING:
            response["HX-Refresh"] = "true"
        return response
    return render(
        request,
        "partners/agreement/agreement.html",
        {
            "agreement": current,
            "state": agreement_state(organisation=organisation, agreement=current),
            "form": form,
            "is_admin": is_admin,
            "org": organisation,
            "CHANNEL_TEAM_EMAIL": settings.CHANNEL_TEAM_EMAIL,
        },
    )


@member_required(allow_pending=True)
def documents(request):
    """The organisation's documents: its agreements (signed or to sign), its invoices and
    credit notes (administrators and finance members only) and its quotes (the partner's
    and the customer's PDFs). Each list has its own page number."""
    organisation = request.caller.organisation
    return render(
        request,
        "partners/agreement/documents.html",
        {
            "documents": page_of(request, document_list(organisation=organisation)),
            "quotes": page_of(
                request, quote_documents_for(organisation=organisation), param="quotes_page"
            ),
            # Invoices are for administrators and finance members only.
            "invoices": page_of(
                request, invoices_for(organisation=organisation), param="invoices_page"
            )
            if request.caller.role in roles.VIEW_INVOICES
            else None,
            "CHANNEL_TEAM_EMAIL": settings.CHANNEL_TEAM_EMAIL,
        },
    )


@member_required(allow_pending=True)
def agreement_document(request, agreement_id, kind):
    """A document of the caller's own organisation (any member may read it); someone
    else's or a missing one is the same 404. The files have no other way out."""
    agreement = get_for_tenant_or_404(
        Agreement.objects.all(), request.caller.organisation, pk=agreement_id
    )
    found = document_file(agreement=agreement, kind=kind)
    if found is None:
        raise Http404
    file, filename = found
    return private_file_response(file, filename=filename, content_type="application/pdf")


urlpatterns = [
    path("agreement/", agreement, name="agreement"),
    path("documents/", documents, name="documents"),
    path(
        "agreement/<uuid:agreement_id>/<slug:kind>.pdf",
        agreement_document,
        name="agreement_document",
    ),
]
