"""The channel team's engagement admin: the catalogue, the review queues of claims and
redemptions, and the points ledger (pes.admin.engagement); the quarterly evaluations
and tier changes (pes.admin.evaluations)."""

from pes.admin import engagement, evaluations  # noqa: F401 - registers the ModelAdmins
