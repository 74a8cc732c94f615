"""Reading training and certification records (SPEC §3.8) and what they count towards the
tier requirements "certified sales professionals" and "certified technical experts" (§3.2).

Only current members count: a record whose person left (membership set to null) stays for
the history but no longer counts, and a person with several records counts once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, OuterRef, Q, QuerySet, Value, When

from partners.models import Membership, Organisation, SalesTraining, TechnicalCertification

# A certification expiring within this many days is flagged "expires soon".
EXPIRY_WARNING_DAYS = 60


class CertificationStatus:
    VALID = "valid"
    EXPIRES_SOON = "expires_soon"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"


@dataclass(frozen=True)
class CertifiedCounts:
    sales: int
    technical: int


@dataclass(frozen=True)
class Requirement:
    """One training requirement of the organisation's current tier."""

    certified: int
    required: int | None  # None: the tier does not ask for it (or there is no tier)

    @property
    def applies(self) -> bool:
        return self.required is not None

    @property
    def met(self) -> bool | None:
        return None if self.required is None else self.certified >= self.required


@dataclass(frozen=True)
class TrainingSummary:
    organisation: Organisation
    on: datetime.date
    sales: Requirement
    technical: Requirement


def _sales_trained_by(*, organisation, on: datetime.date) -> QuerySet:
    return SalesTraining.objects.filter(
        organisation=organisation, membership=OuterRef("pk"), attended_on__lte=on
    )


def _certified_on(*, organisation, on: datetime.date) -> QuerySet:
    return TechnicalCertification.objects.filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on),
        organisation=organisation,
        membership=OuterRef("pk"),
        obtained_on__lte=on,
    )


def certified_counts(*, organisation, on: datetime.date) -> CertifiedCounts:
    """How many distinct current members of the organisation, on the given day, had
    attended the sales training (on or before that day) and held a valid technical
    certification (obtained on or before it, not expired before it). One query.

    Counting memberships (not records) makes each person count once however many records
    they have; the records must belong to the organisation as well as the membership.
    """
    counts = Membership.objects.for_tenant(organisation).aggregate(
        sales=Count("pk", filter=Q(Exists(_sales_trained_by(organisation=organisation, on=on)))),
        technical=Count("pk", filter=Q(Exists(_certified_on(organisation=organisation, on=on)))),
    )
    return CertifiedCounts(sales=counts["sales"], technical=counts["technical"])


def training_summary(*, organisation, on: datetime.date) -> TrainingSummary:
    """The counts beside the current tier's requirements (None where it asks nothing)."""
    counts = certified_counts(organisation=organisation, on=on)
    tier = organisation.tier
    return TrainingSummary(
        organisation=organisation,
        on=on,
        sales=Requirement(
            certified=counts.sales, required=tier.min_certified_sales if tier else None
        ),
        technical=Requirement(
            certified=counts.technical, required=tier.min_certified_technical if tier else None
        ),
    )


def sales_training_list(*, organisation) -> QuerySet[SalesTraining]:
    """The organisation's sales training attendances, latest first."""
    return SalesTraining.objects.for_tenant(organisation).order_by(
        "-attended_on", "person_name", "pk"
    )


def certifications_with_status(queryset: QuerySet, *, on: datetime.date) -> QuerySet:
    """Annotate each certification with its ``status`` on the given day (a
    ``CertificationStatus`` value)."""
    soon = on + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    return queryset.annotate(
        status=Case(
            When(obtained_on__gt=on, then=Value(CertificationStatus.NOT_YET_VALID)),
            When(expires_on__lt=on, then=Value(CertificationStatus.EXPIRED)),
            When(expires_on__lte=soon, then=Value(CertificationStatus.EXPIRES_SOON)),
            default=Value(CertificationStatus.VALID),
        ),
    )


def certification_list(*, organisation, on: datetime.date) -> QuerySet[TechnicalCertification]:
    """The organisation's technical certifications with their status on the given day,
    latest first."""
    queryset = TechnicalCertification.objects.for_tenant(organisation).order_by(
        "-obtained_on", "person_name", "pk"
    )
    return certifications_with_status(queryset, on=on)
