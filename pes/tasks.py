from celery import shared_task
from django.utils import timezone

from pes.models import TierEvaluation
from pes.quarters import Quarter
from pes.services.evaluation import evaluate_quarter
from pes.services.notices import evaluation_notices_send, tier_change_email_send

JOB_LABEL = "task:pes.evaluate_tiers"


@shared_task(
    name="pes.evaluate_tiers",
    tenancy="system",  # every partner's quarter: the job's system context
)
def evaluate_tiers() -> str:
    """Scheduled by beat (daily): evaluates the quarter that ended, once — the first run
    of a new quarter does it; later runs find the job's records and do nothing (a missed
    day is caught up the next). Staff re-run any quarter with ``evaluate_tiers``."""
    quarter = Quarter.containing(timezone.localdate()).previous()
    done = TierEvaluation.objects.filter(
        year=quarter.year, quarter=quarter.number, evaluated_by=JOB_LABEL
    ).exists()
    if done:
        return f"{quarter.label}: already evaluated"
    return evaluate_quarter(quarter=quarter).summary()


@shared_task(
    name="pes.send_evaluation_notices",
    tenancy="system",  # one email per partner evaluated, every partner of the quarter
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_evaluation_notices(*, year: int, quarter: int) -> int:
    return evaluation_notices_send(quarter=Quarter(year, quarter))


@shared_task(
    name="pes.send_tier_change_email",
    tenancy="tenant",  # an email to one partner about its own tier
    autoretry_for=(OSError,),
    max_retries=5,
)
def send_tier_change_email(*, organisation_id: str, change_id: str) -> int:
    return tier_change_email_send(change_id=change_id)
