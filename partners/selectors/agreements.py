from partners.models import Agreement


def current_agreement(*, organisation) -> Agreement | None:
    """The organisation's latest agreement (the one to sign, or the one signed)."""
    return (
        Agreement.objects.for_tenant(organisation)
        .select_related("accepted_by")
        .order_by("-created_at")
        .first()
    )
