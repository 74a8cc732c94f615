"""Reading licences (SPEC §3.7): a partner's own, and for a distributor also those it
supplied to its resellers (read-only: ``licence_is_supplied``).

Every read goes through ``licences_for`` (the tenant's rows, as the database's policy
allows them) and ``licence_for`` (one of them, or 404 for a missing and for someone else's
alike). Each list costs the same number of queries whatever its length.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from licensing.models import Licence, LicenceEvent, Product
from licensing.selectors.catalogue import entitlement_lines, quantity_words
from portal.tenancy.models import get_for_tenant_or_404

#: A licence that ends within this many days is shown as ending soon.
ENDING_SOON_DAYS = 30


def licences_for(*, organisation) -> QuerySet[Licence]:
    """The organisation's licences and, for a distributor, those it supplied: newest
    first, with what a list row shows (product, owner, distributor) in the same query."""
    return (
        Licence.objects.for_tenant(organisation)
        .select_related("product", "organisation", "distributor")
        .order_by("-created_at", "-id")
    )


def licence_for(*, organisation, licence_id: UUID | str) -> Licence:
    """One licence the organisation may read, with its history in order (one more
    query); 404 when it is missing or not the organisation's to read."""
    queryset = licences_for(organisation=organisation).prefetch_related(
        Prefetch("events", queryset=LicenceEvent.objects.order_by("at", "id"))
    )
    return get_for_tenant_or_404(queryset, organisation, id=licence_id)


def licence_is_supplied(licence: Licence, *, organisation) -> bool:
    """Whether ``organisation`` reads this licence only as the distributor that supplied
    it (it may not bind or change it)."""
    return licence.organisation_id != organisation.pk


def licence_is_bindable_kind(licence: Licence) -> bool:
    """Whether the licence is of the kind a partner binds to an end customer."""
    return licence.kind == Licence.Kind.CUSTOMER


def licence_product_choices(*, organisation) -> list[tuple[str, str]]:
    """The products a licence list may be filtered by: the organisation's programme's
    catalogue, withdrawn products included (licences of them still exist). One query."""
    return [
        (code, f"{family} {name}".strip())
        for code, family, name in Product.objects.filter(
            programme_id=organisation.partner_type.programme_id
        )
        .order_by("position", "name", "code")
        .values_list("code", "family", "name")
    ]


@dataclass(frozen=True)
class LicenceSummary:
    """What waits for the organisation among its own customer licences (binding,
    redemption), what ends soon, and how many it reads as a distributor: one query."""

    awaiting_binding: int
    awaiting_redemption: int
    ending_soon: int
    supplied: int


def licence_summary(*, organisation, today: datetime.date | None = None) -> LicenceSummary:
    today = today or timezone.localdate()
    own = Q(organisation=organisation)
    sold = own & Q(kind=Licence.Kind.CUSTOMER)
    counts = (
        Licence.objects.for_tenant(organisation)
        .order_by()
        .aggregate(
            awaiting_binding=Count("id", filter=sold & Q(status=Licence.Status.UNBOUND)),
            awaiting_redemption=Count("id", filter=sold & Q(status=Licence.Status.BOUND)),
            ending_soon=Count(
                "id",
                filter=own
                & Q(
                    status=Licence.Status.ACTIVE,
                    ends_on__gte=today,
                    ends_on__lte=today + datetime.timedelta(days=ENDING_SOON_DAYS),
                ),
            ),
            supplied=Count("id", filter=~own),
        )
    )
    return LicenceSummary(**counts)


# --- Presenting a licence -----------------------------------------------------------------


@dataclass(frozen=True)
class LicenceState:
    """How a licence's status reads on a page: its badge, what it waits for, and how
    long it has left."""

    label: str
    badge: str  # a Bootstrap text-bg-* colour
    awaiting: str  # "" or what the partner or the customer must do next
    days_left: int | None  # None once it has ended or was cancelled
    ends_in: str  # "Ends in 12 days", "Ended 3 days ago", ""
    ending_soon: bool


_BADGES = {
    Licence.Status.UNBOUND: ("Not bound", "warning"),
    Licence.Status.BOUND: ("Awaiting redemption", "info"),
    Licence.Status.ACTIVE: ("Active", "success"),
    Licence.Status.EXPIRED: ("Expired", "secondary"),
    Licence.Status.CANCELLED: ("Cancelled", "dark"),
}

_AWAITING = {
    Licence.Status.UNBOUND: "Awaits binding to a customer",
    Licence.Status.BOUND: "Awaits redemption by the customer",
}


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def licence_state(licence: Licence, *, today: datetime.date | None = None) -> LicenceState:
    today = today or timezone.localdate()
    label, badge = _BADGES.get(licence.status, (licence.get_status_display(), "secondary"))
    if licence.status == Licence.Status.UNBOUND and not licence_is_bindable_kind(licence):
        # Not bound, and never to be: a trial runs for its prospect, an NFR or evaluation
        # licence is the partner's own.
        label, badge = ("Running" if licence.kind == Licence.Kind.TRIAL else "Issued"), "primary"
    days_left = None
    ends_in = ""
    if licence.status != Licence.Status.CANCELLED:
        remaining = (licence.ends_on - today).days
        if remaining > 0:
            days_left = remaining
            ends_in = f"Ends in {_days(remaining)}"
        elif remaining == 0:
            days_left = 0
            ends_in = "Ends today"
        else:
            ends_in = f"Ended {_days(-remaining)} ago"
    return LicenceState(
        label=label,
        badge=badge,
        # Only a licence sold to a customer is bound and redeemed (a trial names its
        # prospect; NFR and evaluation licences are the partner's own).
        awaiting=_AWAITING.get(licence.status, "") if licence_is_bindable_kind(licence) else "",
        days_left=days_left,
        ends_in=ends_in,
        ending_soon=days_left is not None and days_left <= ENDING_SOON_DAYS,
    )


@dataclass(frozen=True)
class LicenceView:
    """A licence as the reseller space shows it."""

    licence: Licence
    state: LicenceState
    quantity: str  # "3 hosts"
    supplied: bool  # read as its distributor
    entitlements: list[str]
    bind_url: str | None = None  # set by the page for a caller who may bind it


def licence_view(licence: Licence, *, organisation, today=None) -> LicenceView:
    """No queries (the product and owner come with ``licences_for``)."""
    return LicenceView(
        licence=licence,
        state=licence_state(licence, today=today),
        quantity=quantity_words(licence.quantity, licence.product.quantity_noun),
        supplied=licence_is_supplied(licence, organisation=organisation),
        entitlements=entitlement_lines(licence.entitlements),
    )
