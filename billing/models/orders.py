"""Orders (SPEC §3.5, §3.10): a purchase for a named end customer (reseller space) or for
the partner's own use (personal space), priced by the engine, each line fulfilled by a
licence issued through licensing (or a batch of single-use redemption codes).

An order belongs to the partner that buys; placed through a distributor, the distributor
reads it too (never changes it). Written only by billing.services.orders."""

import uuid

from django.conf import settings
from django.db import models

from billing.models.priced import PricedDocument, PricedLine, money_field
from portal.tenancy.models import DistributorVisibleModel, TenantOwnedModel


class Order(PricedDocument, DistributorVisibleModel):
    class Status(models.TextChoices):
        PLACED = "placed", "Placed, awaiting payment"
        PAID = "paid", "Paid"
        CANCELLED = "cancelled", "Cancelled"

    class Kind(models.TextChoices):
        """What the sale is (SPEC §3.4 counts all three as customer sales; an upgrade
        only 3 months or more after the licence's previous order or renewal)."""

        NEW = "new", "New sale"
        UPGRADE = "upgrade", "Upgrade"
        RENEWAL = "renewal", "Renewal"

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLACED)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.NEW)
    upgrade_credit = money_field(
        help_text="An upgrade: the part of the credit applied that is the unused time of the "
        "licence it replaces (credit notes against the invoices that billed it)."
    )
    quote = models.OneToOneField(
        "billing.Quote", on_delete=models.PROTECT, null=True, blank=True, related_name="order"
    )
    placed_by_distributor = models.BooleanField(
        default=False, help_text="Placed by the distributor for its attached reseller."
    )
    subscription_cancelled_at = models.DateTimeField(
        null=True, blank=True, help_text="A monthly subscription the partner cancelled."
    )
    subscription_end = models.DateField(
        null=True,
        blank=True,
        help_text="A cancelled monthly subscription's last day: the end of the period it was "
        "cancelled in. No later period is billed; its licences end then.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"])]
        permissions = [
            ("cancel_subscriptions", "Can cancel a partner's monthly subscription for it")
        ]

    def __str__(self):
        return self.reference


class OrderLine(PricedLine):
    class Fulfilment(models.TextChoices):
        LICENCE = "licence", "A licence, ready to bind"
        CODES = "codes", "Single-use redemption codes"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    fulfilment = models.CharField(
        max_length=10, choices=Fulfilment.choices, default=Fulfilment.LICENCE
    )
    copies = models.PositiveIntegerField(
        default=1, help_text="Licences this line makes, each of the quantity."
    )
    licence = models.ForeignKey(
        "licensing.Licence",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
        help_text="The licence the line issued, or (an upgrade, a renewal) the licence it "
        "changed: a licence's orders, oldest first, are its history of sales.",
    )

    class Meta(PricedLine.Meta):
        constraints = [
            *PricedLine.amount_constraints("order_line"),
            models.UniqueConstraint(fields=["order", "position"], name="order_line_position"),
        ]

    def __str__(self):
        return f"{self.product_name} x {self.quantity}"


class RedemptionCode(DistributorVisibleModel):
    """One single-use code of an order line: the customer who enters it gets a licence
    of the line's product and quantity (billing.services.codes)."""

    line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=24, unique=True)
    licence = models.OneToOneField(
        "licensing.Licence", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "code"]

    def __str__(self):
        return self.code


class IdempotencyKey(TenantOwnedModel):
    """An ``Idempotency-Key`` a partner sent with an order: the same key and body again
    return the same order; the same key with another body is refused."""

    key = models.CharField(max_length=250)
    request_digest = models.CharField(max_length=64)
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, null=True, related_name="+", help_text="Set on commit."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="idempotency_key_unique")
        ]
