"""Reading the customer's links: the signed token in their URL, whether a link still
works (and what to tell the customer when it does not), the seats of a licence, and a
licence's binding for the partner's page.

The token is ``django.core.signing`` over the link's id, with a salt per purpose (a
seat-management token is no redemption token). It is the same for the same link, so a
reminder re-sends the same URL, and the email task makes the URL from the id: no link
ever waits in the outbox or the broker. The signature only proves the portal made it;
the row decides whether it still works (expiry, single use, revocation).
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from licensing.models import CustomerLink, Licence, Seat
from portal.errors import LinkGone, LinkInvalid
from portal.formats import format_date, format_datetime

_SALTS = {
    CustomerLink.Purpose.REDEEM: "licensing.customer-link.redeem",
    CustomerLink.Purpose.MANAGE_SEATS: "licensing.customer-link.manage-seats",
}
_URL_NAMES = {
    CustomerLink.Purpose.REDEEM: "licensing:redeem",
    CustomerLink.Purpose.MANAGE_SEATS: "licensing:seats",
}

INVALID_LINK = (
    "Check that you opened the whole link from the email. If it still does not work, ask "
    "the company that sold you the licence to send you a new one."
)


def link_token(link: CustomerLink) -> str:
    """The link's id, signed (one salt per purpose). No timestamp in it: the row holds the
    expiry, so a link's token is the same in every email that carries it."""
    return signing.Signer(salt=_SALTS[link.purpose]).sign(str(link.pk))


def link_url(link: CustomerLink, *, base_url: str | None = None) -> str:
    base = (base_url or settings.PORTAL_BASE_URL).rstrip("/")
    return base + reverse(_URL_NAMES[link.purpose], kwargs={"token": link_token(link)})


def link_id_from_token(token: str, *, purpose: str) -> uuid.UUID:
    try:
        return uuid.UUID(signing.Signer(salt=_SALTS[purpose]).unsign(token))
    except (signing.BadSignature, TypeError, ValueError, AttributeError) as exc:
        raise LinkInvalid(INVALID_LINK) from exc


def customer_link_for_token(*, token: str, purpose: str) -> CustomerLink:
    """The link a token names, with its licence, the licence's partner and programme
    (one query). Raises ``LinkInvalid``. Runs where the link is visible: the customer's
    pages open their named system context for it."""
    link_id = link_id_from_token(token, purpose=purpose)
    link = (
        CustomerLink.objects.select_related(
            "licence__organisation", "licence__product__programme", "licence__plan"
        )
        .filter(pk=link_id, purpose=purpose)
        .first()
    )
    if link is None:
        raise LinkInvalid(INVALID_LINK)
    return link


def customer_link_check(link: CustomerLink, *, now: datetime.datetime | None = None) -> None:
    """Raise ``LinkGone`` with what to tell the customer unless the link works now.

    A redemption link works once, until it expires, while its licence waits for that
    customer. A seat-management link works while its licence is active (the licence's
    term governs it: a renewal keeps it working) unless a newer one replaced it.
    """
    now = now or timezone.now()
    licence = link.licence
    seller = licence.organisation.name
    ask = f"Ask {seller}, who sold you the licence, for help."
    if link.purpose == CustomerLink.Purpose.MANAGE_SEATS:
        if link.revoked_at is not None:
            raise LinkGone(f"This link was replaced by a newer one. {ask}", code="link_revoked")
        if licence.status != Licence.Status.ACTIVE:
            raise LinkGone(
                f"This licence is {licence.get_status_display().lower()}: its seats can no "
                f"longer be changed. {ask}",
                code="licence_not_active",
            )
        return
    if link.used_at is not None:
        raise LinkGone(
            f"This licence was already redeemed, on {format_datetime(link.used_at)}. Its key "
            f"was shown then and emailed to {link.email}. {ask}",
            code="link_used",
        )
    if link.revoked_at is not None:
        if licence.status == Licence.Status.BOUND and licence.customer_email == link.email:
            raise LinkGone(
                f"A newer link was sent to {link.email}: please use the most recent email. "
                "Older links stop working as soon as a new one is sent.",
                code="link_replaced",
            )
        raise LinkGone(
            f"This link no longer works: the licence was assigned to another recipient. {ask}",
            code="link_revoked",
        )
    if licence.status != Licence.Status.BOUND:
        raise LinkGone(
            f"This licence can no longer be redeemed "
            f"({licence.get_status_display().lower()}). {ask}",
            code="licence_not_bound",
        )
    if link.expires_at <= now:
        raise LinkGone(
            f"This link expired on {format_date(link.expires_at)}. Ask {seller}, who sold you "
            "the licence, to send you a new one.",
            code="link_expired",
        )


def live_link(licence: Licence, *, purpose: str) -> CustomerLink | None:
    """The licence's link that is neither used nor revoked (at most one), expired or not."""
    return (
        CustomerLink.objects.filter(
            licence=licence, purpose=purpose, used_at__isnull=True, revoked_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )


def licence_seats(licence: Licence) -> QuerySet[Seat]:
    return Seat.objects.filter(licence=licence).order_by("created_at", "id")
