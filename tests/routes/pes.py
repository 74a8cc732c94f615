"""Engagement points: the page and its forms, the API's score, catalogue, claims, ledger,
benefits and redemptions (see tests/routes/cases.py for the kinds of route). Claims,
entries and redemptions are their organisation's alone (a distributor never reads its
resellers'). Every member reads and claims; administrators redeem. Each tenant's programme
is given an activity and a benefit, and each row names its tenant."""

from __future__ import annotations

import datetime

from django.utils import timezone

from partners import roles
from partners.models import PartnerType
from pes.models import Activity, Benefit, Claim, PointsEntry, Redemption
from pes.services.claims import claim_submit
from pes.services.ledger import entry_write
from pes.services.redemptions import redemption_apply
from tests.factories import ProgrammeFactory
from tests.routes.cases import OwnData, TenantCollection, TenantObject
from tests.routes.harness import first_name
from tests.tenancy_support import observer


def _catalogue(tenant) -> tuple[Activity, Benefit]:
    """The catalogue is programme data: each tenant is put in a programme of its own whose
    activity and benefit name it, so a caller sees its own programme's and never another's."""
    first = first_name(tenant).lower()
    programme = ProgrammeFactory(code=f"programme-of-{first}", name=f"Programme {first}")
    name = tenant.organisation.name
    with observer():
        PartnerType.objects.filter(pk=tenant.organisation.partner_type_id).update(
            programme=programme
        )
        tenant.organisation.partner_type.refresh_from_db()
        activity, _ = Activity.objects.get_or_create(
            programme=programme,
            code="case-study",
            defaults={"name": f"{name} case study", "category": "marketing", "points": 25},
        )
        benefit, _ = Benefit.objects.get_or_create(
            programme=programme,
            code="extra-nfr",
            defaults={"name": f"{name} NFR licence", "points": 5},
        )
    return activity, benefit


def claim_body() -> dict:
    return {
        "activity": "case-study",
        "performed_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
        "description": "Published case study",
    }


def claim_of(tenant) -> Claim:
    """A claim waiting for review; its description names the tenant."""
    _catalogue(tenant)
    with observer():
        return claim_submit(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            data={
                **claim_body(),
                "description": f"{first_name(tenant)} case study {tenant.organisation.pk}",
            },
        )


def entry_of(tenant) -> PointsEntry:
    activity, _ = _catalogue(tenant)
    with observer():
        return entry_write(
            organisation=tenant.organisation,
            kind=PointsEntry.Kind.EVENT,
            points=50,
            earned_on=timezone.localdate(),
            description=f"{first_name(tenant)} event {tenant.organisation.pk}",
            activity=activity,
        )


def redemption_of(tenant) -> Redemption:
    """Points earned, and an application holding some of them."""
    entry_of(tenant)
    with observer():
        return redemption_apply(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            data={"benefit": "extra-nfr", "note": f"{first_name(tenant)} lab"},
        )


def engagement_rows(tenant) -> Claim:
    """One row of each list the page shows: a redemption (with the entry it spends from)
    and a claim (the row the harness looks for)."""
    redemption_of(tenant)
    return claim_of(tenant)


def _setup(tenant) -> None:
    entry_of(tenant)


_REDEEM = {"post": roles.REDEEM_POINTS}

ROUTES: dict[str, object] = {
    "pes:engagement": TenantCollection("/space/engagement/", make=engagement_rows),
    "pes:claim-new": TenantCollection(
        "/space/engagement/claims/",
        make=claim_of,
        methods=("post",),
        data={"post": claim_body()},
    ),
    "pes:claim-withdraw": TenantObject(
        "/space/engagement/claims/{id}/withdraw/", make=claim_of, methods=("post",)
    ),
    "pes:redemption-new": TenantCollection(
        "/space/engagement/redemptions/",
        make=redemption_of,
        methods=("post",),
        roles=_REDEEM,
        data={"post": {"benefit": "extra-nfr"}},
    ),
    "pes:redemption-withdraw": TenantObject(
        "/space/engagement/redemptions/{id}/withdraw/",
        make=redemption_of,
        methods=("post",),
        roles=_REDEEM,
    ),
    "api:pes-score": OwnData("/api/v1/pes/score", setup=_setup),
    "api:pes-activities": OwnData("/api/v1/pes/activities", setup=_setup),
    "api:pes-benefits": OwnData("/api/v1/pes/benefits", setup=_setup),
    "api:pes-claims": TenantCollection(
        "/api/v1/pes/claims",
        make=claim_of,
        methods=("get", "post"),
        data={"post": claim_body()},
    ),
    "api:pes-claim": TenantObject("/api/v1/pes/claims/{id}", make=claim_of),
    "api:pes-claim-withdraw": TenantObject(
        "/api/v1/pes/claims/{id}/withdraw", make=claim_of, methods=("post",)
    ),
    "api:pes-ledger": TenantCollection("/api/v1/pes/ledger", make=entry_of),
    "api:pes-redemptions": TenantCollection(
        "/api/v1/pes/redemptions",
        make=redemption_of,
        methods=("get", "post"),
        roles=_REDEEM,
        data={"post": {"benefit": "extra-nfr"}},
    ),
}
