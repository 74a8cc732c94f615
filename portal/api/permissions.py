from rest_framework.permissions import BasePermission


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


class IsChannelTeam(BasePermission):
    message = "Channel team only."

    def has_permission(self, request, view) -> bool:
        caller = getattr(request._request, "caller", None)
        return bool(caller and caller.is_staff)


def _roles_for(view) -> set[str] | None:
    by_action = getattr(view, "roles_by_action", None) or {}
    action = getattr(view, "action", None) or view.request.method.lower()
    return by_action.get(action, by_action.get("*"))
