"""The channel team's admin site, built around its work.

Its home page starts with the review queues (applications now; deals, payment proofs,
claims and trial extensions as their apps land): how many items wait and how many are past
the programme's review time, each linking to its filtered list. The technical models
(outbox, audit log, periodic tasks, authenticators, groups, email addresses) sit apart
under a "System" heading, on the home page and in the side navigation.

Only the presentation changes: the URLs, the ModelAdmins and their permissions are
Django's own (this site is the default ``admin.site``, see ``PortalAdminConfig``).

A later app adds its queue with one entry, from its admin module::

    register_review_queue(ReviewQueue(
        label="Deal registrations",
        model=DealRegistration,
        waiting_query="status=submitted",
        late_query="status=submitted&late=yes",
        counts=deal_queue_counts,        # () -> QueueCounts, one query
    ))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import admin
from django.db.models import Model
from django.urls import NoReverseMatch, reverse

from portal.audit.selectors import recent_actions_of
from portal.permissions import staff_has_permission


@dataclass(frozen=True)
class QueueCounts:
    waiting: int
    late: int


@dataclass(frozen=True)
class ReviewQueue:
    """One queue of the channel team's work.

    ``counts`` returns how many items wait for a decision and how many of those are past
    their programme's review time, in one query whatever the number of items (the home
    page runs it for each queue the staff member may see). ``waiting_query`` and
    ``late_query`` are the changelist's filters that list exactly those items."""

    label: str
    model: type[Model]
    waiting_query: str
    late_query: str
    counts: Callable[[], QueueCounts]
    #: Who sees the queue: by default whoever may view the model's list.
    permission: str = ""

    @property
    def view_permission(self) -> str:
        opts = self.model._meta
        return self.permission or f"{opts.app_label}.view_{opts.model_name}"

    def changelist_url(self, query: str) -> str:
        opts = self.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        return f"{url}?{query}" if query else url


@dataclass(frozen=True)
class QueueRow:
    label: str
    waiting: int
    late: int
    waiting_url: str
    late_url: str


_QUEUES: list[ReviewQueue] = []


def register_review_queue(queue: ReviewQueue) -> ReviewQueue:
    """Add a queue to the admin home (in registration order, which follows
    INSTALLED_APPS). Registering the same model again replaces its entry."""
    _QUEUES[:] = [q for q in _QUEUES if q.model is not queue.model]
    _QUEUES.append(queue)
    return queue


def review_queues() -> list[ReviewQueue]:
    return list(_QUEUES)


def review_queue_rows(user) -> list[QueueRow]:
    """The queues ``user`` may see, with their counts: one query per queue shown."""
    rows = []
    for queue in _QUEUES:
        if not staff_has_permission(user, queue.view_permission):
            continue
        try:
            waiting_url = queue.changelist_url(queue.waiting_query)
            late_url = queue.changelist_url(queue.late_query)
        except NoReverseMatch:  # the model's admin is not registered on this site
            continue
        counts = queue.counts()
        rows.append(QueueRow(queue.label, counts.waiting, counts.late, waiting_url, late_url))
    return rows


@dataclass(frozen=True)
class StaffPage:
    """A page of the channel team's that is no model's list (an overview, a report): its
    URL patterns (``urls(site)``, mounted under /admin/) and, with ``label``, a link on
    the admin home for staff holding ``permission``."""

    name: str  # the URL name of the page linked from the home (without "admin:")
    urls: Callable[[admin.AdminSite], list]
    label: str = ""
    permission: str = ""


_PAGES: list[StaffPage] = []


def register_staff_page(page: StaffPage) -> StaffPage:
    """Add a page (from an app's admin module). Registering a name again replaces it."""
    _PAGES[:] = [p for p in _PAGES if p.name != page.name]
    _PAGES.append(page)
    return page


def staff_page_links(user) -> list[tuple[str, str]]:
    """(label, url) of the registered pages ``user`` may open, for the admin home."""
    return [
        (page.label, reverse(f"admin:{page.name}"))
        for page in _PAGES
        if page.label and staff_has_permission(user, page.permission)
    ]


#: Technical models, shown under "System": whole apps by label, single models by
#: "app_label.model_name".
SYSTEM_APPS = frozenset({"auth", "account", "mfa", "django_celery_beat"})
SYSTEM_MODELS = frozenset(
    {"portal.outboxtask", "portal.auditevent", "licensing.signingkey"}  # the vendor's keys
)

#: Models of one app shown as a section of their own on the home page: the programme's
#: rules are edited by the programme manager, apart from the partners themselves.
SECTIONS = {
    "partners": (
        "Programme",
        frozenset({"programme", "partnertype", "tier", "discountrule", "embargoedterritory"}),
    ),
    # What the programme sells (products and their plans), apart from the licences sold.
    "licensing": ("Catalogue", frozenset({"product"})),
}
#: The core app's work (the vendor's identity, the user accounts) and its technical models,
#: each under a name that says what they are.
WORK_APP_NAMES = {"portal": "Vendor and accounts"}
SYSTEM_APP_NAMES = {"portal": "Audit log and outbox", "licensing": "Licence signing"}


def _is_system(app_label: str, model: dict) -> bool:
    model_name = model["object_name"].lower()
    return app_label in SYSTEM_APPS or f"{app_label}.{model_name}" in SYSTEM_MODELS


class PortalAdminSite(admin.AdminSite):
    site_header = "Partner Portal: channel team"
    site_title = "Partner Portal admin"
    index_title = "Today's work"
    # The side navigation took a fifth of a 1366 px screen from every list; the home page
    # and the breadcrumbs lead everywhere it did.
    enable_nav_sidebar = False

    def get_app_list(self, request, app_label=None):
        """Work first, then "System". Each entry carries ``section`` ("work" or
        "system"); the admin's app_list template puts the heading before the first
        system entry. An app's own page (``app_label``) is left as Django builds it."""
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list
        work, system = [], []
        for app in app_list:
            label = app["app_label"]
            ours = [m for m in app["models"] if not _is_system(label, m)]
            theirs = [m for m in app["models"] if _is_system(label, m)]
            section_name, section_models = SECTIONS.get(label, (None, frozenset()))
            apart = [m for m in ours if m["object_name"].lower() in section_models]
            ours = [m for m in ours if m not in apart]
            if ours:
                name = WORK_APP_NAMES.get(label, app["name"])
                work.append({**app, "name": name, "models": ours, "section": "work"})
            if apart:
                work.append({**app, "name": section_name, "models": apart, "section": "work"})
            if theirs:
                name = SYSTEM_APP_NAMES.get(label, app["name"])
                system.append({**app, "name": name, "models": theirs, "section": "system"})
        return work + system

    def each_context(self, request):
        """The header and titles carry the vendor's brand (one read per request, shared
        with the templates' vendor context)."""
        from portal.vendor.selectors import current_vendor

        context = super().each_context(request)
        brand = current_vendor(request=request).brand_name
        if brand:
            context["site_header"] = f"{brand} Partner Portal: channel team"
            context["site_title"] = f"{brand} Partner Portal admin"
        return context

    def get_urls(self):
        # The registered pages first: their paths never shadow a model's.
        return [*(url for page in _PAGES for url in page.urls(self)), *super().get_urls()]

    def index(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "review_queues": review_queue_rows(request.user),
            "staff_pages": staff_page_links(request.user),
            "recent_actions": recent_actions_of(actor=request.user),
        }
        return super().index(request, extra_context)
