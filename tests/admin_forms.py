"""Post an admin form as a browser would: read the page's form (its fields, their current
values, the inlines' management forms), change some values and submit it."""

from __future__ import annotations

from html.parser import HTMLParser


class _FormReader(HTMLParser):
    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.found = False
        self.data: dict[str, list[str]] = {}
        self.multiple: set[str] = set()  # <select multiple>: sent as a list, maybe empty
        self._select: str | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self.inside = self.found = True
            return
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            default = "on" if kind in {"checkbox", "radio"} else ""
            self.data.setdefault(name, []).append(attrs.get("value") or default)
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
            if "multiple" in attrs:
                self.multiple.add(name)
        elif tag == "option" and self._select and "selected" in attrs:
            self.data[self._select].append(attrs.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # A textarea's content starts after one newline that browsers drop.
            text = "".join(self._text)
            self.data.setdefault(self._textarea, []).append(text.removeprefix("\n"))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def admin_form(client, url: str, form_id: str) -> dict:
    """The values the admin page at ``url`` would submit from its form ``form_id``."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    assert reader.found, f"no form #{form_id} on {url}"
    return {
        name: values
        if len(values) > 1 or name in reader.multiple
        else (values[0] if values else "")
        for name, values in reader.data.items()
    }


def post_admin_form(client, url: str, form_id: str, **changes):
    data = admin_form(client, url, form_id)
    data.update(changes)
    data.setdefault("_save", "Save")
    return client.post(url, data)
