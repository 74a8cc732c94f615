"""Which of the billing app's permissions each channel-team group holds (see
portal.staff_groups). Changing this needs a data migration that syncs the groups again
(tests/portal/test_staff_permissions.py fails until there is one)."""

from portal.staff_groups import CHANNEL_FINANCE, CHANNEL_REVIEWER, PROGRAMME_MANAGER

#: Orders and their codes are read in the admin, never changed there: every channel-team
#: role follows what partners sell (a reviewer sees the deal an order won).
_READ = frozenset(
    {
        "billing.view_order",
        "billing.view_orderline",
        "billing.view_redemptioncode",
    }
)

PERMISSIONS = {
    CHANNEL_REVIEWER: _READ,
    CHANNEL_FINANCE: _READ,
    PROGRAMME_MANAGER: _READ,
}
