from django.db.models.fields.files import FieldFile

from partners.models import Agreement

#: The documents of an agreement, by the name their download URLs use.
DOCUMENT_FIELDS = {"agreement": "agreement_pdf", "order-form": "order_form_pdf"}


def current_agreement(*, organisation) -> Agreement | None:
    """The organisation's latest agreement (the one to sign, or the one signed)."""
    return (
        Agreement.objects.for_tenant(organisation)
        .select_related("accepted_by")
        .order_by("-created_at")
        .first()
    )


def agreement_document(*, agreement: Agreement, kind: str) -> tuple[FieldFile, str] | None:
    """The stored file of one of the agreement's documents and its download name, or None
    (unknown kind, not rendered yet). The caller has checked who may have it."""
    field = DOCUMENT_FIELDS.get(kind)
    if field is None or agreement.pdf_status != Agreement.PdfStatus.READY:
        return None
    file = getattr(agreement, field)
    if not file:
        return None
    return file, f"{kind}-v{agreement.version}.pdf"
