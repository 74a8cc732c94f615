def tenancy(request):
    caller = getattr(request, "caller", None)
    return {
        "caller": caller,
        "organisation": caller.organisation if caller else None,
    }
