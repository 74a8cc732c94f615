"""Every list of the API is paginated (REST_FRAMEWORK's DEFAULT_PAGINATION_CLASS).

``PageNumberPagination`` wraps a page in ``{"count", "next", "previous", "results"}``.
``LinkHeaderPagination`` keeps a list's body a bare JSON array and gives the page links in
headers, for a list that answered with an array before it was paginated (the staff review
queue): its clients keep working, and read further pages when they follow ``Link``.
"""

from drf_spectacular.utils import OpenApiParameter
from rest_framework import pagination
from rest_framework.response import Response

from portal.pagination import PAGE_SIZE

MAX_PAGE_SIZE = 100


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class LinkHeaderPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` as usual; the body is the page's items, the
    ``Link`` header (RFC 8288) names the ``next`` and ``prev`` pages and ``X-Total-Count``
    the number of items on all pages."""

    def get_paginated_response(self, data):
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.get_next_link()), ("prev", self.get_previous_link()))
            if url
        ]
        headers = {"X-Total-Count": str(self.page.paginator.count)}
        if links:
            headers["Link"] = ", ".join(links)
        return Response(data, headers=headers)

    def get_paginated_response_schema(self, schema):
        return schema


#: The response headers of a ``LinkHeaderPagination`` list, for ``extend_schema(parameters=)``.
LINK_HEADER_PARAMETERS = [
    OpenApiParameter(
        "Link",
        str,
        OpenApiParameter.HEADER,
        response=[200],
        description='The next and previous pages: `<url>; rel="next", <url>; rel="prev"`.',
    ),
    OpenApiParameter(
        "X-Total-Count",
        int,
        OpenApiParameter.HEADER,
        response=[200],
        description="How many items all pages hold.",
    ),
]
