"""Redemption (SPEC §3.7): the end customer, without an account, opens the emailed link,
accepts the resale terms, names their organisation and installation, and gets the
licence key, on screen and by email. The customer never gets an invoice.

Exactly once: the licence row is locked, then the link row (the fixed order of
licensing.services.binding), and the link's state is checked under those locks. Fifty
simultaneous POSTs of one link queue on the licence lock; the first redeems and commits,
every other one then reads the link as used and is refused.

The key is a secret kept as a digest only (licensing.keys). Shown once on the page, it
must also reach the customer by email, through a task after commit, and no secret may
wait in the outbox or the broker. So the key is not drawn at random here but made from a
random nonce kept on the link and the portal's signing key (an HMAC), and the email task
makes it again from the link's id, checks it against the stored digest, sends it and
clears the nonce. After that email, nothing stored can make the key again.

Customer pages run in the named system context ``public:redemption`` (the visitor has
no tenant; the token is the credential); these services open it themselves.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_countries import countries

from licensing.entitlements import entitlements_in_words, quantity_in_words
from licensing.keys import key_digest, key_from_bytes, key_hint
from licensing.models import CustomerLink, Licence, LicenceEvent, Unit
from licensing.selectors.links import INVALID_LINK, LinkInvalid, customer_link_check, link_url
from licensing.services.licences import licence_audited_values, licence_event_record, lock_licence
from partners import roles
from partners.models import Membership
from partners.selectors.programme import is_embargoed
from portal.audit.services import audit_record
from portal.errors import DomainError
from portal.formats import format_date, format_datetime
from portal.mail import send_templated
from portal.tenancy.context import system_context

logger = logging.getLogger(__name__)

REDEMPTION_CONTEXT = "public:redemption"
_KEY_SALT = "licensing.licence-key"

_LIMITS = {"organisation_name": 200, "installation_name": 120, "region": 80}
_LABELS = {
    "organisation_name": "Your organisation",
    "installation_name": "Installation name",
    "region": "State or region",
}


@dataclass(frozen=True)
class Redemption:
    licence: Licence
    key: str  # shown once; never stored


def redemption_input_clean(
    *, organisation_name: str, country: str, region: str, installation_name: str
) -> dict[str, str]:
    """The customer's answers as the licence stores them, or a ``DomainError`` naming the
    field at fault (the page shows it beside the field)."""
    clean = {}
    for field, value in (
        ("organisation_name", organisation_name),
        ("installation_name", installation_name),
        ("region", region),
    ):
        value = " ".join((value or "").split()) if isinstance(value, str) else None
        if value is None:
            raise DomainError(f"{_LABELS[field]} must be text.", field=field)
        if not value and field != "region":
            raise DomainError(
                f"{_LABELS[field]}: this field is required.", field=field, code="required"
            )
        if len(value) > _LIMITS[field]:
            raise DomainError(
                f"{_LABELS[field]} is {len(value)} characters long; the limit is {_LIMITS[field]}.",
                field=field,
                code="too_long",
            )
        clean[field] = value
    country = (country or "").strip().upper() if isinstance(country, str) else ""
    if country not in countries:
        # The embargo check needs a real country: an empty or unknown code would pass it.
        raise DomainError("Choose your country.", field="country", code="country")
    clean["country"] = country
    return clean


def licence_redeem(
    *,
    link_id,
    organisation_name: str,
    country: str,
    installation_name: str,
    accept_terms: bool,
    terms_version: str,
    region: str = "",
    ip: str | None = None,
) -> Redemption:
    """Redeem the licence of the redemption link ``link_id``: it becomes active, bound to
    the customer's organisation, with the terms' acceptance recorded (version, time, IP).
    Raises ``LinkGone`` when the link no longer works (used, expired, replaced) and
    ``DomainError`` for the field at fault, before anything is written."""
    clean = redemption_input_clean(
        organisation_name=organisation_name,
        country=country,
        region=region,
        installation_name=installation_name,
    )
    if accept_terms is not True:
        raise DomainError(
            "Please read and accept the resale terms to redeem the licence.",
            field="accept_terms",
            code="terms_not_accepted",
        )
    with system_context(REDEMPTION_CONTEXT):
        link_licence = (
            CustomerLink.objects.filter(pk=link_id).values_list("licence_id", flat=True).first()
        )
        if link_licence is None:
            raise LinkInvalid(INVALID_LINK)
        licence = lock_licence(link_licence)
        link = CustomerLink.objects.select_for_update().filter(pk=link_id).first()
        if link is None:
            raise LinkInvalid(INVALID_LINK)
        link.licence = licence
        customer_link_check(link)
        programme = licence.product.programme
        if terms_version != programme.resale_terms_version:
            raise DomainError(
                "The resale terms changed while this page was open. Please read the current "
                f"version ({programme.resale_terms_version}) and accept it.",
                field="accept_terms",
                code="terms_changed",
            )
        _ensure_not_embargoed(programme=programme, country=clean["country"], region=clean["region"])

        now = timezone.now()
        nonce = secrets.token_hex(16)
        key = _licence_key(link_id=link.pk, nonce=nonce)
        before = licence_audited_values(licence)
        licence.status = Licence.Status.ACTIVE
        licence.customer_name = clean["organisation_name"]
        licence.customer_country = clean["country"]
        licence.installation_name = clean["installation_name"]
        licence.redeemed_at = now
        licence.terms_version = programme.resale_terms_version
        licence.terms_accepted_at = now
        licence.terms_accepted_ip = ip
        licence.key_digest = key_digest(key)
        licence.key_hint = key_hint(key)
        licence.save(
            update_fields=[
                "status",
                "customer_name",
                "customer_country",
                "installation_name",
                "redeemed_at",
                "terms_version",
                "terms_accepted_at",
                "terms_accepted_ip",
                "key_digest",
                "key_hint",
                "updated_at",
            ]
        )
        link.used_at = now
        link.key_nonce = nonce
        link.save(update_fields=["used_at", "key_nonce"])
        if licence.unit == Unit.PER_USER:
            CustomerLink.objects.create(
                licence=licence,
                purpose=CustomerLink.Purpose.MANAGE_SEATS,
                email=link.email,
                expires_at=datetime.datetime.combine(
                    licence.ends_on, datetime.time(), tzinfo=datetime.UTC
                )
                + datetime.timedelta(days=1),
            )
        where = clean["country"] + (f", {clean['region']}" if clean["region"] else "")
        licence_event_record(
            licence=licence,
            kind=LicenceEvent.Kind.REDEEMED,
            actor=None,
            summary=f"Redeemed by {licence.customer_name} ({where}) for "
            f"{licence.installation_name}; resale terms {licence.terms_version} accepted",
            before=before,
            detail={
                "email": link.email,
                "region": clean["region"],
                "terms_version": licence.terms_version,
                "key_hint": licence.key_hint,
            },
        )
        from licensing.tasks import notify_partner_of_redemption, send_licence_key

        organisation_id = str(licence.organisation_id)
        send_licence_key.delay_on_commit(link_id=str(link.pk), organisation_id=organisation_id)
        notify_partner_of_redemption.delay_on_commit(
            licence_id=str(licence.pk), organisation_id=organisation_id
        )
    logger.info("licence %s redeemed", licence.pk)
    return Redemption(licence=licence, key=key)


def licence_key_send(*, link_id) -> bool:
    """Email the customer the key of the licence redeemed through ``link_id``, once: the
    key is made again from the link's nonce (see the module's note), then the nonce is
    cleared. False when there is nothing to send (already sent). Runs in the licence
    owner's context (the task); a failed send rolls back and the retry sends it."""
    with transaction.atomic():
        link = (
            CustomerLink.objects.select_for_update(of=("self",))
            .select_related("licence__product__programme", "licence__organisation")
            .filter(pk=link_id, purpose=CustomerLink.Purpose.REDEEM)
            .first()
        )
        if link is None or not link.key_nonce:
            return False
        licence = link.licence
        key = _licence_key(link_id=link.pk, nonce=link.key_nonce, digest=licence.key_digest)
        if key is None:
            # The signing key changed with no fallback kept: the key cannot be made again.
            logger.error("licence %s: the key could not be made again for its email", licence.pk)
            return False
        seats_link = (
            CustomerLink.objects.filter(
                licence=licence,
                purpose=CustomerLink.Purpose.MANAGE_SEATS,
                revoked_at__isnull=True,
            )
            .order_by("-created_at")
            .first()
        )
        words = entitlements_in_words(licence)
        send_templated(
            to=[link.email],
            template="licensing/emails/licence_key",
            context={
                "seller": licence.organisation.name,
                "customer_name": licence.customer_name,
                "installation_name": licence.installation_name,
                "product": licence.product_name,
                "quantity": quantity_in_words(licence),
                "starts_on": format_date(licence.starts_on),
                "ends_on": format_date(licence.ends_on),
                "key": key,
                "support": words.support,
                "features": words.features,
                "seats_url": link_url(seats_link) if seats_link else "",
                "terms_version": licence.terms_version,
            },
        )
        link.key_nonce = ""
        link.save(update_fields=["key_nonce"])
        audit_record(  # the key never reaches the trail: only that it was emailed
            actor=None,
            action="licence.key_emailed",
            obj=licence,
            organisation=licence.organisation_id,
            after={"emailed_to": link.email, "key_hint": licence.key_hint},
            summary=f"Licence key (ending {licence.key_hint}) emailed to {link.email}",
        )
    return True


def partner_redemption_notify(*, licence_id) -> int:
    """Tell the partner its customer redeemed the licence: the member who bound it (while
    still a member) and the organisation's administrators, one message each. Returns how
    many were emailed. Runs in the partner's context (the task)."""
    licence = (
        Licence.objects.select_related("organisation", "product")
        .filter(pk=licence_id, status=Licence.Status.ACTIVE)
        .first()
    )
    if licence is None:
        return 0
    binder = (
        CustomerLink.objects.filter(licence=licence, purpose=CustomerLink.Purpose.REDEEM)
        .exclude(used_at__isnull=True)
        .values_list("created_by_id", flat=True)
        .first()
    )
    members = Membership.objects.for_tenant(licence.organisation_id).filter(user__is_active=True)
    recipients = sorted(
        set(members.filter(role__in=roles.MANAGE_TEAM).values_list("user__email", flat=True))
        | set(members.filter(user_id=binder).values_list("user__email", flat=True))
    )
    licence_url = settings.PORTAL_BASE_URL + reverse(
        "licensing:licence_bind", kwargs={"licence_id": licence.pk}
    )
    context = {
        "organisation": licence.organisation.name,
        "product": licence.product_name,
        "quantity": quantity_in_words(licence),
        "customer_name": licence.customer_name,
        "customer_email": licence.customer_email,
        "customer_country": countries.name(licence.customer_country),
        "installation_name": licence.installation_name,
        "redeemed_at": format_datetime(licence.redeemed_at),
        "ends_on": format_date(licence.ends_on),
        "licence_url": licence_url,
    }
    for email in recipients:
        send_templated(
            to=[email], template="licensing/emails/licence_redeemed_partner", context=context
        )
    return len(recipients)


# --- helpers --------------------------------------------------------------------------


def _ensure_not_embargoed(*, programme, country: str, region: str) -> None:
    field = None
    if is_embargoed(programme=programme, country=country):
        field = "country"
    elif region and is_embargoed(programme=programme, country=country, region=region):
        field = "region"
    if field:
        raise DomainError(
            "We cannot license our products for use in this country or region (trade "
            "embargo). If this is a mistake, contact the company that sold you the licence.",
            field=field,
            code="embargoed",
        )


def _licence_key(*, link_id, nonce: str, digest: str | None = None) -> str | None:
    """The licence key made from the link and its nonce with the signing key. Given the
    stored ``digest``, the one of the signing keys (current, then fallbacks) whose key
    matches it, or None."""
    secrets_to_try = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if digest is None:
        secrets_to_try = secrets_to_try[:1]
    for secret in secrets_to_try:
        raw = salted_hmac(
            _KEY_SALT, f"{link_id}:{nonce}", secret=secret, algorithm="sha256"
        ).digest()
        key = key_from_bytes(raw)
        if digest is None or key_digest(key) == digest:
            return key
    return None
