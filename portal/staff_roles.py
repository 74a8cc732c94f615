"""Which of the portal app's permissions each channel-team group holds (see
portal.staff_groups): every role reads the audit trail (it is read-only for everyone).
Changing this needs a data migration that syncs the groups again."""

from portal.staff_groups import CHANNEL_FINANCE, CHANNEL_REVIEWER, PROGRAMME_MANAGER

_READ_AUDIT_TRAIL = frozenset({"portal.view_auditevent"})

PERMISSIONS = {
    CHANNEL_REVIEWER: _READ_AUDIT_TRAIL,
    CHANNEL_FINANCE: _READ_AUDIT_TRAIL,
    PROGRAMME_MANAGER: _READ_AUDIT_TRAIL,
}
