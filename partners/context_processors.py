from partners import roles


def space_roles(request):
    """What the caller's role lets the reseller space's navigation show (partners.roles
    stays the one place for role rules; templates only read the answers)."""
    caller = getattr(request, "caller", None)
    role = caller.role if caller is not None else None
    return {"space_roles": {"view_activity": role in roles.VIEW_ACTIVITY}}
