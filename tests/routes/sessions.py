"""Sessions and training: the page and the API of upcoming sessions, the partner's
registrations and past attendance (any member; registering others is the service's admin
rule). Sessions are programme data: each tenant's session is offered to its own partner
type only, so another tenant never lists it and gets 404 for its URLs."""

from partners import roles
from tests.routes.cases import OwnData, TenantCollection, TenantObject
from tests.routes.harness import first_name
from tests.sessions.factories import SessionFactory, SessionRegistrationFactory


def _registration(tenant):
    return SessionRegistrationFactory(
        membership=tenant.membership,
        person_name=f"{first_name(tenant)} Attendee",  # a leak would show another's name
    )


def _session(tenant):
    # Its title names the tenant: the list shows its own, and no other tenant's.
    session = SessionFactory(title=f"{tenant.organisation.name} webinar")
    session.partner_types.set([tenant.organisation.partner_type])
    return session


def _booked(tenant):
    """A registration made through the service (its seat taken), for the cancel route."""
    from partners.services.sessions import session_register
    from tests.tenancy_support import observer

    with observer():
        return session_register(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            session_id=_session(tenant).pk,
        )


_ANY = {"get": roles.ALL, "post": roles.ALL}

ROUTES: dict[str, object] = {
    # Session ids are integers (a list's body would "show" any number): the list is
    # checked by name, each tenant's session offered to its own partner type only.
    "api:sessions-list": OwnData("/api/v1/sessions", setup=_session),
    "api:sessions-registrations": TenantObject(
        "/api/v1/sessions/{id}/registrations",
        make=_session,
        methods=("get", "post"),
        roles=_ANY,
        data={"post": {}},
    ),
    "api:session-registrations": TenantCollection(
        "/api/v1/session-registrations", make=_registration
    ),
    "api:session-registrations-cancel": TenantObject(
        "/api/v1/session-registrations/{id}/cancel",
        make=_booked,
        methods=("post",),
        roles=_ANY,
    ),
    "partners:sessions": OwnData(
        "/space/sessions/",
        methods=("get", "post"),
        setup=_registration,
        roles={"get": roles.ALL, "post": roles.ALL},
    ),
}
