"""Renewals (SPEC §3.3, §3.5, §3.10): a customer's yearly licence, coming to its end, is
renewed for another term by a new order of kind ``renewal``.

* **Priced at the current rules**: the engine prices the renewal as a new sale today (the
  partner's tier and discount now, the catalogue's price now, the balance it may spend).
  A tier change therefore applies at renewal, never to a term already running.
* **The term follows on**: the renewal's term starts the day after the current one ends
  (the licence's ``ends_on`` moves a term later: licensing's ``licence_term_extend``), and
  the order's invoice (purpose ``renewal``) bills that term.
* **When**: from ``RENEWAL_OPENS_DAYS`` before the end until ``RENEWAL_GRACE_DAYS`` after
  it (an expired licence renewed within the grace period runs again, without a gap).
  Renewed, the licence's end is a term away: a second renewal waits for its window.
* **Reminders**: the daily job billing.remind_renewals emails the partner's
  administrators and sales people ``REMINDER_STAGES`` days before a licence ends, once per
  licence, stage and end (``RenewalReminder``), with the renewal's price.
"""

from __future__ import annotations

import dataclasses
import datetime
import logging
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from billing.models import Order, OrderLine, RenewalReminder
from billing.services.credits import credit_sale_record, credit_sale_request
from billing.services.documents import priced_document_values, priced_line_values
from billing.services.licence_sales import (
    last_sale,
    licence_sales,
    licence_sales_prefetch,
    next_sale,
    owned_customer_licence,
    sale_customer,
)
from billing.services.orders import Placed, order_create, order_place_once, require_buyer_role
from billing.services.pricing import LineRequest, Pricing, PricingLookups, SaleRequest, price_sale
from billing.services.upgrades import locked_licence
from licensing.models import BillingPeriod, Licence, LicenceEvent
from licensing.selectors.trials import OPEN_STATUSES
from licensing.services.licences import add_months, licence_term_extend
from licensing.services.requests import space_url
from partners import roles
from partners.models import Membership, Organisation
from pes.services.awards import award_renewal
from portal.errors import DomainError
from portal.formats import format_date
from portal.tasks import send_templated_email

logger = logging.getLogger(__name__)

#: A licence can be renewed from this many days before its end...
RENEWAL_OPENS_DAYS = 60
#: ...until this many days after it.
RENEWAL_GRACE_DAYS = 30
#: The partner is reminded this many days before a licence ends (once each).
REMINDER_STAGES = (30, 7)
#: Licence statuses a renewal applies to (an expired one within the grace period too).
RENEWABLE_STATUSES = (*OPEN_STATUSES, Licence.Status.EXPIRED)


@dataclasses.dataclass(frozen=True)
class RenewalPlan:
    licence: Licence
    previous: OrderLine  # the licence's last sale
    sale: SaleRequest
    pricing: Pricing
    starts_on: datetime.date  # the renewed term
    ends_on: datetime.date


def renewal_term(licence: Licence) -> tuple[datetime.date, datetime.date]:
    """The term a renewal buys: the day after the current end, for a year."""
    starts_on = licence.ends_on + datetime.timedelta(days=1)
    return starts_on, add_months(starts_on, 12) - datetime.timedelta(days=1)


def renewal_window_check(licence: Licence, *, today: datetime.date) -> None:
    if licence.status not in RENEWABLE_STATUSES:
        raise DomainError(
            f"A {licence.get_status_display().lower()} licence is not renewed.",
            code="not_renewable",
        )
    days_left = (licence.ends_on - today).days
    if days_left > RENEWAL_OPENS_DAYS:
        opens = licence.ends_on - datetime.timedelta(days=RENEWAL_OPENS_DAYS)
        raise DomainError(
            f"This licence runs until {format_date(licence.ends_on)}: it can be renewed from "
            f"{format_date(opens)}.",
            code="renewal_not_due",
        )
    if days_left < -RENEWAL_GRACE_DAYS:
        raise DomainError(
            f"This licence ended more than {RENEWAL_GRACE_DAYS} days ago: sell a new one.",
            code="renewal_too_late",
        )


def renewal_sale(
    *, organisation: Organisation, licence: Licence, previous: OrderLine
) -> SaleRequest:
    """The renewal as a sale: the licence's product and quantity, for its customer."""
    return next_sale(
        organisation=organisation,
        licence=licence,
        previous=previous,
        line=LineRequest(product=licence.product, quantity=licence.quantity),
    )


def renewal_prepare(
    *,
    organisation: Organisation,
    licence: Licence,
    today: datetime.date | None = None,
    lock: bool = False,
    sales: list[OrderLine] | None = None,
    lookups: PricingLookups | None = None,
    with_credit: bool = True,
) -> RenewalPlan:
    """Price the renewal of ``licence`` at today's rules. Writes nothing; ``lock``:
    placing it, in its transaction. ``sales`` and ``lookups``: a list pricing several."""
    today = today or timezone.localdate()
    owned_customer_licence(organisation=organisation, licence=licence)
    renewal_window_check(licence, today=today)
    if not licence.product.is_active:
        raise DomainError(
            f"{licence.product_name} is no longer offered: sell the customer another plan.",
            code="product_inactive",
        )
    sales = licence_sales(licence) if sales is None else sales
    previous = last_sale(licence=licence, sales=sales)
    sale = renewal_sale(organisation=organisation, licence=licence, previous=previous)
    if with_credit:
        sale = credit_sale_request(sale=sale, lock=lock, today=today)
    pricing = price_sale(sale, lookups=lookups)
    starts_on, ends_on = renewal_term(licence)
    return RenewalPlan(
        licence=licence,
        previous=previous,
        sale=sale,
        pricing=pricing,
        starts_on=starts_on,
        ends_on=ends_on,
    )


def licence_renew(
    *,
    organisation: Organisation,
    actor,
    role: str | None,
    licence_id,
    idempotency_key: str = "",
    today: datetime.date | None = None,
) -> Placed:
    """Renew the licence: its order (kind renewal, invoiced for the new term with purpose
    renewal), the licence's end a term later, the balance spent; one transaction.
    ``today``: the day it is renewed (today; ``seed_demo`` and tests set it)."""
    require_buyer_role(role)
    return order_place_once(
        organisation=organisation,
        actor=actor,
        data={"renew": str(licence_id)},
        idempotency_key=idempotency_key,
        place=lambda: _renew(
            organisation=organisation, actor=actor, role=role, licence_id=licence_id, today=today
        ),
    )


def _renew(*, organisation, actor, role, licence_id, today) -> Order:
    licence = locked_licence(organisation=organisation, licence_id=licence_id)
    plan = renewal_prepare(organisation=organisation, licence=licence, lock=True, today=today)
    pricing = plan.pricing
    header = {
        **priced_document_values(pricing),
        **sale_customer(licence=licence, previous=plan.previous),
    }
    order = order_create(
        organisation=organisation,
        actor=actor,
        header=header,
        lines=[priced_line_values(pricing.lines[0], position=1)],
        fulfilments=[OrderLine.Fulfilment.LICENCE],
        deal=plan.sale.deal,
        role=role,
        kind=Order.Kind.RENEWAL,
        licence=licence,
        period_start=plan.starts_on,
    )
    licence_term_extend(
        actor=actor,
        licence_id=licence.pk,
        ends_on=plan.ends_on,
        kind=LicenceEvent.Kind.RENEWED,
        reason=f"Renewed by order {order.reference}",
    )
    credit_sale_record(order=order, pricing=pricing, actor=actor, today=today)
    award_renewal(order=order)  # engagement points for a partner-led renewal, once
    return order


# --- reminders ---------------------------------------------------------------------------


def reminder_stage(days_left: int) -> int | None:
    """The tightest stage a licence with ``days_left`` has reached (7 before 30): a job
    that missed the 30-day mark reminds once, at the stage it finds."""
    reached = [stage for stage in REMINDER_STAGES if days_left <= stage]
    return min(reached) if reached else None


def renewal_recipients(*, organisation_id) -> list[str]:
    return list(
        Membership.objects.filter(
            organisation_id=organisation_id, role__in=roles.NOTIFY_RENEWALS, user__is_active=True
        )
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )


@transaction.atomic
def renewal_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind partners of the licences reaching a reminder stage, once per licence, stage
    and end; returns how many licences were reminded. Idempotent."""
    today = today or timezone.localdate()
    widest = today + datetime.timedelta(days=max(REMINDER_STAGES))
    sent = set(
        RenewalReminder.objects.filter(ends_on__gte=today, ends_on__lte=widest).values_list(
            "licence_id", "stage", "ends_on"
        )
    )
    due: dict[object, list[tuple[Licence, int]]] = defaultdict(list)
    for licence in _candidates(today=today):
        stage = reminder_stage((licence.ends_on - today).days)
        if stage is None or not licence.sales or (licence.pk, stage, licence.ends_on) in sent:
            continue
        due[licence.organisation_id].append((licence, stage))
    for organisation_id, licences in due.items():
        RenewalReminder.objects.bulk_create(
            [
                RenewalReminder(
                    organisation_id=organisation_id,
                    licence=licence,
                    stage=stage,
                    ends_on=licence.ends_on,
                )
                for licence, stage in licences
            ]
        )
        _send(licences=[licence for licence, _ in licences], today=today)
    count = sum(len(licences) for licences in due.values())
    if count:
        logger.info("renewals: %s licences reminded", count)
    return count


def _candidates(*, today: datetime.date):
    """Every partner's running yearly customer licences ending within the widest stage,
    with their sales (locked: a concurrent run skips them)."""
    return (
        Licence.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related(
            "product__programme",
            "organisation__partner_type__programme",
            "organisation__tier",
            "organisation__distributor",
        )
        .prefetch_related(
            "product__plans",
            licence_sales_prefetch(),
        )
        .filter(
            kind=Licence.Kind.CUSTOMER,
            billing_period=BillingPeriod.YEARLY,
            status__in=OPEN_STATUSES,
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=max(REMINDER_STAGES)),
        )
        .order_by("organisation_id", "ends_on", "id")
    )


def _send(*, licences: list[Licence], today: datetime.date) -> None:
    organisation = licences[0].organisation
    lookups = PricingLookups()
    rows = []
    for licence in licences:
        try:
            plan = renewal_prepare(
                organisation=organisation,
                licence=licence,
                today=today,
                sales=licence.sales,
                lookups=lookups,
                with_credit=False,
            )
            price = f"{plan.pricing.total:,.2f} {plan.pricing.currency} with tax"
        except DomainError as exc:
            price = f"not renewable as it is ({exc.message})"
        rows.append(
            {
                "product": licence.product_name,
                "quantity": licence.quantity,
                "customer": licence.customer_name,
                "ends_on": format_date(licence.ends_on),
                "days_left": (licence.ends_on - today).days,
                "price": price,
            }
        )
    context = {
        "organisation": organisation.name,
        "licences": rows,
        "renewals_url": space_url("billing:renewals"),
    }
    for email in renewal_recipients(organisation_id=organisation.pk):
        send_templated_email.delay_on_commit(
            to=[email], template="billing/emails/renewal_due", context=context
        )
