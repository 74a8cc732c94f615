"""Pages: the partner agreement and order form, and their click-signature."""

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from partners.forms.agreement import SignForm
from partners.models import Agreement, Membership
from partners.selectors.agreements import current_agreement
from partners.services.agreements import agreement_accept
from partners.throttles import client_ip
from portal.errors import DomainError
from portal.tenancy.access import member_required
from portal.tenancy.models import get_for_tenant_or_404

DOCUMENTS = {"agreement": "agreement_pdf", "order-form": "order_form_pdf"}


@member_required(allow_pending=True)
@require_http_methods(["GET", "POST"])
def agreement(request):
    organisation = request.caller.organisation
    current = current_agreement(organisation=organisation)
    is_admin = request.caller.role == Membership.Role.ADMIN
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
        {"agreement": current, "form": form, "is_admin": is_admin, "org": organisation},
    )


@member_required(allow_pending=True)
def agreement_document(request, agreement_id, kind):
    if kind not in DOCUMENTS:
        raise Http404
    document = get_for_tenant_or_404(
        Agreement.objects.all(), request.caller.organisation, pk=agreement_id
    )
    file = getattr(document, DOCUMENTS[kind])
    if document.pdf_status != Agreement.PdfStatus.READY or not file:
        raise Http404
    return FileResponse(
        file.open("rb"),
        content_type="application/pdf",
        filename=f"{kind}-v{document.version}.pdf",
    )


urlpatterns = [
    path("agreement/", agreement, name="agreement"),
    path(
        "agreement/<uuid:agreement_id>/<slug:kind>.pdf",
        agreement_document,
        name="agreement_document",
    ),
]
