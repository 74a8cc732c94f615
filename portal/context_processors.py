def tenancy(request):
    caller = getattr(request, "caller", None)
    return {
        "caller": caller,
        "organisation": caller.organisation if caller else None,
    }


def vendor(request):
    """The vendor (SPEC §3.12) for every page's header and footer: read once per request."""
    from portal.vendor.selectors import current_vendor

    return {"vendor": current_vendor(request=request)}
