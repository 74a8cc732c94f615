"""Sessions and training: the page of upcoming sessions, the partner's registrations and
past attendance (any member; registering others is the service's admin rule)."""

from partners import roles
from tests.routes.cases import OwnData
from tests.routes.harness import first_name
from tests.sessions.factories import SessionRegistrationFactory


def _registration(tenant):
    return SessionRegistrationFactory(
        membership=tenant.membership,
        person_name=f"{first_name(tenant)} Attendee",  # a leak would show another's name
    )


ROUTES: dict[str, object] = {
    "partners:sessions": OwnData(
        "/space/sessions/",
        methods=("get", "post"),
        setup=_registration,
        roles={"get": roles.ALL, "post": roles.ALL},
    ),
}
