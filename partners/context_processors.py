from partners.navigation import programme_flags_of
from partners.navigation import space_navigation as build_space_navigation


def space_navigation(request):
    """The reseller space's navigation for the caller (partners.navigation is the one list
    of pages and who may use them; templates only render it). Nothing for anyone who is
    not a member of a partner organisation."""
    caller = getattr(request, "caller", None)
    if caller is None or getattr(caller, "membership", None) is None:
        return {"space_nav": []}
    organisation = caller.organisation
    return {
        "space_nav": build_space_navigation(
            role=caller.role,
            pending=organisation.status == organisation.Status.PENDING,
            path=request.path,
            partner_type=organisation.partner_type.code,
            programme_flags=programme_flags_of(organisation.partner_type.programme),
        )
    }
