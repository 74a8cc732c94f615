"""Which of the engagement app's permissions each channel-team group holds (see
portal.staff_groups). Changing this needs a data migration that syncs the groups again
(tests/portal/test_staff_permissions.py fails until there is one)."""

from portal.staff_groups import CHANNEL_FINANCE, CHANNEL_REVIEWER, PROGRAMME_MANAGER

#: Every channel-team role follows partners' engagement: the catalogue, the claims and
#: their evidence, the ledger and the redemptions.
_READ = frozenset(
    {
        "pes.view_activity",
        "pes.view_benefit",
        "pes.view_claim",
        "pes.view_claimfile",
        "pes.view_pointsentry",
        "pes.view_redemption",
        "pes.view_tierevaluation",
        "pes.view_tierchange",
    }
)

#: The reviewer checks evidence, as for applications and training records: it decides
#: claims.
REVIEWER = _READ | {"pes.review_claims"}

#: The programme manager keeps the catalogue (beside the programme's other rules), decides
#: claims and redemptions (a benefit is the programme's to give) and adjusts scores with
#: a reason; it runs the quarterly evaluation (any quarter, any partner) and confirms
#: upgrades, overrides and restores tiers (pes.services.evaluation, pes.services.tiers).
PROGRAMME = REVIEWER | {
    "pes.add_activity",
    "pes.change_activity",
    "pes.add_benefit",
    "pes.change_benefit",
    "pes.review_redemptions",
    "pes.adjust_points",
    "pes.run_evaluations",
    "pes.change_tiers",
}

PERMISSIONS = {
    CHANNEL_REVIEWER: REVIEWER,
    CHANNEL_FINANCE: _READ,
    PROGRAMME_MANAGER: PROGRAMME,
}
