"""The partner agreement and order form: rendered once, then click-signed by the
organisation's admin, which opens the reseller space (SPEC §3.8)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partners import documents
from partners.models import Agreement, Membership, Organisation
from portal.audit.services import audit_record
from portal.errors import Conflict, DomainError, Forbidden
from portal.files import file_store
from portal.formats import format_datetime
from portal.permissions import require_staff_permission
from portal.tasks import send_templated_email


def agreement_render_documents(*, agreement_id: str) -> Agreement:
    # Render outside the row lock (a render takes ~0.2 s), store under it.
    agreement = Agreement.objects.select_related(
        "organisation__partner_type__programme", "organisation__tier"
    ).get(pk=agreement_id)
    if agreement.pdf_status == Agreement.PdfStatus.READY:
        return agreement
    agreement_bytes = documents.agreement_pdf(agreement)
    order_form_bytes = documents.order_form_pdf(agreement)
    with transaction.atomic():
        agreement = Agreement.objects.select_for_update().get(pk=agreement_id)
        if agreement.pdf_status == Agreement.PdfStatus.READY:
            return agreement
        stem = f"{agreement.organisation_id}-v{agreement.version}"
        agreement.agreement_sha256 = file_store(
            agreement.agreement_pdf, name=f"{stem}-partner-agreement.pdf", content=agreement_bytes
        )
        agreement.order_form_sha256 = file_store(
            agreement.order_form_pdf, name=f"{stem}-order-form.pdf", content=order_form_bytes
        )
        before = {"pdf_status": agreement.pdf_status}
        agreement.pdf_status = Agreement.PdfStatus.READY
        agreement.save(
            update_fields=[
                "agreement_pdf",
                "order_form_pdf",
                "agreement_sha256",
                "order_form_sha256",
                "pdf_status",
            ]
        )
        audit_record(
            actor=None,  # the rendering task: named by its context
            action="agreement.documents_ready",
            obj=agreement,
            organisation=agreement.organisation_id,
            before=before,
            after={
                "pdf_status": agreement.pdf_status,
                "agreement_sha256": agreement.agreement_sha256,
                "order_form_sha256": agreement.order_form_sha256,
            },
            summary=f"Agreement v{agreement.version} and order form generated",
        )
    return agreement


@transaction.atomic
def agreement_retry_documents(*, agreement: Agreement, actor) -> bool:
    """Render documents that failed (or never came) again; signed or ready ones stay."""
    from partners.tasks import render_agreement_documents

    require_staff_permission(actor, "partners.retry_agreement_documents")
    updated = Agreement.objects.filter(
        pk=agreement.pk, pdf_status=Agreement.PdfStatus.FAILED
    ).update(pdf_status=Agreement.PdfStatus.PENDING)
    if updated:
        audit_record(
            actor=actor,
            action="agreement.documents_requested",
            obj=agreement,
            organisation=agreement.organisation_id,
            before={"pdf_status": Agreement.PdfStatus.FAILED},
            after={"pdf_status": Agreement.PdfStatus.PENDING},
            summary=f"Agreement v{agreement.version}: documents to be generated again",
        )
    if updated or agreement.pdf_status == Agreement.PdfStatus.PENDING:
        render_agreement_documents.delay_on_commit(
            organisation_id=str(agreement.organisation_id), agreement_id=str(agreement.pk)
        )
        return True
    return False


@transaction.atomic
def agreement_mark_failed(*, agreement_id: str) -> None:
    agreement = (
        Agreement.objects.select_for_update()
        .filter(pk=agreement_id)
        .exclude(pdf_status__in=[Agreement.PdfStatus.READY, Agreement.PdfStatus.FAILED])
        .first()
    )
    if agreement is None:
        return
    before = {"pdf_status": agreement.pdf_status}
    agreement.pdf_status = Agreement.PdfStatus.FAILED
    agreement.save(update_fields=["pdf_status"])
    audit_record(
        actor=None,  # the rendering task, out of retries
        action="agreement.documents_failed",
        obj=agreement,
        organisation=agreement.organisation_id,
        before=before,
        after={"pdf_status": agreement.pdf_status},
        summary=f"Agreement v{agreement.version}: the documents could not be generated",
    )


@transaction.atomic
def agreement_accept(*, agreement: Agreement, actor, ip: str | None, name: str) -> Agreement:
    """The admin's click-signature: who, when, from which IP, which version (and, through
    the stored PDFs' hashes, exactly which text). The organisation becomes active."""
    if not name.strip():
        raise DomainError("Type your full name to sign.", field="name")
    organisation = Organisation.objects.select_for_update().get(pk=agreement.organisation_id)
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    membership = Membership.objects.filter(user=actor, organisation=organisation).first()
    if membership is None or membership.role != Membership.Role.ADMIN:
        raise Forbidden("Only an administrator of your organisation can sign the agreement.")
    if agreement.is_accepted:
        raise Conflict("This agreement is already signed.", code="already_signed")
    if agreement.pdf_status != Agreement.PdfStatus.READY:
        raise Conflict(
            "The documents are still being prepared; sign once you can read them.",
            code="documents_not_ready",
        )
    agreement.accepted_by = actor
    agreement.accepted_at = timezone.now()
    agreement.accepted_ip = ip
    agreement.accepted_name = name.strip()
    agreement.save(update_fields=["accepted_by", "accepted_at", "accepted_ip", "accepted_name"])
    audit_record(
        actor=actor,
        action="agreement.accepted",
        obj=agreement,
        organisation=organisation,
        after={
            "accepted_by": actor.pk,
            "accepted_at": agreement.accepted_at,
            "accepted_name": agreement.accepted_name,
            "accepted_ip": ip,
        },
        summary=f"Agreement v{agreement.version} signed by {agreement.accepted_name}",
        ip=ip,
    )
    if organisation.status == Organisation.Status.PENDING:
        before = {"status": organisation.status, "joined_on": organisation.joined_on}
        organisation.status = Organisation.Status.ACTIVE
        organisation.joined_on = timezone.localdate()
        organisation.save(update_fields=["status", "joined_on"])
        audit_record(
            actor=actor,
            action="organisation.activated",
            obj=organisation,
            organisation=organisation,
            before=before,
            after={"status": organisation.status, "joined_on": organisation.joined_on},
            summary=f"{organisation.name} is active: the reseller space is open",
            ip=ip,
        )
    context = {
        "organisation": organisation.name,
        "version": agreement.version,
        "signed_by": agreement.accepted_name,
        "signed_at": format_datetime(agreement.accepted_at),
        "space_url": settings.PORTAL_BASE_URL + "/space/",
    }
    send_templated_email.delay_on_commit(
        to=[actor.email], template="partners/emails/agreement_signed", context=context
    )
    send_templated_email.delay_on_commit(
        to=[settings.CHANNEL_TEAM_EMAIL],
        template="partners/emails/agreement_signed_staff",
        context=context,
    )
    return agreement
