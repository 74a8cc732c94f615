from pes.models.activities import Activity, Benefit, Category
from pes.models.claims import Claim, ClaimFile, Redemption
from pes.models.evaluations import TierChange, TierEvaluation
from pes.models.ledger import PointsEntry

__all__ = [
    "Activity",
    "Benefit",
    "Category",
    "Claim",
    "ClaimFile",
    "PointsEntry",
    "Redemption",
    "TierChange",
    "TierEvaluation",
]
