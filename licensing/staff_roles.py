"""Which of the licensing app's permissions each channel-team group holds (see
portal.staff_groups). Changing this needs a data migration that syncs the groups again
(tests/portal/test_staff_permissions.py fails until there is one)."""

from portal.staff_groups import CHANNEL_REVIEWER, PROGRAMME_MANAGER


def _perms(*codenames: str) -> frozenset[str]:
    return frozenset(f"licensing.{codename}" for codename in codenames)


#: Trial extensions beyond the programme's maximum and partner evaluation licences are
#: the reviewer's queues, as applications are.
REVIEWER = _perms(
    "view_trialextensionrequest",
    "review_trial_extension",
    "view_evaluationlicencerequest",
    "review_evaluation_licence",
)

PERMISSIONS = {
    CHANNEL_REVIEWER: REVIEWER,
    PROGRAMME_MANAGER: REVIEWER,
}
