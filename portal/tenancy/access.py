"""Access helpers for the reseller space's HTML views."""

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect


def member_required(view=None, *, roles: set[str] | None = None, allow_pending: bool = False):
    """The view is for members of an active partner organisation (optionally some roles).

    Anonymous visitors go to the login page; members of an organisation that has not yet
    signed its agreement go to TENANCY_PENDING_URL (unless the view is part of signing,
    ``allow_pending``); anyone else who may not see it gets a 403.
    """

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            caller = request.caller
            if not caller.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if caller.membership is None:
                raise PermissionDenied("The reseller space is for partner members.")
            organisation = caller.organisation
            if organisation.status == organisation.Status.PENDING and not allow_pending:
                return redirect(settings.TENANCY_PENDING_URL)
            if organisation.status == organisation.Status.SUSPENDED:
                raise PermissionDenied("Your organisation's reseller space is suspended.")
            if roles is not None and caller.role not in roles:
                raise PermissionDenied("Your role does not allow this page.")
            return view_func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator
