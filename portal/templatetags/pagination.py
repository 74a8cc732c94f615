from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def page_url(context, page, number) -> str:
    """The current URL's query with ``page``'s parameter set to ``number`` (the other
    parameters, such as filters or another list's page, are kept)."""
    query = context["request"].GET.copy()
    query[getattr(page, "param", "page")] = number
    return f"?{query.urlencode()}"
