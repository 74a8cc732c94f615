"""Invoices and credit notes (SPEC §3.10): what the vendor bills the party it invoices (the
partner, or its distributor in a two-tier sale).

A document is *issued* when its row is written: it gets its gapless number in the same
transaction (``InvoiceCounter``) and from then on it never changes. The database refuses
an UPDATE or DELETE of an invoice or of one of its lines (django-pgtrigger triggers), so
raw SQL as the application role cannot change one either. A correction is a credit note:
an ``Invoice`` of kind ``credit_note`` in its own series, naming the invoice it credits.

What does change after issue lives beside the document, in rows of their own: its PDF
(``InvoiceDocument``, rendered by a Celery task), its payment (``billing.models.payments``)
and its reminders. Written only by billing.services.invoices."""

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

from billing.models.priced import money_field
from portal.storage import private_storage
from portal.tenancy.models import TenantOwnedModel

USD_RATE_PLACES = 6


class InvoiceCounter(models.Model):
    """The last number given in a series and year. Issuing increments it in the issuing
    transaction (``UPDATE ... RETURNING``), which holds the row's lock until it commits:
    a rolled-back issue gives its number back, so numbers have no gaps. (A PostgreSQL
    sequence would keep the number a rolled-back transaction took.) Platform data."""

    series = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="invoice_counter_unique")
        ]

    def __str__(self):
        return f"{self.series}-{self.year}: {self.last_number}"


class Invoice(TenantOwnedModel):
    """An issued invoice or credit note; ``organisation`` is the party invoiced."""

    class Kind(models.TextChoices):
        INVOICE = "invoice", "Invoice"
        CREDIT_NOTE = "credit_note", "Credit note"

    class Purpose(models.TextChoices):
        ORDER = "order", "Order"
        PERIOD = "period", "Billing period of a monthly subscription"
        UPGRADE = "upgrade", "Upgrade"
        RENEWAL = "renewal", "Renewal"
        CORRECTION = "correction", "Correction"

    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.INVOICE)
    purpose = models.CharField(max_length=12, choices=Purpose.choices, default=Purpose.ORDER)
    series = models.CharField(max_length=4)
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    reference = models.CharField(max_length=20, unique=True)
    issued_on = models.DateField()
    due_on = models.DateField()

    order = models.ForeignKey(
        "billing.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    credited_invoice = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="credit_notes",
        help_text="The invoice a credit note corrects.",
    )
    reason = models.CharField(max_length=250, blank=True, help_text="Why a credit note.")

    # The party invoiced, as it was at issue.
    buyer_name = models.CharField(max_length=200)
    buyer_address = models.TextField(blank=True)
    buyer_country = CountryField()
    buyer_vat_number = models.CharField(max_length=20, blank=True)
    buyer_email = models.EmailField(blank=True)
    # The end customer the sale was for (never invoiced).
    customer_name = models.CharField(max_length=200, blank=True)
    customer_country = CountryField(blank=True)

    currency = models.CharField(max_length=3)
    list_amount = money_field()
    charity_discount = money_field()
    gross_amount = money_field(help_text="Before partner discount and tax: what counts for tiers.")
    partner_discount = money_field()
    credit_applied = money_field()
    net_amount = money_field(help_text="Before tax.")
    tax = money_field()
    total = money_field()
    tax_kind = models.CharField(max_length=20)
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    tax_mention = models.CharField(max_length=200, blank=True)
    usd_rate = models.DecimalField(
        max_digits=14,
        decimal_places=USD_RATE_PLACES,
        help_text="US dollars for one unit of the currency on the invoice date.",
    )
    gross_usd = money_field(help_text="The gross amount in US dollars (SPEC §3.4).")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-number"]
        indexes = [
            models.Index(fields=["organisation", "-issued_on"]),
            models.Index(fields=["kind", "issued_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "year", "number"], name="invoice_number_unique"
            ),
            # Issuing again for the same order, or the same period of a subscription,
            # finds the first invoice instead of making a second (the beat job re-runs).
            models.UniqueConstraint(
                fields=["order", "purpose", "period_start"],
                condition=Q(kind="invoice", order__isnull=False),
                name="invoice_once_per_order_period",
            ),
            models.CheckConstraint(
                condition=Q(kind="invoice") | Q(credited_invoice__isnull=False),
                name="credit_note_names_invoice",
            ),
            models.CheckConstraint(
                condition=Q(net_amount__gte=0) & Q(total__gte=0), name="invoice_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(due_on__gte=models.F("issued_on")), name="invoice_due"
            ),
        ]
        permissions = [
            ("issue_credit_notes", "Can issue credit notes"),
            ("review_payments", "Can mark invoices paid and reject payment proofs"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="invoice_immutable", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self):
        return self.reference

    @property
    def is_credit_note(self) -> bool:
        return self.kind == self.Kind.CREDIT_NOTE

    @property
    def payment_reference(self) -> str:
        """What the partner writes on its wire transfer."""
        return self.reference


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    product_code = models.CharField(max_length=40)
    description = models.CharField(max_length=250)
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    unit_price = models.DecimalField(max_digits=14, decimal_places=4)
    list_amount = money_field()
    charity_discount = money_field()
    gross_amount = money_field()
    partner_discount_percent = models.DecimalField(max_digits=5, decimal_places=2)
    partner_discount = money_field()
    credit_applied = money_field()
    net_amount = money_field()
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2)
    tax = money_field()
    total = money_field()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position"),
            models.CheckConstraint(
                condition=Q(net_amount__gte=0) & Q(total__gte=0), name="invoice_line_not_negative"
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="invoice_line_immutable", operation=pgtrigger.Update | pgtrigger.Delete
            ),
        ]

    def __str__(self):
        return f"{self.description} x {self.quantity}"


class InvoiceDocument(TenantOwnedModel):
    """An invoice's PDF (a Factur-X PDF/A-3 with its EN 16931 XML), rendered by the task
    billing.render_invoice_pdf. Once ready, the file and its SHA-256 never change (a
    trigger refuses it); until then the page shows that it is being generated."""

    class Status(models.TextChoices):
        PENDING = "pending", "Being generated"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="document")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    pdf = models.FileField(upload_to="invoices/", storage=private_storage, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    rendered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        triggers = [
            pgtrigger.Protect(
                name="invoice_document_final",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="ready"),
            ),
        ]

    def __str__(self):
        return f"{self.invoice_id} ({self.get_status_display()})"


class CurrencyRate(models.Model):
    """US dollars for one unit of ``currency`` from ``valid_from`` (SPEC §3.4: amounts in
    other currencies count at the rate in force on the invoice date). Kept by staff;
    platform data."""

    currency = models.CharField(max_length=3)
    valid_from = models.DateField()
    usd_rate = models.DecimalField(max_digits=14, decimal_places=USD_RATE_PLACES)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="currency_rate_unique"),
            models.CheckConstraint(condition=Q(usd_rate__gt=0), name="currency_rate_positive"),
        ]

    def __str__(self):
        return f"1 {self.currency} = {self.usd_rate} USD from {self.valid_from}"
