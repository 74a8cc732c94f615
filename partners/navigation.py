"""The reseller space's navigation: the one list of the pages a partner may use.

Each entry names its page by URL name, its label, its group and the roles that may use it
(the same ``partners.roles`` set its view checks), and whether a pending organisation (one
that has not signed its agreement yet) may open it. Desktop (sidebar) and phone (the
navbar's one menu) render this same list, through ``space_navigation``.

Only built pages are listed: a group with no entry the caller may use is not shown, so a
partner never sees a promise of something that does not exist yet. A new page joins by
adding one entry here (tests/partners/test_navigation.py checks that every entry resolves,
and that each role sees exactly the pages it may open).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from partners import roles


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str
    group: str
    roles: frozenset[str] = roles.ALL
    #: Open to a pending organisation (the pages of signing the agreement).
    pending: bool = False
    #: The partner types (codes) the page serves; empty: every type (a distributor's
    #: resellers page serves distributors only, and its view refuses the others).
    partner_types: frozenset[str] = frozenset()
    #: The programme's switch (a boolean field of ``Programme``) the page is about; empty:
    #: every programme. The first-sale credit page serves programmes that give the credit
    #: (Xen Orchestra), not the others (Vates): a link to an empty page is noise.
    programme_flag: str = ""


#: The groups as the product will grow, in display order. Empty groups are never shown.
GROUPS: dict[str, str] = {
    "start": "",  # the dashboard, on its own at the top
    "sell": "Sell",
    "customers": "Customers",
    "money": "Money",
    "programme": "Programme",
    "company": "Company",
}

ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("space:dashboard", "Dashboard", "start"),
    NavEntry("partners:training", "Training", "programme", roles=roles.VIEW_TRAINING),
    NavEntry("partners:sessions", "Sessions & training", "programme"),
    NavEntry("pes:engagement", "Engagement points", "programme", roles=roles.CLAIM_ENGAGEMENT),
    NavEntry("partners:agreement", "Agreement", "programme", pending=True),
    NavEntry("partners:documents", "Documents", "programme", pending=True),
    NavEntry("partners:marketing", "Marketing center", "programme", roles=roles.USE_MARKETING),
    NavEntry("licensing:catalogue", "Products & prices", "sell"),
    NavEntry("billing:pricing", "Price calculator", "sell"),
    NavEntry("billing:quote-list", "Quotes", "sell"),
    NavEntry("billing:order-list", "Orders", "sell"),
    NavEntry("billing:invoice-list", "Invoices", "money", roles=roles.VIEW_INVOICES),
    # Every member follows the deals; administrators and sales register them.
    NavEntry("deals:list", "Deal registrations", "sell"),
    NavEntry("deals:referrals", "Referrals", "sell"),
    NavEntry(
        "partners:contact_requests",
        "Contact requests",
        "sell",  # leads: what visitors of the locator asked for
        roles=roles.VIEW_CONTACT_REQUESTS,
    ),
    NavEntry("licensing:licences", "Licences", "customers"),
    NavEntry("billing:renewals", "Renewals", "customers"),
    NavEntry("licensing:trials", "Trials / PoC", "customers"),
    NavEntry("licensing:nfr", "NFR licences", "customers"),
    NavEntry(
        "billing:resellers",
        "Resellers",
        "customers",
        partner_types=frozenset({"distributor"}),
    ),
    NavEntry("billing:credits", "First-sale credit", "money", programme_flag="first_sale_credit"),
    NavEntry("billing:mdf", "Marketing funds", "money", roles=roles.MANAGE_MDF),
    NavEntry("partners:profile", "Company profile", "company"),
    NavEntry("billing:account", "Billing account", "company"),
    NavEntry("partners:team", "Team", "company"),
    NavEntry("partners:activity", "Activity", "company", roles=roles.VIEW_ACTIVITY),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    url: str
    active: bool


@dataclass(frozen=True)
class NavGroup:
    label: str
    links: tuple[NavLink, ...]


#: The programme switches some entry needs (see ``NavEntry.programme_flag``).
PROGRAMME_FLAGS: frozenset[str] = frozenset(e.programme_flag for e in ENTRIES if e.programme_flag)


def programme_flags_of(programme) -> frozenset[str]:
    """The switches of ``PROGRAMME_FLAGS`` that ``programme`` turns on."""
    return frozenset(flag for flag in PROGRAMME_FLAGS if getattr(programme, flag))


def entry_allowed(
    entry: NavEntry,
    *,
    role: str | None,
    pending: bool,
    partner_type: str = "",
    programme_flags: frozenset[str] = frozenset(),
) -> bool:
    return (
        role in entry.roles
        and (entry.pending or not pending)
        and (not entry.partner_types or partner_type in entry.partner_types)
        and (not entry.programme_flag or entry.programme_flag in programme_flags)
    )


def page_allowed(
    url_name: str, *, role: str | None, pending: bool = False, partner_type: str = ""
) -> bool:
    """Whether a caller of this role may open the listed page (for links elsewhere, such
    as the dashboard's checklist)."""
    return any(
        entry.url_name == url_name
        and entry_allowed(entry, role=role, pending=pending, partner_type=partner_type)
        for entry in ENTRIES
    )


def space_navigation(
    *,
    role: str | None,
    pending: bool,
    path: str,
    partner_type: str = "",
    programme_flags: frozenset[str] = frozenset(),
) -> list[NavGroup]:
    """The groups and links a member of this role sees, the current page marked active
    (its own URL or a page below it; the dashboard only on itself). No queries."""
    groups: list[NavGroup] = []
    for key, group_label in GROUPS.items():
        links = []
        for entry in ENTRIES:
            if entry.group != key or not entry_allowed(
                entry,
                role=role,
                pending=pending,
                partner_type=partner_type,
                programme_flags=programme_flags,
            ):
                continue
            url = reverse(entry.url_name)
            active = path == url if entry.url_name == "space:dashboard" else path.startswith(url)
            links.append(NavLink(label=entry.label, url=url, active=active))
        if links:
            groups.append(NavGroup(label=group_label, links=tuple(links)))
    return groups
