"""The channel team's engagement admin: the catalogue, the review queues of claims and
redemptions, and the points ledger (pes.admin.engagement)."""

from pes.admin import engagement  # noqa: F401 - registers the ModelAdmins
