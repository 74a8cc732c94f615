"""Which of the licensing app's permissions each channel-team group holds (see
portal.staff_groups). Changing this needs a data migration that syncs the groups again
(tests/portal/test_staff_permissions.py fails until there is one)."""

from portal.staff_groups import CHANNEL_FINANCE, CHANNEL_REVIEWER, PROGRAMME_MANAGER


def _perms(*codenames: str) -> frozenset[str]:
    return frozenset(f"licensing.{codename}" for codename in codenames)


#: Reading the catalogue, licences and their history: every channel-team role.
_READ = _perms("view_product", "view_plan", "view_licence", "view_licenceevent")

#: Trial extensions beyond the programme's maximum and partner evaluation licences are
#: the reviewer's queues, as applications are.
REVIEWER = _perms(
    "view_trialextensionrequest",
    "review_trial_extension",
    "view_evaluationlicencerequest",
    "review_evaluation_licence",
)

PERMISSIONS = {
    CHANNEL_REVIEWER: _READ | REVIEWER,
    CHANNEL_FINANCE: _READ,
    # The catalogue is programme data (products and plans are never deleted: licences
    # point at them; they are taken off sale), and issuing licences through the service.
    PROGRAMME_MANAGER: _READ
    | REVIEWER
    | _perms("add_product", "change_product", "add_plan", "change_plan", "manage_licences"),
}
