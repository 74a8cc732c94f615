"""The demo's engagement points (issue 13's "done means"), through the services: approved
claims spread over the last twelve months, so the partners' scores are believable on first
login, one claim waiting for the channel team's review and one redemption waiting.

* Northwind Distribution (distributor, tier 2, which asks for 100 points a year): about
  130 points from claims across the five categories, plus what the seed's own events
  award (sessions attended, certifications).
* Bluepeak IT and Cloud Nine Hosting: smaller scores.

Idempotent: an organisation that already has claims gets none. Decided by the programme
manager (``programme@vendor.example``, who holds the review permissions). Runs in
``seed_demo``'s system context."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from partners import roles
from partners.models import Membership, Organisation
from pes.models import Claim, Redemption
from pes.services.claims import claim_decide, claim_submit
from pes.services.redemptions import redemption_apply

#: organisation -> claims: (activity code, days ago, description, approved)
CLAIMS = {
    "Northwind Distribution": [
        ("new-deployment", 330, "XCP-ng pool for Stadtwerke Kiel, 6 hosts", True),
        ("migration-planning", 300, "VMware exit plan for Hansa Logistik", True),
        ("migration", 250, "Hansa Logistik: 140 VMs moved from vSphere", True),
        ("event", 210, "Stand at Cloud Expo Frankfurt with two reseller talks", True),
        ("trained-sales-team", 160, "Eight account managers through the Vates sales course", True),
        ("partner-managed-poc", 120, "Two-week PoC for Klinikum Lübeck, run by our team", True),
        ("case-study", 75, "Hansa Logistik case study, published in German", True),
        ("infrastructure-assessment", 40, "Assessment for Nordsee Bank's DR site", True),
        ("workshop", 12, "Hands-on Xen Orchestra workshop for 20 resellers, Hamburg", False),
    ],
    "Bluepeak IT": [
        ("new-deployment", 280, "XCP-ng cluster for Cabinet Morel Avocats", True),
        ("troubleshooting", 150, "Storage latency fixed at Lyon Métropole Habitat", True),
        ("localised-content", 60, "Vates VMS datasheets translated into French", True),
    ],
    "Cloud Nine Hosting": [
        ("upgrade", 200, "Customer pools upgraded to XCP-ng 8.3", True),
        ("co-branded-campaign", 90, "Co-branded campaign: VMware exit offer", True),
    ],
}
#: organisation -> the benefit its administrators applied for, waiting for review
REDEMPTIONS = {"Northwind Distribution": "training-seat"}


def seed(*, stdout, password: str) -> None:
    User = get_user_model()
    manager = User.objects.filter(email="programme@vendor.example").first()
    if manager is None:
        stdout.write("  pes: no engagement demo (the programme manager is missing)")
        return
    today = timezone.localdate()
    for name, claims in CLAIMS.items():
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None or Claim.objects.filter(organisation=organisation).exists():
            continue
        admin = (
            Membership.objects.filter(organisation=organisation, role=roles.ADMIN)
            .select_related("user")
            .order_by("created_at", "pk")
            .first()
        )
        for code, days_ago, description, approve in claims:
            claim = claim_submit(
                organisation=organisation,
                actor=admin.user if admin else None,
                role=roles.ADMIN,
                data={
                    "activity": code,
                    "performed_on": today - datetime.timedelta(days=days_ago),
                    "description": description,
                },
                today=today,
            )
            if approve:
                claim_decide(actor=manager, claim=claim, approve=True)
        benefit = REDEMPTIONS.get(name)
        if benefit and not Redemption.objects.filter(organisation=organisation).exists():
            redemption_apply(
                organisation=organisation,
                actor=admin.user if admin else None,
                role=roles.ADMIN,
                data={"benefit": benefit, "note": "For our new presales engineer."},
            )
        stdout.write(f"  pes: engagement claims for {name}")
