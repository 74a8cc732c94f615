from partners.models.applications import PartnerApplication
from partners.models.contact import ContactRequest
from partners.models.marketing import AssetDownload, MarketingAsset
from partners.models.organisations import (
    Agreement,
    Invitation,
    Membership,
    Organisation,
    PartnerProfile,
)
from partners.models.programme import (
    DiscountRule,
    EmbargoedTerritory,
    EngagementModel,
    PartnerType,
    Programme,
    Tier,
)
from partners.models.sessions import Session, SessionRegistration
from partners.models.training import SalesTraining, TechnicalCertification

__all__ = [
    "Agreement",
    "AssetDownload",
    "ContactRequest",
    "DiscountRule",
    "EmbargoedTerritory",
    "EngagementModel",
    "Invitation",
    "MarketingAsset",
    "Membership",
    "Organisation",
    "PartnerApplication",
    "PartnerProfile",
    "PartnerType",
    "Programme",
    "SalesTraining",
    "Session",
    "SessionRegistration",
    "TechnicalCertification",
    "Tier",
]
