from celery import shared_task

from billing.services.notifications import order_email_send


@shared_task(
    name="billing.send_order_email",
    tenancy="tenant",  # an email to one partner about its own order
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_order_email(*, organisation_id: str, order_id: str, event: str) -> int:
    return order_email_send(order_id=order_id, event=event)
