"""The list routes, and how to fill each one, for the query-count test
(tests/portal/test_query_counts.py).

That test walks the URL configuration: every route of ours without path parameters, every
API list action and every admin changelist of our apps must be named here, either as a
``ListRoute`` (with a ``make`` that adds one row of what the list shows) or as ``NotAList``
(with the reason). A new list route therefore fails the test until it says how to fill it,
and then fails again if its query count grows with its rows.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from billing.models import BillingAccount, CreditEntry, CurrencyRate, ResellerDiscount, TaxRate
from licensing.models import CustomerLink, Licence, LicenceReminder
from licensing.services.activation import activation_release
from licensing.services.seats import seat_add
from licensing.services.signing import signing_key_rotate
from partners.models import (
    DiscountRule,
    EmbargoedTerritory,
    Membership,
    Organisation,
    PartnerApplication,
)
from partners.services.marketing import asset_download_record
from portal.audit.services import audit_record
from portal.models import OutboxTask
from tests.billing.factories import place_order, sellable_product
from tests.billing.quote_support import quote_of
from tests.deals.factories import make_deal, make_fee, make_lead, product_for
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnerTypeFactory,
    ProgrammeFactory,
    TierFactory,
    UserFactory,
)
from tests.licensing.factories import PlanFactory, ProductFactory, issue_licence
from tests.licensing.factories_activation import live_activation
from tests.licensing.factories_links import binder_of, bound_licence, redeem
from tests.licensing.factories_trials import evaluation_request, extension_request, issue_trial
from tests.partners.factories_contact import ContactRequestFactory
from tests.partners.factories_directory import PartnerProfileFactory, listed_partner
from tests.partners.factories_marketing import asset_of
from tests.partners.factories_onboarding import AgreementFactory, PartnerApplicationFactory
from tests.partners.factories_team import InvitationFactory, member_of
from tests.partners.factories_training import (
    SalesTrainingFactory,
    TechnicalCertificationFactory,
)
from tests.sessions.factories import SessionRegistrationFactory
from tests.tenancy_support import observer

TENANT = "tenant"  # the tenant's admin: session token for /api/, session cookie for pages
STAFF = "staff"  # a channel-team superuser (session cookie)
ANONYMOUS = "anonymous"


@dataclass(frozen=True)
class ListRoute:
    """A route showing a list. ``make(tenant)`` adds one row of what the list shows for
    that tenant's caller (for a page with several lists: one row of each)."""

    make: Callable
    caller: str = TENANT
    query: str = ""  # appended to the route's path, e.g. "?status=submitted"


@dataclass(frozen=True)
class NotAList:
    """A route without path parameters that shows no list (say what it shows)."""

    reason: str


_sequence = itertools.count()


def _n() -> int:
    return next(_sequence)


# --- rows ------------------------------------------------------------------------------


_NON_EU = ["US", "CA", "JP", "BR", "IN", "AU", "NZ", "CH", "NO", "GB"]
_NON_EU += ["MX", "ZA", "KR", "SG", "AR", "CL", "IS", "TR", "EG", "MA"]


def _tax_rate(tenant):
    with observer():
        return TaxRate.objects.create(country=_NON_EU[_n() % len(_NON_EU)], rate=Decimal("10"))


def _billing_account(tenant):
    organisation = OrganisationFactory()
    with observer():
        return BillingAccount.objects.create(
            organisation=organisation, legal_name=organisation.name, country="DE"
        )


def _resale_discount(tenant):
    with observer():
        return ResellerDiscount.objects.create(
            organisation=tenant.organisation,
            reseller=OrganisationFactory(distributor=tenant.organisation),
            percent=Decimal("10"),
        )


def _attached_reseller(tenant):
    """A reseller attached to the tenant (a distributor), every other one with a discount
    of its own."""
    reseller = OrganisationFactory(distributor=tenant.organisation)
    if _n() % 2:
        with observer():
            ResellerDiscount.objects.create(
                organisation=tenant.organisation, reseller=reseller, percent=Decimal("12.5")
            )
    return reseller


def _member(tenant):
    return member_of(tenant)


def _invitation(tenant):
    return InvitationFactory(organisation=tenant.organisation)


def _sales_training(tenant):
    return SalesTrainingFactory(membership=member_of(tenant))


def _certification(tenant):
    return TechnicalCertificationFactory(membership=member_of(tenant))


def _team_rows(tenant):
    return _member(tenant), _invitation(tenant)


def _training_rows(tenant):
    return _sales_training(tenant), _certification(tenant)


def _reviewed_programme():
    """A programme whose reviewer checks all apply: a regional embargo, a minimum age and
    a named customer (so every branch of the checks runs on every row)."""
    programme = ProgrammeFactory(
        code="checked-programme",
        name="Checked programme",
        min_years_in_operation=2,
        requires_named_customer=True,
    )
    with observer():
        EmbargoedTerritory.objects.get_or_create(
            programme=programme, country="UA", region_code="UA-43", region_name="Crimea"
        )
    return programme


def _application(tenant):
    """Applications of every kind the queue shows: open or decided, in a country with
    an embargoed region or not, with or without an organisation of the same name."""
    n = _n()
    programme = _reviewed_programme()
    partner_type = PartnerTypeFactory(programme=programme, code="reseller")
    status = [
        PartnerApplication.Status.SUBMITTED,
        PartnerApplication.Status.INFO_REQUESTED,
        PartnerApplication.Status.APPROVED,
        PartnerApplication.Status.REJECTED,
    ][n % 4]
    organisation = None
    if status == PartnerApplication.Status.APPROVED:
        organisation = OrganisationFactory(name=f"Applicant {n} GmbH")
    elif n % 3 == 0:
        OrganisationFactory(name=f"applicant {n} gmbh")  # already a partner
    return PartnerApplicationFactory(
        partner_type=partner_type,
        company_name=f"Applicant {n} GmbH",
        country="UA" if n % 2 else "DE",
        region="UA-43" if n % 4 == 1 else "",
        status=status,
        organisation=organisation,
        customer_to_resell_to="" if n % 2 else "Acme",
    )


def _organisation(tenant):
    distributor = OrganisationFactory(partner_type=PartnerTypeFactory(code="distributor"))
    return OrganisationFactory(distributor=distributor)


def _agreement(tenant):
    return AgreementFactory(organisation=OrganisationFactory(), accepted_by=UserFactory())


def _own_signed_agreement(tenant):
    return AgreementFactory(
        organisation=tenant.organisation,
        accepted_by=tenant.membership.user,
        accepted_at=timezone.now(),
        accepted_name="Ada Admin",
    )


def _document_rows(tenant):
    """The Documents page's three lists: a signed agreement, an invoice and a quote (every
    other one with its PDFs ready, so both ways of showing a quote are counted)."""
    _own_signed_agreement(tenant)
    _invoice(tenant)
    return quote_of(tenant.organisation, ready=bool(_n() % 2), customer_name=f"Doc {_n()}")


def _programme(tenant):
    return ProgrammeFactory(code=f"programme-{_n()}", name="Another programme")


def _partner_type(tenant):
    return PartnerTypeFactory(code=f"type-{_n()}")


def _tier(tenant):
    return TierFactory(partner_type=PartnerTypeFactory(code=f"tiered-{_n()}"), level=1)


def _discount_rule(tenant):
    partner_type = PartnerTypeFactory(code=f"discounted-{_n()}")
    with observer():
        return DiscountRule.objects.create(
            programme=partner_type.programme,
            partner_type=partner_type,
            tier_level=1,
            percent=Decimal("10.00"),
        )


def _embargo(tenant):
    n = _n()
    with observer():
        return EmbargoedTerritory.objects.create(
            programme=ProgrammeFactory(),
            country="UA",
            region_code=f"UA-{n}",
            region_name=f"Region {n}",
        )


def _marketing_asset(tenant):
    """An asset the tenant sees, every other one downloaded by it (its count shown)."""
    asset = asset_of(tenant)
    if _n() % 2:
        asset_download_record(organisation=tenant.organisation, asset=asset)
    return asset


def _any_marketing_asset(tenant):
    """An asset downloaded by two partners (the changelist's counts and totals)."""
    asset = asset_of(tenant)
    with observer():
        for organisation in (tenant.organisation, OrganisationFactory()):
            asset_download_record(organisation=organisation, asset=asset)
    return asset


def _any_sales_training(tenant):
    return SalesTrainingFactory(recorded_by=UserFactory(is_staff=True))


def _any_certification(tenant):
    return TechnicalCertificationFactory(recorded_by=UserFactory(is_staff=True))


def _outbox_task(tenant):
    with observer():
        return OutboxTask.objects.create(
            task_name=f"portal.task_{_n() % 3}", args=[1], kwargs={"x": 1}
        )


def _listed_partner(tenant):
    return listed_partner(type_code="reseller", tier_level=1)


def _membership_anywhere(tenant):
    return MembershipFactory(role=Membership.Role.SALES)


def _profile(tenant):
    return PartnerProfileFactory(
        organisation=OrganisationFactory(status=Organisation.Status.ACTIVE)
    )


def _certification_expiring(tenant):
    # Expiring soon: the list computes each row's status on today's date.
    return TechnicalCertificationFactory(
        membership=member_of(tenant),
        expires_on=timezone.localdate() + datetime.timedelta(days=10),
    )


def _audit_event(tenant):
    """An event about a new member, by one of three kinds of actor (member, channel
    team, job), so that every way of naming the actor runs."""
    n = _n()
    member = member_of(tenant)
    actor = [tenant.admin, UserFactory(is_staff=True), None][n % 3]
    with observer():
        audit_record(
            actor=actor,
            action="membership.role_changed",
            obj=member,
            organisation=tenant.organisation,
            before={"role": "sales"},
            after={"role": "finance"},
            summary=f"change {n}",
        )
    return member


def _session_rows(tenant):
    """An upcoming session with the tenant's registration, and a past one attended."""
    upcoming = SessionRegistrationFactory(membership=member_of(tenant))
    past = SessionRegistrationFactory(
        membership=member_of(tenant),
        status="attended",
        session__starts_at=timezone.now() - datetime.timedelta(days=_n() + 1),
    )
    return upcoming, past


def _contact_request(tenant):
    return ContactRequestFactory(organisation=tenant.organisation)


def _trial(tenant):
    """A trial with an extension request (each row shows its latest request)."""
    n = _n()
    trial = issue_trial(tenant, prospect_name=f"Prospect {n}", project=f"Project {n}")
    extension_request(trial, status=["pending", "rejected"][n % 2])
    return trial


def _nfr_licence(tenant):
    organisation = tenant.organisation
    product = ProductFactory(programme=organisation.partner_type.programme)
    return issue_licence(organisation, product=product, kind="nfr")


def _evaluation_request(tenant):
    n = _n()
    licence = None
    if n % 2:
        organisation = tenant.organisation
        product = ProductFactory(programme=organisation.partner_type.programme)
        licence = issue_licence(organisation, product=product, kind="evaluation")
    # Decided ones: a partner has one pending request at most.
    return evaluation_request(
        tenant.organisation, status="approved" if licence else "rejected", licence=licence
    )


def _any_extension_request(tenant):
    """A request of another partner each time, pending or decided by a reviewer."""
    n = _n()
    trial = issue_trial(OrganisationFactory(), prospect_name=f"Prospect {n}")
    if n % 2:
        return extension_request(
            trial,
            status="rejected",
            decided_by=UserFactory(is_staff=True),
            decided_at=timezone.now(),
        )
    return extension_request(trial, requested_by=UserFactory())


def _any_evaluation_request(tenant):
    n = _n()
    organisation = OrganisationFactory()
    if n % 2:
        return evaluation_request(
            organisation,
            status="rejected",
            decided_by=UserFactory(is_staff=True),
            decided_at=timezone.now(),
        )
    return evaluation_request(organisation, requested_by=UserFactory())


def _product(tenant):
    """A product of the tenant's programme, with a yearly and a monthly plan."""
    n = _n()
    product = ProductFactory(
        programme=tenant.organisation.partner_type.programme, code=f"edition-{n}", name=f"E{n}"
    )
    PlanFactory(product=product)
    PlanFactory(product=product, billing_period="monthly", price=Decimal("90.00"))
    return product


def _licence(tenant):
    """A licence the tenant reads: its own (unbound, or bound to a customer), or every
    third one supplied by the tenant, as distributor, to a reseller."""
    n = _n()
    if n % 3 == 2:
        licence = issue_licence(OrganisationFactory(), distributor=tenant.organisation)
    else:
        licence = issue_licence(tenant.organisation, kind=["customer", "trial"][n % 2])
    if n % 2:
        with observer():
            Licence.objects.filter(pk=licence.pk).update(
                status=Licence.Status.BOUND,
                customer_name=f"Customer {n}",
                customer_email=f"it{n}@customer.example",
                bound_at=timezone.now(),
            )
    return licence


def _order(tenant):
    """Orders of both spaces, one with redemption codes."""
    n = _n()
    if n % 3 == 0:
        return place_order(tenant.organisation, space="personal")
    return place_order(tenant.organisation, customer_name=f"Customer {n}")


def _credit_entry(tenant):
    """The tenant's first-sale credit (earned once), then spends of it, every other one
    naming an order."""
    with observer():
        earned = CreditEntry.objects.filter(
            organisation=tenant.organisation, kind=CreditEntry.Kind.EARNED
        ).first()
    order = (
        place_order(tenant.organisation, space="personal") if earned is None or _n() % 2 else None
    )
    with observer():
        if earned is None:
            return CreditEntry.objects.create(
                organisation=tenant.organisation,
                kind=CreditEntry.Kind.EARNED,
                amount=Decimal("1000.00"),
                currency="USD",
                expires_on=timezone.localdate() + datetime.timedelta(days=365),
                order=order,
            )
        return CreditEntry.objects.create(
            organisation=tenant.organisation,
            kind=CreditEntry.Kind.SPENT,
            amount=Decimal("1.00"),
            currency="USD",
            source=earned,
            order=order,
        )


def _renewal_due(tenant):
    """A customer licence sold through an order (due for renewal within a year)."""
    return place_order(tenant.organisation, customer_name=f"Renewing {_n()}")


def _quote(tenant):
    """Quotes of every status, through the service."""
    n = _n()
    status = "sent" if n % 2 else ""
    return quote_of(tenant.organisation, status=status, customer_name=f"Customer {n}")


def _any_order(tenant):
    """An order of another partner each time, of both spaces (the channel team sees all)."""
    n = _n()
    organisation = OrganisationFactory()
    if n % 2:
        return place_order(organisation, space="personal")
    return place_order(organisation, customer_name=f"Customer {n}")


def _any_codes(tenant):
    """Another partner's order line fulfilled by two redemption codes."""
    organisation = OrganisationFactory()
    product = sellable_product(organisation)
    lines = [{"product": product.code, "quantity": 3, "fulfilment": "codes", "copies": 2}]
    return place_order(organisation, lines=lines)


def _deal(tenant):
    """Registrations of every status, each with its history, one of them in conflict
    with another partner's approved one (so the admin shows a holder)."""
    n = _n()
    statuses = ["submitted", "conflict", "more_info_requested", "approved", "won", "expired"]
    status = statuses[n % len(statuses)]
    return make_deal(tenant.organisation, status=status, engagement_model="co_led_vendor")


def _any_deal(tenant):
    """A registration of another partner each time (the channel team sees them all)."""
    n = _n()
    organisation = OrganisationFactory()
    status = ["submitted", "conflict", "approved", "rejected"][n % 4]
    return make_deal(organisation, status=status, product=product_for(organisation))


def _lead(tenant):
    status = ["submitted", "converted", "declined"][_n() % 3]
    return make_lead(tenant.organisation, status=status)


def _converted(tenant):
    currency = ["EUR", "USD"][_n() % 2]
    return make_lead(tenant.organisation, status="converted", currency=currency)


def _fee(tenant):
    status = ["purchase_recorded", "invoiced", "approved", "paid"][_n() % 4]
    return make_fee(tenant.organisation, status=status)


def _any_lead(tenant):
    return make_lead(OrganisationFactory(), status=["submitted", "converted"][_n() % 2])


def _any_fee(tenant):
    return make_fee(OrganisationFactory())


def _signing_key(tenant):
    """A rotation: one more key (the previous one retired, still listed)."""
    with observer():
        return signing_key_rotate(actor=None)


def _any_activation(tenant):
    """A machine of another partner's licence each time; every other one released by
    the partner."""
    n = _n()
    activation = live_activation(OrganisationFactory(), fingerprint=f"machine-{n:04d}")
    if n % 2:
        with observer():
            activation_release(
                actor=binder_of(activation.licence.organisation), activation=activation
            )
    return activation


def _any_customer_link(tenant):
    """A redemption link of another partner's licence: waiting, or used (the redemption
    then also sends the seat-management link of a per-user licence: not here)."""
    n = _n()
    _, link = bound_licence(OrganisationFactory(), email=f"it{n}@customer.example")
    if n % 2:
        redeem(link)
    return link


def _any_seat(tenant):
    """A seat of another partner's per-user licence, named by its customer."""
    n = _n()
    organisation = OrganisationFactory()
    product = ProductFactory(
        programme=organisation.partner_type.programme,
        code=f"team-{n}",
        name=f"Team {n}",
        unit="per_user",
        quantity_noun="users",
        min_quantity=1,
        max_quantity=None,
    )
    licence, link = bound_licence(organisation, product=product, quantity=3)
    redeem(link)
    with observer():
        seats = CustomerLink.objects.get(licence=licence, purpose=CustomerLink.Purpose.MANAGE_SEATS)
    return seat_add(link_id=seats.pk, name=f"User {n}", email=f"user{n}@customer.example")


def _any_licence_reminder(tenant):
    licence = issue_licence(OrganisationFactory())
    with observer():
        return LicenceReminder.objects.create(
            organisation=licence.organisation,
            licence=licence,
            days_before=[30, 7][_n() % 2],
            ends_on=licence.ends_on,
        )


def _invoice(tenant):
    place_order(tenant.organisation, space="personal")  # invoiced to the tenant itself


def _payment_proof(tenant):
    from tests.billing.payment_support import ordered_invoice, proof_for

    return proof_for(tenant, ordered_invoice(tenant))


def _mdf_request(tenant):
    """A request of the tenant's budget (eligible, as the cross-tenant harness makes it)."""
    from tests.routes.mdf import _request

    return _request(tenant)


def _mdf_claim(tenant):
    """An approved request claimed with one file (the list shows its files)."""
    from billing.services.mdf import mdf_claim_submit
    from tests.billing.payment_support import PDF, upload
    from tests.routes.mdf import _approved

    request = _approved(tenant)
    with observer():
        return mdf_claim_submit(
            organisation=tenant.organisation,
            actor=tenant.admin,
            role="admin",
            request_id=request.pk,
            amount="5.00",
            files=[upload(PDF)],
        )


def _mdf_budget(tenant):
    """A budget of another organisation each time (one per organisation and year)."""
    from tests.billing.mdf_support import budget_for

    return budget_for(OrganisationFactory(), "1000.00")


def _invoice_payment(tenant):
    from tests.billing.payment_support import mark_paid, ordered_invoice

    return mark_paid(ordered_invoice(tenant))


def _currency_rate(tenant):
    with observer():
        CurrencyRate.objects.create(
            currency="GBP",
            valid_from=datetime.date(2020, 1, 1) + datetime.timedelta(days=_n()),
            usd_rate=Decimal("1.27"),
        )


def _pes(name: str):
    """A row maker of tests/routes/pes.py (engagement points)."""

    def make(tenant):
        from tests.routes import pes

        return getattr(pes, name)(tenant)

    return make


def _pes_catalogue_row(tenant):
    """Another activity and benefit of the tenant's programme."""
    from pes.models import Activity, Benefit

    programme_id = tenant.organisation.partner_type.programme_id
    n = _n()
    with observer():
        Activity.objects.create(
            programme_id=programme_id, code=f"a{n}", name=f"A {n}", category="delivery", points=5
        )
        Benefit.objects.create(programme_id=programme_id, code=f"b{n}", name=f"B {n}", points=5)


def _any_evaluation(tenant):
    """Another partner's evaluation of a quarter (the staff list shows every partner's)."""
    from pes.quarters import Quarter
    from tests.pes.dashboard_support import evaluation

    organisation = _organisation(tenant)
    return evaluation(organisation, Quarter(2025, 1 + _n() % 4), passed=_n() % 2 == 0)


def _any_tier_change(tenant):
    """Another partner's tier change (an override with its reason)."""
    from pes.models import TierChange

    organisation = _organisation(tenant)
    with observer():
        return TierChange.objects.create(
            organisation=organisation,
            kind=TierChange.Kind.OVERRIDE,
            from_tier=_tier(tenant),
            to_tier=organisation.tier,
            reason="Agreed with the partner after the audit",
            changed_by_label="Channel team",
        )


# --- the registry ----------------------------------------------------------------------

LISTS: dict[str, ListRoute | NotAList] = {
    # API
    "api:members-list": ListRoute(_member),
    "api:invitations-list": ListRoute(_invitation),
    "api:training-sales-list": ListRoute(_sales_training),
    "api:training-certifications-list": ListRoute(_certification_expiring),
    "api:directory-list": ListRoute(_listed_partner, caller=ANONYMOUS),
    "api:staff-applications-list": ListRoute(_application, caller=STAFF),
    "api:activity-list": ListRoute(_audit_event),
    "api:contact-requests-list": ListRoute(_contact_request),
    "api:products-list": ListRoute(_product),
    "api:assets-list": ListRoute(_marketing_asset),
    "api:licences-list": ListRoute(_licence),
    "api:deals-list": ListRoute(_deal),
    "api:deals-export": ListRoute(_deal),
    "api:orders-list": ListRoute(_order),
    "api:referrals-list": ListRoute(_lead),
    "api:referrals-statement": ListRoute(_converted),
    "api:referrals-statement-csv": ListRoute(_converted),
    "api:referral-fees-list": ListRoute(_fee),
    "api:me": NotAList("the caller, their organisation and role"),
    "api:applications": NotAList("POST only: the public application"),
    "api:agreement": NotAList("the caller's organisation's agreement"),
    "api:agreement-sign": NotAList("POST only: signs the agreement"),
    "api:profile": NotAList("the caller's organisation's profile"),
    "api:training-summary": NotAList("two counts against the tier's requirements"),
    "api:activations": NotAList("POST only: an appliance activates a licence key"),
    "api:licensing-public-key": NotAList("the vendor's few signing keys, never paged"),
    # Pages
    "partners:team": ListRoute(_team_rows),
    "partners:training": ListRoute(_training_rows),
    "partners:sessions": ListRoute(_session_rows),
    "api:sessions-list": ListRoute(_session_rows),
    "api:session-registrations": ListRoute(_session_rows),
    "partners:activity": ListRoute(_audit_event),
    "partners:documents": ListRoute(_document_rows),
    "partners:contact_requests": ListRoute(_contact_request),
    "licensing:catalogue": ListRoute(_product),
    "partners:marketing": ListRoute(_marketing_asset),
    "licensing:licences": ListRoute(_licence),
    "partners:locator": ListRoute(_listed_partner, caller=ANONYMOUS),
    "deals:list": ListRoute(_deal),
    "billing:order-list": ListRoute(_order),
    "billing:credits": ListRoute(_credit_entry),
    "billing:mdf": ListRoute(_mdf_claim),
    "api:mdf": ListRoute(_mdf_claim),
    "api:mdf-requests": ListRoute(_mdf_claim),
    "api:credits-list": ListRoute(_credit_entry),
    "billing:renewals": ListRoute(_renewal_due, query="?days=366"),
    "api:renewals-list": ListRoute(_renewal_due, query="?days=366"),
    "billing:quote-list": ListRoute(_quote),
    "api:quotes-list": ListRoute(_quote),
    "api:invoices-list": ListRoute(_invoice),
    "billing:invoice-list": ListRoute(_invoice),
    "billing:quote-new": NotAList("the quote form (the catalogue's products, approved deals)"),
    "admin:billing_quote_changelist": ListRoute(_quote, caller=STAFF),
    "billing:redeem-code": NotAList("the end customer's redemption-code form"),
    "billing:order-new": NotAList(
        "the order form: the catalogue, the approved deals and attached resellers (one "
        "query each, shown in selects)"
    ),
    "api:pricing-preview": NotAList("a price preview (POST): one sale's prices, no list"),
    "billing:account": NotAList("the caller's billing account and the VAT its purchases get"),
    "api:billing-account": NotAList("the caller's billing account"),
    "billing:resellers": ListRoute(_attached_reseller),
    "api:resellers": ListRoute(_attached_reseller),
    "api:resellers-default": NotAList("PUT only: the default resale discount"),
    "billing:pricing": NotAList(
        "the calculator's form and one sale's prices; its choices (the programme's products, "
        "the caller's approved deals, a distributor's resellers) are one query each"
    ),
    "deals:referrals": ListRoute(_lead),
    "deals:referrals_statement": ListRoute(_converted),
    "deals:new": NotAList("the registration form (the catalogue's products: one query)"),
    "home": NotAList("the landing page"),
    "healthz": NotAList("one SELECT 1"),
    "favicon.ico": NotAList("a redirect to a static file"),
    "vendor_logo": NotAList("one image file"),
    "admin:billing_taxrate_changelist": ListRoute(_tax_rate, caller=STAFF),
    "admin:partners_session_changelist": ListRoute(_session_rows, caller=STAFF),
    "admin:billing_invoice_changelist": ListRoute(_invoice, caller=STAFF),
    "admin:billing_paymentproof_changelist": ListRoute(_payment_proof, caller=STAFF),
    "admin:billing_mdfrequest_changelist": ListRoute(_mdf_claim, caller=STAFF),
    "admin:billing_mdfbudget_changelist": ListRoute(_mdf_budget, caller=STAFF),
    "admin:billing_invoicepayment_changelist": ListRoute(_invoice_payment, caller=STAFF),
    "admin:billing_currencyrate_changelist": ListRoute(_currency_rate, caller=STAFF),
    "admin:billing_billingaccount_changelist": ListRoute(_billing_account, caller=STAFF),
    "admin:billing_resellerdiscount_changelist": ListRoute(_resale_discount, caller=STAFF),
    "pes:engagement": ListRoute(_pes("engagement_rows")),
    "pes:claim-new": NotAList("POST only: a claim"),
    "pes:redemption-new": NotAList("POST only: an application to redeem points"),
    "api:pes-score": NotAList("the score's total, five categories and the balance"),
    "api:pes-activities": ListRoute(_pes_catalogue_row),
    "api:pes-benefits": ListRoute(_pes_catalogue_row),
    "api:pes-claims": ListRoute(_pes("claim_of")),
    "api:pes-ledger": ListRoute(_pes("entry_of")),
    "api:pes-redemptions": ListRoute(_pes("redemption_of")),
    "admin:pes_activity_changelist": ListRoute(_pes_catalogue_row, caller=STAFF),
    "admin:pes_benefit_changelist": ListRoute(_pes_catalogue_row, caller=STAFF),
    "admin:pes_claim_changelist": ListRoute(_pes("claim_of"), caller=STAFF, query="?status=all"),
    "admin:pes_redemption_changelist": ListRoute(
        _pes("redemption_of"), caller=STAFF, query="?status=all"
    ),
    "admin:pes_pointsentry_changelist": ListRoute(_pes("entry_of"), caller=STAFF),
    "admin:pes_tierevaluation_changelist": ListRoute(_any_evaluation, caller=STAFF),
    "admin:pes_tierchange_changelist": ListRoute(_any_tier_change, caller=STAFF),
    "api:tier-status": NotAList(
        "one partner's tier status: its queries stay constant as its history grows, "
        "counted in tests/pes/test_tier_status_api.py"
    ),
    "admin:portal_vendor_changelist": NotAList("one row: it redirects to the vendor's page"),
    "space:dashboard": NotAList(
        "the onboarding checklist and tier: a constant number of queries, counted in "
        "tests/partners/test_first_day.py"
    ),
    "partners:apply": NotAList("the application form"),
    "partners:apply_thanks": NotAList("a thank-you page"),
    "partners:agreement": NotAList("the caller's organisation's agreement"),
    "partners:profile": NotAList("the caller's organisation's profile form"),
    # The channel team's admin (changelists of our apps)
    # "All": the list opens on "awaiting review", and every kind of row must be shown.
    "admin:partners_partnerapplication_changelist": ListRoute(
        _application, caller=STAFF, query="?status=all"
    ),
    "admin:partners_organisation_changelist": ListRoute(_organisation, caller=STAFF),
    "admin:partners_membership_changelist": ListRoute(_membership_anywhere, caller=STAFF),
    "admin:partners_invitation_changelist": ListRoute(
        lambda tenant: InvitationFactory(invited_by=UserFactory()), caller=STAFF
    ),
    "admin:partners_agreement_changelist": ListRoute(_agreement, caller=STAFF),
    "admin:partners_partnerprofile_changelist": ListRoute(_profile, caller=STAFF),
    "admin:partners_programme_changelist": ListRoute(_programme, caller=STAFF),
    "admin:partners_partnertype_changelist": ListRoute(_partner_type, caller=STAFF),
    "admin:partners_tier_changelist": ListRoute(_tier, caller=STAFF),
    "admin:partners_discountrule_changelist": ListRoute(_discount_rule, caller=STAFF),
    "admin:partners_embargoedterritory_changelist": ListRoute(_embargo, caller=STAFF),
    "admin:partners_marketingasset_changelist": ListRoute(_any_marketing_asset, caller=STAFF),
    "admin:partners_salestraining_changelist": ListRoute(_any_sales_training, caller=STAFF),
    "admin:partners_technicalcertification_changelist": ListRoute(_any_certification, caller=STAFF),
    "admin:licensing_product_changelist": ListRoute(_product, caller=STAFF),
    "admin:licensing_licence_changelist": ListRoute(_licence, caller=STAFF),
    "admin:licensing_licenceevent_changelist": ListRoute(_licence, caller=STAFF),
    "admin:deals_deal_changelist": ListRoute(_any_deal, caller=STAFF, query="?status=all"),
    "admin:deals_referrallead_changelist": ListRoute(_any_lead, caller=STAFF),
    "admin:deals_referralfee_changelist": ListRoute(_any_fee, caller=STAFF),
    "admin:billing_order_changelist": ListRoute(_any_order, caller=STAFF),
    "admin:billing_redemptioncode_changelist": ListRoute(_any_codes, caller=STAFF),
    "admin:portal_user_changelist": ListRoute(lambda tenant: UserFactory(), caller=STAFF),
    "admin:portal_outboxtask_changelist": ListRoute(_outbox_task, caller=STAFF),
    "admin:portal_auditevent_changelist": ListRoute(_audit_event, caller=STAFF),
    # Licensing: trials, NFR and evaluation licences
    "api:trials-list": ListRoute(_trial),
    "api:licences-nfr": ListRoute(_nfr_licence),
    "api:evaluation-licences-list": ListRoute(_evaluation_request),
    "api:staff-trial-extensions-list": ListRoute(_any_extension_request, caller=STAFF),
    "api:staff-evaluation-licences-list": ListRoute(_any_evaluation_request, caller=STAFF),
    "licensing:trials": ListRoute(_trial),
    "licensing:nfr": ListRoute(_nfr_licence),
    "licensing:evaluation": ListRoute(_evaluation_request),
    "admin:licensing_trialextensionrequest_changelist": ListRoute(
        _any_extension_request, caller=STAFF, query="?status=all"
    ),
    "admin:licensing_evaluationlicencerequest_changelist": ListRoute(
        _any_evaluation_request, caller=STAFF, query="?status=all"
    ),
    # Licensing: activation, the customers' links and seats, expiry reminders
    "admin:licensing_signingkey_changelist": ListRoute(_signing_key, caller=STAFF),
    "admin:licensing_activation_changelist": ListRoute(_any_activation, caller=STAFF),
    "admin:licensing_customerlink_changelist": ListRoute(_any_customer_link, caller=STAFF),
    "admin:licensing_seat_changelist": ListRoute(_any_seat, caller=STAFF),
    "admin:licensing_licencereminder_changelist": ListRoute(_any_licence_reminder, caller=STAFF),
}
