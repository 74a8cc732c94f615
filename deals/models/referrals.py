"""Referrals (SPEC §3.6), two ways a partner earns from a sale it did not make itself.

* A referral lead (OpenNebula): the partner names a prospect; when it becomes a customer
  sale the channel team records the sale and its amount, and the partner earns its partner
  type's ``commission_percent`` of it, fixed when the sale is recorded. The commission
  statement lists those sales.
* A referral fee (Mattermost): when the customer of an approved deal registration buys
  online directly, the channel team records the purchase; the partner may then invoice the
  vendor a fee equal to its discount off the list price, with the note "Referral fee for
  deal registration <reference>"; the channel team approves the invoice and marks it paid.

Written only by deals.services.referrals; every change is an audit record.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_countries.fields import CountryField

from deals.models.registrations import Deal
from portal.tenancy.models import TenantOwnedModel

_AMOUNT = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


class ReferralLead(TenantOwnedModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        CONVERTED = "converted", "Became a sale"
        DECLINED = "declined", "Declined"

    reference = models.CharField(
        max_length=20, unique=True, editable=False, help_text="RL-YYYY-NNNNNN, numbered per year."
    )
    customer_name = models.CharField(max_length=200)
    customer_domain = models.CharField(max_length=253, help_text="Normalised, as for deals.")
    customer_country = CountryField()
    customer_email = models.EmailField()
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(default=timezone.now, editable=False)

    # The sale, recorded by the channel team; the commission is fixed then.
    sale_date = models.DateField(null=True, blank=True)
    sale_amount = models.DecimalField(null=True, blank=True, **_AMOUNT)
    currency = models.CharField(max_length=3, blank=True)
    commission_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    commission_amount = models.DecimalField(null=True, blank=True, **_AMOUNT)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decline_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "sale_date"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="converted")
                | (
                    Q(sale_date__isnull=False)
                    & Q(sale_amount__isnull=False)
                    & Q(commission_percent__isnull=False)
                    & Q(commission_amount__isnull=False)
                    & ~Q(currency="")
                ),
                name="referral_sale_has_its_commission",
            ),
        ]
        permissions = [
            (
                "manage_referrals",
                "Can record referral sales and online purchases, approve referral fee "
                "invoices and mark them paid",
            ),
        ]

    def __str__(self):
        return f"{self.reference} · {self.customer_name}"


class ReferralFee(TenantOwnedModel):
    class Status(models.TextChoices):
        PURCHASE_RECORDED = "purchase_recorded", "Online purchase recorded"
        INVOICED = "invoiced", "Invoice submitted"
        APPROVED = "approved", "Invoice approved"
        PAID = "paid", "Paid"

    deal = models.OneToOneField(Deal, on_delete=models.PROTECT, related_name="referral_fee")
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.PURCHASE_RECORDED
    )
    purchase_date = models.DateField()
    list_amount = models.DecimalField(**_AMOUNT, help_text="The online purchase at list price.")
    currency = models.CharField(max_length=3)
    discount_percent = models.DecimalField(max_digits=5, decimal_places=2)
    fee_amount = models.DecimalField(**_AMOUNT, help_text="The partner's discount off list.")
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invoice_number = models.CharField(max_length=60, blank=True)
    invoice_note = models.CharField(max_length=120, blank=True)
    invoiced_at = models.DateTimeField(null=True, blank=True)
    invoiced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    payment_reference = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="purchase_recorded") | ~Q(invoice_number=""),
                name="referral_fee_invoiced_has_a_number",
            ),
        ]

    def __str__(self):
        return f"Referral fee for {self.deal.reference}"
