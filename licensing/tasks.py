"""The licensing app's Celery tasks: ids in, a service call, retries owned here."""

from celery import shared_task

from licensing.services.expiry import licence_reminders_send, licences_expire


@shared_task(
    name="licensing.expire_licences",
    tenancy="system",  # every partner's licences: the job's named system context
)
def expire_licences() -> dict:
    """Scheduled by beat: mark ended licences expired, then remind partners of what ends
    soon. Idempotent: a second run the same day does nothing."""
    return {"expired": licences_expire(), "reminded": licence_reminders_send()}
