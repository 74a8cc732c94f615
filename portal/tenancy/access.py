"""Access helpers for the reseller space's HTML views."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def member_required(view=None, *, roles: set[str] | None = None):
    """The view is for members of an active partner organisation (optionally some roles).

    Anonymous visitors go to the login page; anyone else who may not see it gets a 403.
    """

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            caller = request.caller
            if not caller.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if caller.membership is None:
                raise PermissionDenied("The reseller space is for partner members.")
            if not caller.organisation.is_active:
                raise PermissionDenied("Your organisation's reseller space is not open yet.")
            if roles is not None and caller.role not in roles:
                raise PermissionDenied("Your role does not allow this page.")
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator
