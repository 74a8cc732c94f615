"""What the licensing pages' forms share (trials, NFR, evaluation licences): the role that
may submit them, and one service call per valid form whose ``DomainError`` shows on the
form. No pages here."""

from django.core.exceptions import PermissionDenied

from partners import roles
from portal.errors import DomainError

#: What ``submit_form`` answers when the form or the service refused the input.
REFUSED = object()


def require_manager(caller, message: str) -> None:
    """A POST by a role that may not manage licences is refused (403) before anything."""
    if caller.role not in roles.MANAGE_LICENCES:
        raise PermissionDenied(message)


def submit_form(form, service, *, caller, **kwargs):
    """Call ``service`` for the caller with the form's cleaned data (and ``kwargs``): its
    result, or ``REFUSED`` when the form is invalid or the service refused (its error is
    then on the form)."""
    if not form.is_valid():
        return REFUSED
    try:
        return service(
            actor=caller.user,
            organisation=caller.organisation,
            role=caller.role,
            **kwargs,
            **form.cleaned_data,
        )
    except DomainError as exc:
        form.add_service_error(exc)
        return REFUSED
