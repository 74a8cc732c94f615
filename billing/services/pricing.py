"""The pricing engine (SPEC §3.5): the one place a sale is priced. The preview, quotes,
orders, upgrades and renewals all call ``price_sale``; nothing else multiplies a price.

Per line, in this order:
  list price x quantity x period
  -> charity / education / non-profit discount (the customer declared eligible, the
     partner type allows it, reseller space only)
  -> partner discount (the most specific rule of programme x type x tier x engagement
     model; no approved deal registration is late involvement; a programme that requires
     a registration gives none without one; the personal space gives none)
  -> credit applied (an upgrade's credit notes first, then the partner's first-sale
     balance: billing.services.upgrades and billing.services.credits fill them in)
  -> tax (decided by the party invoiced, billing.tax)
  -> total.

First sale (a programme with ``first_sale_credit``, Xen Orchestra): the partner's first
customer sale is charged at list price; the partner discount it would have had is not
given but credited to its balance (``credited_discount``; billing.services.credits writes
the ledger entry). Only in the reseller space of a partner buying directly from the vendor.

An upgrade's credit (the unused time of the licence it replaces) is a credit note against
the invoice that billed that time: it carries that invoice's tax. Its line's tax is
therefore the sale's tax before the credit less the credit note's tax, so that what the
order shows is exactly what the partner pays (the upgrade's invoice less the credit note).

Each amount is rounded half-up to the cent once, at the step that makes it; totals are
sums of the rounded lines. Monthly billing of a product with only a yearly plan is the
yearly price / 12. "Gross" is list less the charity discount: what counts for the tiers
(SPEC §3.4: $1,000 list at 30 % counts $1,000 and pays $700).

Two-tier (SPEC §1): a reseller attached to a distributor buys in the reseller space
through it. The vendor sells to the distributor at the distributor's own discount (its
type, tier and the deal's engagement model) and invoices the distributor; the distributor
sells to the reseller at the resale discount it set (``ResellerDiscount``). A line's main
amounts are then the reseller's price from the distributor; ``distributor_*`` the vendor's
price to the distributor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from billing.models import BillingAccount, ResellerDiscount, Space, TaxRate
from billing.money import ZERO, percent_of, quantize_price
from billing.tax import TaxTreatment, tax_treatment
from licensing.models import BillingPeriod, Plan, Product, Unit
from partners.models import EngagementModel, Organisation
from partners.selectors.programme import discount_rule_for
from portal.errors import DomainError
from portal.tenancy.context import system_context
from portal.vendor.selectors import current_vendor

#: The one system context pricing opens: a reseller's distributor's terms (see below).
DISTRIBUTOR_TERMS = "billing:distributor-terms"
#: Why a first sale has no partner discount (the line's rule, shown on every document).
FIRST_SALE_RULE = "First sale: list price; the discount is credited to your balance"
MONTHS_PER_YEAR = Decimal("12")
UNIT_PRICE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class LineRequest:
    product: Product
    quantity: int
    copies: int = 1


@dataclass(frozen=True)
class SaleRequest:
    """A validated sale to price (billing.services.sale_input builds it from input)."""

    organisation: Organisation
    billing_period: str
    space: str
    lines: tuple[LineRequest, ...]
    customer_country: str = ""
    customer_nonprofit: bool = False
    deal: object | None = None  # an approved (or won) deals.Deal of ``organisation``
    #: The partner's first-sale balance in the sale's currency (billing.services.credits).
    credit_available: Decimal = ZERO
    #: The partner's first customer sale in a first-sale programme: list price, the
    #: discount credited (billing.services.credits decides it).
    first_sale: bool = False
    #: An upgrade's credit, in the sale's currency (billing.services.upgrades), and the tax
    #: rate of the invoice it credits (None: the sale's own rate).
    upgrade_credit: Decimal = ZERO
    upgrade_credit_tax_rate: Decimal | None = None


@dataclass
class PricedLineResult:
    product: Product
    plan: Plan
    quantity: int
    copies: int
    unit_price: Decimal
    list_amount: Decimal
    charity_discount_percent: Decimal
    charity_discount: Decimal
    gross_amount: Decimal
    partner_discount_percent: Decimal
    partner_discount: Decimal
    discount_rule: str
    credit_applied: Decimal
    net_amount: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    distributor_discount_percent: Decimal = ZERO
    distributor_discount: Decimal = ZERO
    distributor_net: Decimal = ZERO
    distributor_tax: Decimal = ZERO
    #: First sale: the partner discount not given, credited to the balance instead.
    credited_discount: Decimal = ZERO
    #: The part of ``credit_applied`` that is an upgrade's credit (the rest: the balance).
    upgrade_credit: Decimal = ZERO


@dataclass
class Pricing:
    currency: str
    billing_period: str
    space: str
    engagement_model: str
    lines: list[PricedLineResult]
    tax: TaxTreatment
    distributor: Organisation | None = None
    distributor_tax: TaxTreatment | None = None
    notes: list[str] = field(default_factory=list)

    def _sum(self, name: str) -> Decimal:
        return sum((getattr(line, name) for line in self.lines), ZERO)

    @property
    def list_amount(self) -> Decimal:
        return self._sum("list_amount")

    @property
    def charity_discount(self) -> Decimal:
        return self._sum("charity_discount")

    @property
    def gross_amount(self) -> Decimal:
        return self._sum("gross_amount")

    @property
    def partner_discount(self) -> Decimal:
        return self._sum("partner_discount")

    @property
    def credit_applied(self) -> Decimal:
        return self._sum("credit_applied")

    @property
    def upgrade_credit(self) -> Decimal:
        return self._sum("upgrade_credit")

    @property
    def balance_credit(self) -> Decimal:
        """The credit taken from the partner's first-sale balance."""
        return self.credit_applied - self.upgrade_credit

    @property
    def credited_discount(self) -> Decimal:
        """A first sale's discount, credited to the balance rather than given."""
        return self._sum("credited_discount")

    @property
    def net_amount(self) -> Decimal:
        return self._sum("net_amount")

    @property
    def tax_amount(self) -> Decimal:
        return self._sum("tax")

    @property
    def total(self) -> Decimal:
        return self._sum("total")

    @property
    def distributor_discount(self) -> Decimal:
        return self._sum("distributor_discount")

    @property
    def distributor_net(self) -> Decimal:
        return self._sum("distributor_net")

    @property
    def distributor_tax_amount(self) -> Decimal:
        return self._sum("distributor_tax")

    @property
    def distributor_total(self) -> Decimal:
        return self.distributor_net + self.distributor_tax_amount

    @property
    def partner_discount_percent(self) -> Decimal:
        """The lines' discount when they share one (the usual case), else the effective
        percentage of the gross amount."""
        percents = {line.partner_discount_percent for line in self.lines}
        if len(percents) == 1:
            return percents.pop()
        gross = self.gross_amount
        return quantize_price(self.partner_discount * 100 / gross) if gross else ZERO

    @property
    def discount_rule(self) -> str:
        rules = list(dict.fromkeys(line.discount_rule for line in self.lines))
        return "; ".join(rules)


# --- the steps ---------------------------------------------------------------------------


def plan_for(*, product: Product, billing_period: str) -> tuple[Plan, Decimal]:
    """The plan a line is priced at and its unit price for one billing period: the
    product's plan for that period, or for monthly billing without a monthly plan, the
    yearly plan's price / 12 (unrounded: the line rounds once)."""
    plans = {plan.billing_period: plan for plan in product.plans.all() if plan.is_active}
    if billing_period in plans:
        plan = plans[billing_period]
        return plan, plan.price
    if billing_period == BillingPeriod.MONTHLY and BillingPeriod.YEARLY in plans:
        plan = plans[BillingPeriod.YEARLY]
        return plan, plan.price / MONTHS_PER_YEAR
    raise DomainError(
        f"{product.name} cannot be billed {billing_period}.",
        field="billing_period",
        code="no_plan",
    )


def units_billed(*, product: Product, quantity: int, copies: int) -> int:
    """A per-host or per-user product is priced per unit; a flat bundle once whatever
    the hosts it covers (Essential: up to three)."""
    return (quantity if product.unit != Unit.FLAT else 1) * copies


def engagement_model_of(deal) -> str:
    return deal.engagement_model if deal is not None else EngagementModel.LATE_INVOLVEMENT


def _rule_text(rule, *, organisation: Organisation) -> str:
    """The rule as a partner reads it: "Distributor, tier 2, late involvement: 10%"."""
    parts = [organisation.partner_type.name]
    if organisation.tier_id:
        parts.append(f"tier {organisation.tier.level}")
    if rule.engagement_model:
        parts.append(rule.get_engagement_model_display().lower())
    return f"{', '.join(parts)}: {rule.percent.normalize():f}%"


def partner_discount(*, organisation: Organisation, space: str, deal) -> tuple[Decimal, str]:
    """The partner discount percentage of a sale by ``organisation``, and why."""
    if space == Space.PERSONAL:
        return ZERO, "Personal space: list price, no partner discount"
    return registered_discount(
        organisation=organisation,
        engagement_model=engagement_model_of(deal),
        registered=deal is not None,
    )


def registered_discount(
    *, organisation: Organisation, engagement_model: str, registered: bool
) -> tuple[Decimal, str]:
    """The reseller-space discount for a sale of ``engagement_model``, linked to an
    approved deal registration or not (``registered``), and why."""
    programme = organisation.partner_type.programme
    if not registered and programme.discount_requires_deal_registration:
        return ZERO, "No partner discount without an approved deal registration"
    rule = discount_rule_for(
        partner_type=organisation.partner_type,
        tier_level=organisation.tier.level if organisation.tier_id else None,
        engagement_model=engagement_model,
    )
    if rule is None:
        return ZERO, "No discount rule for your type and tier"
    return rule.percent, _rule_text(rule, organisation=organisation)


def resale_percent(discounts: dict, *, reseller_id) -> Decimal:
    """A reseller's discount from its distributor, from the distributor's rows
    ``{reseller id or None (the default): percent}``: its own row, else the default,
    else none."""
    return discounts.get(reseller_id, discounts.get(None, ZERO))


def tax_rates() -> dict[str, Decimal]:
    return {str(row.country): row.rate for row in TaxRate.objects.all()}


def buyer_tax_identity(organisation: Organisation) -> tuple[str, bool]:
    """The country and VAT-number validity of a partner as the party invoiced."""
    account = BillingAccount.objects.owned_by(organisation).first()
    if account is None:
        return str(organisation.country), False
    return str(account.country), account.vat_number_valid


@dataclass(frozen=True)
class DistributorTerms:
    """What pricing needs of a reseller's distributor: its resale discount to the
    reseller and its tax identity (nothing else of the distributor)."""

    resale_percent: Decimal
    country: str
    vat_number_valid: bool


def distributor_terms(*, distributor: Organisation, reseller: Organisation) -> DistributorTerms:
    """The distributor's rows are not the reseller's to read (row-level security): the
    look-up runs in the narrow ``billing:distributor-terms`` system context and returns
    only the resale discount (the reseller's own row, else the distributor's default,
    else none) and the distributor's tax identity."""
    with system_context(DISTRIBUTOR_TERMS):
        rows = dict(
            ResellerDiscount.objects.owned_by(distributor)
            .filter(Q(reseller=reseller) | Q(reseller__isnull=True))
            .values_list("reseller_id", "percent")
        )
        country, vat_valid = buyer_tax_identity(distributor)
    return DistributorTerms(
        resale_percent=resale_percent(rows, reseller_id=reseller.pk),
        country=country,
        vat_number_valid=vat_valid,
    )


def charity_percent(*, request: SaleRequest, notes: list[str]) -> Decimal:
    if not request.customer_nonprofit or request.space == Space.PERSONAL:
        return ZERO
    organisation = request.organisation
    if not organisation.partner_type.charity_discounts_allowed:
        notes.append(
            f"{organisation.partner_type.name} partners do not pass on charity, education "
            "or non-profit discounts."
        )
        return ZERO
    return organisation.partner_type.programme.nonprofit_discount_percent


# --- the engine --------------------------------------------------------------------------


class PricingLookups:
    """What pricing reads besides the sale itself (the tax rates, the vendor's country,
    the buyer's tax identity, a distributor's terms, the discount rules), read once and
    shared by the sales priced with the same lookups: a list of renewals prices each of
    its licences in a constant number of queries."""

    def __init__(self) -> None:
        self._found: dict = {}

    def get(self, key, compute):
        if key not in self._found:
            self._found[key] = compute()
        return self._found[key]


def _discount(lookups: PricingLookups, *, organisation, space: str, deal) -> tuple[Decimal, str]:
    key = ("discount", organisation.pk, space, engagement_model_of(deal), deal is not None)
    return lookups.get(
        key, lambda: partner_discount(organisation=organisation, space=space, deal=deal)
    )


def _line_tax(*, net: Decimal, upgrade_credit: Decimal, rate: Decimal, credit_rate) -> Decimal:
    """A line's tax. An upgrade's credit is a credit note with the tax of the invoice it
    credits: the line's tax is the tax of the price before that credit, less the credit
    note's (what the partner pays: the upgrade's invoice less the credit note)."""
    if not upgrade_credit:
        return percent_of(net, rate)
    credit_rate = rate if credit_rate is None else credit_rate
    return percent_of(net + upgrade_credit, rate) - percent_of(upgrade_credit, credit_rate)


def price_sale(request: SaleRequest, *, lookups: PricingLookups | None = None) -> Pricing:
    """Price every line of ``request`` (see the module's docstring for the steps)."""
    lookups = lookups or PricingLookups()
    organisation = request.organisation
    notes: list[str] = []
    rates = lookups.get("rates", tax_rates)
    vendor_country = lookups.get("vendor_country", lambda: str(current_vendor().country))
    buyer_country, buyer_vat_valid = lookups.get(
        ("buyer", organisation.pk), lambda: buyer_tax_identity(organisation)
    )

    distributor = organisation.distributor if request.space == Space.RESELLER else None
    if distributor is not None:
        terms = lookups.get(
            ("distributor_terms", distributor.pk, organisation.pk),
            lambda: distributor_terms(distributor=distributor, reseller=organisation),
        )
        own_percent = terms.resale_percent
        own_reason = f"{distributor.name}'s resale discount to you: {own_percent.normalize():f}%"
        dist_percent, _ = _discount(
            lookups, organisation=distributor, space=request.space, deal=request.deal
        )
        distributor_tax = tax_treatment(
            seller_country=vendor_country,
            buyer_country=terms.country,
            buyer_vat_valid=terms.vat_number_valid,
            rates=rates,
        )
        # The reseller is invoiced by its distributor: the same rules, the distributor selling.
        treatment = tax_treatment(
            seller_country=terms.country,
            buyer_country=buyer_country,
            buyer_vat_valid=buyer_vat_valid,
            rates=rates,
        )
    else:
        own_percent, own_reason = _discount(
            lookups, organisation=organisation, space=request.space, deal=request.deal
        )
        dist_percent, distributor_tax = ZERO, None
        treatment = tax_treatment(
            seller_country=vendor_country,
            buyer_country=buyer_country,
            buyer_vat_valid=buyer_vat_valid,
            rates=rates,
        )

    if request.space == Space.PERSONAL and organisation.partner_type.complimentary_nfr:
        notes.append(
            f"{organisation.partner_type.name} partners get a complimentary NFR licence of "
            "each product (one running at a time): ask for it on the NFR licences page. "
            "What you buy here is at list price."
        )
    # A first sale is the vendor's offer to a partner it sells to directly.
    first_sale = request.first_sale and request.space == Space.RESELLER and distributor is None
    charity = charity_percent(request=request, notes=notes)
    credit_left = max(request.credit_available, ZERO)
    upgrade_left = max(request.upgrade_credit, ZERO)
    currencies = set()
    lines = []
    for line in request.lines:
        plan, unit_price = plan_for(product=line.product, billing_period=request.billing_period)
        currencies.add(plan.currency)
        units = units_billed(product=line.product, quantity=line.quantity, copies=line.copies)
        list_amount = quantize_price(unit_price * units)
        charity_discount = percent_of(list_amount, charity)
        gross = list_amount - charity_discount
        percent, reason = own_percent, own_reason
        discount = percent_of(gross, own_percent)
        credited = ZERO
        if first_sale:
            credited, discount, percent, reason = discount, ZERO, ZERO, FIRST_SALE_RULE
        upgrade = min(upgrade_left, gross - discount)
        upgrade_left -= upgrade
        credit = min(credit_left, gross - discount - upgrade)
        credit_left -= credit
        net = gross - discount - upgrade - credit
        tax = _line_tax(
            net=net,
            upgrade_credit=upgrade,
            rate=treatment.rate,
            credit_rate=request.upgrade_credit_tax_rate,
        )
        priced = PricedLineResult(
            product=line.product,
            plan=plan,
            quantity=line.quantity,
            copies=line.copies,
            unit_price=unit_price.quantize(UNIT_PRICE_PLACES),
            list_amount=list_amount,
            charity_discount_percent=charity,
            charity_discount=charity_discount,
            gross_amount=gross,
            partner_discount_percent=percent,
            partner_discount=discount,
            discount_rule=reason,
            credit_applied=upgrade + credit,
            net_amount=net,
            tax_rate=treatment.rate,
            tax=tax,
            total=net + tax,
            credited_discount=credited,
            upgrade_credit=upgrade,
        )
        if distributor is not None:
            priced.distributor_discount_percent = dist_percent
            priced.distributor_discount = percent_of(gross, dist_percent)
            priced.distributor_net = gross - priced.distributor_discount
            priced.distributor_tax = percent_of(priced.distributor_net, distributor_tax.rate)
        lines.append(priced)

    if len(currencies) > 1:
        raise DomainError(
            "These products are priced in different currencies "
            f"({', '.join(sorted(currencies))}): make one order or quote per currency.",
            field="lines",
            code="mixed_currencies",
        )
    if distributor is not None and own_percent > dist_percent:
        notes.append(
            f"The resale discount ({own_percent.normalize():f}%) is above the distributor's "
            f"own ({dist_percent.normalize():f}%): the distributor sells at a loss."
        )
    currency = currencies.pop() if currencies else ""
    credited_total = sum((line.credited_discount for line in lines), ZERO)
    if credited_total:
        notes.append(
            f"Your first sale: list price. The discount it would have had ({credited_total:f} "
            f"{currency}) is credited to your balance, spendable on your customer sales "
            "within 12 months on top of your standard discount."
        )
    balance_spent = sum((line.credit_applied - line.upgrade_credit for line in lines), ZERO)
    if balance_spent:
        notes.append(f"Credit from your first-sale balance: {balance_spent:f} {currency}.")
    return Pricing(
        currency=currency,
        billing_period=request.billing_period,
        space=request.space,
        engagement_model=engagement_model_of(request.deal),
        lines=lines,
        tax=treatment,
        distributor=distributor,
        distributor_tax=distributor_tax,
        notes=notes,
    )


def sale_currency(request: SaleRequest) -> str:
    """The currency ``request`` is priced in (its first line's plan's): the balance a
    sale may spend is the balance in that currency."""
    if not request.lines:
        return ""
    line = request.lines[0]
    plan, _ = plan_for(product=line.product, billing_period=request.billing_period)
    return plan.currency
