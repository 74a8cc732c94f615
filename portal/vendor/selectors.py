"""Reading the vendor."""

from __future__ import annotations

from portal.models import Vendor

#: The attribute of a request that holds its vendor once read.
_REQUEST_CACHE = "_portal_vendor"


def current_vendor(*, request=None) -> Vendor:
    """The vendor, read once per request when ``request`` is given (every template of a page
    reads it through the context processor). Before the channel team (or ``seed_demo``) has
    saved it, an unsaved, empty ``Vendor``: pages and emails then show no legal details
    rather than fail."""
    if request is not None:
        cached = getattr(request, _REQUEST_CACHE, None)
        if cached is not None:
            return cached
    vendor = Vendor.objects.filter(key=1).first() or Vendor()
    if request is not None:
        setattr(request, _REQUEST_CACHE, vendor)
    return vendor
