"""The licensing app's Celery tasks: ids in, a service call, retries owned here. Each
declares its tenancy (portal.celery). Emails that carry a secret (a redemption link, a
licence key) are made by the task from the ids: no secret waits in the outbox or the
broker."""

from celery import shared_task

from licensing.services.binding import customer_link_send, redemption_reminders_send
from licensing.services.expiry import licence_reminders_send, licences_expire
from licensing.services.redemption import licence_key_send, partner_redemption_notify

# --- expiry ---------------------------------------------------------------------------


@shared_task(
    name="licensing.expire_licences",
    tenancy="system",  # every partner's licences: the job's named system context
)
def expire_licences() -> dict:
    """Scheduled by beat: mark ended licences expired, then remind partners of what ends
    soon. Idempotent: a second run the same day does nothing."""
    return {"expired": licences_expire(), "reminded": licence_reminders_send()}


# --- binding and redemption -----------------------------------------------------------


@shared_task(
    name="licensing.send_customer_link",
    tenancy="tenant",  # an email about one partner's licence: that tenant's context
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_customer_link(*, link_id: str, organisation_id: str, reminder: bool = False) -> bool:
    """Email the customer the redemption link (or a reminder of it), made from the id."""
    return customer_link_send(link_id=link_id, reminder=reminder)


@shared_task(
    name="licensing.send_licence_key",
    tenancy="tenant",
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_licence_key(*, link_id: str, organisation_id: str) -> bool:
    """Email the customer the key of the licence they redeemed, once."""
    return licence_key_send(link_id=link_id)


@shared_task(
    name="licensing.notify_partner_of_redemption",
    tenancy="tenant",
    autoretry_for=(OSError,),
    max_retries=5,
)
def notify_partner_of_redemption(*, licence_id: str, organisation_id: str) -> int:
    return partner_redemption_notify(licence_id=licence_id)


@shared_task(
    name="licensing.remind_unredeemed_licences",
    # Every partner's bound licences: a platform job in its named system context.
    tenancy="system",
)
def remind_unredeemed_licences() -> int:
    """Beat job: remind customers of licences bound to them and not yet redeemed
    (idempotent: one reminder per link and interval, however often it runs)."""
    return redemption_reminders_send()
