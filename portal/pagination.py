"""Pagination of the lists on pages (the API's is portal/api/pagination.py): no page shows
a list without a bound, so its cost stays the same however much data a partner has."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25


def page_of(request, items, *, param: str = "page", per_page: int = PAGE_SIZE) -> Page:
    """The page of ``items`` that ``?<param>=`` asks for: the first for a missing or bad
    number, the last past the end. ``items`` must be ordered. Two lists on one page use
    two parameters, and each list's links keep the other's place
    (templates/includes/pagination.html)."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))
    page.param = param
    return page


def filtered_page(request, filterset, *, filters: tuple[str, ...]) -> dict:
    """A filtered list page's context: its page (empty while a filter is not valid: the
    form says what to correct, rather than the list ignoring the filter), the filter form,
    and whether any of ``filters`` (the form's visible filters) is set."""
    valid = filterset.is_valid()
    page = page_of(request, filterset.qs if valid else filterset.queryset.none())
    return {
        "page_obj": page,
        "filters": filterset.form,
        "filters_valid": valid,
        "filtered": any(request.GET.get(name) for name in filters),
    }
