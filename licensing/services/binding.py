"""Binding a licence to its end customer (SPEC §3.7): the partner names the customer's
email and the customer gets a redemption link. The reseller-space page and the API both
call these; the rules live here only.

* Only an unbound licence, or one bound but not yet redeemed (a rebind: the old link
  dies at once), may be bound. Customer, trial, NFR and evaluation licences alike: a
  trial is bound to its prospect the same way.
* One live redemption link per licence (a database constraint): every new link revokes
  the previous one in the same transaction. The licence row is locked first, then its
  links, in every service of this module and of redemption (the fixed lock order).
* **Resending makes a new link and revokes the old one.** A partner resends because the
  email was lost or the link expired; a new link gives a full validity period again, and
  only the most recent email works, so a forwarded or stale message cannot be used beside
  it. The reminder job, by contrast, re-sends the *same* link (same expiry): reminding
  must never prolong a link by itself.
* The email is sent by a task after commit (``licensing.tasks.send_customer_link``),
  which receives the link's id and makes the URL itself: no link waits in the outbox.
"""

from __future__ import annotations

import datetime
import logging

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import DurationField, ExpressionWrapper, F, Value
from django.utils import timezone

from licensing.entitlements import quantity_in_words
from licensing.models import CustomerLink, Licence, LicenceEvent
from licensing.selectors.links import LinkGone, customer_link_check, link_url
from licensing.services.licences import (
    licence_audited_values,
    licence_event_record,
    lock_licence,
)
from partners import roles
from partners.models import Membership
from portal.errors import Conflict, DomainError, Forbidden
from portal.formats import format_date, format_datetime
from portal.mail import send_templated
from portal.permissions import require_staff_permission

logger = logging.getLogger(__name__)

MANAGE_PERMISSION = "licensing.manage_licences"
BINDABLE = (Licence.Status.UNBOUND, Licence.Status.BOUND)
#: How many links one run of the reminder job handles (the next run takes the rest).
REMINDER_BATCH = 500

_NOT_BINDABLE = {
    Licence.Status.ACTIVE: "The customer already redeemed this licence; it can no longer be "
    "bound to someone else.",
    Licence.Status.EXPIRED: "This licence has expired; it can no longer be bound.",
    Licence.Status.CANCELLED: "This licence was cancelled; it can no longer be bound.",
}


def customer_email_clean(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(
            "Enter the customer's email address.", field="email", code="invalid"
        ) from exc
    return email


@transaction.atomic
def licence_bind(*, actor, licence: Licence, email: str) -> CustomerLink:
    """Bind ``licence`` to the customer at ``email`` and have them emailed a redemption
    link, valid for the programme's ``redemption_link_days``. Binding a licence already
    bound (not yet redeemed) to another address rebinds it: the old link stops working."""
    _ensure_may_manage_licences(actor=actor, licence=licence)
    email = customer_email_clean(email)
    licence = lock_licence(licence.pk)
    if licence.status not in BINDABLE:
        raise Conflict(_NOT_BINDABLE[licence.status], code="not_bindable")
    _ensure_not_awaiting_payment(licence)
    previous = licence.customer_email if licence.status == Licence.Status.BOUND else ""
    if previous == email:
        raise Conflict(
            f"This licence is already bound to {email}. To email the link again, resend it.",
            field="email",
            code="already_bound",
        )

    before = licence_audited_values(licence)
    now = timezone.now()
    _revoke_live_links(licence, purpose=CustomerLink.Purpose.REDEEM, now=now)
    licence.customer_email = email
    licence.status = Licence.Status.BOUND
    licence.bound_at = now
    licence.save(update_fields=["customer_email", "status", "bound_at", "updated_at"])
    link = _redemption_link_create(licence=licence, email=email, actor=actor, now=now)
    if previous:
        kind = LicenceEvent.Kind.REBOUND
        summary = f"Bound to {email} instead of {previous}; the earlier link no longer works"
    else:
        kind, summary = LicenceEvent.Kind.BOUND, f"Bound to {email}"
    licence_event_record(
        licence=licence,
        kind=kind,
        actor=actor,
        summary=f"{summary}; redemption link emailed, valid until {format_date(link.expires_at)}",
        before=before,
        detail={
            "email": email,
            "previous_email": previous,
            "link_expires_at": link.expires_at.isoformat(),
        },
    )
    _send_link(link, reminder=False)
    return link


@transaction.atomic
def licence_bind_for_code(*, licence: Licence, email: str, code_hint: str) -> CustomerLink:
    """Bind a licence just issued for a redemption code to the customer who entered the
    code (billing.services.codes), and email them the redemption link, as a partner's
    binding would. No member acts: the single-use code, checked under its row lock by
    the caller, is the credential; the caller runs in its named system context."""
    email = customer_email_clean(email)
    licence = lock_licence(licence.pk)
    if licence.status != Licence.Status.UNBOUND:
        raise Conflict(_NOT_BINDABLE.get(licence.status, "Already bound."), code="not_bindable")
    before = licence_audited_values(licence)
    now = timezone.now()
    licence.customer_email = email
    licence.status = Licence.Status.BOUND
    licence.bound_at = now
    licence.save(update_fields=["customer_email", "status", "bound_at", "updated_at"])
    link = _redemption_link_create(licence=licence, email=email, actor=None, now=now)
    licence_event_record(
        licence=licence,
        kind=LicenceEvent.Kind.BOUND,
        actor=None,
        summary=f"Bound to {email} by the customer, with redemption code {code_hint}; "
        f"redemption link emailed, valid until {format_date(link.expires_at)}",
        before=before,
        detail={"email": email, "code": code_hint, "link_expires_at": link.expires_at.isoformat()},
    )
    _send_link(link, reminder=False)
    return link


@transaction.atomic
def licence_link_resend(*, actor, licence: Licence) -> CustomerLink:
    """Email the bound customer a new redemption link (a full validity period again); the
    previous link stops working at once (see the module's note)."""
    _ensure_may_manage_licences(actor=actor, licence=licence)
    licence = lock_licence(licence.pk)
    if licence.status != Licence.Status.BOUND:
        raise Conflict(
            "Only a licence bound to a customer and not yet redeemed has a link to resend.",
            code="not_bound",
        )
    now = timezone.now()
    _revoke_live_links(licence, purpose=CustomerLink.Purpose.REDEEM, now=now)
    link = _redemption_link_create(
        licence=licence, email=licence.customer_email, actor=actor, now=now
    )
    licence_event_record(
        licence=licence,
        kind=LicenceEvent.Kind.LINK_SENT,
        actor=actor,
        summary=f"New redemption link emailed to {link.email}, valid until "
        f"{format_date(link.expires_at)}; the earlier link no longer works",
        before=licence_audited_values(licence),
        detail={"email": link.email, "link_expires_at": link.expires_at.isoformat()},
    )
    _send_link(link, reminder=False)
    return link


def redemption_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind customers of licences bound to them and not yet redeemed: the same link
    again, every ``programme.redemption_reminder_days`` since it was last sent, while it
    works. Returns how many were reminded.

    Idempotent, and safe with two schedulers: a reminder is claimed by a conditional
    update of ``last_sent_at`` (only the run that moves it sends), so a link gets one
    reminder per interval however often the job runs. Runs in its system context (the
    beat task): one transaction per reminder."""
    now = now or timezone.now()
    due_at = ExpressionWrapper(
        F("last_sent_at")
        + F("licence__product__programme__redemption_reminder_days")
        * Value(datetime.timedelta(days=1)),
        output_field=DurationField(),
    )
    due = (
        CustomerLink.objects.filter(
            purpose=CustomerLink.Purpose.REDEEM,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
            licence__status=Licence.Status.BOUND,
            licence__product__programme__redemption_reminder_days__gt=0,
        )
        .alias(due_at=due_at)
        .filter(due_at__lte=now)
        .select_related("licence")
        .order_by("last_sent_at", "id")[:REMINDER_BATCH]
    )
    reminded = 0
    for link in due:
        with transaction.atomic():
            claimed = CustomerLink.objects.filter(
                pk=link.pk,
                last_sent_at=link.last_sent_at,
                used_at__isnull=True,
                revoked_at__isnull=True,
            ).update(last_sent_at=now, reminders_sent=F("reminders_sent") + 1)
            if not claimed:
                continue  # another run sent it, or the link was used or replaced meanwhile
            licence = link.licence
            licence_event_record(
                licence=licence,
                kind=LicenceEvent.Kind.LINK_SENT,
                actor=None,
                summary=f"Reminder {link.reminders_sent + 1} emailed to {link.email}: not "
                f"redeemed yet, the link works until {format_date(link.expires_at)}",
                before=licence_audited_values(licence),
                detail={"email": link.email, "reminder": link.reminders_sent + 1},
            )
            link.last_sent_at = now
            _send_link(link, reminder=True)
            reminded += 1
    if reminded:
        logger.info("redemption reminders sent: %s", reminded)
    return reminded


def customer_link_send(*, link_id, reminder: bool = False) -> bool:
    """Email the customer their redemption link, made here from the id; False when the
    link no longer works (replaced, used or expired meanwhile: nothing to send). Runs in
    the licence owner's context (the task)."""
    link = (
        CustomerLink.objects.select_related("licence__organisation", "licence__product__programme")
        .filter(pk=link_id, purpose=CustomerLink.Purpose.REDEEM)
        .first()
    )
    if link is None:
        return False
    try:
        customer_link_check(link)
    except LinkGone:
        return False
    licence = link.licence
    send_templated(
        to=[link.email],
        template="licensing/emails/redemption_reminder"
        if reminder
        else "licensing/emails/redemption_link",
        context={
            "seller": licence.organisation.name,
            "product": licence.product_name,
            "quantity": quantity_in_words(licence),
            "starts_on": format_date(licence.starts_on),
            "ends_on": format_date(licence.ends_on),
            "kind": licence.kind,
            "redeem_url": link_url(link),
            "expires_at": format_datetime(link.expires_at),
        },
    )
    return True


# --- helpers --------------------------------------------------------------------------


def _ensure_may_manage_licences(*, actor, licence: Licence) -> None:
    """Defence in depth: pages and the API check the role too, but a service never trusts
    it. Only the owning partner's members who manage licences (never the distributor the
    licence came through), or the channel team with the permission."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise Forbidden("Someone must be named as doing this.")
    if actor.is_staff:
        require_staff_permission(actor, MANAGE_PERMISSION)
        return
    if not Membership.objects.filter(
        user=actor, organisation_id=licence.organisation_id, role__in=roles.MANAGE_LICENCES
    ).exists():
        raise Forbidden("Your role does not allow binding licences to customers.")


def _ensure_not_awaiting_payment(licence: Licence) -> None:
    """A programme may hold an order's licences until the order is paid (billing decides
    whether it is, and names the invoice awaited)."""
    # Imported here: billing builds on licensing (its orders issue licences).
    from billing.selectors.payments import order_awaiting_payment_for_licence

    hold = order_awaiting_payment_for_licence(licence)
    if hold is not None:
        raise Conflict(hold.message, code="awaiting_payment")


def _revoke_live_links(licence: Licence, *, purpose: str, now: datetime.datetime) -> int:
    return CustomerLink.objects.filter(
        licence=licence, purpose=purpose, used_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)


def _redemption_link_create(
    *, licence: Licence, email: str, actor, now: datetime.datetime
) -> CustomerLink:
    days = licence.product.programme.redemption_link_days
    return CustomerLink.objects.create(
        licence=licence,
        purpose=CustomerLink.Purpose.REDEEM,
        email=email,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        expires_at=now + datetime.timedelta(days=days),
        last_sent_at=now,
    )


def _send_link(link: CustomerLink, *, reminder: bool) -> None:
    from licensing.tasks import send_customer_link  # tasks import the services

    send_customer_link.delay_on_commit(
        link_id=str(link.pk),
        organisation_id=str(link.licence.organisation_id),
        reminder=reminder,
    )
