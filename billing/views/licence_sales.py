"""What the licence pages need of a licence's next sale (its renewal, its upgrade): the
partner's own customer licence (a distributor reads its resellers' licences but never
sells them again: 404, as for anyone else's), the form's next Idempotency-Key and the
page's context."""

from __future__ import annotations

import secrets

from django.http import Http404

from licensing.models import Licence
from licensing.selectors.licences import licence_for, licence_is_supplied
from partners.models import EngagementModel


def own_licence(request, licence_id) -> Licence:
    organisation = request.caller.organisation
    licence = licence_for(organisation=organisation, licence_id=licence_id)
    if licence_is_supplied(licence, organisation=organisation):
        raise Http404("No such licence of yours.")
    return licence


def fresh_key(form) -> None:
    """A new key for the next submission from this render: a preview's key is not the
    order's, and a double submit of "place" sends the same key twice (one order)."""
    form.data = form.data.copy()
    form.data["idempotency_key"] = secrets.token_urlsafe(24)


def new_key() -> str:
    return secrets.token_urlsafe(24)


def licence_sale_context(*, licence: Licence, form, plan, refusal) -> dict:
    """The renewal's or upgrade's page: the licence, the form, and the sale's plan with its
    prices once previewed (or why it cannot be sold)."""
    return {
        "licence": licence,
        "form": form,
        "refusal": refusal,
        "plan": plan,
        "pricing": plan.pricing if plan else None,
        "engagement_label": EngagementModel(plan.pricing.engagement_model).label if plan else "",
    }
