"""Sales of the history: deal registrations won, licences, orders with their line, and
invoices and credit notes with their line, as billing.services.orders leaves them."""

from __future__ import annotations

import datetime
import hashlib
import uuid
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from billing.models import Invoice, InvoiceLine, Order, OrderLine
from billing.models.invoices import CurrencyRate
from billing.models.priced import Space
from billing.money import percent_of, quantize_price
from billing.services.invoices import (
    CREDIT_NOTE_SERIES,
    INVOICE_SERIES,
    PAYMENT_TERM_DAYS,
    REPORTING_CURRENCY,
    invoice_reference,
)
from billing.services.pricing import tax_rates
from billing.tax import tax_treatment
from deals.models import Deal
from licensing.models import Licence, Plan
from partners.models import Organisation
from pes.history.plan import DEAL_MODELS, Sale
from pes.history.rows import Numbers, at, bulk_insert, year_later
from portal.vendor.selectors import current_vendor

HISTORY_SOURCE = "history"  # Licence.source of the licences the history issued
SELLER_COUNTRY_DEFAULT = "FR"
CREDIT_AFTER_DAYS = 7
DEAL_SUBMITTED_DAYS_BEFORE = 21
PURPOSES = {
    Order.Kind.NEW: Invoice.Purpose.ORDER,
    Order.Kind.RENEWAL: Invoice.Purpose.RENEWAL,
    Order.Kind.UPGRADE: Invoice.Purpose.UPGRADE,
}


def _catalogue(programme_ids) -> dict:
    """Each programme's active products sold by the year, in a fixed order, with a plan."""
    by_programme = defaultdict(list)
    plans = (
        Plan.objects.filter(
            product__programme_id__in=programme_ids,
            product__is_active=True,
            billing_period="yearly",
            is_active=True,
        )
        .select_related("product")
        .order_by("product__position", "product__code", "currency")
    )
    seen = set()
    for plan in plans:
        if plan.product_id not in seen:
            seen.add(plan.product_id)
            by_programme[plan.product.programme_id].append((plan.product, plan))
    return by_programme


class _Rates:
    """US dollars for one unit of a currency on a day (billing's rule, from the same
    table); a day before the first rate known takes the first one: the history may start
    before the table does."""

    def __init__(self):
        self.rates = defaultdict(list)
        for rate in CurrencyRate.objects.order_by("currency", "valid_from"):
            self.rates[rate.currency].append((rate.valid_from, rate.usd_rate))

    def on(self, currency: str, day: datetime.date) -> Decimal:
        if currency == REPORTING_CURRENCY:
            return Decimal("1")
        known = self.rates.get(currency)
        if not known:
            raise ValueError(f"no US dollar rate for {currency}")
        index = bisect_right([d for d, _ in known], day) - 1
        return known[max(index, 0)][1]


def _credit_day(sale: Sale) -> datetime.date:
    return sale.placed_on + datetime.timedelta(days=CREDIT_AFTER_DAYS)


def _deal_day(sale: Sale) -> datetime.date:
    return sale.placed_on - datetime.timedelta(days=DEAL_SUBMITTED_DAYS_BEFORE)


def _has_deal(sale: Sale) -> bool:
    return sale.engagement_model in DEAL_MODELS and not sale.personal


def _needs(sales: list[Sale]) -> Counter:
    """How many numbers of each counter and year the sales take."""
    needs = Counter()
    for sale in sales:
        needs[("reference", "SO", sale.placed_on.year)] += 1
        needs[("invoice", INVOICE_SERIES, sale.placed_on.year)] += 1
        if _has_deal(sale):
            needs[("reference", "DR", _deal_day(sale).year)] += 1
        if sale.cancelled or sale.credited:
            needs[("invoice", CREDIT_NOTE_SERIES, _credit_day(sale).year)] += 1
    return needs


@dataclass
class _Amounts:
    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal

    @classmethod
    def of(cls, gross: Decimal, discount_percent: Decimal, tax_rate: Decimal) -> _Amounts:
        discount = percent_of(gross, discount_percent)
        net = gross - discount
        return cls(gross, discount, net, percent_of(net, tax_rate))

    @property
    def total(self) -> Decimal:
        return self.net + self.tax

    def document(self) -> dict:
        return {
            "list_amount": self.gross,
            "gross_amount": self.gross,
            "partner_discount": self.discount,
            "net_amount": self.net,
            "tax": self.tax,
            "total": self.total,
        }


@dataclass
class SalesWriter:
    """Builds every row of the sales in memory, then inserts each table in bulk."""

    sales: list[Sale]
    rows: dict = field(default_factory=lambda: defaultdict(list))

    def write(self) -> Counter:
        ids = {s.organisation_id for s in self.sales}
        ids |= {s.distributor_id for s in self.sales if s.distributor_id}
        self.organisations = {
            o.pk: o for o in Organisation.objects.filter(pk__in=ids).select_related("partner_type")
        }
        self.catalogue = _catalogue(
            {o.partner_type.programme_id for o in self.organisations.values()}
        )
        self.rates = _Rates()
        self.vat_rates = tax_rates()
        vendor = current_vendor()
        self.seller_country = str(getattr(vendor, "country", "") or SELLER_COUNTRY_DEFAULT)
        self.numbers = Numbers(_needs(self.sales))
        self.licence_of: dict[int, Licence] = {}
        for n, sale in enumerate(self.sales):
            self._sale(n, sale)
        today = timezone.localdate()
        for licence in self.rows[Licence]:
            expired = licence.ends_on < today
            licence.status = Licence.Status.EXPIRED if expired else Licence.Status.ACTIVE
        for model in (Deal, Licence, Order, OrderLine, Invoice, "credit_notes", InvoiceLine):
            bulk_insert(Invoice if model == "credit_notes" else model, self.rows[model])
        return Counter(
            deals=len(self.rows[Deal]),
            licences=len(self.rows[Licence]),
            orders=len(self.rows[Order]),
            invoices=len(self.rows[Invoice]),
            credit_notes=len(self.rows["credit_notes"]),
        )

    def _sale(self, n: int, sale: Sale) -> None:
        partner = self.organisations[sale.organisation_id]
        invoiced = self.organisations[sale.distributor_id] if sale.distributor_id else partner
        choices = self.catalogue.get(partner.partner_type.programme_id)
        if not choices:
            raise ValueError("the partner's programme sells no yearly product: load its catalogue")
        product, plan = choices[n % len(choices)]
        domain = f"c{uuid.uuid4().hex[:12]}.example"
        customer = {
            "name": partner.name if sale.personal else f"Customer {n + 1} of {partner.name}"[:200],
            "email": f"it@{domain}",
            "domain": domain,
        }
        treatment = tax_treatment(
            seller_country=self.seller_country,
            buyer_country=str(invoiced.country),
            buyer_vat_valid=True,
            rates=self.vat_rates,
        )
        amounts = _Amounts.of(quantize_price(sale.amount), sale.discount_percent, treatment.rate)
        deal = self._deal(sale, partner, product, customer, amounts) if _has_deal(sale) else None
        licence = self._licence(n, sale, partner, product, plan, customer)
        order = Order(
            id=uuid.uuid4(),
            organisation_id=partner.pk,
            distributor_id=sale.distributor_id,
            reference=self._reference("SO", sale.placed_on.year),
            space=Space.PERSONAL if sale.personal else Space.RESELLER,
            billing_period="yearly",
            currency=sale.currency,
            customer_name=customer["name"],
            customer_country=partner.country,
            customer_email=customer["email"],
            deal=deal,
            engagement_model=sale.engagement_model,
            tax_kind=treatment.kind,
            tax_mention=treatment.mention,
            status=Order.Status.CANCELLED if sale.cancelled else Order.Status.PAID,
            kind=sale.kind,
            created_at=at(sale.placed_on),
            **amounts.document(),
        )
        self.rows[Order].append(order)
        self.rows[OrderLine].append(
            OrderLine(
                order=order,
                position=1,
                product=product,
                product_code=product.code,
                product_name=product.name[:80],
                plan=plan,
                quantity=sale.quantity,
                unit_price=amounts.gross / sale.quantity,
                list_amount=amounts.gross,
                gross_amount=amounts.gross,
                partner_discount_percent=sale.discount_percent,
                partner_discount=amounts.discount,
                discount_rule="The programme's discount at the time of the sale",
                net_amount=amounts.net,
                tax_rate=treatment.rate,
                tax=amounts.tax,
                total=amounts.total,
                licence=licence,
            )
        )
        self._invoices(sale, order, invoiced, partner, product, customer, treatment, amounts)

    def _reference(self, prefix: str, year: int) -> str:
        return f"{prefix}-{year}-{self.numbers.take('reference', prefix, year):06d}"

    def _deal(self, sale, partner, product, customer, amounts) -> Deal:
        submitted = _deal_day(sale)
        deal = Deal(
            organisation_id=partner.pk,
            reference=self._reference("DR", submitted.year),
            product=product,
            customer_name=customer["name"],
            customer_domain=customer["domain"],
            customer_country=partner.country,
            customer_email=customer["email"],
            estimated_value=amounts.gross,
            currency=sale.currency,
            expected_close_date=sale.placed_on,
            engagement_model=sale.engagement_model,
            # Approved, then won by the sale (deals.services.registrations.deal_mark_won).
            status=Deal.Status.WON,
            protected_until=submitted + datetime.timedelta(days=90),
            submitted_at=at(submitted),
            review_since=at(submitted),
            decided_at=at(submitted + datetime.timedelta(days=1)),
            closed_at=at(sale.placed_on),
            updated_at=at(sale.placed_on),
        )
        self.rows[Deal].append(deal)
        return deal

    def _licence(self, n, sale, partner, product, plan, customer) -> Licence:
        """A new sale's licence; a renewal's or an upgrade's is the one it changes."""
        placed_at = at(sale.placed_on)
        if sale.previous is not None:
            licence = self.licence_of[sale.previous]
            if sale.kind == Order.Kind.RENEWAL:
                licence.ends_on = year_later(licence.ends_on)
            licence.updated_at = placed_at
            self.licence_of[n] = licence
            return licence
        licence = Licence(
            organisation_id=partner.pk,
            distributor_id=sale.distributor_id,
            product=product,
            plan=plan,
            kind=Licence.Kind.NFR if sale.personal else Licence.Kind.CUSTOMER,
            product_code=product.code,
            product_name=product.name,
            unit=product.unit,
            billing_period="yearly",
            quantity=sale.quantity,
            machine_limit=product.machine_limit,
            starts_on=sale.placed_on,
            ends_on=year_later(sale.placed_on) - datetime.timedelta(days=1),
            customer_name=customer["name"],
            customer_email=customer["email"],
            customer_country=str(partner.country),
            bound_at=placed_at,
            redeemed_at=placed_at,
            key_digest=hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
            key_hint=uuid.uuid4().hex[:6].upper(),
            source=HISTORY_SOURCE,
            created_at=placed_at,
            updated_at=placed_at,
        )
        self.rows[Licence].append(licence)
        self.licence_of[n] = licence
        return licence

    def _invoices(self, sale, order, invoiced, partner, product, customer, treatment, amounts):
        """The order's invoice on the day it was placed; its credit note, if any, a week
        later (the whole invoice for a cancelled order)."""
        common = {
            "organisation_id": invoiced.pk,
            "buyer_name": invoiced.name,
            "buyer_country": invoiced.country,
            "customer_name": "" if sale.personal else customer["name"],
            "customer_country": "" if sale.personal else partner.country,
            "currency": sale.currency,
            "tax_kind": treatment.kind,
            "tax_rate": treatment.rate,
            "tax_mention": treatment.mention,
        }
        invoice = self._document(
            INVOICE_SERIES,
            sale.placed_on,
            amounts,
            sale.currency,
            common,
            kind=Invoice.Kind.INVOICE,
            purpose=PURPOSES[sale.kind],
            order=order,
            due_on=sale.placed_on + datetime.timedelta(days=PAYMENT_TERM_DAYS),
        )
        self.rows[Invoice].append(invoice)
        self.rows[InvoiceLine].append(_line(invoice, product, sale.quantity, amounts))
        credited = amounts.gross if sale.cancelled else quantize_price(Decimal(sale.credited))
        if not credited:
            return
        day = _credit_day(sale)
        credit = _Amounts.of(credited, sale.discount_percent, treatment.rate)
        credit_note = self._document(
            CREDIT_NOTE_SERIES,
            day,
            credit,
            sale.currency,
            common,
            kind=Invoice.Kind.CREDIT_NOTE,
            purpose=Invoice.Purpose.CORRECTION,
            credited_invoice=invoice,
            reason="Order cancelled" if sale.cancelled else "Seats reduced after the sale",
            due_on=day,
        )
        self.rows["credit_notes"].append(credit_note)
        self.rows[InvoiceLine].append(_line(credit_note, product, sale.quantity, credit))

    def _document(self, series, day, amounts, currency, common, **fields) -> Invoice:
        number = self.numbers.take("invoice", series, day.year)
        usd_rate = self.rates.on(currency, day)
        return Invoice(
            id=uuid.uuid4(),
            series=series,
            year=day.year,
            number=number,
            reference=invoice_reference(series=series, year=day.year, number=number),
            issued_on=day,
            usd_rate=usd_rate,
            gross_usd=quantize_price(amounts.gross * usd_rate),
            created_at=at(day),
            **amounts.document(),
            **common,
            **fields,
        )


def _line(invoice: Invoice, product, quantity: int, amounts: _Amounts) -> InvoiceLine:
    return InvoiceLine(
        invoice=invoice,
        position=1,
        product_code=product.code,
        description=product.name,
        quantity=quantity,
        unit_price=amounts.gross / quantity,
        list_amount=amounts.gross,
        gross_amount=amounts.gross,
        partner_discount_percent=(amounts.discount * 100 / amounts.gross).quantize(Decimal("0.01")),
        partner_discount=amounts.discount,
        net_amount=amounts.net,
        tax_rate=invoice.tax_rate,
        tax=amounts.tax,
        total=amounts.total,
    )
