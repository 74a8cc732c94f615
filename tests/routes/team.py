"""Team: members and invitations (API), the team page and the member removal page."""

from tests.partners.factories_team import InvitationFactory, member_of
from tests.routes.cases import OwnData, TenantCollection, TenantObject


def _invitation(tenant):
    return InvitationFactory(organisation=tenant.organisation)


ROUTES: dict[str, object] = {
    "api:members-list": TenantCollection("/api/v1/members", make=member_of),
    # A non-admin member, so that a DELETE by its own tenant would be legal.
    "api:members-detail": TenantObject(
        "/api/v1/members/{id}", make=member_of, methods=("get", "patch", "delete")
    ),
    "api:invitations-list": TenantCollection("/api/v1/invitations", make=_invitation),
    "api:invitations-detail": TenantObject(
        "/api/v1/invitations/{id}", make=_invitation, methods=("get", "delete")
    ),
    "partners:team": OwnData("/space/team/"),
    "partners:team_member_remove": TenantObject(
        "/space/team/members/{id}/remove/", make=member_of, methods=("get", "post")
    ),
}
