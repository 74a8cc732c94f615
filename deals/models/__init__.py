from deals.models.registrations import Deal, DealEvent, DealReferenceCounter

__all__ = ["Deal", "DealEvent", "DealReferenceCounter"]
