"""Licence expiry (SPEC §3.7): a beat job marks the licences whose term is over as expired
and reminds partners before a licence or trial ends.

* A licence runs through its ``ends_on``; from the next day the job marks it ``expired``
  (an "expired" event in its history, and the audit record). Cancelled licences stay so.
* Reminders: ``Programme.licence_expiry_reminder_days`` (30) before a customer, NFR or
  evaluation licence ends, and ``TRIAL_REMINDER_DAYS`` (7) before a trial ends, the
  partner's administrators and sales people get one email listing what ends soon. Each
  reminder is recorded (``LicenceReminder``: the licence, the threshold, the end it was
  about), so a licence is reminded once per threshold; an extended licence once more
  before its new end. A yearly customer licence that was sold through an order is left to
  the renewal reminder (billing.services.renewals), which says the same at the same
  thresholds, with the renewal's price: the partner gets one email about it, not two.
  A running monthly subscription's licence is not reminded (its end moves on each month);
  a cancelled one's is.

Both are idempotent and safe to run concurrently: each licence is row-locked (rows
another run holds are skipped), and both run in the job's named system context.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.apps import apps
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from licensing.models import BillingPeriod, Licence, LicenceEvent, LicenceReminder
from licensing.selectors.trials import OPEN_STATUSES
from licensing.services.licences import licence_audited_values, licence_event_record
from licensing.services.requests import space_url
from partners import roles
from partners.models import Membership, Programme
from portal.formats import format_date
from portal.tasks import send_templated_email

logger = logging.getLogger(__name__)

#: Partners are reminded this many days before a trial ends.
TRIAL_REMINDER_DAYS = 7
BATCH = 500


def licences_expire(*, today: datetime.date | None = None) -> int:
    """Mark every running licence whose term ended before ``today`` expired; returns how
    many. A second run finds nothing left to do."""
    today = today or timezone.localdate()
    expired = 0
    while True:
        with transaction.atomic():
            batch = list(
                Licence.objects.select_for_update(skip_locked=True)
                .filter(status__in=OPEN_STATUSES, ends_on__lt=today)
                .order_by("ends_on", "id")[:BATCH]
            )
            for licence in batch:
                before = licence_audited_values(licence)
                previous = licence.status
                licence.status = Licence.Status.EXPIRED
                licence.save(update_fields=["status", "updated_at"])
                licence_event_record(
                    licence=licence,
                    kind=LicenceEvent.Kind.EXPIRED,
                    actor=None,
                    summary=f"{licence.get_kind_display()} licence expired: its term ended "
                    f"on {format_date(licence.ends_on)}",
                    before=before,
                    detail={"previous_status": previous},
                )
        expired += len(batch)
        if len(batch) < BATCH:
            break
    if expired:
        logger.info("licences: %s expired", expired)
    return expired


def reminder_days(*, licence: Licence, programme: Programme) -> int:
    """How many days before its end a licence of this kind is reminded."""
    if licence.kind == Licence.Kind.TRIAL:
        return TRIAL_REMINDER_DAYS
    return programme.licence_expiry_reminder_days


def _sold(*conditions: Q) -> Exists:
    """Whether billing sold the licence through an order meeting ``conditions``
    (``OrderLine``: billing's sales of a licence; licensing does not import billing)."""
    order_line = apps.get_model("billing", "OrderLine")
    return Exists(order_line.objects.filter(*conditions, licence=OuterRef("pk")))


#: A running monthly subscription's licence: its end moves a month on at each billed
#: period, so it always "ends within the month" and is no news; once the partner cancels
#: (billing.services.subscriptions), its end is.
RUNNING_SUBSCRIPTION = (
    Q(order__billing_period=BillingPeriod.MONTHLY, order__subscription_end__isnull=True),
    ~Q(order__status="cancelled"),
)


def reminder_recipients(*, organisation_id) -> list[str]:
    return list(
        Membership.objects.filter(
            organisation_id=organisation_id,
            role__in=roles.NOTIFY_LICENCE_EXPIRY,
            user__is_active=True,
        )
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


@transaction.atomic
def licence_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind the partners of the running licences that reach their reminder threshold,
    once each; returns how many licences were reminded."""
    today = today or timezone.localdate()
    widest = max(
        Programme.objects.aggregate(days=Max("licence_expiry_reminder_days"))["days"] or 0,
        TRIAL_REMINDER_DAYS,
    )
    reminded = LicenceReminder.objects.filter(licence=OuterRef("pk"), ends_on=OuterRef("ends_on"))
    candidates = (
        Licence.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("organisation__partner_type__programme")
        .filter(
            status__in=OPEN_STATUSES,
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=widest),
        )
        .alias(reminded=Exists(reminded), sold=_sold(), subscribed=_sold(*RUNNING_SUBSCRIPTION))
        .filter(reminded=False, subscribed=False)
        # A sold yearly licence: the renewal reminder (billing.services.renewals) says it.
        .exclude(kind=Licence.Kind.CUSTOMER, billing_period=BillingPeriod.YEARLY, sold=True)
        .order_by("organisation_id", "ends_on", "id")
    )
    due: dict[object, list[tuple[Licence, int]]] = defaultdict(list)
    for licence in candidates:
        days = reminder_days(licence=licence, programme=licence.organisation.partner_type.programme)
        if (licence.ends_on - today).days <= days:
            due[licence.organisation_id].append((licence, days))
    for organisation_id, licences in due.items():
        LicenceReminder.objects.bulk_create(
            [
                LicenceReminder(
                    organisation_id=organisation_id,
                    licence=licence,
                    days_before=days,
                    ends_on=licence.ends_on,
                )
                for licence, days in licences
            ]
        )
        _send_reminder(organisation_id=organisation_id, licences=licences, today=today)
    count = sum(len(licences) for licences in due.values())
    if count:
        logger.info("licences: %s reminded before their end", count)
    return count


def _send_reminder(*, organisation_id, licences: list[tuple[Licence, int]], today) -> None:
    organisation = licences[0][0].organisation
    rows = [
        {
            "kind": licence.get_kind_display(),
            "product": licence.product_name,
            "quantity": licence.quantity,
            "customer": licence.customer_name,
            "ends_on": format_date(licence.ends_on),
            "days_left": (licence.ends_on - today).days,
        }
        for licence, _days in licences
    ]
    has_trials = any(licence.kind == Licence.Kind.TRIAL for licence, _ in licences)
    context = {
        "organisation": organisation.name,
        "licences": rows,
        "has_trials": has_trials,
        "trials_url": space_url("licensing:trials"),
        "space_url": space_url("space:dashboard"),
    }
    for email in reminder_recipients(organisation_id=organisation_id):
        send_templated_email.delay_on_commit(
            to=[email], template="licensing/emails/licence_expiry_reminder", context=context
        )
