from deals.models.referrals import ReferralFee, ReferralLead
from deals.models.registrations import Deal, DealEvent, ReferenceCounter

__all__ = ["Deal", "DealEvent", "ReferenceCounter", "ReferralFee", "ReferralLead"]
