"""Building blocks for admin pages whose writes go through services.

The Django admin would otherwise save model forms directly, around every rule the services
hold (tiers of the wrong type, last admins removed, invitations that invite nobody). An
admin built from these pieces:

* validates with the service's own validator (``ServiceValidatedForm.validate``), so a
  broken rule is a form error beside its field;
* saves and deletes by calling the service in ``save_model`` / ``delete_model``, which
  checks the actor's permission and the rules again, under its locks;
* turns a ``DomainError`` that the service raises at that point (a concurrent change the
  form could not see) into an error message, with nothing written;
* never reverts an object to an older version from its history page (django-simple-history
  saves the old row as it was, around the services and with only the *view* permission).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect

from portal.errors import DomainError
from portal.permissions import staff_has_permission


class ServiceValidatedForm(forms.ModelForm):
    """A model form whose rules are a service's: ``validate`` calls the service's
    validator with the cleaned data, and its ``DomainError`` shows beside its field. A
    validator that returns the values as the service would store them (a website completed
    with its scheme) updates the cleaned data with them."""

    #: The fields ``validate`` reads; it runs only when each of them is valid by itself.
    validated_fields: tuple[str, ...] = ()

    def validate(self, data: dict) -> dict | None:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if any(name in self.errors for name in self.validated_fields):
            return cleaned
        try:
            normalised = self.validate(cleaned)
        except DomainError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        else:
            cleaned.update(normalised or {})
        return cleaned


class ServiceModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose subclasses write through services in ``save_model`` and
    ``delete_model``. Deleting several objects at once (the changelist action) is not
    offered: each removal is a service call with its own rules and result."""

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._refusing_domain_errors(
            request,
            lambda: super(ServiceModelAdmin, self).changeform_view(
                request, object_id, form_url, extra_context
            ),
        )

    def delete_view(self, request, object_id, extra_context=None):
        return self._refusing_domain_errors(
            request,
            lambda: super(ServiceModelAdmin, self).delete_view(request, object_id, extra_context),
        )

    def _refusing_domain_errors(self, request, view):
        try:
            with transaction.atomic():
                return view()
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def save_model(self, request, obj, form, change):
        raise NotImplementedError(f"{type(self).__name__} must save through a service.")

    def delete_model(self, request, obj):
        raise PermissionDenied

    def delete_queryset(self, request, queryset):
        raise PermissionDenied


class NoHistoryRevertMixin:
    """For django-simple-history admins: the history stays readable, but its per-version
    form never saves (it would write the old row back around the services, and it checks
    only the view permission before saving)."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True


def has_staff_permission(request, permission: str) -> bool:
    """For an admin's ``has_*_permission``: the same check the services make."""
    return staff_has_permission(request.user, permission)
