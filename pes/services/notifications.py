"""The partner's emails about the channel team's decisions on its engagement claims and
redemptions: to the person who claimed or applied (if still an active member). Sent by
``pes.send_pes_email`` in the organisation's context, from ids, after the commit."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from partners.models import Membership
from pes.models import Claim, Redemption
from portal.mail import send_templated

#: (kind, event) -> (template, model, the status it must still have).
EMAILS = {
    ("claim", "approved"): ("pes/emails/claim_approved", Claim, Claim.Status.APPROVED),
    ("claim", "rejected"): ("pes/emails/claim_rejected", Claim, Claim.Status.REJECTED),
    ("redemption", "approved"): (
        "pes/emails/redemption_approved",
        Redemption,
        Redemption.Status.APPROVED,
    ),
    ("redemption", "rejected"): (
        "pes/emails/redemption_rejected",
        Redemption,
        Redemption.Status.REJECTED,
    ),
}


def decision_notify(*, kind: str, organisation_id, object_id, event: str) -> None:
    from pes.tasks import send_pes_email  # tasks import the services

    send_pes_email.delay_on_commit(
        organisation_id=str(organisation_id), kind=kind, object_id=str(object_id), event=event
    )


def pes_email_send(*, kind: str, object_id, event: str) -> int:
    """Send the decision's email; how many were sent (none when the object moved on or
    its author left the organisation)."""
    if (kind, event) not in EMAILS:
        raise ValueError(f"unknown engagement email {kind}/{event}")
    template, model, status = EMAILS[(kind, event)]
    obj = model.objects.filter(pk=object_id, status=status).first()
    if obj is None:
        return 0
    author_id = obj.submitted_by_id if kind == "claim" else obj.requested_by_id
    email = (
        Membership.objects.for_tenant(obj.organisation_id)
        .filter(user_id=author_id, user__is_active=True)
        .values_list("user__email", flat=True)
        .first()
    )
    if not email:
        return 0
    url = settings.PORTAL_BASE_URL + reverse("pes:engagement")
    send_templated(to=[email], template=template, context={kind: obj, "url": url})
    return 1
