"""Who may do what in a partner organisation (SPEC §1): the one place for role rules.

Each rule is a set of role names (``partners.models.Membership.Role`` values). Pages use
them with ``member_required(roles=...)``, API viewsets in ``roles_by_action``, services
with ``caller_role in RULE``. A new permission is a new set here, never a role name
spelled out in a view.
"""

ADMIN = "admin"
SALES = "sales"
TECHNICAL = "technical"
FINANCE = "finance"

#: Every role; reading the organisation's own team, profile and status.
ALL = frozenset({ADMIN, SALES, TECHNICAL, FINANCE})

#: Invite people, change roles, remove members, revoke invitations.
MANAGE_TEAM = frozenset({ADMIN})
#: Edit the company profile shown in the locator.
EDIT_PROFILE = frozenset({ADMIN})
#: See and download invoices, upload payment proof.
VIEW_INVOICES = frozenset({ADMIN, FINANCE})
#: Register deals and referrals, get quotes.
REGISTER_DEALS = frozenset({ADMIN, SALES})
#: Get quotes, place orders (for customers or the organisation's own use).
BUY = frozenset({ADMIN, SALES})
#: Bind licences to customers, request trials and NFR licences.
MANAGE_LICENCES = frozenset({ADMIN, SALES, TECHNICAL})
#: Receive the reminders before the organisation's licences and trials end.
NOTIFY_LICENCE_EXPIRY = frozenset({ADMIN, SALES})
#: Receive the reminders that a customer's licence is due for renewal (with its price).
NOTIFY_RENEWALS = frozenset({ADMIN, SALES})
#: Follow the people's sales training and technical certifications against the tier.
VIEW_TRAINING = frozenset({ADMIN})
#: Browse and download the marketing center's assets (logos, badges, case studies).
USE_MARKETING = ALL
#: Read the organisation's activity feed (its audit trail).
VIEW_ACTIVITY = frozenset({ADMIN})
#: Read (and mark read) what visitors wrote through the locator: leads for sales too.
VIEW_CONTACT_REQUESTS = frozenset({ADMIN, SALES})
#: Receive the email about each new contact request.
NOTIFY_CONTACT_REQUESTS = frozenset({ADMIN})
#: Marketing development funds: requests and claims are the administrators' and sales
#: people's (they run the marketing); emails about decisions go to the administrators.
MANAGE_MDF = frozenset({ADMIN, SALES})
#: Engagement points (SPEC §3.9): every member may claim an activity their team did (and
#: withdraw their own claim); administrators withdraw any claim and apply to redeem points.
CLAIM_ENGAGEMENT = ALL
REDEEM_POINTS = frozenset({ADMIN})
