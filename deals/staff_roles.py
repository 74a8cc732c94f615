"""Which of the deals app's permissions each channel-team group holds (see
portal.staff_groups). Changing this needs a data migration that syncs the groups again
(tests/portal/test_staff_permissions.py fails until there is one)."""

from portal.staff_groups import CHANNEL_FINANCE, CHANNEL_REVIEWER, PROGRAMME_MANAGER

_READ = frozenset(
    {
        "deals.view_deal",
        "deals.view_dealevent",
        "deals.view_referrallead",
        "deals.view_referralfee",
    }
)

#: Reviewers decide on registrations: approve, reject, ask, extend.
REVIEWER = _READ | {"deals.review_deal"}
#: Finance records referral sales and online purchases and pays commissions and fees
#: (billing reads a deal's engagement model for an order).
FINANCE = _READ | {"deals.manage_referrals"}

PERMISSIONS = {
    CHANNEL_REVIEWER: REVIEWER,
    CHANNEL_FINANCE: FINANCE,
    PROGRAMME_MANAGER: REVIEWER | FINANCE,
}
