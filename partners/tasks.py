from celery import shared_task

from partners.services.agreements import agreement_mark_failed, agreement_render_documents
from partners.services.applications import application_send_reply_request
from partners.services.contact import contact_request_notify
from partners.services.session_emails import registration_confirm, session_reminders_send
from partners.services.team import invitation_send
from portal.tasks import render_or_mark_failed


@shared_task(
    name="partners.render_agreement_documents",
    tenancy="tenant",  # one partner's documents: that tenant's context, not a bypass
    bind=True,
    max_retries=3,
    default_retry_delay=30,
)
def render_agreement_documents(self, *, organisation_id: str, agreement_id: str) -> None:
    """Idempotent: documents already rendered are left as they are."""
    render_or_mark_failed(
        self,
        render=lambda: agreement_render_documents(agreement_id=agreement_id),
        mark_failed=lambda: agreement_mark_failed(agreement_id=agreement_id),
        what=f"agreement {agreement_id}",
    )


@shared_task(
    name="partners.send_invitation",
    tenancy="tenant",  # an email to one partner: that tenant's context
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_invitation(*, invitation_id: str, organisation_id: str, base_url: str) -> bool:
    """Email an invitation; the link is made here, from the id (see invitation_send)."""
    return invitation_send(
        invitation_id=invitation_id, organisation_id=organisation_id, base_url=base_url
    )


@shared_task(
    name="partners.send_application_reply_request",
    tenancy="system",  # applications have no tenant: only named system contexts see them
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_application_reply_request(*, application_id: str) -> bool:
    """Email the channel team's question with a reply link made here, from the id."""
    return application_send_reply_request(application_id=application_id)


@shared_task(
    name="partners.send_contact_request",
    tenancy="tenant",  # the partner's own request and admins: that tenant's context
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_contact_request(*, contact_request_id: str, organisation_id: str) -> int:
    """Email a visitor's message to the partner's administrators (ids only in the
    outbox: what the visitor wrote is read here, from the row)."""
    return contact_request_notify(contact_request_id=contact_request_id)


@shared_task(
    name="partners.send_session_confirmation",
    tenancy="tenant",  # an email about one partner's registration: that tenant's context
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_session_confirmation(*, registration_id: str, organisation_id: str) -> int:
    """Email a registration's confirmation with the session's calendar file."""
    return registration_confirm(registration_id=registration_id)


@shared_task(
    name="partners.remind_sessions",
    tenancy="system",  # every partner's registrations: the job's named system context
)
def remind_sessions() -> int:
    """Beat job: remind the people registered for sessions starting within a day
    (idempotent: one reminder per registration however often it runs)."""
    return session_reminders_send()
