"""What the cross-tenant test needs besides the route table: a caller for every role of
every tenant, private data to look for, and a digest of the database to compare."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from partners.models import Membership, Organisation, PartnerProfile
from tests.factories import PASSWORD, MembershipFactory
from tests.partners.factories_contact import ContactRequestFactory
from tests.partners.factories_directory import DESCRIPTION, PartnerProfileFactory
from tests.partners.factories_onboarding import AgreementFactory, PartnerApplicationFactory
from tests.partners.factories_team import InvitationFactory
from tests.partners.factories_training import SalesTrainingFactory
from tests.tenancy_support import observer

ROLES = tuple(Membership.Role.values)
VIAS = ("token", "cookie")


def observe():
    """A context in which the test sees every tenant's rows, as the factories write them."""
    return observer()


# --- Callers --------------------------------------------------------------------------


def token_client(user) -> APIClient:
    """Logged in the way apps do: allauth headless login, then the X-Session-Token."""
    client = APIClient()
    response = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": user.email, "password": PASSWORD},
        format="json",
    )
    assert response.status_code == 200, response.content
    client.credentials(HTTP_X_SESSION_TOKEN=response.json()["meta"]["session_token"])
    return client


def cookie_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def client_for(user, via: str):
    return token_client(user) if via == "token" else cookie_client(user)


@dataclass
class Caller:
    tenant: object  # tests.conftest.Tenant
    role: str
    via: str
    client: object

    def __str__(self) -> str:
        first = self.tenant.organisation.name.split()[0].lower()
        return f"{first}/{self.role}/{self.via}"


def _domain(tenant) -> str:
    return tenant.admin.email.split("@", 1)[1]


def first_name(tenant) -> str:
    return tenant.organisation.name.split()[0]


def member_with_role(tenant, role: str) -> Membership:
    """The tenant's member with that role: the fixture's admin, or one made here."""
    if role == Membership.Role.ADMIN:
        return tenant.membership
    return MembershipFactory(
        organisation=tenant.organisation, role=role, user__email=f"{role}@{_domain(tenant)}"
    )


def callers(tenants) -> list[Caller]:
    """Every role of every tenant. Administrators come through both the session token
    and the session cookie; the other roles through one each, alternating by tenant and
    role, so that every role and every tenant is seen both ways (what a role may do is
    decided after the caller is resolved, the same way for both)."""
    found = []
    for t, tenant in enumerate(tenants):
        for r, role in enumerate(ROLES):
            user = member_with_role(tenant, role).user
            vias = VIAS if role == Membership.Role.ADMIN else (VIAS[(t + r) % 2],)
            found.extend(Caller(tenant, role, via, client_for(user, via)) for via in vias)
    return found


def supply(reseller, distributor) -> None:
    """Two-tier distribution, so that the tenants are related as in production: a row
    placed through the distributor (``distributor`` set: orders, quotes, licences) is
    readable by it, never writable (tests/test_cross_tenant.py expects 200 on GET and 404
    on every other method from the distributor, 404 from everyone else)."""
    with observe():
        Organisation.objects.filter(pk=reseller.organisation.pk).update(
            distributor=distributor.organisation
        )
    reseller.organisation.distributor = distributor.organisation


def set_status(tenants, status: str) -> None:
    ids = [tenant.organisation.pk for tenant in tenants]
    with observe():
        Organisation.objects.filter(pk__in=ids).update(status=status)
    for tenant in tenants:
        tenant.organisation.status = status


# --- Private data ---------------------------------------------------------------------

#: The kinds of tenant-private data planted for the public routes; a ``Public`` case
#: names those it may show of its own subject in ``discloses``.
LEGAL_NAME = "legal name"
MEMBER_EMAIL = "member email"
INVITATION_EMAIL = "invitation email"
AGREEMENT_SIGNATORY = "agreement signatory"
APPLICATION = "application"
TRAINING = "training record"
CONTACT_REQUEST = "contact request"
MARKER_KINDS = (
    LEGAL_NAME,
    MEMBER_EMAIL,
    INVITATION_EMAIL,
    AGREEMENT_SIGNATORY,
    APPLICATION,
    TRAINING,
    CONTACT_REQUEST,
)


def public_profile(tenant) -> PartnerProfile:
    """The tenant's locator profile (public by design), made once."""
    with observe():
        profile = PartnerProfile.objects.filter(organisation=tenant.organisation).first()
    if profile is None:
        profile = PartnerProfileFactory(
            organisation=tenant.organisation,
            display_name=public_name(tenant),
            description=DESCRIPTION,
            country=tenant.organisation.country,
        )
    return profile


def public_name(tenant) -> str:
    return f"{first_name(tenant)} Listed Storefront"


def plant_private_data(tenant) -> dict[str, tuple[str, ...]]:
    """Rows that only the tenant's own members may see, each carrying a recognisable
    string; returns those strings by kind. The tenant also gets its public profile."""
    first, domain = first_name(tenant), _domain(tenant)
    public_profile(tenant)
    member = MembershipFactory(
        organisation=tenant.organisation,
        role=Membership.Role.SALES,
        user__email=f"private.member@{domain}",
        user__full_name=f"Private Member {first}",
    )
    invitation = InvitationFactory(organisation=tenant.organisation, email=f"invitee@{domain}")
    agreement = AgreementFactory(
        organisation=tenant.organisation,
        accepted_by=tenant.admin,
        accepted_at=timezone.now(),
        accepted_name=f"Private Signatory {first}",
        accepted_ip="203.0.113.77",
    )
    application = PartnerApplicationFactory(
        organisation=tenant.organisation,
        company_name=tenant.organisation.name,
        contact_name=f"Private Contact {first}",
        contact_email=f"private.contact@{domain}",
        expectations=f"Private expectations of {first}",
    )
    training = SalesTrainingFactory(
        organisation=tenant.organisation,
        membership=None,
        person_name=f"Private Trainee {first}",
        person_email=f"private.trainee@{domain}",
    )
    contact_request = ContactRequestFactory(
        organisation=tenant.organisation,
        name=f"Private Visitor {first}",
        email=f"private.visitor@{domain}",
        message=f"Private message to {first}",
    )
    return {
        LEGAL_NAME: (tenant.organisation.name,),
        MEMBER_EMAIL: (tenant.admin.email, member.user.email, member.user.full_name),
        INVITATION_EMAIL: (invitation.email,),
        AGREEMENT_SIGNATORY: (agreement.accepted_name, agreement.accepted_ip),
        APPLICATION: (application.contact_name, application.contact_email),
        TRAINING: (training.person_name, training.person_email),
        CONTACT_REQUEST: (contact_request.name, contact_request.email, contact_request.message),
    }


# --- The database, digested ------------------------------------------------------------


def _owner(model, alias: str, depth: int = 0) -> tuple[str, str] | None:
    """(joins, expression) giving the organisation a row of ``model`` belongs to: the
    organisation itself, its ``organisation`` foreign key, or any foreign-key chain to a
    table that has one (an invoice line through its invoice); None for shared tables."""
    organisation = apps.get_model(settings.TENANCY_ORGANISATION_MODEL)
    # django-simple-history's tables mirror their model's columns (``instance_type``).
    if organisation in (model, getattr(model, "instance_type", None)):
        return "", f'{alias}."id"'
    keys = [f for f in model._meta.concrete_fields if f.is_relation]  # FK and one-to-one
    for field in keys:
        if field.name == "organisation" and field.related_model is organisation:
            return "", f'{alias}."{field.column}"'
    if depth >= 3:
        return None
    for field in keys:
        if field.related_model is organisation:
            continue  # another role of an organisation (a distributor): not the owner
        parent = _owner(field.related_model, f"p{depth}", depth + 1)
        if parent is not None:
            target = field.target_field.column
            joins = (
                f' LEFT JOIN "{field.related_model._meta.db_table}" p{depth}'
                f' ON p{depth}."{target}" = {alias}."{field.column}"'
            )
            return joins + parent[0], parent[1]
    return None


@cache
def _statements() -> tuple[str, ...]:
    """One SELECT per table: its rows' digest, per owning organisation where it has one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1"
        )
        tables = [row[0] for row in cursor.fetchall()]
    models = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    statements = []
    for table in tables:
        owned = _owner(models[table], "x") if table in models else None
        joins, owner = owned if owned else ("", "NULL")
        statements.append(  # the names come from pg_class and the models, not from input
            f"SELECT '{table}', ({owner})::text, count(*)::text || ':' || "  # noqa: S608
            f"md5(string_agg(x::text, E'\\n' ORDER BY x::text)) "
            f'FROM "{table}" x{joins} GROUP BY 2'
        )
    return tuple(statements)


def snapshot() -> dict[tuple[str, str], str]:
    """A digest of every row of every table, per tenant where a row belongs to one:
    {(table, organisation id or ""): digest}. One statement, read as the test's observer
    so that row-level security hides nothing."""
    with observe(), connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(_statements()))
        return {(table, owner or ""): digest for table, owner, digest in cursor.fetchall()}


def changed(before: dict, after: dict, *, owners: set[str] | None = None) -> list[str]:
    """The tables (with the tenant) whose rows differ; only those tenants' if given."""
    keys = set(before) | set(after)
    if owners is not None:
        keys = {key for key in keys if key[1] in owners}
    return sorted(
        f"{t}[{o}]" if o else t for t, o in keys if before.get((t, o)) != after.get((t, o))
    )
