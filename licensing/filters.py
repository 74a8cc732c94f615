"""Search, filters and ordering of licence lists, for the reseller space's page and the API
alike (one definition, so both answer the same question the same way).

The filters only narrow what the caller may already see: the API's TenantViewSet and the
page's selector give them the tenant's licences, and filter the result to the tenant again.
"""

from __future__ import annotations

import django_filters

from licensing.models import Licence
from portal.filters import TextSearchFilter

SEARCH_MAX_LENGTH = 100

ORDERINGS = (
    ("created_at", "created"),
    ("ends_on", "ends_on"),
    ("starts_on", "starts_on"),
    ("product_name", "product"),
    ("customer_name", "customer"),
    ("status", "status"),
)


class LicenceFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=Licence.Status.choices,
        label="Status",
        error_messages={"invalid_choice": "%(value)s is not a licence status."},
    )
    kind = django_filters.ChoiceFilter(
        choices=Licence.Kind.choices,
        label="Kind",
        error_messages={"invalid_choice": "%(value)s is not a kind of licence."},
    )
    product = django_filters.CharFilter(
        field_name="product_code",
        max_length=40,
        label="Product code",
        help_text="A product's code, e.g. pro.",
    )
    customer = TextSearchFilter(
        fields=("customer_name", "customer_email"),
        max_length=SEARCH_MAX_LENGTH,
        label="Customer",
        help_text="Part of the end customer's name or email.",
    )
    scope = django_filters.ChoiceFilter(
        method="filter_scope",
        choices=[("own", "Your own"), ("supplied", "Supplied to resellers")],
        label="Whose",
        help_text="own: your organisation's licences; supplied: what you supplied to your "
        "resellers as their distributor (read-only).",
        error_messages={"invalid_choice": "%(value)s is not one of own, supplied."},
    )
    search = TextSearchFilter(
        fields=("product_name", "customer_name", "customer_email", "installation_name"),
        max_length=SEARCH_MAX_LENGTH,
        label="Search",
        help_text="Part of the product's name, the customer's name or email, or the "
        "installation's name.",
    )
    ordering = django_filters.OrderingFilter(
        fields=ORDERINGS,
        label="Order by",
        help_text="created, ends_on, starts_on, product, customer or status; a leading "
        "minus reverses it. Newest first by default.",
    )

    class Meta:
        model = Licence
        fields: list[str] = []

    def filter_scope(self, queryset, name, value):
        organisation = _caller_organisation(self.request)
        if organisation is None:
            return queryset.none()
        if value == "own":
            return queryset.filter(organisation=organisation)
        return queryset.filter(distributor=organisation).exclude(organisation=organisation)

    @property
    def qs(self):
        # A stable order under every ordering: the newest first, then the id.
        queryset = super().qs
        ordering = [o for o in queryset.query.order_by if o not in ("id", "-id")]
        return queryset.order_by(*(ordering or ["-created_at"]), "-id")


def _caller_organisation(request):
    if request is None:
        return None
    caller = getattr(getattr(request, "_request", request), "caller", None)
    return getattr(caller, "organisation", None)
