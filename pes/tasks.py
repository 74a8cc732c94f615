from celery import shared_task

from pes.services.notifications import pes_email_send


@shared_task(
    name="pes.send_pes_email",
    tenancy="tenant",  # an email to one partner's member about its own claim or redemption
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_pes_email(*, organisation_id: str, kind: str, object_id: str, event: str) -> int:
    return pes_email_send(kind=kind, object_id=object_id, event=event)
