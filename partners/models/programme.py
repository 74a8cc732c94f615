"""The partner programme as data (SPEC §3.1, §3.2): types, tiers, discounts, embargo.

The channel team edits these in the admin; prices and evaluations read them when they are
computed, so a change applies to the next quote or evaluation without a deploy, while what
was already issued (invoices) keeps the figures it was issued with.
"""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django_countries.fields import CountryField

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
#: The payment review time is counted in business days, at most two working weeks.
MAX_PAYMENT_REVIEW_DAYS = 10


class EngagementModel(models.TextChoices):
    """How partner and vendor share a deal (SPEC §3.6); sets the distributor discount and
    the quarter's deal mix. Co-led has two kinds (the Vates seed): led by the partner, or
    by the vendor with the partner engaged at some stages. An order linked to no approved
    deal registration is late involvement."""

    PARTNER_OWNED = "partner_owned", "Partner-owned"
    CO_LED_PARTNER = "co_led_partner", "Co-led, partner-led"
    CO_LED_VENDOR = "co_led_vendor", "Co-led, vendor-led"
    LATE_INVOLVEMENT = "late_involvement", "Late involvement"

    @classmethod
    def co_led(cls) -> frozenset[str]:
        """Both co-led kinds: the tiers' co-led share counts them together."""
        return frozenset({cls.CO_LED_PARTNER, cls.CO_LED_VENDOR})


class Programme(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    is_default = models.BooleanField(
        default=False, help_text="New applications join the default programme."
    )
    reporting_currency = models.CharField(max_length=3, default="USD")
    protection_window_days = models.PositiveSmallIntegerField(
        default=90, help_text="How long an approved deal registration reserves the customer."
    )
    deal_review_days = models.PositiveSmallIntegerField(
        default=2, help_text="Target review time for deal registrations, in days."
    )
    deal_expiry_reminder_days = models.PositiveSmallIntegerField(
        default=7,
        help_text="Remind the partner this many days before a deal's protection ends.",
    )
    discount_requires_deal_registration = models.BooleanField(
        default=False,
        help_text="No partner discount without an approved deal registration (Mattermost).",
    )
    min_customer_sales_per_year = models.PositiveSmallIntegerField(
        default=0, help_text="Reported to staff (Xen Orchestra asks for at least two)."
    )
    first_sale_credit = models.BooleanField(
        default=False,
        help_text="First sale at list price; the discount is credited for 12 months (XO).",
    )
    nonprofit_discount_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=PERCENT,
        help_text="Charity, education and non-profit discount off list, before the partner "
        "discount, for types that allow it.",
    )
    quote_validity_days = models.PositiveSmallIntegerField(
        default=30, help_text="How long a quote can be ordered at its prices."
    )
    min_years_in_operation = models.PositiveSmallIntegerField(
        default=0, help_text="Shown to reviewers as an application check (Mattermost: 2)."
    )
    requires_named_customer = models.BooleanField(
        default=False, help_text="Applications should name a customer to resell to."
    )
    application_review_days = models.PositiveSmallIntegerField(
        default=10, help_text="Target review time for applications, in days."
    )
    agreement_version = models.CharField(max_length=20, default="1.0")
    agreement_terms = models.TextField(
        blank=True, help_text="Programme-specific terms printed in the partner agreement."
    )
    # Licensing (SPEC §3.7).
    redemption_link_days = models.PositiveSmallIntegerField(
        default=14, help_text="How long a customer's redemption link stays valid, in days."
    )
    redemption_reminder_days = models.PositiveSmallIntegerField(
        default=3, help_text="Remind the customer of an unredeemed licence every so many days."
    )
    trial_days = models.PositiveSmallIntegerField(
        default=30, help_text="Length of a new trial / PoC licence, in days."
    )
    trial_max_days = models.PositiveSmallIntegerField(
        default=90,
        help_text="Partners extend a trial up to this many days in total; beyond, staff decide.",
    )
    licence_expiry_reminder_days = models.PositiveSmallIntegerField(
        default=30, help_text="Remind the partner this many days before a licence ends."
    )
    # Payments (SPEC §3.10).
    hold_licences_until_paid = models.BooleanField(
        default=False,
        help_text="An order's licences are bound to the customer (and its redemption codes "
        "redeemed) only once its invoice is paid.",
    )
    payment_review_days = models.PositiveSmallIntegerField(
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PAYMENT_REVIEW_DAYS)],
        help_text="Target review time for payment proofs, in business days (Monday to Friday).",
    )
    # The quarterly evaluation (SPEC §3.3).
    gross_exemption_join_year = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Partners that joined in this year have no minimum gross invoiced amount "
        "for that year (Vates: 2026).",
    )
    transition_type = models.ForeignKey(
        "partners.PartnerType",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Where a partner failing two quarters of a year goes when no tier of its "
        "own type fits (Vates: Reseller).",
    )
    resale_terms_version = models.CharField(max_length=20, default="1.0")
    resale_terms = models.TextField(
        blank=True, help_text="The terms an end customer accepts when redeeming a licence."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="one_default_programme"
            ),
            models.CheckConstraint(
                condition=Q(payment_review_days__gte=1)
                & Q(payment_review_days__lte=MAX_PAYMENT_REVIEW_DAYS),
                name="programme_payment_review_days",
            ),
        ]

    def __str__(self):
        return self.name


class PartnerType(models.Model):
    """Distributor, MSP, Reseller, CSP, Order Taker, Referral, System Integrator, ..."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="types")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    can_resell = models.BooleanField(
        default=True, help_text="Buys licences for customers (not referral or integrator-only)."
    )
    may_purchase_services_for_customers = models.BooleanField(default=False)
    charity_discounts_allowed = models.BooleanField(default=True)
    complimentary_nfr = models.BooleanField(default=False)
    mdf_from_tier = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Marketing development funds from this tier; empty: none."
    )
    sales_account_manager_from_tier = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Dedicated sales account manager from this tier."
    )
    deal_engagement_targets_apply = models.BooleanField(default=False)
    listed_in_locator = models.BooleanField(default=True)
    commission_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
        help_text="Commission on referred sales (OpenNebula referral partners).",
    )
    requires_customer_quote_signature = models.BooleanField(
        default=False, help_text="Customer signs the quote before the order (Mattermost VAR)."
    )
    evaluation_licence_users = models.PositiveIntegerField(
        null=True, blank=True, help_text="Partner evaluation licence size (Mattermost: 50)."
    )

    class Meta:
        ordering = ["programme", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="partner_type_unique_code")
        ]

    def __str__(self):
        return self.name

    def has_benefit_from(self, from_tier: int | None, tier_level: int | None) -> bool:
        return from_tier is not None and (tier_level or 0) >= from_tier


class Tier(models.Model):
    """One tier of a partner type with every requirement of SPEC §3.2. Empty (null) means
    the requirement does not apply ("optional", "on request")."""

    partner_type = models.ForeignKey(PartnerType, on_delete=models.CASCADE, related_name="tiers")
    level = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=80, blank=True)
    min_gross_invoiced = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Trailing 12 months, in the programme's reporting currency.",
    )
    level1_support_required = models.BooleanField(default=False)
    min_certified_sales = models.PositiveSmallIntegerField(null=True, blank=True)
    min_certified_technical = models.PositiveSmallIntegerField(null=True, blank=True)
    min_pes = models.PositiveIntegerField(null=True, blank=True, help_text="Trailing 12 months.")
    min_partner_owned_share = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    max_co_led_share = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    max_late_involvement_share = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    min_webinars = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Trailing 12 months; empty: on request."
    )
    requires_sales_training_for_upgrade = models.BooleanField(default=False)
    benefits = models.TextField(blank=True, help_text="One benefit per line, shown to partners.")

    class Meta:
        ordering = ["partner_type", "level"]
        constraints = [
            models.UniqueConstraint(fields=["partner_type", "level"], name="tier_unique_level"),
            models.CheckConstraint(condition=Q(level__gte=1), name="tier_level_positive"),
        ]

    def __str__(self):
        return f"{self.partner_type} · {self.label}"

    @property
    def label(self) -> str:
        """ "Tier 1 · Registered": the number says where it stands (1 is the entry tier),
        the name what the programme calls it."""
        return f"Tier {self.level} · {self.name}" if self.name else f"Tier {self.level}"

    @property
    def benefit_lines(self) -> list[str]:
        return [line.strip() for line in self.benefits.splitlines() if line.strip()]


class DiscountRule(models.Model):
    """Partner discount for programme x type x tier x engagement model; empty parts match
    anything, and the most specific matching rule wins (partners.selectors.programme)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="discounts")
    partner_type = models.ForeignKey(
        PartnerType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tier_level = models.PositiveSmallIntegerField(null=True, blank=True)
    engagement_model = models.CharField(max_length=20, choices=EngagementModel.choices, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, validators=PERCENT)

    class Meta:
        ordering = ["programme", "partner_type", "tier_level", "engagement_model"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "partner_type", "tier_level", "engagement_model"],
                name="discount_rule_unique",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100), name="discount_percent_range"
            ),
        ]

    def __str__(self):
        parts = [
            str(self.partner_type or "any type"),
            f"tier {self.tier_level}" if self.tier_level else "any tier",
            self.get_engagement_model_display() or "any engagement",
        ]
        return f"{' / '.join(parts)}: {self.percent}%"

    @property
    def specificity(self) -> tuple[int, bool, bool, bool]:
        """More named parts win; between equally specific rules, naming the partner type
        beats naming the tier, which beats naming the engagement model."""
        named = (
            self.partner_type_id is not None,
            self.tier_level is not None,
            bool(self.engagement_model),
        )
        return (sum(named), *named)


class EmbargoedTerritory(models.Model):
    """A country, or a region of one, where the programme does no business (SPEC §3.6)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="embargoes")
    country = CountryField()
    region_code = models.CharField(
        max_length=10, blank=True, help_text="ISO 3166-2 code (e.g. UA-43); empty: whole country."
    )
    region_name = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["programme", "country", "region_code"]
        verbose_name_plural = "embargoed territories"
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "country", "region_code"], name="embargo_unique"
            )
        ]

    def __str__(self):
        return (
            f"{self.country.name} ({self.region_name})" if self.region_code else self.country.name
        )
