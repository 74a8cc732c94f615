"""Points awarded by events (SPEC §3.9), once per event, in the event's transaction: the
services where the events happen call these (billing.services.renewals,
partners.services.training and partners.services.sessions).

* A partner-led renewal: a renewal order in the reseller space whose engagement model is
  partner-owned or co-led partner-led (``renewal:<order id>``).
* A certified technical expert added: a technical certification recorded, not a
  correction (``certification:<id>``).
* A session attended: attendance recorded, worth the session's own PES points; none when
  the session is worth none (``session:<registration id>``).

A programme whose catalogue has no active activity for the event awards nothing."""

from __future__ import annotations

from django.utils import timezone

from partners.models import EngagementModel
from pes.models.activities import AutoEvent
from pes.services.ledger import event_award

PARTNER_LED = frozenset({EngagementModel.PARTNER_OWNED, EngagementModel.CO_LED_PARTNER})


def _programme_id(organisation) -> int:
    return organisation.partner_type.programme_id


def award_renewal(*, order):
    from billing.models import Order, Space  # billing imports partners: not at load time

    if (
        order.kind != Order.Kind.RENEWAL
        or order.space != Space.RESELLER
        or order.engagement_model not in PARTNER_LED
    ):
        return None
    return event_award(
        organisation=order.organisation,
        programme_id=_programme_id(order.organisation),
        event=AutoEvent.PARTNER_LED_RENEWAL,
        event_key=f"renewal:{order.pk}",
        earned_on=timezone.localdate(order.created_at),
        what=f"order {order.reference} ({order.customer_name})",
    )


def award_certification(*, certification):
    return event_award(
        organisation=certification.organisation,
        programme_id=_programme_id(certification.organisation),
        event=AutoEvent.CERTIFIED_EXPERT,
        event_key=f"certification:{certification.pk}",
        earned_on=certification.obtained_on,
        what=f"{certification.person_name}, {certification.name}",
    )


def award_session(*, registration, session, on):
    if not session.pes_points:
        return None
    return event_award(
        organisation=registration.organisation,
        programme_id=_programme_id(registration.organisation),
        event=AutoEvent.SESSION_ATTENDED,
        event_key=f"session:{registration.pk}",
        earned_on=on,
        what=f"{registration.person_name}, {session.title}",
        points=session.pes_points,
    )
