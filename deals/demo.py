"""Demo deal registrations (SPEC §5): for the demo partners, registrations in every status,
among them one in conflict with another partner's approved registration and one whose
protection ends this week (the beat job reminds its partner); and a Northwind customer who
bought online after its registration was approved: a referral fee for Northwind to invoice.
No referral lead: the demo partners' Vates types earn no referral commission (programme
data; OpenNebula's types do).

Idempotent: a demo registration is added only when its partner has none for that customer
domain and product yet, so a registration the demo reviewer has decided on stays decided.
Written as the platform would have recorded them over the past weeks (back-dated, with
their history), without emailing anyone.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from deals.models import Deal, DealEvent, ReferralFee
from deals.services.referrals import referral_fee_note
from deals.services.registrations import CONFLICT_TEXT, next_reference
from licensing.models import Product
from partners.models import Membership, Organisation
from partners.selectors.programme import discount_percent
from portal.formats import format_date

S = Deal.Status
K = DealEvent.Kind

# partner, customer, domain, country, product, engagement, value, status, days since
# submitted, protection days left (approved and later), texts (question / answer / reason)
DEALS = [
    ("Northwind Distribution", "Acme Logistik GmbH", "acme-logistik.example", "DE", "pro",
     "partner_owned", "24000", S.APPROVED, 20, 70, {}),
    ("Northwind Distribution", "Hafenbank AG", "hafenbank.example", "DE", "enterprise",
     "co_led_partner", "86400", S.APPROVED, 88, 4, {}),
    ("Northwind Distribution", "Stadtwerke Nord", "stadtwerke-nord.example", "DE",
     "essential-plus", "late_involvement", "4000", S.SUBMITTED, 3, None, {}),
    ("Northwind Distribution", "Kieler Werft", "kieler-werft.example", "DE", "pro",
     "partner_owned", "12000", S.WON, 40, 50, {}),
    ("Northwind Distribution", "Nordsee Reederei", "nordsee-reederei.example", "DE", "pro",
     "partner_owned", "6000", S.APPROVED, 30, 60, {}),  # bought online: a referral fee
    ("Northwind Distribution", "Alpenmilch eG", "alpenmilch.example", "AT", "essential",
     "co_led_vendor", "2000", S.EXPIRED, 110, -10, {}),
    ("Bluepeak IT", "Acme Logistik GmbH", "acme-logistik.example", "DE", "pro",
     "partner_owned", "18000", S.CONFLICT, 2, None, {}),
    ("Bluepeak IT", "Lyon Métropole Santé", "lyon-sante.example", "FR", "essential-plus",
     "co_led_partner", "4000", S.MORE_INFO_REQUESTED, 5, None,
     {"question": "Which hospitals does the project cover, and who runs the pilot?"}),
    ("Bluepeak IT", "Rhône Transports", "rhone-transports.example", "FR", "essential",
     "late_involvement", "2000", S.REJECTED, 12, None,
     {"reason": "The customer already buys directly from us under an enterprise agreement."}),
    ("Bluepeak IT", "Clinique du Parc", "cliniqueduparc.example", "FR", "pro",
     "partner_owned", "6000", S.SUBMITTED, 0, None, {}),
    ("Cloud Nine Hosting", "Rocky Mountain Health", "rockymountainhealth.example", "US",
     "enterprise", "partner_owned", "43200", S.APPROVED, 15, 75, {}),
    ("Cloud Nine Hosting", "Denver Public Schools", "denverschools.example", "US", "essential",
     "co_led_vendor", "2000", S.LOST, 30, None, {}),
]  # fmt: skip


def seed(*, stdout, password: str) -> None:
    partners = {o.name: o for o in Organisation.objects.filter(name__in={d[0] for d in DEALS})}
    staff = get_user_model().objects.filter(email="staff@vendor.example").first()
    added = 0
    for row in sorted(DEALS, key=lambda row: -row[8]):  # oldest first: references follow dates
        organisation = partners.get(row[0])
        if organisation is not None and _add(organisation, staff, *row[1:]):
            added += 1
    fees = _seed_referral_fee(partners.get("Northwind Distribution"), staff)
    stdout.write(f"  deals: {added} demo deal registrations, {fees} referral fee added")


def _seed_referral_fee(organisation, staff) -> int:
    """Northwind's customer Nordsee Reederei bought online after its registration was
    approved: a referral fee of Northwind's discount off list, for it to invoice."""
    if organisation is None or ReferralFee.objects.filter(organisation=organisation).exists():
        return 0
    deal = Deal.objects.filter(
        organisation=organisation, customer_domain="nordsee-reederei.example"
    ).first()
    if deal is None or deal.status != S.APPROVED:
        return 0
    percent = discount_percent(
        partner_type=organisation.partner_type,
        tier_level=organisation.tier.level if organisation.tier else None,
        engagement_model=deal.engagement_model,
    )
    recorded = timezone.now() - timedelta(days=2)
    list_amount = Decimal("6000.00")
    fee = ReferralFee.objects.create(
        organisation=organisation,
        deal=deal,
        purchase_date=recorded.date(),
        list_amount=list_amount,
        currency=deal.currency,
        discount_percent=percent,
        fee_amount=(list_amount * percent / 100).quantize(Decimal("0.01")),
        recorded_at=recorded,
        recorded_by=staff,
    )
    DealEvent.objects.create(
        deal=deal,
        kind=K.ONLINE_PURCHASE,
        at=recorded,
        actor=staff,
        by_channel_team=True,
        text=f"The customer bought online: you may invoice a referral fee of {fee.fee_amount} "
        f'{fee.currency} with the note "{referral_fee_note(deal)}".',
    )
    return 1


def _add(
    organisation, staff, customer, domain, country, code, engagement, value, status, days,
    left, texts,
) -> bool:  # fmt: skip
    product = Product.objects.filter(
        programme_id=organisation.partner_type.programme_id, code=code
    ).first()
    if (
        product is None
        or Deal.objects.filter(
            organisation=organisation, customer_domain=domain, product=product
        ).exists()
    ):
        return False
    member = (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .order_by("-role", "user__email")  # sales before admin where there is one
        .first()
    )
    user = member.user if member else None
    now = timezone.now()
    submitted = now - timedelta(days=days, hours=2)
    today = timezone.localdate()
    protected_until = today + timedelta(days=left) if left is not None else None
    deal = Deal.objects.create(
        organisation=organisation,
        reference=next_reference(year=submitted.year),
        product=product,
        customer_name=customer,
        customer_domain=domain,
        customer_country=country,
        customer_email=f"purchasing@{domain}",
        estimated_value=Decimal(value),
        currency=product.plans.values_list("currency", flat=True).first() or "USD",
        expected_close_date=today + timedelta(days=45),
        engagement_model=engagement,
        notes="",
        status=status,
        protected_until=protected_until if status in (S.APPROVED, S.WON, S.EXPIRED) else None,
        submitted_by=user,
        submitted_at=submitted,
        review_since=submitted,
        rejection_reason=texts.get("reason", ""),
    )
    history = [(K.SUBMITTED, submitted, user, "")]
    decided = submitted + timedelta(days=1)
    if status == S.CONFLICT:
        history.append((K.CONFLICT, submitted, None, CONFLICT_TEXT))
    if status == S.MORE_INFO_REQUESTED:
        history.append((K.QUESTION, decided, staff, texts["question"]))
    if status == S.REJECTED:
        history.append((K.REJECTED, decided, staff, texts["reason"]))
    if status in (S.APPROVED, S.WON, S.EXPIRED):
        history.append(
            (K.APPROVED, decided, staff, f"Protected until {format_date(protected_until)}.")
        )
    if status == S.WON:
        history.append((K.WON, now - timedelta(days=3), user, ""))
    if status == S.EXPIRED:
        history.append((K.EXPIRED, now - timedelta(days=9), None, "The protection ended."))
    if status == S.LOST:
        history.append(
            (
                K.LOST,
                now - timedelta(days=2),
                user,
                "The district chose to stay on its current platform.",
            )
        )
    if status in (S.APPROVED, S.WON, S.EXPIRED, S.REJECTED):
        Deal.objects.filter(pk=deal.pk).update(decided_at=decided, decided_by=staff)
    if status in (S.WON, S.LOST):
        Deal.objects.filter(pk=deal.pk).update(closed_at=history[-1][1])
    DealEvent.objects.bulk_create(
        DealEvent(
            deal=deal,
            kind=kind,
            at=at,
            actor=actor,
            text=text,
            by_channel_team=actor is None or actor.is_staff,
        )
        for kind, at, actor, text in history
    )
    return True
