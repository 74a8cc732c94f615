from celery import shared_task

from deals.services.expiry import deals_expire
from deals.services.notifications import deal_email_send, referral_email_send


@shared_task(
    name="deals.send_deal_email",
    tenancy="tenant",  # an email to one partner about its own registration
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_deal_email(*, organisation_id: str, deal_id: str, event: str) -> int:
    return deal_email_send(deal_id=deal_id, event=event)


@shared_task(
    name="deals.expire_registrations",
    tenancy="system",  # every partner's approved registrations
)
def expire_registrations() -> dict:
    """Expire the registrations whose protection ended and remind the partners whose
    protection ends within the programme's reminder days (scheduled by beat; idempotent)."""
    run = deals_expire()
    return {"expired": run.expired, "reminded": run.reminded}


@shared_task(
    name="deals.send_referral_email",
    tenancy="tenant",  # an email to one partner about its own referral
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_referral_email(
    *, organisation_id: str, event: str, lead_id: str = "", fee_id: str = ""
) -> int:
    return referral_email_send(event=event, lead_id=lead_id, fee_id=fee_id)
