from partners.models import Membership


def membership_for_user(*, user) -> Membership | None:
    """The user's membership with its organisation, type and tier (one query)."""
    return (
        Membership.objects.select_related(
            "organisation", "organisation__partner_type", "organisation__tier"
        )
        .filter(user=user)
        .first()
    )
