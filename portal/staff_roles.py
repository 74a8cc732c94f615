"""Which of the portal app's permissions each channel-team group holds (see
portal.staff_groups): every role reads the audit trail (it is read-only for everyone) and
the vendor's details; the programme manager edits the vendor. Changing this needs a data
migration that syncs the groups again."""

from portal.staff_groups import CHANNEL_FINANCE, CHANNEL_REVIEWER, PROGRAMME_MANAGER

_READ = frozenset({"portal.view_auditevent", "portal.view_vendor"})

PERMISSIONS = {
    CHANNEL_REVIEWER: _READ,
    CHANNEL_FINANCE: _READ,
    PROGRAMME_MANAGER: _READ | {"portal.change_vendor"},
}
