"""The audit trail in the admin: the read-only list of every event, and a mixin that
shows an object's trail on its change page and records the admin's own direct writes."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join

from portal.audit.selectors import audit_trail_for_object
from portal.audit.services import audit_record, audit_values, recorded_in_this_request
from portal.formats import format_datetime
from portal.models import AuditEvent


class ActorKindFilter(admin.SimpleListFilter):
    title = "actor"
    parameter_name = "actor_kind"

    def lookups(self, request, model_admin):
        return [
            ("staff", "Channel team"),
            ("member", "Partner member"),
            ("job", "Job, command or public form"),
        ]

    def queryset(self, request, queryset):
        if self.value() == "staff":
            return queryset.filter(actor__is_staff=True)
        if self.value() == "member":
            return queryset.filter(actor__isnull=False, actor__is_staff=False)
        if self.value() == "job":
            return queryset.filter(actor__isnull=True)
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Evidence: nobody adds, changes or deletes an event here (nor anywhere: a trigger
    refuses UPDATE and DELETE in the database)."""

    list_display = ["at", "action", "summary", "actor_label", "organisation", "object_link", "ip"]
    list_filter = [
        ActorKindFilter,
        "action",
        ("content_type", admin.RelatedOnlyFieldListFilter),  # the kinds that have events
        ("at", admin.DateFieldListFilter),
    ]
    search_fields = [
        "summary",
        "action",
        "actor_label",
        "object_repr",
        "object_id",
        "organisation__name",
    ]
    list_select_related = ["organisation", "content_type"]
    date_hierarchy = "at"
    show_full_result_count = False  # a count(*) of the whole trail on every page is costly
    fields = [
        "at",
        "action",
        "summary",
        "actor",
        "actor_label",
        "ip",
        "organisation",
        "content_type",
        "object_id",
        "object_link",
        "before",
        "after",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def lookup_allowed(self, lookup, value, request=None):
        # The per-organisation and per-object links of AuditTrailMixin.
        if lookup in {"organisation__id__exact", "content_type__id__exact", "object_id"}:
            return True
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="object")
    def object_link(self, event):
        try:
            url = reverse(
                f"admin:{event.content_type.app_label}_{event.content_type.model}_change",
                args=[event.object_id],
            )
        except NoReverseMatch:
            return event.object_repr
        return format_html('<a href="{}">{}</a>', url, event.object_repr)


class AuditTrailMixin:
    """For a ModelAdmin (first in the bases):

    * the change page ends with the object's latest audit events and a link to all of
      them (for an organisation: everything that concerns it);
    * a save or delete that went straight to the model, with no service to record it
      (programme rules, say), is recorded here, in the admin's transaction. When a
      service called by the admin already recorded the object in this request, nothing
      more is written.
    """

    audit_trail_rows = 10

    # --- showing the trail ------------------------------------------------------------

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and "audit_trail" not in fields:
            fields.append("audit_trail")
        return fields

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        # An admin that lists its read-only fields itself must name "audit_trail" there
        # too; without it the trail is left out (a form field of that name would fail).
        if obj is None or "audit_trail" not in self.get_readonly_fields(request, obj):
            return fieldsets
        cleaned = [
            (name, {**options, "fields": [f for f in options["fields"] if f != "audit_trail"]})
            for name, options in fieldsets
        ]
        return [*cleaned, ("Audit trail", {"fields": ["audit_trail"]})]

    @admin.display(description="latest events")
    def audit_trail(self, obj):
        events = list(audit_trail_for_object(obj=obj)[: self.audit_trail_rows])
        if obj._meta.label == settings.TENANCY_ORGANISATION_MODEL:
            query = {"organisation__id__exact": obj.pk}
        else:
            content_type = ContentType.objects.get_for_model(obj)
            query = {"content_type__id__exact": content_type.pk, "object_id": obj.pk}
        url = f"{reverse('admin:portal_auditevent_changelist')}?{urlencode(query)}"
        if not events:
            return "No events recorded yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td><td>{}</td></tr>",
            (
                (
                    format_datetime(e.at),
                    e.actor_label,
                    e.action,
                    e.summary,
                )
                for e in events
            ),
        )
        return format_html(
            "<table><thead><tr><th>when</th><th>who</th><th>action</th><th>what</th></tr>"
            '</thead><tbody>{}</tbody></table><p><a href="{}">All events</a></p>',
            rows,
            url,
        )

    # --- recording the admin's direct writes ------------------------------------------

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self._audit_form(request, form, created=not change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.deleted_forms:
            if inline_form.instance.pk is not None:  # recorded while the row still exists
                self._audit_deletion(request, inline_form.instance)
        changed_forms = [
            f for f in formset.forms if f not in formset.deleted_forms and f.has_changed()
        ]
        created = {id(f): f.instance._state.adding for f in changed_forms}
        super().save_formset(request, form, formset, change)
        for inline_form in changed_forms:
            if inline_form.instance.pk is not None:
                self._audit_form(request, inline_form, created=created[id(inline_form)])

    def delete_model(self, request, obj):
        self._audit_deletion(request, obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self._audit_deletion(request, obj)
        super().delete_queryset(request, queryset)

    def _audit_form(self, request, form, *, created: bool) -> None:
        obj = form.instance
        if recorded_in_this_request(obj):
            return
        fields = [f for f in form.changed_data if f in form.cleaned_data]
        if not created and not fields:
            return
        opts = obj._meta
        verb = "created" if created else "changed"
        audit_record(
            actor=request.user,
            action=f"{opts.model_name}.{verb}",
            obj=obj,
            organisation=_organisation_of(obj),
            before={} if created else {f: form.initial.get(f) for f in fields},
            after={f: form.cleaned_data[f] for f in fields},
            summary=f"{opts.verbose_name.capitalize()} {obj} {verb} in the admin"
            + (f": {', '.join(fields)}" if fields and not created else ""),
        )

    def _audit_deletion(self, request, obj) -> None:
        if recorded_in_this_request(obj):
            return
        opts = obj._meta
        fields = [f.name for f in opts.concrete_fields if not f.primary_key]
        is_tenant = opts.label == settings.TENANCY_ORGANISATION_MODEL
        audit_record(
            actor=request.user,
            action=f"{opts.model_name}.deleted",
            obj=obj,
            # An event pointing at a deleted organisation would block its deletion.
            organisation=None if is_tenant else _organisation_of(obj),
            before=audit_values(obj, fields),
            summary=f"{opts.verbose_name.capitalize()} {obj} deleted in the admin",
        )


def _organisation_of(obj):
    """The tenant an object belongs to: itself for an organisation, else its
    ``organisation`` (None for the platform's own rows)."""
    if obj._meta.label == settings.TENANCY_ORGANISATION_MODEL:
        return obj.pk
    return getattr(obj, "organisation_id", None)
