"""What the channel team may do: Django permissions, checked here and nowhere else.

Every staff action (an application decision, a training record, an edit made in the admin,
and later deal, payment and claim decisions) names a Django permission: a model Meta
permission for a decision (``partners.review_application``), the model's own
``change_``/``add_``/``delete_`` permission for an edit. The service that does the action
refuses an actor without it (``require_staff_permission``), so the admin, the staff API and
any later caller are covered by one check; the API's ``StaffPermission`` and the admin ask
``staff_has_permission`` only to refuse early and to offer only what may be done.

Being staff (``is_staff``) lets a person into the admin and the staff API; it grants no
action by itself. Superusers hold every permission (Django's ``has_perm``).
"""

from __future__ import annotations

from portal.errors import Forbidden


def staff_has_permission(user, permission: str) -> bool:
    """Whether ``user`` is an active channel-team account holding ``permission``
    (``"app_label.codename"``). Partner accounts never pass, whatever they were given."""
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.has_perm(permission)
    )


def require_staff_permission(actor, permission: str, message: str | None = None) -> None:
    """Raise ``Forbidden`` unless ``actor`` may do what ``permission`` names."""
    if not staff_has_permission(actor, permission):
        raise Forbidden(
            message or "Your channel-team account does not have the permission for this.",
            code="permission_denied",
        )
