from rest_framework.permissions import BasePermission

from portal.permissions import staff_has_permission


class IsPartnerMember(BasePermission):
    """A member of an active partner organisation, in one of the view's roles.

    Views that are part of signing the agreement set ``allow_pending_organisation``.

    Views list the roles allowed per action in ``roles_by_action`` (``"*"`` is the default
    for every other action); with none given, every role may.
    """

    message = "This needs a member of an active partner organisation."

    def has_permission(self, request, view) -> bool:
        caller = getattr(request._request, "caller", None)
        if caller is None or caller.membership is None:
            return False
        organisation = caller.organisation
        pending_allowed = getattr(view, "allow_pending_organisation", False)
        if not (
            organisation.is_active
            or (pending_allowed and organisation.status == organisation.Status.PENDING)
        ):
            self.message = "Your organisation's reseller space is not open."
            return False
        roles = _roles_for(view)
        if roles is not None and caller.role not in roles:
            self.message = "Your role in your organisation does not allow this."
            return False
        return True


def StaffPermission(permission: str) -> type[BasePermission]:
    """A permission class for a staff API view: an active channel-team account holding the
    Django ``permission`` (``"partners.review_application"``). Being staff is not enough.
    The service called by the view checks the same permission again
    (``portal.permissions.require_staff_permission``); this refuses before any work."""

    class _StaffPermission(BasePermission):
        message = "Your channel-team account does not have the permission for this."
        required_permission = permission

        def has_permission(self, request, view) -> bool:
            caller = getattr(request._request, "caller", None)
            return bool(
                caller and caller.is_staff and staff_has_permission(caller.user, permission)
            )

    _StaffPermission.__name__ = _StaffPermission.__qualname__ = f"StaffPermission[{permission}]"
    return _StaffPermission


def _roles_for(view) -> set[str] | None:
    by_action = getattr(view, "roles_by_action", None) or {}
    action = getattr(view, "action", None) or view.request.method.lower()
    return by_action.get(action, by_action.get("*"))
