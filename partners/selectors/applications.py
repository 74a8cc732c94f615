"""What the channel team sees when reviewing an application."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import ExpressionWrapper
from django.utils import timezone

from partners.models import Organisation, PartnerApplication
from partners.selectors.programme import (
    embargo_matches,
    embargoed_region_names,
    programme_embargoes,
)
from portal.admin_site import QueueCounts


@dataclass(frozen=True)
class ApplicationCheck:
    label: str
    passed: bool
    detail: str = ""


def _partners_named_like(*, company_name, application) -> QuerySet[Organisation]:
    """Organisations with the applicant's name, other than the one its approval created.
    Given values, or ``OuterRef``s when it annotates a list."""
    return Organisation.objects.filter(name__iexact=company_name).exclude(application=application)


def applications_for_review(queryset: QuerySet | None = None) -> QuerySet[PartnerApplication]:
    """Applications with everything their checks and age read, in a fixed number of
    queries however many rows: programme and type joined, the programmes' embargo entries
    prefetched, and ``named_like_partner`` annotated. ``application_checks`` then runs no
    query per row."""
    queryset = PartnerApplication.objects.all() if queryset is None else queryset
    return (
        queryset.select_related("programme", "partner_type")
        .prefetch_related("programme__embargoes")
        .annotate(
            named_like_partner=Exists(
                _partners_named_like(
                    company_name=OuterRef("company_name"), application=OuterRef("pk")
                )
            )
        )
    )


def application_queue(*, status: str | None = None) -> QuerySet[PartnerApplication]:
    """The review queue, oldest first (the id breaks ties, so pages never overlap)."""
    queryset = applications_for_review().order_by("submitted_at", "id")
    return queryset.filter(status=status) if status else queryset


#: Waiting for the channel team: submitted, or answered after a request for information
#: (the applicant's reply puts it back to "submitted").
WAITING = PartnerApplication.Status.SUBMITTED
OPEN = (PartnerApplication.Status.SUBMITTED, PartnerApplication.Status.INFO_REQUESTED)


def _due_at():
    """When an application's review is due: submitted + its programme's review days, in
    SQL (the rule of ``application_age``, for filters and counts over many rows)."""
    return ExpressionWrapper(
        F("submitted_at")
        + ExpressionWrapper(
            F("programme__application_review_days") * Value(timedelta(days=1)),
            output_field=DurationField(),
        ),
        output_field=DateTimeField(),
    )


def applications_late(queryset: QuerySet[PartnerApplication]) -> QuerySet[PartnerApplication]:
    """The open applications of ``queryset`` that are past their programme's review time."""
    return (
        queryset.filter(status__in=OPEN)
        .alias(review_due_at=_due_at())
        .filter(review_due_at__lt=timezone.now())
    )


def application_queue_counts() -> QueueCounts:
    """The admin home's application queue: how many wait for a decision and how many of
    those are past the review time. One query, however many applications."""
    counts = (
        PartnerApplication.objects.filter(status=WAITING)
        .alias(review_due_at=_due_at())
        .aggregate(
            waiting=Count("pk"),
            late=Count("pk", filter=Q(review_due_at__lt=timezone.now())),
        )
    )
    return QueueCounts(waiting=counts["waiting"], late=counts["late"])


def application_checks(*, application: PartnerApplication) -> list[ApplicationCheck]:
    """Checks shown to the reviewer (SPEC §3.8; Mattermost's criteria where the programme
    sets them). Advice for the reviewer, not gates: the embargo is refused at submission.

    No query for an application read through ``applications_for_review``; one or two for
    any other."""
    programme = application.programme
    country = application.country.code
    embargoes = programme_embargoes(programme=programme, country=country)
    checks = [
        ApplicationCheck(
            "Country not under embargo",
            not embargo_matches(embargoes, region=application.region),
            application.country.name,
        )
    ]
    regions = embargoed_region_names(embargoes)
    if regions:
        checks.append(
            ApplicationCheck(
                "Region outside embargoed regions",
                bool(application.region)
                and not embargo_matches(embargoes, region=application.region),
                f"Given: {application.region or 'none'}; embargoed: {', '.join(regions)}",
            )
        )
    if programme.min_years_in_operation:
        checks.append(
            ApplicationCheck(
                f"At least {programme.min_years_in_operation} years of operation",
                application.years_in_operation >= programme.min_years_in_operation,
                f"{application.years_in_operation} years",
            )
        )
    if programme.requires_named_customer:
        checks.append(
            ApplicationCheck(
                "Names a customer to resell to",
                bool(application.customer_to_resell_to.strip()),
                application.customer_to_resell_to or "none named",
            )
        )
    named_like_partner = getattr(application, "named_like_partner", None)
    if named_like_partner is None:
        named_like_partner = _partners_named_like(
            company_name=application.company_name, application=application
        ).exists()
    checks.append(
        ApplicationCheck(
            "Not already a partner",
            not named_like_partner,
            "A partner of that name exists"
            if named_like_partner
            else "No existing partner of that name",
        )
    )
    return checks


def application_age(*, application: PartnerApplication) -> tuple[timedelta, bool]:
    """How long the application has waited, and whether that is past the programme's
    review time (open applications only are ever late)."""
    end = application.decided_at or timezone.now()
    age = end - application.submitted_at
    late = application.is_open and age > timedelta(
        days=application.programme.application_review_days
    )
    return age, late
