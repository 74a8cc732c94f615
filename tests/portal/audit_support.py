"""Helpers for audit trail tests: read the trail as the platform does, act in a context."""

from __future__ import annotations

from portal.models import AuditEvent
from portal.tenancy.context import system_context, tenant_context
from tests.tenancy_support import observer


def seen():
    """Read (and write) across tenants, as a test observes (label ``test:observer``)."""
    return observer()


def acting_in(label: str = "staff:test", *, tenant=None):
    """The context a service runs in: a tenant's (its own admin acting) or a named system
    one (the channel team, a task, the public form)."""
    if tenant is not None:
        return tenant_context(tenant.pk)
    return system_context(label)


def events(action: str | None = None) -> list[AuditEvent]:
    """The trail, newest first (optionally one action's events)."""
    with seen():
        queryset = AuditEvent.objects.select_related("actor")
        if action is not None:
            queryset = queryset.filter(action=action)
        return list(queryset.order_by("-at", "-id"))


def admin_form_data(response) -> dict:
    """The POST body an admin change page would send unchanged: its form's and its
    inlines' current values (then a test changes what a person would)."""
    from django import forms
    from django.contrib.admin.widgets import RelatedFieldWidgetWrapper

    data: dict = {}

    def add(form) -> None:
        for name, field in form.fields.items():
            key = form.add_prefix(name)
            value = form[name].value()
            widget = field.widget
            if isinstance(widget, RelatedFieldWidgetWrapper):
                widget = widget.widget
            if isinstance(widget, forms.MultiWidget):
                parts = value if isinstance(value, list) else widget.decompress(value)
                for i, part in enumerate(parts):
                    data[f"{key}_{i}"] = "" if part is None else part
            elif isinstance(widget, forms.CheckboxInput):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            elif isinstance(widget, forms.FileInput):
                continue
            else:
                data[key] = "" if value is None else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        for form in formset.forms:
            add(form)
    return data
