"""What a history is made of, described before anything is written (pes.history)."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from billing.models import Order
from billing.services.invoices import REPORTING_CURRENCY
from partners.models import EngagementModel
from pes.models import PointsEntry

CERTIFICATION = "Xen Orchestra Certified Administrator"
DEAL_MODELS = (
    EngagementModel.PARTNER_OWNED,
    EngagementModel.CO_LED_PARTNER,
    EngagementModel.CO_LED_VENDOR,
)


@dataclass(frozen=True)
class Sale:
    organisation_id: uuid.UUID
    placed_on: datetime.date
    amount: Decimal  # gross: list less any charity discount, in ``currency``
    engagement_model: str = EngagementModel.LATE_INVOLVEMENT
    kind: str = Order.Kind.NEW
    previous: int | None = None  # renewal, upgrade: the sale whose licence it changes
    currency: str = REPORTING_CURRENCY
    distributor_id: uuid.UUID | None = None
    personal: bool = False
    cancelled: bool = False
    credited: Decimal = Decimal("0")  # a credit note of this gross amount, a week later
    discount_percent: Decimal = Decimal("20")
    quantity: int = 1


@dataclass(frozen=True)
class Points:
    organisation_id: uuid.UUID
    earned_on: datetime.date
    points: int
    kind: str = PointsEntry.Kind.ADJUSTMENT
    activity: object = None  # pes.Activity: required for an event or a claim
    description: str = "Engagement before the points ledger"


@dataclass(frozen=True)
class Person:
    """A member, as the records about them need them."""

    membership_id: uuid.UUID
    organisation_id: uuid.UUID
    name: str
    email: str

    @classmethod
    def of(cls, membership) -> Person:
        return cls(
            membership.pk,
            membership.organisation_id,
            membership.user.full_name or membership.user.email,
            membership.user.email,
        )


@dataclass
class History:
    sales: list[Sale] = field(default_factory=list)
    points_entries: list[Points] = field(default_factory=list)
    attendances: list[tuple[Person, datetime.date]] = field(default_factory=list)
    trainings: list[tuple[Person, datetime.date]] = field(default_factory=list)
    certifications: list[tuple[Person, datetime.date, datetime.date | None, str]] = field(
        default_factory=list
    )

    def sale(self, organisation_id, placed_on, amount, **kwargs) -> int:
        """Add a sale; its index, for a later renewal or upgrade (``previous``)."""
        sale = Sale(organisation_id, placed_on, Decimal(amount), **kwargs)
        if sale.previous is not None:
            earlier = self.sales[sale.previous]
            if earlier.organisation_id != sale.organisation_id or earlier.personal:
                raise ValueError("a renewal or upgrade changes a licence its partner sold")
            if sale.kind == Order.Kind.NEW:
                raise ValueError("a new sale changes no earlier licence")
        elif sale.kind != Order.Kind.NEW:
            raise ValueError("a renewal or upgrade names the sale whose licence it changes")
        self.sales.append(sale)
        return len(self.sales) - 1

    def points(self, organisation_id, earned_on, points, **kwargs) -> None:
        self.points_entries.append(Points(organisation_id, earned_on, points, **kwargs))

    def attended(self, person: Person, on: datetime.date) -> None:
        """``person`` attended the history webinar of ``on``'s month."""
        self.attendances.append((person, on))

    def trained(self, person: Person, on: datetime.date) -> None:
        self.trainings.append((person, on))

    def certified(
        self,
        person: Person,
        obtained_on: datetime.date,
        expires_on: datetime.date | None = None,
        name: str = CERTIFICATION,
    ) -> None:
        self.certifications.append((person, obtained_on, expires_on, name))


def day_in(quarter, k: int, n: int) -> datetime.date:
    """The ``k``-th of ``n`` days spread evenly over ``quarter`` (pes.quarters.Quarter),
    never its first or last day: sales of a quarter stay inside it."""
    days = (quarter.end - quarter.start).days - 1
    return quarter.start + datetime.timedelta(days=1 + (days * (2 * k + 1)) // (2 * n))
