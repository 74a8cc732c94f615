"""Runs every view inside the caller's database context.

ATOMIC_REQUESTS would wrap only the view, and middleware runs in autocommit, where a
transaction-local setting is silently dropped. So this middleware (the last one) opens the
request's transaction itself, sets role/tenant/bypass in it, calls the view (whose own
atomic blocks become savepoints), rolls back if the response is a server error (a view that
wrote and then failed must not leave its write committed), and commits.
"""

from django.db import transaction

from portal.tenancy.caller import Caller, lookup_membership, resolve_user
from portal.tenancy.context import context_for, resolving_context


class TenancyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user, via = resolve_user(request)
        caller = Caller(user=user, via=via)
        request.caller = caller
        if via == "token":
            request.user = user

        def resolve():
            if caller.is_staff:
                return context_for(system_reason=f"staff:{user.pk}")
            if caller.is_authenticated:
                caller.membership = lookup_membership(user)
                if caller.membership is not None:
                    return context_for(organisation_id=caller.membership.organisation_id)
            return context_for()

        needs_lookup = caller.is_authenticated and not caller.is_staff
        with resolving_context(resolve, needs_lookup=needs_lookup):
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)
        return response
