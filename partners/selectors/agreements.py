from django.db.models import QuerySet
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


class AgreementState:
    """What the agreement page says, one state at a time (never two contradicting ones)."""

    #: Pending organisation, no agreement yet: the channel team prepares it.
    PREPARING = "preparing"
    #: The documents are being generated (the page polls until they are ready).
    GENERATING = "generating"
    #: The documents could not be generated; the channel team has been told.
    FAILED = "failed"
    #: Ready to sign (by an administrator).
    READY = "ready"
    SIGNED = "signed"
    #: An active organisation with no agreement in the portal: it was admitted before the
    #: portal kept agreements (or by the channel team directly); its agreement is on file.
    ON_FILE = "on_file"


def agreement_state(*, organisation, agreement: Agreement | None) -> str:
    if agreement is None:
        return AgreementState.PREPARING if not organisation.is_active else AgreementState.ON_FILE
    if agreement.is_accepted:
        return AgreementState.SIGNED
    if agreement.pdf_status == Agreement.PdfStatus.PENDING:
        return AgreementState.GENERATING
    if agreement.pdf_status == Agreement.PdfStatus.FAILED:
        return AgreementState.FAILED
    return AgreementState.READY


def document_list(*, organisation) -> QuerySet[Agreement]:
    """The organisation's agreements whose documents can be downloaded, latest first (the
    Documents page; quotes and invoices join it as they are built)."""
    return (
        Agreement.objects.for_tenant(organisation)
        .filter(pdf_status=Agreement.PdfStatus.READY)
        .select_related("accepted_by")
        .order_by("-created_at", "pk")
    )
