"""The channel team's engagement admin: the catalogue, the review queues of claims and
redemptions, and the points ledger (pes.admin.engagement); the quarterly evaluations
and tier changes (pes.admin.evaluations); a partner's status and the programme overview
(pes.admin.status)."""

from pes.admin import engagement, evaluations, status  # noqa: F401 - registers the admin
