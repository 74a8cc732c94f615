"""List filters for the channel team's admin."""

from __future__ import annotations

from django.contrib import admin
from django_countries import countries


class DropdownFilterMixin:
    """Shown as a drop-down list instead of a column of links (a country filter is 250
    links otherwise). static/js/admin-dropdown-filter.js follows the chosen option; the
    page's CSP allows no inline script."""

    template = "admin/portal/dropdown_filter.html"


def country_filter(field_path: str = "country", title: str = "country"):
    """A drop-down of the countries that occur in the model's rows (one query), not every
    country in the world."""

    class CountryFilter(DropdownFilterMixin, admin.SimpleListFilter):
        parameter_name = field_path

        def lookups(self, request, model_admin):
            codes = (
                model_admin.model._default_manager.order_by()
                .values_list(field_path, flat=True)
                .distinct()
            )
            names = {code: countries.name(code) or code for code in codes if code}
            return sorted(names.items(), key=lambda item: item[1])

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{field_path: self.value()})
            return queryset

    CountryFilter.title = title
    return CountryFilter
