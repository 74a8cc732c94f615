from celery import shared_task

from partners.services.agreements import agreement_render_documents


@shared_task(
    name="partners.render_agreement_documents",
    bind=True,
    max_retries=3,
    default_retry_delay=30,
)
def render_agreement_documents(self, *, agreement_id: str) -> None:
    """Idempotent: documents already rendered are left as they are."""
    try:
        agreement_render_documents(agreement_id=agreement_id)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            from partners.services.agreements import agreement_mark_failed

            agreement_mark_failed(agreement_id=agreement_id)
            raise
        raise self.retry(exc=exc) from exc
