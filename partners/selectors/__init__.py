from partners.models import Membership


def membership_for_user(*, user) -> Membership | None:
    """The user's membership with its organisation, type, programme and tier (one query)."""
    return (
        Membership.objects.select_related(
            "organisation", "organisation__partner_type__programme", "organisation__tier"
        )
        .filter(user=user)
        .first()
    )
