"""What the channel team sees when reviewing an application."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from partners.models import Organisation, PartnerApplication
from partners.selectors.programme import is_embargoed, regions_embargoed


@dataclass(frozen=True)
class ApplicationCheck:
    label: str
    passed: bool
    detail: str = ""


def application_checks(*, application: PartnerApplication) -> list[ApplicationCheck]:
    """Checks shown to the reviewer (SPEC §3.8; Mattermost's criteria where the programme
    sets them). Advice for the reviewer, not gates: the embargo is refused at submission."""
    programme = application.programme
    checks = [
        ApplicationCheck(
            "Country not under embargo",
            not is_embargoed(
                programme=programme,
                country=application.country.code,
                region=application.region,
            ),
            application.country.name,
        )
    ]
    regions = regions_embargoed(programme=programme, country=application.country.code)
    if regions:
        checks.append(
            ApplicationCheck(
                "Region outside embargoed regions",
                bool(application.region)
                and not is_embargoed(
                    programme=programme,
                    country=application.country.code,
                    region=application.region,
                ),
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
    duplicate = Organisation.objects.filter(name__iexact=application.company_name)
    if application.organisation_id:
        duplicate = duplicate.exclude(pk=application.organisation_id)
    checks.append(
        ApplicationCheck("Not already a partner", not duplicate.exists(), "matched by company name")
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
