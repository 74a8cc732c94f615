"""What the API docs (/api/docs/) say beyond the operations: the introduction (how to log
in) and the sections. Plain data, read by the settings (SPECTACULAR_SETTINGS) and by
portal.api.schema, which puts each operation in its section."""

API_PREFIX = "/api/v1/"

#: The API docs' sections, in their order: (tag, description, path prefixes under /api/v1/).
#: Every operation is listed under the tag of the longest prefix its path starts with; an
#: operation under none makes schema generation warn, so ``spectacular --fail-on-warn`` (CI)
#: fails until its area is named here.
API_TAGS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Account", "Who is calling: the user, their organisation, role and tier.", ("me",)),
    (
        "Team",
        "The organisation's members and invitations (administrators change them).",
        ("members", "invitations"),
    ),
    ("Profile", "The organisation's public profile in the partner locator.", ("profile",)),
    ("Agreement", "The partner agreement: its documents and the signature.", ("agreement",)),
    ("Training", "Sales training and technical certifications.", ("training",)),
    (
        "Tier status",
        "Where your organisation stands: its tier, the latest quarterly evaluation with every "
        "criterion, this quarter so far and what the next tier needs.",
        ("tier-status",),
    ),
    (
        "Sessions",
        "Webinars, enablement sessions and trainings you may join, registrations and attendance.",
        ("sessions", "session-registrations"),
    ),
    ("Activity", "The organisation's audit trail (administrators).", ("activity",)),
    (
        "Marketing",
        "The marketing center: assets for your partner type and tier, and their download.",
        ("assets",),
    ),
    (
        "Catalogue",
        "The programme's products and plans: prices, quantity limits and entitlements.",
        ("products",),
    ),
    (
        "Licences",
        "Your licences: binding each to its end customer, trials, NFR and evaluation licences.",
        ("licences", "trials", "evaluation-licences"),
    ),
    (
        "Activation",
        "For appliances: activating a licence key on a machine and the public key that "
        "verifies the signed licence file offline.",
        ("activations", "licensing"),
    ),
    (
        "Deals",
        "Deal registrations: registering a customer opportunity, the conversation with the "
        "channel team, won and lost; the channel team's decisions (approve, reject, ask, "
        "extend) need its deals.review_deal permission.",
        ("deals",),
    ),
    (
        "Referrals",
        "Referral leads and the commission statement (OpenNebula-style programmes), and "
        "referral fees for registered customers who bought online (Mattermost-style); the "
        "channel team's steps need its deals.manage_referrals permission.",
        ("referrals", "referral-fees"),
    ),
    (
        "Selling",
        "Pricing previews (every step of the engine), quotes and their PDFs, and orders "
        "for named end customers (reseller space) or your own use (personal space); your "
        "first-sale credit; the licences due for renewal, and upgrading or renewing one.",
        ("pricing", "quotes", "orders", "credits", "renewals"),
    ),
    (
        "Invoices",
        "Your invoices and credit notes, and the proofs of the wire transfers that pay them.",
        ("invoices",),
    ),
    (
        "Billing account",
        "Who the vendor invoices: your legal name, address and VAT number.",
        ("billing",),
    ),
    (
        "Invoices",
        "Your invoices and credit notes (Factur-X PDFs), their payment state and how to pay "
        "them by wire transfer; administrators and finance members only.",
        ("invoices",),
    ),
    (
        "Marketing funds",
        "Marketing development funds: your yearly budget and where it stands, your requests "
        "for funds and the claims, with proof of execution, that have them paid.",
        ("mdf",),
    ),
    (
        "Distribution",
        "Distributors: the resellers attached to you and the resale discount you give them.",
        ("resellers",),
    ),
    (
        "Contact requests",
        "What visitors wrote to the organisation through the partner locator.",
        ("contact-requests",),
    ),
    (
        "Directory",
        "The public partner locator: listed partners only, no login.",
        ("directory",),
    ),
    ("Applications", "Applying to the partner programme: no login.", ("applications",)),
    (
        "Staff: applications",
        "The channel team's review of applications (staff with the named permission).",
        ("staff/applications",),
    ),
    (
        "Staff: licensing",
        "The channel team's review of trial extensions and evaluation licences.",
        ("staff/trial-extensions", "staff/evaluation-licences"),
    ),
]

#: For SPECTACULAR_SETTINGS["TAGS"]: the sections with their descriptions, in order.
TAGS = [{"name": tag, "description": description} for tag, description, _ in API_TAGS]


API_DESCRIPTION = """
The reseller space's API: the same data and rules as the portal's pages, for your own tools.
Every partner-owned resource is your organisation's; another organisation's answers 404.
The interactive page you are reading is generated from the code: [back to the portal](/).

## Logging in

The API uses allauth's *app* login. Send your portal email and password once:

```
POST /_allauth/app/v1/auth/login
Content-Type: application/json

{"email": "admin@northwind.example", "password": "..."}
```

A `200` answer carries a session token in `meta.session_token`:

```
{
  "status": 200,
  "data": {
    "user": {"id": 7, "display": "admin@northwind.example",
             "email": "admin@northwind.example", "has_usable_password": true},
    "methods": [{"method": "password", "at": 1795937630.77, "email": "admin@northwind.example"}]
  },
  "meta": {"is_authenticated": true, "session_token": "3pi1n7uoxw9shlrvbgi0lmq50jnf9as4"}
}
```

Send that token as the `X-Session-Token` header on every request:
`curl -H "X-Session-Token: 3pi1n7uo..." https://portal.example/api/v1/me`. On this page,
paste it under **Authorize** (`SessionToken`).

- A wrong password answers `400`: `{"status": 400, "errors": [{"message": "...",
  "code": "email_password_mismatch", "param": "password"}]}`.
- Too many attempts answer `429`.
- An account with two-factor authentication answers `401` with the pending
  `mfa_authenticate` flow: finish it with `POST /_allauth/app/v1/auth/2fa/authenticate`
  `{"code": "123456"}` and the same token.
- `DELETE /_allauth/app/v1/auth/session` with the token ends the session.

Browsers logged in to the portal use their session cookie instead (with the CSRF token
for writes).

## Errors

Errors share one shape: `{"code": "...", "detail": "...", "fields": {"name": ["..."]}}`
(`fields` for bad input only). Lists come in pages: `?page=`, `?page_size=` (up to 100).
"""
