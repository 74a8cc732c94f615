"""The partner's emails about its marketing fund requests: each decision of the channel
team (request approved or rejected, claim approved or rejected, claim paid), to the
organisation's active administrators. Sent by ``billing.send_mdf_email`` in the
organisation's context, from ids."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from billing.models import MdfRequest
from partners import roles
from partners.models import Membership
from portal.mail import send_templated

#: Each decision's email (templates billing/emails/<name>_subject.txt and _body.txt), and
#: the status the request must still have for it to be sent.
MDF_EMAILS = {
    "approved": ("billing/emails/mdf_approved", MdfRequest.Status.APPROVED),
    "rejected": ("billing/emails/mdf_rejected", MdfRequest.Status.REJECTED),
    "claim_approved": ("billing/emails/mdf_claim_approved", MdfRequest.Status.CLAIM_APPROVED),
    "claim_rejected": ("billing/emails/mdf_claim_rejected", MdfRequest.Status.APPROVED),
    "paid": ("billing/emails/mdf_paid", MdfRequest.Status.PAID),
}


def mdf_email_send(*, request_id, event: str) -> int:
    """Send ``event``'s email; returns how many were sent (none when the request moved on
    meanwhile or this context cannot see it)."""
    if event not in MDF_EMAILS:
        raise ValueError(f"unknown marketing funds email {event!r}")
    template, status = MDF_EMAILS[event]
    request = MdfRequest.objects.filter(pk=request_id, status=status).first()
    if request is None:
        return 0
    members = Membership.objects.for_tenant(request.organisation_id).filter(
        user__is_active=True, role__in=roles.MANAGE_TEAM
    )
    recipients = sorted({e.lower() for e in members.values_list("user__email", flat=True)})
    context = {"request": request, "url": settings.PORTAL_BASE_URL + reverse("billing:mdf")}
    for email in recipients:
        send_templated(to=[email], template=template, context=context)
    return len(recipients)
