"""Which of the partners app's permissions each channel-team group holds (see
portal.staff_groups). Changing this needs a data migration that syncs the groups again
(tests/portal/test_staff_permissions.py fails until there is one)."""

from portal.staff_groups import CHANNEL_FINANCE, CHANNEL_REVIEWER, PROGRAMME_MANAGER


def _perms(*codenames: str) -> frozenset[str]:
    return frozenset(f"partners.{codename}" for codename in codenames)


_PROGRAMME_MODELS = ("programme", "partnertype", "tier", "discountrule", "embargoedterritory")
#: Sessions (webinars, trainings) the programme managers schedule.
_SESSION_MODELS = ("session",)

#: Reading partners and the programme's rules: every channel-team role needs it.
_READ = _perms(
    "view_organisation",
    "view_partnerprofile",
    "view_membership",
    "view_agreement",
    "view_marketingasset",
    *(f"view_{model}" for model in _PROGRAMME_MODELS),
)

REVIEWER = _READ | _perms(
    "view_partnerapplication",
    "review_application",
    "view_invitation",
    "view_salestraining",
    "record_training",
    "view_technicalcertification",
    "record_certification",
    "retry_agreement_documents",
    # Sessions and training: following registrations, recording attendance.
    "view_session",
    "view_sessionregistration",
    "record_attendance",
)

FINANCE = _READ

PROGRAMME_MANAGER_PERMS = (
    REVIEWER
    | _perms(
        *(f"{verb}_{model}" for verb in ("add", "change", "delete") for model in _PROGRAMME_MODELS)
    )
    | _perms(*(f"{verb}_{model}" for verb in ("add", "change") for model in _SESSION_MODELS))
    | _perms(
        # Partner organisations: type, tier, status (within the agreement rules), distributor.
        "change_organisation",
        "change_partnerprofile",
        # Partner teams, when a partner's admin asks for help.
        "add_invitation",
        "change_invitation",
        "change_membership",
        "delete_membership",
        # The marketing center's assets (partners.services.marketing.asset_save).
        "add_marketingasset",
        "change_marketingasset",
    )
)

PERMISSIONS = {
    CHANNEL_REVIEWER: REVIEWER,
    CHANNEL_FINANCE: FINANCE,
    PROGRAMME_MANAGER: PROGRAMME_MANAGER_PERMS,
}
