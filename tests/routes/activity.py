"""Activity: the organisation's audit trail, for its administrators (page and API)."""

from partners import roles
from portal.audit.services import audit_record
from tests.partners.factories_team import member_of
from tests.routes.cases import OwnData, TenantCollection
from tests.tenancy_support import observer


def _audited_member(tenant):
    """A member whose role change was recorded: the event's object is the member, so the
    list shows that member's id (events themselves expose no id)."""
    member = member_of(tenant)
    with observer():
        audit_record(
            actor=None,
            action="membership.role_changed",
            obj=member,
            organisation=tenant.organisation,
            before={"role": "sales"},
            after={"role": "finance"},
            summary="role changed",
        )
    return member


def _event_naming_the_organisation(tenant):
    """Every tenant's trail names its organisation: a leak would show another's name."""
    organisation = tenant.organisation
    with observer():
        audit_record(
            actor=None,
            action="organisation.activated",
            obj=organisation,
            organisation=organisation,
            summary=f"{organisation.name} ({organisation.pk}) is active",
        )


ROUTES: dict[str, object] = {
    "api:activity-list": TenantCollection(
        "/api/v1/activity", make=_audited_member, roles={"get": roles.VIEW_ACTIVITY}
    ),
    "partners:activity": OwnData(
        "/space/activity/",
        setup=_event_naming_the_organisation,
        roles={"get": roles.VIEW_ACTIVITY},
    ),
}
