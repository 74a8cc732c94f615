"""The dashboard's onboarding checklist: a partner's first steps, each done or not, with
where to do it. One function reads it all, in a constant number of queries (five, however
many members, invitations or records the organisation has)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from partners.models import Membership, PartnerProfile
from partners.navigation import page_allowed
from partners.selectors.agreements import AgreementState, agreement_state, current_agreement
from partners.selectors.directory import profile_is_listed
from partners.selectors.team import invitation_open_list
from partners.selectors.training import Requirement, certified_counts
from portal.formats import format_date


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    done: bool
    detail: str
    #: The page where the step is done, when the caller's role may open it.
    url_name: str | None


@dataclass(frozen=True)
class Checklist:
    items: tuple[ChecklistItem, ...]

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)


def _link(url_name: str, role: str | None) -> str | None:
    return url_name if page_allowed(url_name, role=role) else None


def _training_item(key, label, requirement: Requirement, *, role, verb) -> ChecklistItem:
    # Done once at least one person counts, or as many as the tier asks if it asks more.
    needed = max(requirement.required or 0, 1)
    people = "person" if requirement.certified == 1 else "people"
    detail = f"{requirement.certified} {people} {verb}"
    if requirement.required:
        detail += f"; your tier asks for {requirement.required}"
    return ChecklistItem(
        key=key,
        label=label,
        done=requirement.certified >= needed,
        detail=detail,
        url_name=_link("partners:training", role),
    )


def onboarding_checklist(*, organisation, role: str | None, on: datetime.date) -> Checklist:
    """The organisation's first steps, as a member of ``role`` sees them (links only to
    pages that role may open)."""
    agreement = current_agreement(organisation=organisation)
    state = agreement_state(organisation=organisation, agreement=agreement)
    if state == AgreementState.SIGNED:
        agreement_detail = (
            f"Signed by {agreement.accepted_name} on {format_date(agreement.accepted_at)}"
        )
    elif state == AgreementState.ON_FILE:
        agreement_detail = "In force, on file with the channel team"
    elif state == AgreementState.READY:
        agreement_detail = "Ready for an administrator to sign"
    else:
        agreement_detail = "Being prepared by the channel team"

    has_profile = PartnerProfile.objects.for_tenant(organisation).exists()
    # Asked with or without a profile, so the checklist's query count stays the same.
    listed = profile_is_listed(organisation=organisation)
    if listed:
        profile_detail = "Listed in the partner locator"
    elif has_profile:
        profile_detail = "Not listed yet: complete your description (30 to 100 words)"
    else:
        profile_detail = "Describe your company (30 to 100 words) to be listed"

    members = Membership.objects.for_tenant(organisation).count()
    # Accepted invitations are members already (the first administrator's among them).
    invited = invitation_open_list(organisation=organisation).exists()
    if members > 1:
        team_detail = f"{members} members"
    elif invited:
        team_detail = "Invitation sent"
    else:
        team_detail = "Invite your sales, technical and finance people"

    counts = certified_counts(organisation=organisation, on=on)
    tier = organisation.tier
    sales = Requirement(counts.sales, tier.min_certified_sales if tier else None)
    technical = Requirement(counts.technical, tier.min_certified_technical if tier else None)

    return Checklist(
        items=(
            ChecklistItem(
                key="agreement",
                label="Partner agreement signed",
                done=state in (AgreementState.SIGNED, AgreementState.ON_FILE),
                detail=agreement_detail,
                url_name=_link("partners:agreement", role),
            ),
            ChecklistItem(
                key="profile",
                label="Company profile complete and listed",
                done=listed,
                detail=profile_detail,
                url_name=_link("partners:profile", role),
            ),
            ChecklistItem(
                key="team",
                label="Team invited",
                done=members > 1 or invited,
                detail=team_detail,
                url_name=_link("partners:team", role),
            ),
            _training_item(
                "sales_training",
                "Sales training attended",
                sales,
                role=role,
                verb="trained",
            ),
            _training_item(
                "certifications",
                "Technical certification held",
                technical,
                role=role,
                verb="certified",
            ),
        )
    )
