"""Team: members and invitations (API), the team page and the member removal page, and
the public invitation acceptance page."""

from partners import roles
from tests.partners.factories_team import InvitationFactory, member_of
from tests.routes.cases import OwnData, Public, TenantCollection, TenantObject
from tests.routes.harness import LEGAL_NAME


def _invitation(tenant):
    return InvitationFactory(organisation=tenant.organisation)


def _invitation_link(tenant) -> dict:
    token = f"cross-tenant-{tenant.organisation.pk}"
    InvitationFactory(organisation=tenant.organisation, token=token)
    return {"token": token}


ROUTES: dict[str, object] = {
    "api:members-list": TenantCollection(
        "/api/v1/members",
        make=member_of,
        methods=("get", "post"),
        roles={"post": roles.MANAGE_TEAM},
        data={"post": {"email": "newcomer@elsewhere.example", "role": "sales"}},
    ),
    # A non-admin member, so that a DELETE by its own tenant would be legal.
    "api:members-detail": TenantObject(
        "/api/v1/members/{id}",
        make=member_of,
        methods=("get", "patch", "delete"),
        roles={"patch": roles.MANAGE_TEAM, "delete": roles.MANAGE_TEAM},
        data={"patch": {"role": "technical"}},
    ),
    "api:invitations-list": TenantCollection(
        "/api/v1/invitations", make=_invitation, roles={"get": roles.MANAGE_TEAM}
    ),
    "api:invitations-detail": TenantObject(
        "/api/v1/invitations/{id}",
        make=_invitation,
        methods=("get", "delete"),
        roles={"get": roles.MANAGE_TEAM, "delete": roles.MANAGE_TEAM},
    ),
    "partners:team": OwnData(
        "/space/team/",
        methods=("get", "post"),
        roles={"post": roles.MANAGE_TEAM},
        data={"post": {"action": "invite", "email": "newcomer@elsewhere.example", "role": "sales"}},
    ),
    "partners:team_member_remove": TenantObject(
        "/space/team/members/{id}/remove/",
        make=member_of,
        methods=("get", "post"),
        roles={"get": roles.MANAGE_TEAM, "post": roles.MANAGE_TEAM},
    ),
    "partners:invitation_accept": Public(
        "the emailed invitation link: its token is the credential (tests/partners/test_team.py)",
        path="/invitations/{token}/",
        make=_invitation_link,
        discloses=frozenset({LEGAL_NAME}),
    ),
}
