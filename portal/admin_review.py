"""The pieces of the admin's review queues (applications, trial extensions and evaluation
licences, deal registrations): the status filter that opens on what waits, the "late" filter,
the "waiting" column, and the decision with a form that calls a service."""

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html

from portal.errors import DomainError


class ReviewStatusFilter(admin.SimpleListFilter):
    """Opens on ``default`` (what waits for review); "All" is one click away and kept in
    the address (``?status=all``). Subclasses set ``default`` and ``lookups``."""

    title = "status"
    parameter_name = "status"
    default = ""

    def value(self):
        return super().value() or self.default

    def choices(self, changelist):
        value = self.value()
        yield {
            "selected": value == "all",
            "query_string": changelist.get_query_string({self.parameter_name: "all"}),
            "display": "All",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": value == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "all":
            return queryset
        return queryset.filter(status=self.value())


def late_filter(late):
    """A list filter "Past the review time" (``?late=yes``): ``late(queryset)`` keeps the
    late ones."""

    class LateFilter(admin.SimpleListFilter):
        title = "review time"
        parameter_name = "late"

        def lookups(self, request, model_admin):
            return [("yes", "Past the review time")]

        def queryset(self, request, queryset):
            return late(queryset) if self.value() == "yes" else queryset

    return LateFilter


def waiting_html(days: int, review_days: int, late: bool, unit: str = "days"):
    """The "waiting" column: days waited against the review time, marked when late
    (``unit``: "business days" for a review time counted without weekends)."""
    label = f"{days} of {review_days} {unit}"
    if late:
        return format_html(
            '<span class="portal-nowrap">{}</span> <strong class="portal-late">late</strong>',
            label,
        )
    return format_html('<span class="portal-nowrap">{}</span>', label)


class ReviewDecisionMixin:
    """A ModelAdmin's decision views: ``decide_with_form`` runs a one-field form's decision
    through a service, shows a domain error on the form, and goes back to the change page
    saying who is emailed (``emailed``). The admin renders its page with ``_confirm``."""

    emailed = "partner"

    def _back(self, pk):
        opts = self.model._meta
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]))

    def _confirm(self, request, obj, action, form):
        raise NotImplementedError

    def decide_with_form(self, request, obj, action, form_class, label, decide):
        """``decide(obj, cleaned_data)`` calls the service; ``label``, if given, is the
        label of the form's ``text``."""
        form = form_class(request.POST or None)
        if label:
            form.fields["text"].label = label
        if request.method == "POST" and form.is_valid():
            try:
                decide(obj, form.cleaned_data)
            except DomainError as exc:
                form.add_error(next(iter(form.fields)), exc.message)  # the form's one field
            else:
                self.message_user(
                    request, f"{action}: done, the {self.emailed} is emailed.", messages.SUCCESS
                )
                return self._back(obj.pk)
        return self._confirm(request, obj, action, form)

    def decide_without_form(self, request, obj, action, decide, done):
        """A decision without a text, confirmed by a POST: ``done(result)`` is the message
        on success; a domain error is shown as a message. Both go back to the change page."""
        if request.method != "POST":
            return self._confirm(request, obj, action, None)
        try:
            result = decide(obj)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, done(result), messages.SUCCESS)
        return self._back(obj.pk)
