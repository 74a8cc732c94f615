"""Which of the licensing app's permissions each channel-team group holds (see
portal.staff_groups). Changing this needs a data migration that syncs the groups again
(tests/portal/test_staff_permissions.py fails until there is one)."""

from portal.staff_groups import CHANNEL_FINANCE, CHANNEL_REVIEWER, PROGRAMME_MANAGER


def _perms(*codenames: str) -> frozenset[str]:
    return frozenset(f"licensing.{codename}" for codename in codenames)


#: Reading the catalogue, licences and their history, a trial's details, the reminders
#: sent before licences end, the customers' links and seats, the machines licences run on
#: and the signing keys (their public halves; the private key is shown nowhere): every
#: channel-team role. Releasing a machine is managing licences (the programme manager);
#: rotating the signing key (``add_signingkey``) is a platform operation no group holds:
#: a superuser, or the ``rotate_licence_key`` command.
_READ = _perms(
    "view_product",
    "view_plan",
    "view_licence",
    "view_licenceevent",
    "view_trial",
    "view_licencereminder",
    "view_customerlink",
    "view_seat",
    "view_activation",
    "view_signingkey",
)

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
